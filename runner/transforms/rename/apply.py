"""The edit plan of one file, and the transformer that applies it losslessly.

Edits are keyed by the *original* nodes of the analysed tree (identity), so planning
never rebuilds nodes it does not replace and the applier touches nothing else.
:func:`apply_plan` keeps each statement apart: when the renamed file does not parse, the
edits of a statement that does not parse once renamed are dropped (each of its sites a
gap) and the rest of the file is renamed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Union

import libcst as cst

from runner.transforms.base import Gap
from runner.transforms.rename.spec import dotted_expr
from runner.transforms.rewrite.sites import positions_of
from runner.transforms.rewrite.walk import parse_error


class _Keep:
    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return "KEEP"


KEEP = _Keep()  #: an ``as`` clause left as it is (``None`` means: drop it)


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
        """The change of the alias at ``index`` of the statement (created empty on first use, then shared)."""
        return self.aliases.setdefault(index, AliasChange())

    def add(self, source: str) -> None:
        """Put the import statement ``source`` after this one, once (a repeat is ignored)."""
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
        """The edit of the import statement ``stmt`` (created empty on first use, then shared)."""
        return self.imports.setdefault(stmt, ImportEdit())

    def nodes(self) -> list[cst.CSTNode]:
        """Every node an edit is keyed by."""
        return [*self.replace, *self.attr_renames, *self.imports]

    def without(self, dropped: set[int]) -> "RenamePlan":
        """This plan minus the edits keyed by the nodes whose ids are in ``dropped``."""
        return RenamePlan(
            replace={k: v for k, v in self.replace.items() if id(k) not in dropped},
            attr_renames={k: v for k, v in self.attr_renames.items() if id(k) not in dropped},
            imports={k: v for k, v in self.imports.items() if id(k) not in dropped},
        )

    @property
    def empty(self) -> bool:
        """True when applying the plan would change nothing."""
        return not (
            self.replace
            or self.attr_renames
            or any(e.module or e.aliases or e.additions for e in self.imports.values())
        )


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
        """Start the list of statements to emit after this line; visit its children."""
        self._pending.append([])
        return True

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> Union[cst.BaseStatement, cst.FlattenSentinel[cst.BaseStatement], cst.RemovalSentinel]:
        """The line followed by the statements its imports' edits add; those alone (or
        nothing) when every statement of the line was removed."""
        extra = self._pending.pop()
        if not updated_node.body:
            # Only the planner's "unused import" clean-up empties a line, and it checks
            # that the enclosing block keeps at least one statement.
            return cst.FlattenSentinel(extra) if extra else cst.RemoveFromParent()
        return cst.FlattenSentinel([updated_node, *extra]) if extra else updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        """The planned replacement of the name, else the name as it is."""
        return self.plan.replace.get(original_node, updated_node)  # type: ignore[return-value]

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.BaseExpression:
        """The planned replacement of the attribute, else it with its ``.attr`` renamed when planned."""
        if original_node in self.plan.replace:
            return self.plan.replace[original_node]  # type: ignore[return-value]
        new_attr = self.plan.attr_renames.get(original_node)
        if new_attr is not None:
            return updated_node.with_changes(attr=updated_node.attr.with_changes(value=new_attr))
        return updated_node

    def leave_Comment(self, original_node: cst.Comment, updated_node: cst.Comment) -> cst.Comment:
        """The planned replacement of the comment, else the comment as it is."""
        return self.plan.replace.get(original_node, updated_node)  # type: ignore[return-value]

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        """The planned replacement of the string, else the string as it is."""
        return self.plan.replace.get(original_node, updated_node)  # type: ignore[return-value]

    def leave_Import(
        self, original_node: cst.Import, updated_node: cst.Import
    ) -> Union[cst.BaseSmallStatement, cst.RemovalSentinel]:
        """The statement with its planned edit applied (see :meth:`leave_ImportFrom`)."""
        return self._edit_import(original_node, updated_node)

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> Union[cst.BaseSmallStatement, cst.RemovalSentinel]:
        """The statement with its planned edit applied: aliases renamed or removed, the
        module respelled, the added imports after it; when no alias is left, the first added
        import in its place (removed if none is added)."""
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


def apply_plan(module: cst.Module, plan: RenamePlan, path: str, old: str) -> tuple[cst.Module, list[Gap]]:
    """``plan`` applied to ``module`` (the tree it was computed on) and the sites it had
    to leave. When the whole result is built and parses, none. Otherwise each
    statement's own edits are tried on that statement alone: a statement that cannot be
    built or does not parse after them keeps its code, and each of its sites becomes a
    gap (``path``, position, the reason, its source); the other statements are renamed.
    Raises ValueError when the file still does not parse."""
    new, error = _applied(module, plan)
    if new is not None and error is None:
        return new, []
    owners = _statement_owners(module, plan.nodes())
    dropped: dict[int, tuple[cst.CSTNode, str]] = {}
    for stmt, nodes in owners.values():
        own = {id(n) for n in nodes}
        _, error = _applied(stmt, plan.without({id(n) for n in plan.nodes()} - own))
        if error is not None:
            dropped.update((id(n), (n, error)) for n in nodes)
    new, error = _applied(module, plan.without(set(dropped)))
    if new is None or error is not None:
        raise ValueError(f"renaming {old} gives code that does not parse ({error})")
    positions = positions_of(module, (node for node, _ in dropped.values()))
    gaps = [Gap(path, *positions.get(key, (1, 1)), f"renaming {old} here: {error}; left as it was",
                cst.Module([]).code_for_node(node), rule="rename")
            for key, (node, error) in dropped.items()]
    return new, sorted(gaps, key=lambda g: (g.line, g.column))


def _applied(node: cst.CSTNode, plan: RenamePlan) -> tuple[object, str | None]:
    """``plan`` applied to ``node`` and why the result is not valid code (None: it is)."""
    try:
        new = node.visit(PlanApplier(plan))
    except Exception as exc:  # a node that cannot be built (libcst validation) costs its statement only
        return None, f"the renamed code cannot be built ({type(exc).__name__}: {' '.join(str(exc).split())})"
    error = parse_error(new)
    return new, None if error is None else f"the renamed statement does not parse ({error})"


_STATEMENTS = (cst.SimpleStatementLine, cst.BaseCompoundStatement)


def _statement_owners(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, tuple[cst.CSTNode, list[cst.CSTNode]]]:
    """The innermost statement around each node (a compound statement owns the nodes of
    its header, not those of its body): ``{id(statement): (statement, [nodes])}``."""
    targets = {id(n) for n in nodes}
    owners: dict[int, tuple[cst.CSTNode, list[cst.CSTNode]]] = {}
    stack: list[cst.CSTNode] = []

    class _Owners(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, _STATEMENTS):
                stack.append(node)
            if id(node) in targets and stack:
                owners.setdefault(id(stack[-1]), (stack[-1], []))[1].append(node)
            return True

        def on_leave(self, original_node: cst.CSTNode) -> None:
            if isinstance(original_node, _STATEMENTS):
                stack.pop()

    module.visit(_Owners())
    return owners
