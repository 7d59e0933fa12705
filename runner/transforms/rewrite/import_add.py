"""Add the imports of the rules that fired, on the module's top-level statements alone.

The statements written, and where, are those of libcst's ``AddImportsVisitor`` run on
the head of the module (its first statement, the import lines after it and one more
statement, the statements other than import lines and docstrings standing as one-name
stubs), which is how batchmod ran it: the imports already at the top (after a docstring;
the import lines before any other statement) are not added again, names to import from
a module already imported from at the top join its first such ``from`` line (sorted,
before its own names), and the new lines go after the import block: ``from __future__``
ones before it, then ``import m``, ``import m as a`` and ``from m import ...`` (sorted),
with a blank line before the statement that follows them. libcst.codemod is not
imported (its matchers take longer to import than the edit takes).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Iterable, Protocol

import libcst as cst
from libcst.helpers import get_absolute_module_from_package, get_absolute_module_from_package_for_import

from .rules import ImportSpec


class ImportContext(Protocol):
    """What the import edits read of the file's context (a libcst CodemodContext fits)."""

    full_package_name: str | None


@dataclass(frozen=True, slots=True)
class ModuleNames:
    """An ``ImportContext`` of the file's path, module and package names."""

    filename: str | None = None
    full_module_name: str | None = None
    full_package_name: str | None = None


@dataclass(frozen=True, slots=True)
class _Item:
    """An import to add, as libcst's ``ImportItem`` holds it (``relative``: leading dots)."""

    module_name: str
    obj_name: str | None = None
    alias: str | None = None
    relative: int = 0

    @property
    def module(self) -> str:
        return "." * self.relative + self.module_name

    def resolved(self, package: str | None) -> "_Item":
        """``ImportItem.resolve_relative``: absolute when the package is known."""
        item = self
        if item.relative and item.obj_name is None:
            item = replace(item, module_name="", obj_name=item.module_name)
        if package is None:
            return item
        absolute = get_absolute_module_from_package(package, item.module_name or None, self.relative)
        return item if absolute is None else replace(item, module_name=absolute, relative=0)


def _item(spec: ImportSpec) -> _Item:
    """``spec`` as the visitor's ``add_needed_import`` and constructor take it, with their checks."""
    if spec.module == "__future__" and spec.obj is None:
        raise ValueError("Cannot import __future__ directly!")
    module, relative = spec.module or "", spec.relative
    if module.startswith("."):
        stripped = module.lstrip(".")
        module, relative = stripped, relative + len(module) - len(stripped)
    item = _Item(module, spec.obj, spec.asname, relative)
    if item.module == "__future__" and item.obj_name is None:
        raise ValueError("Cannot import __future__ directly!")
    if item.module == "__future__" and item.alias is not None:
        raise ValueError("Cannot import __future__ objects with aliases!")
    return item


@dataclass(slots=True)
class _Wanted:
    """The imports still to add, in the four forms the visitor keeps apart."""

    modules: set[str] = field(default_factory=set)  #: import m
    objects: dict[str, set[str]] = field(default_factory=dict)  #: from m import o
    module_aliases: dict[str, str] = field(default_factory=dict)  #: import m as a
    object_aliases: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  #: from m import o as a

    @classmethod
    def of(cls, items: list[_Item]) -> "_Wanted":
        """The forms of ``items`` (resolved), as ``AddImportsVisitor.__init__`` builds them."""
        plain = sorted({i.module for i in items if i.obj_name is not None and i.alias is None})
        aliased = sorted({i.module for i in items if i.obj_name is not None and i.alias is not None})
        return cls(
            {i.module for i in items if i.obj_name is None and i.alias is None},
            {m: {i.obj_name for i in items if i.module == m and i.obj_name is not None and i.alias is None} for m in plain},
            {i.module: i.alias for i in items if i.obj_name is None and i.alias is not None},
            {m: [(i.obj_name, i.alias) for i in items if i.module == m and i.obj_name is not None and i.alias is not None]
             for m in aliased},  # type: ignore[misc]
        )

    def empty(self) -> bool:
        return not (self.modules or self.objects or self.module_aliases or self.object_aliases)


def add_imports(module: cst.Module, context: ImportContext, specs: Iterable[ImportSpec]) -> cst.Module:
    """``module`` with the imports ``specs`` added (see the module docstring); ``module``
    itself when none is to be added. ``context.full_package_name`` resolves relative
    imports. Raises ValueError for ``import __future__`` or an aliased ``__future__`` name."""
    specs = list(specs)
    if not specs:
        return module
    package = context.full_package_name
    wanted = _Wanted.of([_item(s).resolved(package) for s in specs])
    body = list(module.body)
    start = 1 if _skip_first(body) else 0
    end = start
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    _subtract_present(wanted, [body[k].body[0] for k in range(start, end)], package)  # type: ignore[attr-defined]
    for k in range(start, end):
        stmt = body[k].body[0]  # type: ignore[attr-defined]
        if type(stmt) is cst.ImportFrom:
            joined = _joined(stmt, wanted, package)
            if joined is not stmt:
                body[k] = body[k].with_changes(body=[joined])
    if wanted.empty():
        return module if body == list(module.body) else module.with_changes(body=body)
    lines = _new_lines(wanted, module.config_for_parsing)
    after = _with_blank_line(body[end:])
    return module.with_changes(body=[*body[:start], *lines["__future__"], *body[start:end], *lines[""], *after])


def _skip_first(body: list[cst.BaseStatement]) -> bool:
    """Whether the first statement is a docstring (one plain string, alone on its line).
    (The visitor also skips ``__strict__ = ...``; as batchmod ran it that was a stub.)"""
    if not body:
        return False
    first = body[0]
    return (type(first) is cst.SimpleStatementLine and len(first.body) == 1 and type(first.body[0]) is cst.Expr
            and type(first.body[0].value) is cst.SimpleString)


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return type(stmt) is cst.SimpleStatementLine and len(stmt.body) == 1 and type(stmt.body[0]) in (cst.Import, cst.ImportFrom)


def _subtract_present(wanted: _Wanted, present: list[cst.BaseSmallStatement], package: str | None) -> None:
    """Take out of ``wanted`` what the imports at the top already import (the visitor's
    ``visit_Module`` with its ``_GatherTopImportsBeforeStatements``)."""
    modules: set[str] = set()
    module_aliases: dict[str, str] = {}
    object_aliases: dict[str, list[tuple[str, str]]] = {}
    objects: dict[str, set[str]] = {}
    for stmt in present:
        if type(stmt) is cst.Import:
            for name in stmt.names:
                if name.evaluated_alias is not None:
                    module_aliases[name.evaluated_name] = name.evaluated_alias
                else:
                    modules.add(name.evaluated_name)
        else:
            _gather_from(stmt, package, objects, object_aliases)  # type: ignore[arg-type]
    wanted.modules -= modules
    for name, alias in module_aliases.items():
        if wanted.module_aliases.get(name) == alias:
            del wanted.module_aliases[name]
    for name, pairs in object_aliases.items():
        for pair in pairs:
            if name in wanted.object_aliases and pair in wanted.object_aliases[name]:
                wanted.object_aliases[name].remove(pair)
                if not wanted.object_aliases[name]:
                    del wanted.object_aliases[name]
    for name, names in objects.items():
        if name not in wanted.objects:
            continue
        if "*" in names:
            del wanted.objects[name]
        else:
            wanted.objects[name] = wanted.objects[name] - names
            if not wanted.objects[name]:
                del wanted.objects[name]


def _gather_from(stmt: cst.ImportFrom, package: str | None, objects: dict[str, set[str]],
                 object_aliases: dict[str, list[tuple[str, str]]]) -> None:
    """``_GatherImportsMixin._handle_ImportFrom``: what a ``from`` line imports."""
    name = get_absolute_module_from_package_for_import(package, stmt)
    if name is None:
        return
    if isinstance(stmt.names, cst.ImportStar):
        objects[name] = {"*"}
        return
    aliased = [(a.evaluated_name, a.evaluated_alias) for a in stmt.names if a.asname is not None]
    if aliased:
        object_aliases.setdefault(name, []).extend(aliased)  # type: ignore[arg-type]
    plain = {a.evaluated_name for a in stmt.names if a.asname is None}
    if plain:
        objects.setdefault(name, set())
        if "*" in objects[name]:
            objects[name] = {"*"}
            return
        objects[name].update(plain)


def _joined(stmt: cst.ImportFrom, wanted: _Wanted, package: str | None) -> cst.ImportFrom:
    """``stmt`` with the names ``wanted`` imports from its module put first (the
    visitor's ``leave_ImportFrom``); those names are then no longer wanted."""
    if isinstance(stmt.names, cst.ImportStar):
        return stmt
    name = get_absolute_module_from_package_for_import(package, stmt)
    if name is None or (name not in wanted.objects and name not in wanted.object_aliases):
        return stmt
    plain = wanted.objects.pop(name, set())
    aliased = wanted.object_aliases.pop(name, [])
    return stmt.with_changes(names=[
        *(cst.ImportAlias(name=cst.Name(obj)) for obj in sorted(plain)),
        *(cst.ImportAlias(name=cst.Name(obj), asname=cst.AsName(name=cst.Name(alias))) for obj, alias in sorted(aliased)),
        *stmt.names,
    ])


def _new_lines(wanted: _Wanted, config: cst.PartialParserConfig) -> dict[str, list[cst.BaseStatement]]:
    """The new import lines: ``"__future__"``, those before the import block; ``""``, those after it."""
    froms: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for name, aliased in wanted.object_aliases.items():
        froms[name].extend(aliased)
    for name, plain in wanted.objects.items():
        froms[name].extend((obj, None) for obj in plain)
    ordered = {name: sorted(pairs) for name, pairs in froms.items()}  # type: ignore[type-var]

    def from_line(name: str, pairs: list[tuple[str, str | None]]) -> cst.BaseStatement:
        names = ", ".join(obj if alias is None else f"{obj} as {alias}" for obj, alias in pairs)
        return cst.parse_statement(f"from {name} import {names}", config=config)

    return {
        "__future__": [from_line(n, p) for n, p in ordered.items() if n == "__future__"],
        "": [
            *(cst.parse_statement(f"import {name}", config=config) for name in sorted(wanted.modules)),
            *(cst.parse_statement(f"import {name} as {alias}", config=config) for name, alias in wanted.module_aliases.items()),
            *(from_line(n, p) for n, p in ordered.items() if n != "__future__"),
        ],
    }


def _with_blank_line(statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """At least one blank line before the first statement after the new imports (one
    more when its first leading line is a comment)."""
    if not statements:
        return statements
    first = statements[0]
    if not first.leading_lines:
        return [first.with_changes(leading_lines=(cst.EmptyLine(),)), *statements[1:]]
    if first.leading_lines[0].comment is None:
        return statements
    return [first.with_changes(leading_lines=(cst.EmptyLine(), *first.leading_lines)), *statements[1:]]
