"""Import handling for the ``rename`` transform (see :mod:`runner.transforms.rename`).

* :func:`resolve_relative` / :func:`relativize` convert between ``from ..x import y``
  and absolute module names, given the package of the file (as libcst computes it);
* :class:`RenamePlan` records edits keyed by the *original* nodes of the analysed tree,
  and :class:`PlanApplier` (a fresh transformer per file) applies them losslessly;
* :class:`ImportPlanner` holds the per-file analysis (libcst scopes, positions,
  parents) and plans everything about import statements: modules renamed in place,
  names imported from a renamed place, imports added for references pointed at a new
  module, and imports that leaves unused. The decisions about local bindings,
  references, ``__all__`` and strings are made by its subclass in ``rename.py``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Union

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import (
    Access,
    BaseAssignment,
    BuiltinAssignment,
    ImportAssignment,
    CodeRange,
    MetadataWrapper,
    PositionProvider,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)

from runner.transforms.base import FileContext, Gap

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
    """Source text of ``from <dots><module> import <name> [as <asname>]`` (``import
    <name>`` for a top-level target). The caller decides whether ``as`` is wanted."""
    alias = f" as {asname}" if asname else ""
    if not dots and not module:
        return f"import {name}{alias}"
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


# Import planning -----------------------------------------------------------------------


@dataclass(frozen=True)
class RenameSpec:
    """The validated pair of names (hashable: used as a cache key)."""

    old: str
    new: str

    @property
    def old_mod(self) -> str | None:
        return parent_of(self.old)

    @property
    def new_mod(self) -> str | None:
        return parent_of(self.new)

    @property
    def old_last(self) -> str:
        return last_of(self.old)

    @property
    def new_last(self) -> str:
        return last_of(self.new)

    @property
    def is_move(self) -> bool:
        """The containing module changes (code would have to move between files)."""
        return self.old_mod != self.new_mod


def module_on_disk(root: str, dotted: str) -> bool:
    base = os.path.join(root, *dotted.split("."))
    return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))


FREE, SAME, TAKEN = "free", "same", "taken"  # state of a (new) local name in some scopes


@dataclass
class Binding:
    """One ``from M import n [as x]`` alias that imports a renamed name."""

    stmt: cst.ImportFrom
    index: int
    source: str  #: absolute old name imported
    target: str  #: absolute new name
    local: str  #: the name it binds
    as_kind: str  #: "none", "redundant" (``c as c``) or "alias"
    moved: bool  #: the new name lives in another module than M


class Collector(cst.CSTVisitor):
    """Nodes of interest in source order (parents before children), and the parent of
    every node visited (one traversal instead of ParentNodeProvider's extra one)."""

    def __init__(self) -> None:
        super().__init__()
        self.imports: list[Union[cst.Import, cst.ImportFrom]] = []
        self.refs: list[Union[cst.Name, cst.Attribute]] = []
        self.strings: list[Union[cst.SimpleString, cst.FormattedString]] = []
        self.global_stmts: list[cst.Global] = []
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._stack:
            self.parents[node] = self._stack[-1]
        self._stack.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()
        super().on_leave(original_node)

    def visit_Import(self, node: cst.Import) -> bool:
        self.imports.append(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        self.imports.append(node)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.refs.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.refs.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.strings.append(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.strings.append(node)

    def visit_Global(self, node: cst.Global) -> None:
        self.global_stmts.append(node)


class _Found(Exception):
    pass


class _MentionFinder(cst.CSTVisitor):
    def __init__(self, names: frozenset[str]) -> None:
        super().__init__()
        self.names = names

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            raise _Found

    def visit_ImportStar(self, node: cst.ImportStar) -> None:
        raise _Found

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if any(name in node.value for name in self.names):
            raise _Found

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        if any(name in node.value for name in self.names):
            raise _Found


def may_mention(module: cst.Module, names: frozenset[str]) -> bool:
    """Cheap pre-check (no metadata): does the tree have a Name spelled like one of
    ``names``, a string containing one, or a star import? Without any, a rename of
    names ending in ``names`` can neither change nor report anything in this file."""
    try:
        module.visit(_MentionFinder(names))
    except _Found:
        return True
    return False


class ImportPlanner:
    """Shared analysis of one module, and the import half of the rename planning.

    Resolves libcst metadata once (scopes, positions, parents), collects the nodes
    of interest, and plans the edits of import statements: modules renamed in place,
    names imported from a renamed place (recorded as :class:`Binding` for the local
    binding decisions of the subclass), dotted references re-pointed at a new module
    (``_ensure_import``, ``_bare_name``) and the imports that leaves unused
    (``_plan_cleanup``). ``targets`` maps every absolute old name this file may see
    (the old name and its public re-export aliases) to its new name.
    """

    def __init__(
        self, module: cst.Module, ctx: FileContext, spec: RenameSpec, aliases: dict[str, str]
    ) -> None:
        self.ctx, self.spec = ctx, spec
        self.targets = {s: t for s, t in {**aliases, spec.old: spec.new}.items() if s != t}
        self._wrapper = MetadataWrapper(module)  # a copy: node identities are unique
        self.module = self._wrapper.module
        self.scopes = self._wrapper.resolve(ScopeProvider)
        self.global_scope = self.scopes[self.module]
        self.nodes = Collector()
        self.module.visit(self.nodes)
        self.parents = self.nodes.parents
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None
        self.accesses: dict[cst.CSTNode, list[Access]] = {}
        for scope in {id(s): s for s in self.scopes.values() if s is not None}.values():
            for access in scope.accesses:
                self.accesses.setdefault(access.node, []).append(access)

        self.plan = RenamePlan()
        self.gaps: list[Gap] = []
        self.warnings: list[str] = []
        self._bindings: list[Binding] = []
        self._stars: list[tuple[cst.ImportFrom, str]] = []
        #: plain ``import x.y`` names (after edits) per scope, to avoid duplicate imports
        self._provided: dict[int, set[str]] = {}
        #: import assignment -> reference nodes our edits replaced (for clean-up)
        self._consumed: dict[ImportAssignment, set[cst.CSTNode]] = {}
        self._added: set[tuple[int, str]] = set()
        self._related = False

        module_name = ctx.full_module_name
        self.is_destination = (
            spec.is_move
            and module_name is not None
            and module_name == spec.new_mod
            and not module_on_disk(ctx.root, spec.old)
            and not module_on_disk(ctx.root, spec.new)
        )
        self.inside_old = module_name is not None and is_under(module_name, spec.old)

    @property
    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        """Node positions, computed on first use (only gaps need them)."""
        if self._positions is None:
            self._positions = self._wrapper.resolve(PositionProvider)
        return self._positions

    def gap(self, node: cst.CSTNode, reason: str, source: str | None = None) -> None:
        start = self.positions[node].start
        if source is None:
            source = self.module.code_for_node(node).strip().splitlines()[0]
        self.gaps.append(Gap(self.ctx.path, start.line, start.column + 1, reason, source))

    def _resolved(self, node: cst.CSTNode) -> set[str | None]:
        """Absolute qualified names of ``node``; ``None`` stands for a local/builtin."""
        scope = self.scopes.get(node)
        if scope is None:
            return set()
        out: set[str | None] = set()
        for qname in scope.get_qualified_names_for(node):
            if qname.source is QualifiedNameSource.IMPORT:
                out.add(resolve_relative(qname.name, self.ctx.full_package_name))
            else:
                out.add(None)
        return out

    def _imports_exactly(self, assignment: BaseAssignment, name: str, target: str | None) -> bool:
        """Is ``assignment`` a ``from M import x [as name]`` of ``target`` itself?"""
        if target is None or not isinstance(assignment, ImportAssignment):
            return False
        stmt = assignment.node
        if not isinstance(stmt, cst.ImportFrom) or isinstance(stmt.names, cst.ImportStar):
            return False
        module = import_from_module(stmt, self.ctx.full_package_name)
        return module is not None and any(
            (alias.evaluated_alias or alias.evaluated_name) == name
            and f"{module}.{alias.evaluated_name}".lstrip(".") == target
            for alias in stmt.names
        )

    def _imports_renamed(self, assignment: BaseAssignment) -> bool:
        """Is ``assignment`` a ``from M import x`` of a name being renamed?"""
        stmt = getattr(assignment, "node", None)
        if not isinstance(stmt, cst.ImportFrom) or isinstance(stmt.names, cst.ImportStar):
            return False
        module = import_from_module(stmt, self.ctx.full_package_name)
        return module is not None and any(
            (alias.evaluated_alias or alias.evaluated_name) == assignment.name
            and f"{module}.{alias.evaluated_name}" in self.targets
            for alias in stmt.names
        )

    def _name_state(self, name: str, scopes: Iterable[Scope], target: str | None) -> str:
        """Can ``name`` be bound/used in these scopes without capturing something else?

        ``SAME``: it already names ``target`` (imported); ``TAKEN``: bound to something
        else, or a builtin the file uses; ``FREE`` otherwise.
        """
        same = False
        for scope in {id(s): s for s in scopes}.values():
            for assignment in scope[name]:
                if isinstance(assignment, BuiltinAssignment):
                    if assignment.references:
                        return TAKEN
                elif self._imports_exactly(assignment, name, target):
                    same = True
                else:
                    return TAKEN
        return SAME if same else FREE

    def _binding_of(self, node: cst.CSTNode) -> tuple[cst.CSTNode | None, ImportAssignment | None]:
        """The import statement (and assignment) binding the root of ``node``."""
        current: cst.CSTNode | None = node
        while current is not None:
            for access in self.accesses.get(current, ()):
                for referent in access.referents:
                    if isinstance(referent, ImportAssignment):
                        return referent.node, referent
            current = current.value if isinstance(current, cst.Attribute) else None
        return None, None

    def _can_remove(self, stmt: cst.CSTNode) -> bool:
        """Removing this small statement leaves its block non-empty."""
        line = self.parents.get(stmt)
        if not isinstance(line, cst.SimpleStatementLine):
            return False
        if len(line.body) > 1:
            return True
        block = self.parents.get(line)
        return isinstance(block, cst.Module) or (
            isinstance(block, cst.IndentedBlock) and len(block.body) > 1
        )

    def _spell(self, module: str, stmt: cst.CSTNode | None) -> tuple[int, str]:
        dots = len(stmt.relative) if isinstance(stmt, cst.ImportFrom) else 0
        return module_spelling(module, self.ctx.full_package_name, dots)

    def _dunder_all_values(self) -> set[str]:
        return {string_value(node) for node in dunder_all_strings(self.module)}

    def _plan_import_from(self, stmt: cst.ImportFrom) -> None:
        package = self.ctx.full_package_name
        module = import_from_module(stmt, package)
        if module is None:
            if self.spec.old_last in self.module.code_for_node(stmt):
                self.warnings.append(
                    f"{self.ctx.path}: cannot resolve {self.module.code_for_node(stmt).strip()!r} "
                    "(relative import outside a known package); left unchanged"
                )
            return
        old, new = self.spec.old, self.spec.new
        if stmt.relative and self.inside_old and package is not None:
            # This file moves with the renamed module: spell the import relative to
            # the package it will live in (often unchanged).
            self._related = True
            new_package = new + package[len(old):] if is_under(package, old) else parent_of(new)
            moved_module = new + module[len(old):] if is_under(module, old) else module
            spelled = module_spelling(moved_module, new_package, len(stmt.relative))
            if spelled != (len(stmt.relative), get_full_name_for_node(stmt.module) or ""):
                self.plan.import_edit(stmt).module = spelled
            if is_under(module, old):
                return
        elif is_under(module, old):  # importing from the renamed module (or inside it)
            self._related = True
            new_module = new + module[len(old):]
            self.plan.import_edit(stmt).module = self._spell(new_module, stmt)
            return
        if isinstance(stmt.names, cst.ImportStar):
            if self.scopes.get(stmt) is self.global_scope:
                self._stars.append((stmt, module))
            if any(parent_of(source) == module for source in self.targets):
                self._related = True
            return
        for index, alias in enumerate(stmt.names):
            name = alias.evaluated_name
            imported = f"{module}.{name}" if module else name
            if any(is_under(source, imported) for source in self.targets):
                self._related = True  # imports the old name or a module containing it
            target = self.targets.get(imported)
            if target is None:
                continue
            if self.is_destination:
                self.gap(alias, (
                    f"{self.ctx.path} is the destination of {old}: drop this import once "
                    "the definition lives here"
                ))
                continue
            asname = alias.evaluated_alias
            as_kind = "none" if asname is None else ("redundant" if asname == name else "alias")
            self._bindings.append(Binding(
                stmt, index, imported, target, asname or name, as_kind,
                moved=parent_of(target) != module,
            ))

    def _plan_import(self, stmt: cst.Import) -> None:
        old, new = self.spec.old, self.spec.new
        provided = self._provided.setdefault(id(self.scopes[stmt]), set())
        for index, alias in enumerate(stmt.names):
            name = get_full_name_for_node(alias.name) or ""
            if any(is_under(source, name) for source in self.targets):
                self._related = True
            if not is_under(name, old):
                if alias.asname is None:
                    provided.add(name)
                continue
            # `import a.b[.x] [as m]` of the renamed module: rewrite in place. Uses
            # spelled `a.b...` are rewritten by _plan_references (their text is `old`).
            self._related = True
            new_name = new + name[len(old):]
            self.plan.import_edit(stmt).alias(index).name = new_name
            if alias.asname is None:
                provided.add(new_name)
                if top_of(new_name) != top_of(name):
                    self._check_lost_root(stmt, name)

    def _check_lost_root(self, stmt: cst.Import, name: str) -> None:
        """``import a.b`` -> ``import x.y`` no longer binds ``a``: report other uses."""
        root = top_of(name)
        for assignment in self.scopes[stmt].assignments[root]:
            if getattr(assignment, "node", None) is not stmt:
                continue
            for access in assignment.references:
                if not self._resolved(access.node) & {self.spec.old}:
                    self.gap(access.node, (
                        f"`{root}` was bound by `import {name}`, which is renamed to "
                        f"{self.spec.new}; this use needs its own import"
                    ))

    def _consume(self, assignment: ImportAssignment | None, node: cst.CSTNode) -> None:
        if assignment is None:
            return
        current: cst.CSTNode | None = node
        while current is not None:  # record the access node inside `node`
            self._consumed.setdefault(assignment, set()).add(current)
            current = current.value if isinstance(current, cst.Attribute) else None

    def _ensure_import(self, node: cst.CSTNode, source: str, target: str) -> None:
        """``a.b.c`` became ``a.d.c``: make sure ``import a.d`` is there."""
        needed = parent_of(target) or target
        stmt, assignment = self._binding_of(node)
        scopes = [self.global_scope] + ([self.scopes[stmt]] if stmt is not None else [])
        if any(is_under(p, needed) for s in scopes for p in self._provided.get(id(s), ())):
            self._consume(assignment, node)
            return
        if stmt is None:
            self.gap(node, f"this now refers to {target}; add `import {needed}`")
            return
        root = top_of(needed)
        if root != top_of(source) and any(
            not (isinstance(a, ImportAssignment) and isinstance(a.node, cst.Import))
            for a in self.scopes[node][root]
        ):
            del self.plan.replace[node]
            self.gap(node, f"this should become {target}, but `{root}` is bound to something else here")
            return
        self.plan.import_edit(stmt).add(f"import {needed}")
        self._provided.setdefault(id(self.scopes[stmt]), set()).add(needed)
        self._consume(assignment, node)

    def _bare_name(self, node: cst.Attribute, source: str, target: str) -> None:
        """``x.c`` through a module alias, moved: becomes ``c`` imported from the new
        module (next to the import that bound ``x``)."""
        new_local = last_of(target)
        stmt, assignment = self._binding_of(node)
        if stmt is None:
            self.gap(node, f"this refers to {source}, which moves to {target}; not rewritten")
            return
        state = self._name_state(new_local, [self.scopes[node], self.scopes[stmt]], target)
        if state == TAKEN:
            self.gap(node, (
                f"this refers to {source}, which moves to {target}, but {new_local} "
                "is already bound here; not rewritten"
            ))
            return
        self.plan.replace[node] = cst.Name(new_local, lpar=node.lpar, rpar=node.rpar)
        key = (id(self.scopes[stmt]), new_local)
        if state == FREE and key not in self._added:
            self._added.add(key)
            dots, spelled = self._spell(parent_of(target) or "", stmt)
            self.plan.import_edit(stmt).add(from_import_source(dots, spelled, new_local))
        self._consume(assignment, node)

    def _plan_cleanup(self) -> None:
        """Drop imports that only served references we pointed elsewhere."""
        all_values = self._dunder_all_values()
        for assignment, consumed in self._consumed.items():
            stmt = assignment.node
            if not isinstance(stmt, (cst.Import, cst.ImportFrom)) or isinstance(
                stmt.names, cst.ImportStar
            ):
                continue
            if assignment.name in all_values or (
                self.ctx.path.endswith("__init__.py") and self.scopes[stmt] is self.global_scope
            ):
                continue  # may be a re-export
            edit = self.plan.import_edit(stmt)
            index = next(
                (i for i, alias in enumerate(stmt.names)
                 if (alias.evaluated_alias or alias.evaluated_name) == assignment.name),
                None,
            )
            if index is None or index in edit.aliases:
                continue
            # Every binding this alias creates (`import a.b` binds `a.b` and `a`) must
            # have lost all its uses, unless an added import rebinds the same root.
            root = top_of(assignment.name)
            rebinds_root = any(
                src == f"import {root}" or src.startswith(f"import {root}.") for src in edit.additions
            )
            related = [
                a for a in self.scopes[stmt].assignments
                if getattr(a, "node", None) is stmt and is_under(assignment.name, a.name)
            ]
            if not all(
                r.node in self._consumed.get(a, set())
                for a in related if not (rebinds_root and a.name != assignment.name)
                for r in a.references
            ):
                continue
            remaining = [i for i in range(len(stmt.names)) if i != index and not (
                i in edit.aliases and edit.aliases[i].remove)]
            if not remaining and not edit.additions and not self._can_remove(stmt):
                continue
            edit.alias(index).remove = True


def string_value(node: cst.SimpleString) -> str:
    """The literal's value as text (bytes decoded as latin-1; the source if odd)."""
    try:
        value = node.evaluated_value
    except Exception:  # noqa: BLE001 - e.g. invalid escapes: fall back to the source
        return node.value
    return value.decode("latin-1") if isinstance(value, bytes) else value
