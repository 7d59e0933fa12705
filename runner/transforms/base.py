"""The transform protocol and the per-file, per-task outcomes.

A *tree transform* takes a parsed libcst Module and returns a new Module; the engine
parses each file once per phase and hands the tree from one task to the next.
Outcomes are frozen and picklable so process-pool workers can return them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:  # annotations only: a plan that parses nothing with libcst never imports it
    import libcst as cst


@dataclass(frozen=True, slots=True)
class Gap:
    """A site the deterministic transform could not close: a person or the model must."""

    file: str  #: path relative to the root, posix separators
    line: int  #: 1-based
    column: int  #: 1-based
    reason: str
    source: str = ""  #: the matched source text, when there is one
    rule: str = ""  #: the rule of the transform that left it (``rules[3]``), when it has rules


@dataclass(frozen=True, slots=True)
class RuleTally:
    """What one rule of a transform's ``rules:`` did in one file (or, summed, in many)."""

    rule: int  #: the rule's index in the task type's ``rules:``
    matches: int = 0  #: sites it matched
    changes: int = 0  #: sites it rewrote (and that stayed rewritten)
    gaps: int = 0  #: sites it left as gaps (could not rewrite them, or a ``flag`` rule)


@dataclass(frozen=True, slots=True)
class FileContext:
    """What a transform may know about the file it is applied to (one per file)."""

    root: str  #: absolute path of the migrated root
    path: str  #: path relative to the root, posix separators
    full_module_name: str | None  #: e.g. "mypkg.sub.mod" (as libcst's CLI computes it)
    full_package_name: str | None  #: e.g. "mypkg.sub"

    @property
    def abspath(self) -> str:
        """The file's path on disk: ``root`` joined with the posix ``path``."""
        import os

        return os.path.join(self.root, *self.path.split("/"))


@dataclass(frozen=True, slots=True)
class TreeResult:
    """What a tree transform returns for one file."""

    module: cst.Module
    warnings: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    #: the transform checked that ``module``'s code parses with Python's parser and that
    #: the tree is what parsing it gives: the engine then uses it without parsing it again
    checked: bool = False
    rules: tuple[RuleTally, ...] = ()  #: per rule that matched or was tried here, by index
    #: ``module.code`` when the transform has already rendered it (the engine then does not render the tree again)
    code: str | None = None


@runtime_checkable
class TreeTransform(Protocol):
    """A deterministic edit of one parsed file.

    Instances are built per task type (``build_transform``) and may be reused across
    files, so they must keep no per-file state on ``self``: per-file state belongs in
    objects created inside ``transform_module`` (e.g. a fresh libcst codemod instance).
    """

    def needles(self) -> tuple[str, ...]:
        """Substrings of which at least one must occur in a file for the transform to
        possibly change it; ``()`` means every file must be parsed."""
        ...

    def transform_module(self, module: cst.Module, ctx: FileContext) -> TreeResult:
        """Return the edited module. May raise ``libcst.codemod.SkipFile`` to leave the
        file unchanged with a reason; any other exception fails this file's subtask."""
        ...


# Outcomes of one task on one file --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Changed:
    """The transform changed the file: its bytes before and after, warnings and the gaps it left."""

    before: bytes
    after: bytes
    warnings: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    rules: tuple[RuleTally, ...] = ()  #: what each rule of the transform did (rule-based transforms)


@dataclass(frozen=True, slots=True)
class Unchanged:
    """The transform left the file as it was, and why when there is more to say."""

    reason: str = ""  #: why nothing changed, when there is more to say ("no needle", "skipped: ...")
    warnings: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    rules: tuple[RuleTally, ...] = ()


@dataclass(frozen=True, slots=True)
class Failed:
    """The transform failed on the file (nothing of it is written): why, and the gaps it saw."""

    reason: str
    warnings: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = field(default=())
    rules: tuple[RuleTally, ...] = ()


Outcome = Changed | Unchanged | Failed
