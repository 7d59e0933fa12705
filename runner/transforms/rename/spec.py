"""The validated rename request, and the dotted-name arithmetic every step uses."""
from __future__ import annotations

import keyword
from dataclasses import dataclass
from typing import Union

from runner.lazy import lazy_module

cst = lazy_module("libcst")  # for dotted_expr only: the fast path never imports libcst


def parent_of(dotted: str) -> str | None:
    """``"a.b.c"`` -> ``"a.b"``; a single component has no parent (``None``)."""
    head, sep, _ = dotted.rpartition(".")
    return head if sep else None


def last_of(dotted: str) -> str:
    """``"a.b.c"`` -> ``"c"``; a single component is its own last one."""
    return dotted.rpartition(".")[2]


def top_of(dotted: str) -> str:
    """``"a.b.c"`` -> ``"a"``; a single component is its own top one."""
    return dotted.partition(".")[0]


def is_under(name: str, prefix: str) -> bool:
    """True when ``name`` is ``prefix`` itself or something inside it (dot-aware)."""
    return name == prefix or name.startswith(prefix + ".")


def dotted_expr(dotted: str) -> Union[cst.Name, cst.Attribute]:
    """A Name/Attribute expression for a dotted name (``a.b.c``)."""
    node = cst.parse_expression(dotted)
    assert isinstance(node, (cst.Name, cst.Attribute)), dotted
    return node


def _check_dotted(label: str, value: object) -> None:
    if not isinstance(value, str) or not value or not all(
        part.isidentifier() and not keyword.iskeyword(part) for part in value.split(".")
    ):
        raise ValueError(
            f"rename: {label} must be a dotted Python name like 'pkg.mod.name', got {value!r}"
        )


@dataclass(frozen=True)
class RenameSpec:
    """The pair of fully qualified names (hashable: used as a cache key).

    Construction validates (``ValueError`` with the reason): both must be dotted
    Python names, different, and ``new`` must not lie inside ``old``.
    """

    old: str
    new: str

    def __post_init__(self) -> None:
        _check_dotted("old", self.old)
        _check_dotted("new", self.new)
        if self.old == self.new:
            raise ValueError(f"rename: old and new are the same name {self.old!r}")
        if is_under(self.new, self.old):
            # Every run would find `old` again inside `new`: not idempotent.
            raise ValueError(
                f"rename: new name {self.new!r} must not be inside old name {self.old!r}"
            )

    @property
    def old_mod(self) -> str | None:
        """The module the old name lives in (``None`` when the old name is a top-level module)."""
        return parent_of(self.old)

    @property
    def new_mod(self) -> str | None:
        """The module the new name lives in (``None`` when the new name is a top-level module)."""
        return parent_of(self.new)

    @property
    def old_last(self) -> str:
        """The old name's last component (what references spell)."""
        return last_of(self.old)

    @property
    def new_last(self) -> str:
        """The new name's last component."""
        return last_of(self.new)

    @property
    def is_move(self) -> bool:
        """The containing module changes (code would have to move between files)."""
        return self.old_mod != self.new_mod

    def covers(self, module: str | None) -> bool:
        """Is ``module`` the old name or inside it (it moves with a module rename)?"""
        return module is not None and is_under(module, self.old)

    def renamed(self, name: str) -> str:
        """``name``, the old name or a name inside it, as it is spelled after the rename."""
        return self.new + name[len(self.old):]

    def needles(self) -> tuple[str, ...]:
        """The old last component (every reference spells it, except star imports) and
        ``import *`` (a ``from .b import *`` re-export must name the new binding).

        Not the old module's last component: a word like ``text`` or ``utils`` is in
        nearly every file of a large repository and would defeat the prefilter.
        """
        return (self.old_last, "import *") if self.old_mod is not None else (self.old_last,)
