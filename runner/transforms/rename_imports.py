"""Helpers for the ``rename`` transform: dotted/relative module names, the edit plan
and the libcst transformer that applies it.

The planner in :mod:`runner.transforms.rename` decides *what* changes (it needs scope
analysis); this module only knows *how* to express and apply those decisions without
losing formatting:

* :func:`resolve_relative` / :func:`relativize` convert between ``from ..x import y``
  and absolute module names, given the package of the file (as libcst computes it);
* :class:`RenamePlan` records edits keyed by the *original* nodes of the analysed tree;
* :class:`PlanApplier` is a fresh-per-file transformer that applies a plan.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import libcst as cst
from libcst.helpers import get_full_name_for_node

# Dotted names ------------------------------------------------------------------------


def parent_of(dotted: str) -> str | None:
    """``"a.b.c"`` -> ``"a.b"``; a single component has no parent (``None``)."""
    head, sep, _ = dotted.rpartition(".")
    return head if sep else None


def last_of(dotted: str) -> str:
    return dotted.rpartition(".")[2]


def top_of(dotted: str) -> str:
    return dotted.partition(".")[0]


def is_under(name: str, prefix: str) -> bool:
    """True when ``name`` is ``prefix`` itself or something inside it (dot-aware)."""
    return name == prefix or name.startswith(prefix + ".")


def dotted_expr(dotted: str) -> Union[cst.Name, cst.Attribute]:
    """A Name/Attribute expression for a dotted name (``a.b.c``)."""
    node = cst.parse_expression(dotted)
    assert isinstance(node, (cst.Name, cst.Attribute)), dotted
    return node


def resolve_relative(name: str, package: str | None) -> str | None:
    """Absolute form of a possibly relative dotted name (``".b.c"``, ``"..x"``).

    ``package`` is the package the file belongs to (for ``a/__init__.py`` that is
    ``a`` itself, for ``a/m.py`` it is ``a``). Returns ``None`` when the name cannot be
    resolved: no package known, or more dots than the package is deep.
    """
    if not name.startswith("."):
        return name
    rest = name.lstrip(".")
    dots = len(name) - len(rest)
    if not package:
        return None
    parts = package.split(".")
    if dots - 1 >= len(parts):
        return None
    base = ".".join(parts[: len(parts) - (dots - 1)])
    return f"{base}.{rest}" if rest else base


def import_from_module(node: cst.ImportFrom, package: str | None) -> str | None:
    """The absolute module an ``ImportFrom`` reads from, or ``None`` if unresolvable."""
    module = get_full_name_for_node(node.module) if node.module is not None else ""
    if module is None:
        return None
    return resolve_relative("." * len(node.relative) + module, package)


def relativize(module: str, package: str | None, dots_hint: int) -> tuple[int, str] | None:
    """Express absolute ``module`` relative to ``package`` as ``(dots, rest)``.

    The original number of dots is tried first so an edit changes as little as
    possible; otherwise the fewest dots that reach a common ancestor package. Returns
    ``None`` when ``module`` is outside the top-level package (must be absolute).
    """
    if not package:
        return None
    parts = package.split(".")
    order = [dots_hint] + [k for k in range(1, len(parts) + 1) if k != dots_hint]
    for dots in order:
        if not 1 <= dots <= len(parts):
            continue
        base = ".".join(parts[: len(parts) - dots + 1])
        if module == base:
            return dots, ""
        if module.startswith(base + "."):
            return dots, module[len(base) + 1 :]
    return None


def module_spelling(module: str, package: str | None, dots_hint: int) -> tuple[int, str]:
    """``(dots, dotted)`` to write for ``module``: relative when the original import
    was relative (``dots_hint > 0``) and the target is reachable, else absolute."""
    if dots_hint:
        rel = relativize(module, package, dots_hint)
        if rel is not None:
            return rel
    return 0, module


def from_import_source(dots: int, module: str, name: str, asname: str | None = None) -> str:
    """Source text of ``from <dots><module> import <name> [as <asname>]``."""
    alias = f" as {asname}" if asname and asname != name else ""
    return f"from {'.' * dots}{module} import {name}{alias}"


# The plan ----------------------------------------------------------------------------


class _Keep:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "KEEP"


KEEP = _Keep()


@dataclass
class AliasChange:
    """How one ``ImportAlias`` of a statement changes."""

    name: str | None = None  #: new (dotted) imported name; ``None`` keeps it
    asname: Union[str, None, _Keep] = KEEP  #: new ``as`` name; ``None`` drops the clause
    remove: bool = False  #: drop the alias from the statement


@dataclass
class ImportEdit:
    """Edits of one ``Import``/``ImportFrom`` small statement."""

    module: tuple[int, str] | None = None  #: new ``(dots, module)`` of an ImportFrom
    aliases: dict[int, AliasChange] = field(default_factory=dict)
    #: Import statements (source) that go right after this one, in the same block. If
    #: every alias of the statement is removed, the first one replaces it in place
    #: (keeping the line's comments and position).
    additions: list[str] = field(default_factory=list)

    def alias(self, index: int) -> AliasChange:
        return self.aliases.setdefault(index, AliasChange())

    def add(self, source: str) -> None:
        if source not in self.additions:
            self.additions.append(source)


@dataclass
class RenamePlan:
    """Edits keyed by the original nodes of the analysed module (identity)."""

    #: Name/Attribute/SimpleString nodes replaced wholesale.
    replace: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    #: Attributes whose ``.attr`` is renamed (the value side may be edited too).
    attr_renames: dict[cst.Attribute, str] = field(default_factory=dict)
    imports: dict[cst.CSTNode, ImportEdit] = field(default_factory=dict)

    def import_edit(self, stmt: cst.CSTNode) -> ImportEdit:
        return self.imports.setdefault(stmt, ImportEdit())

    @property
    def empty(self) -> bool:
        return not (
            self.replace
            or self.attr_renames
            or any(e.module or e.aliases or e.additions for e in self.imports.values())
        )


# Applying the plan --------------------------------------------------------------------


def _apply_alias(alias: cst.ImportAlias, change: AliasChange) -> cst.ImportAlias:
    if change.name is not None:
        alias = alias.with_changes(name=dotted_expr(change.name))
    if change.asname is not KEEP:
        if change.asname is None:
            alias = alias.with_changes(asname=None)
        elif alias.asname is not None:
            alias = alias.with_changes(
                asname=alias.asname.with_changes(name=cst.Name(str(change.asname)))
            )
        else:
            alias = alias.with_changes(asname=cst.AsName(name=cst.Name(str(change.asname))))
    return alias


class PlanApplier(cst.CSTTransformer):
    """Apply a :class:`RenamePlan` to the tree it was computed on. One per file."""

    def __init__(self, plan: RenamePlan) -> None:
        super().__init__()
        self.plan = plan
        # New statement lines to emit after the SimpleStatementLine being visited.
        self._pending: list[list[cst.BaseStatement]] = []

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        self._pending.append([])
        return True

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Union[cst.BaseStatement, cst.FlattenSentinel[cst.BaseStatement], cst.RemovalSentinel]:
        extra = self._pending.pop()
        if not updated_node.body:
            # Only the planner's "unused import" clean-up empties a line, and it checks
            # that the enclosing block keeps at least one statement.
            return cst.FlattenSentinel(extra) if extra else cst.RemoveFromParent()
        return cst.FlattenSentinel([updated_node, *extra]) if extra else updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self.plan.replace.get(original_node, updated_node)  # type: ignore[return-value]

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        if original_node in self.plan.replace:
            return self.plan.replace[original_node]  # type: ignore[return-value]
        new_attr = self.plan.attr_renames.get(original_node)
        if new_attr is not None:
            return updated_node.with_changes(attr=updated_node.attr.with_changes(value=new_attr))
        return updated_node

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        return self.plan.replace.get(original_node, updated_node)  # type: ignore[return-value]

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> Union[cst.BaseSmallStatement, cst.RemovalSentinel]:
        return self._edit_import(original_node, updated_node)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> Union[cst.BaseSmallStatement, cst.RemovalSentinel]:
        return self._edit_import(original_node, updated_node)

    def _edit_import(
        self, original: Union[cst.Import, cst.ImportFrom], node: Union[cst.Import, cst.ImportFrom]
    ) -> Union[cst.BaseSmallStatement, cst.RemovalSentinel]:
        edit = self.plan.imports.get(original)
        if edit is None:
            return node
        additions = [cst.parse_statement(src) for src in edit.additions]
        if isinstance(node, cst.ImportFrom) and edit.module is not None:
            dots, module = edit.module
            node = node.with_changes(
                relative=[cst.Dot() for _ in range(dots)],
                module=dotted_expr(module) if module else None,
            )
        if not isinstance(node.names, cst.ImportStar) and edit.aliases:
            names = list(node.names)
            kept = [
                _apply_alias(alias, edit.aliases[i]) if i in edit.aliases else alias
                for i, alias in enumerate(names)
                if not (i in edit.aliases and edit.aliases[i].remove)
            ]
            if not kept:
                if not additions:
                    return cst.RemoveFromParent()
                # Replace the statement in place by the first new import.
                first = additions.pop(0)
                assert isinstance(first, cst.SimpleStatementLine)
                self._pending[-1].extend(additions)
                return first.body[0].with_changes(semicolon=node.semicolon)
            last = edit.aliases.get(len(names) - 1)
            if last is not None and last.remove:
                # The last alias went away: the new last one inherits its comma (none,
                # or a trailing comma inside parentheses), so no dangling comma remains.
                kept[-1] = kept[-1].with_changes(comma=names[-1].comma)
            node = node.with_changes(names=kept)
        self._pending[-1].extend(additions)
        return node


# __all__ ------------------------------------------------------------------------------


def dunder_all_strings(module: cst.Module) -> list[cst.SimpleString]:
    """String entries of the module-level ``__all__`` (``=``, ``:``-annotated, ``+=``,
    ``.extend([...])``, ``.append("x")``), lists or tuples, in source order."""
    found: list[cst.SimpleString] = []

    def strings_in(value: cst.BaseExpression | None) -> None:
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            for element in value.elements:
                if isinstance(element.value, cst.SimpleString):
                    found.append(element.value)
        elif isinstance(value, cst.BinaryOperation):  # ["a"] + other.__all__
            strings_in(value.left)
            strings_in(value.right)
        elif isinstance(value, cst.SimpleString):
            found.append(value)

    def is_all(target: cst.BaseExpression) -> bool:
        return isinstance(target, cst.Name) and target.value == "__all__"

    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(is_all(t.target) for t in small.targets):
                strings_in(small.value)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and is_all(small.target):
                strings_in(small.value)
            elif (
                isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
                and isinstance(small.value.func, cst.Attribute)
                and is_all(small.value.func.value)
                and small.value.func.attr.value in ("extend", "append")
                and small.value.args
            ):
                strings_in(small.value.args[0].value)
    return found


def with_string_value(node: cst.SimpleString, value: str) -> cst.SimpleString:
    """The same literal (prefix and quotes kept) holding ``value`` (an identifier)."""
    return node.with_changes(value=f"{node.prefix}{node.quote}{value}{node.quote}")
