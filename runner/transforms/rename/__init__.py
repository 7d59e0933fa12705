"""The ``rename`` transform: rename or move a module-level object, or rename a module.

``RenameTransform(old, new)`` takes two fully qualified dotted names. Per file it
rewrites, using libcst scope / qualified-name analysis (relative imports resolved
against ``ctx.full_package_name``):

* the definition itself (``def``/``class``/assignment/import binding at module level)
  when the file is the old module and only the last component changes;
* every import form: ``import a.b`` (+ ``a.b.c`` uses), ``import a.b as x`` (+
  ``x.c``), ``from a.b import c [as d]``, ``from a import b`` (+ ``b.c``), relative
  imports (kept relative when possible), multi-name imports (the other names are left
  alone), star imports / star re-exports and module-level ``__all__`` entries;
* every reference to a renamed binding, never a same-spelled unrelated name.

Contracts and chosen behaviour:

* **Local bindings follow the rename** (``from a.b import c`` -> ``from a.b import
  c_new`` and ``c()`` -> ``c_new()``) unless the new name is already bound or used in a
  scope concerned; then the old local name is kept with an alias
  (``from a.b import c_new as c``) and references stay. An existing import of the new
  name makes the old import redundant: it is dropped.
* **Moves** (the module part changes: ``a.b.c`` -> ``a.d.c``): code is not moved between
  files. References and imports everywhere are pointed at the new location; the old
  module keeps its definition and gets a Gap ("definition of a.b.c stays in a/b.py;
  move it to a.d"). A name moved out of a multi-name import goes to a new import line
  right after it. ``x.c`` through a module alias becomes a bare ``c`` imported from the
  new module (``a.b.c`` through a plain ``import a.b`` becomes ``a.d.c`` plus
  ``import a.d``); an import left unused by that is retargeted or removed. The
  destination module itself is left alone (importing the name from itself would be
  circular) with a Gap per site.
* **Module renames** (``old`` is a module): imports of it and of its submodules are
  rewritten; moving the file is out of scope and reported as a Gap in that module's
  own file (only when that file contains a needle, as the engine skips the rest).
  Files inside the renamed module move with it: their relative imports are spelled
  for the new location (usually unchanged).
* **Re-exports**: package ``__init__`` files above the old module are read from disk
  (``ctx.root``) to learn public aliases (``a/__init__.py: from .b import c`` makes
  ``a.c`` an alias of ``a.b.c``), so ``from a import c`` elsewhere follows the rename;
  so are the modules a file imports that re-export the name (``m.c`` where ``m`` does
  ``from a.b import c``).
* **Docs** (``docs: true``, the default; :mod:`.docs`): strings equal to a renamed
  dotted name (``mock.patch("a.b.c")``, ``"a.b:c"``) are renamed; in files whose code
  changes, whole-word mentions in docstrings and comments too, and doctest examples
  are renamed as code. Files that are not Python get the dotted and entry-point forms
  (``transform_text``: ``pyproject.toml``, ``setup.cfg``).
* **Other strings** are never rewritten, except ``__all__`` entries of renamed module-level
  bindings. A literal containing a renamed dotted name (``mock.patch("a.b.c")``, a
  docstring), or equal to the bare old name in a file that uses the old name
  (``getattr(b, "c")``), is reported as a Gap. Comments are ignored.
* **A rename to a builtin** (``six.text_type`` -> ``builtins.str``) writes the bare
  builtin and adds no import (:mod:`.to_builtin`), unless the module binds that name.
* Output is lossless outside the edited nodes, re-parses, and a second application is
  a no-op. ``old`` must name a module or a module-level object (not a class member).

Layout: :mod:`.spec` (the validated names), :mod:`.modules` (module names and import
spelling), :mod:`.reexports` (package ``__init__`` aliases), :mod:`.scan` (reading the
tree), :mod:`.analysis` (the per-file facts and decisions), the planning steps run by
:mod:`.planner` (:mod:`.own_file`, :mod:`.imports`, :mod:`.bindings`,
:mod:`.references`, :mod:`.strings`), and :mod:`.apply` (the plan and its applier).
The fast path (:mod:`.fast`, :mod:`.fastswap`, :mod:`.fastdocs`, :mod:`.fastdoctest`,
:mod:`.fastcheck`, on :mod:`.astfacts` read on the lines :mod:`.fastlines` finds) answers from the stdlib ``ast`` where the
libcst path's outcome is certain; a plan whose files all take it never imports libcst.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from runner.lazy import lazy_module
from runner.transforms.base import FileContext, Outcome, TreeResult
from runner.transforms.rename.fast import RenamerFactory, fast_outcome
from runner.transforms.rename.fastdoctest import fast_doctest
from runner.transforms.rename.fastlines import compile_spellings
from runner.transforms.rename.modules import import_context
from runner.transforms.rename.reexports import imported_module_aliases, reexported_aliases
from runner.transforms.rename.spec import RenameSpec

if TYPE_CHECKING:
    from runner.transforms.replace import TextResult

# The libcst path's modules (apply, planner, scan, text, to_builtin) are imported by the
# functions that use them: a plan whose files all take the fast path never loads libcst.
cst = lazy_module("libcst")

__all__ = ["RenameSpec", "RenameTransform"]


class RenameTransform:
    """Rename ``old`` to ``new`` (fully qualified dotted names). Stateless per file.

    Raises ``ValueError`` for names that are not dotted Python names, equal, or
    ``new`` inside ``old`` (see :class:`.spec.RenameSpec`).
    """

    def __init__(self, old: str, new: str, docs: bool = True) -> None:
        self.spec = RenameSpec(old, new)
        self.docs = bool(docs)
        # made while the playbook is checked (a plan's listing is looked at meanwhile),
        # before the pool forks: no worker compiles it again
        compile_spellings(self.spec.old_last)

    def needles(self) -> tuple[str, ...]:
        """The texts a file must contain for the rename to concern it (the prefilter): see :meth:`.spec.RenameSpec.needles`."""
        return self.spec.needles()

    def precheck(self, source: bytes, ctx: FileContext) -> Outcome | None:
        """The outcome :meth:`transform_module` gives for ``source`` when it is certain
        without libcst (:mod:`.fast`: files the rename cannot concern, and plain
        identifier swaps), else None (parse the file and call :meth:`transform_module`)."""
        return fast_outcome(self.spec, source, ctx, self.doctest_renamer())

    def doctest_renamer(self) -> RenamerFactory | None:
        """What the fast path renames doctests with, as :meth:`transform_module` does
        (None with ``docs: false``): given a file's import context and the old name's
        re-export aliases, a renamer of one docstring's examples."""
        if not self.docs:
            return None
        return lambda ctx, aliases: lambda code, renames: rename_doctest(code, ctx, self.spec, aliases, renames)

    def transform_module(self, module: cst.Module, ctx: FileContext) -> TreeResult:
        """``module`` (the parsed file ``ctx``) renamed: the new tree with the warnings and the
        gaps (sites left for a person, sorted by position), or ``module`` itself when nothing
        changes. Raises libcst's ``ParserSyntaxError`` rather than return a tree whose code
        does not parse."""
        from runner.transforms.rename.apply import apply_plan
        from runner.transforms.rename.planner import plan_rename
        from runner.transforms.rename.scan import may_mention
        from runner.transforms.rename.to_builtin import unqualify_builtin

        ctx = import_context(ctx, self.spec.old)
        # Needles match text anywhere (comments, other identifiers, the old module's
        # name); skip the costly scope analysis when no node can be concerned. Every
        # name this file may have to change ends in old_last (re-export aliases too).
        if not self.spec.covers(ctx.full_module_name) and not may_mention(
            module, frozenset({self.spec.old_last})
        ):
            return TreeResult(module=module)
        aliases = reexported_aliases(self.spec, ctx)
        aliases.update(imported_module_aliases(module, self.spec, ctx, aliases))
        renamer = (lambda code, renames: rename_doctest(code, ctx, self.spec, aliases, renames)) if self.docs else None
        planned = plan_rename(module, ctx, self.spec, aliases, renamer)
        gaps = tuple(sorted(planned.gaps, key=lambda g: (g.line, g.column, g.reason)))
        warnings = tuple(planned.warnings)
        if planned.plan.empty:
            return TreeResult(module=module, warnings=warnings, gaps=gaps)
        new_module, broken = apply_plan(planned.module, planned.plan, ctx.path, self.spec.old)
        if broken:
            gaps = tuple(sorted(gaps + tuple(broken), key=lambda g: (g.line, g.column, g.reason)))
        if self.spec.new_mod == "builtins":
            new_module = unqualify_builtin(module, new_module, self.spec.new_last)
        cst.parse_module(new_module.code)  # fail this file rather than write broken code
        return TreeResult(module=new_module, warnings=warnings, gaps=gaps)

    def transform_text(self, text: str, ctx: FileContext) -> TextResult:
        """Files that are not Python (``pyproject.toml``, ``setup.cfg``): whole-word
        ``a.b.c`` and entry-point ``a.b:c`` mentions of the old name."""
        from runner.transforms.rename.text import rename_in_text

        return rename_in_text(text, self.spec)


def rename_doctest(code: str, ctx: FileContext, spec: RenameSpec, aliases: dict[str, str],
                   renames: dict[str, str]) -> str | None:
    """The doctest code (a docstring's examples joined) renamed like a module whose free
    names are the module's globals (``renames``: its renamed bindings); None if it does
    not parse. Answered with ``ast`` when that is certain (:mod:`.fastdoctest`), else as
    :func:`libcst_doctest` answers."""
    fast = fast_doctest(code, spec, aliases, renames)
    return fast if fast is not None else libcst_doctest(code, ctx, spec, aliases, renames)


def libcst_doctest(code: str, ctx: FileContext, spec: RenameSpec, aliases: dict[str, str],
                   renames: dict[str, str]) -> str | None:
    """:func:`rename_doctest` by libcst: the code parsed as a module, the rename planned
    and applied on it, then its free names in ``renames`` renamed; None if libcst does
    not parse it."""
    from runner.transforms.rename.apply import PlanApplier
    from runner.transforms.rename.planner import plan_rename
    from runner.transforms.rename.text import rename_free_names

    try:
        snippet = cst.parse_module(code)
    except Exception:
        return None
    planned = plan_rename(snippet, ctx, spec, aliases)
    new = planned.module.visit(PlanApplier(planned.plan)) if not planned.plan.empty else snippet
    return rename_free_names(new, renames).code
