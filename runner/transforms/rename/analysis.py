"""The per-file analysis the planning steps share.

:class:`FileAnalysis` resolves libcst metadata once (scopes; positions on first use),
collects the nodes of interest and answers the questions every step asks: what a
node resolves to, whether a name is free in some scopes, whether an import may go.
It also carries what the steps decide: the edit plan, gaps and warnings, and the
notes one step leaves for a later one (see :func:`.planner.plan_rename` for the
order). Built per file, never shared.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Iterator, Mapping

import libcst as cst
from libcst.metadata import (
    Access,
    BaseAssignment,
    BuiltinAssignment,
    CodeRange,
    ImportAssignment,
    MetadataWrapper,
    PositionProvider,
    QualifiedNameSource,
    Scope,
    ScopeProvider,
)

from runner.transforms.base import FileContext, Gap
from runner.transforms.rename.apply import RenamePlan
from runner.transforms.rename.modules import (
    bound_name,
    from_import_source,
    import_from_module,
    module_on_disk,
    module_spelling,
    resolve_relative,
)
from runner.transforms.rename.scan import Collector, dunder_all_strings, string_value
from runner.transforms.rename.spec import RenameSpec

FREE, SAME, TAKEN = "free", "same", "taken"  # state of a (new) local name in some scopes


@dataclass
class Binding:
    """One ``from M import n [as x]`` alias that imports a renamed name."""

    stmt: cst.ImportFrom
    index: int
    target: str  #: absolute new name
    local: str  #: the name it binds
    as_kind: str  #: "none", "redundant" (``c as c``) or "alias"
    moved: bool  #: the new name lives in another module than M


def attribute_chain(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``a.b.c``, then ``a.b``, then ``a``: the node and the values it is read from."""
    current: cst.CSTNode | None = node
    while current is not None:
        yield current
        current = current.value if isinstance(current, cst.Attribute) else None


class FileAnalysis:
    """One module under one rename: facts about the tree, and the decisions so far.

    ``targets`` maps every absolute old name this file may see (the old name and its
    public re-export ``aliases``) to its new name.
    """

    def __init__(
        self, module: cst.Module, ctx: FileContext, spec: RenameSpec, aliases: dict[str, str]
    ) -> None:
        """Analyse ``module`` (a copy of it: see :attr:`module`) for ``spec`` in the file
        ``ctx``; ``aliases`` maps the old name's public re-exports to their new names.
        Resolves scopes once; the decisions start empty."""
        self.ctx, self.spec = ctx, spec
        self.targets = {s: t for s, t in {**aliases, spec.old: spec.new}.items() if s != t}
        self._resolve_tree(module)
        self._place_file(ctx, spec)
        self._start_decisions()

    def _resolve_tree(self, module: cst.Module) -> None:
        """Scopes, the collected nodes, their parents and the accesses per node."""
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

    def _place_file(self, ctx: FileContext, spec: RenameSpec) -> None:
        """Where the file stands in the rename: defining, destination, moving with it."""
        name = ctx.full_module_name
        #: the file defines the old name (it is the old module)
        self.is_defining = name is not None and name == spec.old_mod
        #: the file is the new module of a move (and neither name is a module on disk)
        self.is_destination = (
            spec.is_move
            and name is not None
            and name == spec.new_mod
            and not module_on_disk(ctx.root, spec.old)
            and not module_on_disk(ctx.root, spec.new)
        )
        #: the file moves with a renamed module
        self.inside_old = spec.covers(name)

    def _start_decisions(self) -> None:
        """Decisions, in the order the steps make them: all empty."""
        self.plan = RenamePlan()
        self.gaps: list[Gap] = []
        self.warnings: list[str] = []
        #: the file imports, defines or mentions something concerned (see strings)
        self.related = False
        #: imported renamed names, for the binding step
        self.bindings: list[Binding] = []
        #: module-level star imports and the module each reads from
        self.stars: list[tuple[cst.ImportFrom, str]] = []
        #: plain ``import x.y`` names (after edits) per scope, to avoid duplicate imports
        self.provided: dict[int, set[str]] = {}
        #: (scope id, name) bound to its target by our edits: no extra import needed
        self.added: set[tuple[int, str]] = set()
        #: module-level bindings renamed here (old local -> new local): public names
        self.global_renames: dict[str, str] = {}
        #: module-level names whose ``__all__`` entries stay valid unchanged
        self.all_ok: set[str] = set()
        #: import assignment -> reference nodes our edits replaced (for clean-up)
        self.consumed: dict[ImportAssignment, set[cst.CSTNode]] = {}

    @property
    def positions(self) -> Mapping[cst.CSTNode, CodeRange]:
        """Node positions, computed on first use (only gaps need them)."""
        if self._positions is None:
            self._positions = self._wrapper.resolve(PositionProvider)
        return self._positions

    @cached_property
    def dunder_all(self) -> list[cst.SimpleString]:
        """The string entries of the module-level ``__all__``."""
        return dunder_all_strings(self.module)

    @cached_property
    def dunder_all_values(self) -> set[str]:
        """The values of :attr:`dunder_all`'s entries (the names ``__all__`` lists)."""
        return {string_value(node) for node in self.dunder_all}

    # -- recording ----------------------------------------------------------------------

    def gap(self, node: cst.CSTNode, reason: str, source: str | None = None) -> None:
        """Report ``node`` (its first source line unless ``source`` is given)."""
        start = self.positions[node].start
        if source is None:
            source = self.module.code_for_node(node).strip().splitlines()[0]
        self.gaps.append(Gap(self.ctx.path, start.line, start.column + 1, reason, source))

    def add_from_import(
        self, stmt: cst.CSTNode, module: str, name: str, asname: str | None = None
    ) -> None:
        """Add ``from <module> import <name> [as <asname>]`` right after ``stmt``,
        relative if ``stmt`` is."""
        dots, spelled = self.spell(module, stmt)
        self.plan.import_edit(stmt).add(from_import_source(dots, spelled, name, asname))

    # -- questions ----------------------------------------------------------------------

    def spell(self, module: str, stmt: cst.CSTNode | None) -> tuple[int, str]:
        """How to write ``module`` in an import next to ``stmt`` (see module_spelling)."""
        dots = len(stmt.relative) if isinstance(stmt, cst.ImportFrom) else 0
        return module_spelling(module, self.ctx.full_package_name, dots)

    def covered(self, node: cst.CSTNode) -> bool:
        """Is ``node`` inside a node that is already replaced wholesale?"""
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, cst.BaseStatement):
            if parent in self.plan.replace:
                return True
            parent = self.parents.get(parent)
        return False

    def resolved(self, node: cst.CSTNode) -> set[str | None]:
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

    def _from_imported(self, assignment: BaseAssignment) -> list[tuple[str, str]]:
        """``(bound name, absolute imported name)`` of each alias of the ``from M
        import ...`` statement behind ``assignment`` (none for other bindings)."""
        stmt = getattr(assignment, "node", None)
        if not isinstance(stmt, cst.ImportFrom) or isinstance(stmt.names, cst.ImportStar):
            return []
        module = import_from_module(stmt, self.ctx.full_package_name)
        if module is None:
            return []
        return [(bound_name(alias), f"{module}.{alias.evaluated_name}") for alias in stmt.names]

    def imports_renamed(self, assignment: BaseAssignment) -> bool:
        """Is ``assignment`` a ``from M import x`` of a name being renamed?"""
        return any(
            local == assignment.name and imported in self.targets
            for local, imported in self._from_imported(assignment)
        )

    def name_state(self, name: str, scopes: Iterable[Scope], target: str | None) -> str:
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
                elif target is not None and (name, target) in self._from_imported(assignment):
                    same = True
                else:
                    return TAKEN
        return SAME if same else FREE

    def binding_of(self, node: cst.CSTNode) -> tuple[cst.CSTNode | None, ImportAssignment | None]:
        """The import statement (and assignment) binding the root of ``node``."""
        for current in attribute_chain(node):
            for access in self.accesses.get(current, ()):
                for referent in access.referents:
                    if isinstance(referent, ImportAssignment):
                        return referent.node, referent
        return None, None

    def can_remove(self, stmt: cst.CSTNode) -> bool:
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
