"""Drop unused names from one import statement, as libcst's ``RemoveImportsVisitor`` does
once it knows which of the statement's names are unused (its ``leave_Import`` and
``leave_ImportFrom``): a name goes when the removals ask for it (module and alias, or
module, object and alias) and it is unused; a statement left without names goes; the
last name kept loses its trailing comma when a later one went; the comment after a
dropped name's comma moves to the comma before it (or after ``(``). libcst.codemod is
not imported.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

import libcst as cst
from libcst.helpers import get_absolute_module_from_package_for_import

from .rules import ImportSpec


@dataclass(frozen=True, slots=True)
class Removals:
    """The imports a removal weighs, as ``RemoveImportsVisitor.__init__`` reads them."""

    modules: dict[str, str | None]  #: ``import m [as a]``: module -> alias
    objects: dict[str, set[tuple[str, str | None]]]  #: ``from m import o [as a]``: module -> (object, alias)

    @classmethod
    def of(cls, specs: Iterable[ImportSpec]) -> "Removals":
        """The removals of ``specs`` (in order: a later alias of a module wins)."""
        specs = list(specs)
        objects: dict[str, set[tuple[str, str | None]]] = {}
        for spec in specs:
            if spec.obj is not None:
                objects.setdefault(spec.module, set()).add((spec.obj, spec.asname))
        return cls({s.module: s.asname for s in specs if s.obj is None}, objects)

    def weighed(self, stmt: cst.Import | cst.ImportFrom, package: str | None) -> list[cst.ImportAlias]:
        """The names of ``stmt`` removed when unused; the others stay whatever their use
        (``__future__`` names and the names of a relative import outside the package too)."""
        if isinstance(stmt, cst.Import):
            wanted = self.modules
            return [a for a in stmt.names if a.evaluated_name in wanted and a.evaluated_alias == wanted[a.evaluated_name]]
        if isinstance(stmt.names, cst.ImportStar):
            return []
        if stmt.module is None or getattr(stmt.module, "value", None) == "__future__":
            return []  # GatherUnusedImportsVisitor never counts these as unused
        name = get_absolute_module_from_package_for_import(package, stmt)
        objects = self.objects.get(name) if name is not None else None
        if not objects:
            return []
        return [a for a in stmt.names if (a.evaluated_name, a.evaluated_alias) in objects]


def dropped(stmt: cst.Import | cst.ImportFrom, unused: set[cst.ImportAlias], removals: Removals,
            package: str | None) -> cst.Import | cst.ImportFrom | None:
    """``stmt`` without its names in ``unused`` that ``removals`` weighs; None when no
    name is left; ``stmt`` itself when nothing changes."""
    if isinstance(stmt, cst.Import):
        return _dropped_import(stmt, unused, removals)
    return _dropped_from(stmt, unused, removals, package)


def _dropped_import(stmt: cst.Import, unused: set[cst.ImportAlias], removals: Removals) -> cst.Import | None:
    keep = []
    for alias in stmt.names:
        name = alias.evaluated_name
        if name not in removals.modules or alias.evaluated_alias != removals.modules[name] or alias not in unused:
            keep.append(alias)
    if keep == stmt.names:  # (a list is never equal to a parsed tuple: the visitor's test, kept as it is)
        return stmt
    return _finished(stmt, keep, {})


def _dropped_from(stmt: cst.ImportFrom, unused: set[cst.ImportAlias], removals: Removals,
                  package: str | None) -> cst.ImportFrom | None:
    names = stmt.names
    if isinstance(names, cst.ImportStar):
        return stmt
    name = get_absolute_module_from_package_for_import(package, stmt)
    if name is None or name not in removals.objects:
        return stmt
    objects = removals.objects[name]
    updates: dict[str, Any] = {}
    keep: list[cst.ImportAlias] = []
    for alias in names:
        if (alias.evaluated_name, alias.evaluated_alias) not in objects or alias not in unused:
            keep.append(alias)
            continue
        comma = alias.comma
        if not isinstance(comma, cst.Comma):
            continue
        if keep:  # the comment after this comma goes to the comma before it
            prev = keep[-1]
            if isinstance(prev.comma, cst.Comma):
                prev = prev.with_deep_changes(prev.comma, whitespace_after=_merged(prev.comma.whitespace_after, comma.whitespace_after))
            else:
                prev = prev.with_changes(comma=comma)
            keep[-1] = prev
        elif isinstance(stmt.lpar, cst.LeftParen):
            updates["lpar"] = stmt.lpar.with_changes(whitespace_after=_merged(stmt.lpar.whitespace_after, comma.whitespace_after))
    if keep == names:
        return stmt
    return _finished(stmt, keep, updates)


def _finished(stmt, keep: list[cst.ImportAlias], updates: dict[str, Any]):  # type: ignore[no-untyped-def]
    """``stmt`` with the names ``keep`` (None when empty), the last one without a comma
    when it was not the last."""
    if not keep:
        return None
    if keep[-1] is not stmt.names[-1]:
        keep = [*keep[:-1], keep[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return stmt.with_changes(**updates, names=keep)


def _merged(left: cst.BaseParenthesizableWhitespace, right: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """``_merge_whitespace_after`` of libcst: ``left``, with the comment lines of ``right``."""
    if not isinstance(right, cst.ParenthesizedWhitespace):
        return left
    if not isinstance(left, cst.ParenthesizedWhitespace):
        return right
    return left.with_changes(empty_lines=tuple(line for line in right.empty_lines if line.comment is not None))
