"""Where patterns may match (candidate nodes), and reporting match sites as gaps."""
from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import libcst as cst
from libcst._nodes.internal import CodegenState

from ..base import Gap
from .bindings import Resolver
from .fields import child_nodes, preorder
from .match import Matcher
from .names import NO_EXPRESSIONS, NOT_EXPRESSION_FIELDS
from .pattern import COMPOUND, EXPRESSION, STATEMENT, Pattern
from .rules import source_of

_NEWLINE = re.compile(r"\r\n?|\n")
_NO_CONTEXT = nullcontext()

# Slots that are assigned to (or deleted): a replacement there must stay assignable.
_TARGET_FIELDS: dict[type, str] = {
    cst.AssignTarget: "target",
    cst.AugAssign: "target",
    cst.AnnAssign: "target",
    cst.For: "target",
    cst.CompFor: "target",
    cst.AsName: "name",
    cst.NamedExpr: "target",
    cst.Del: "target",
}
ASSIGNABLE = (cst.Name, cst.Attribute, cst.Subscript, cst.Tuple, cst.List)

_KIND_BASE = {
    EXPRESSION: cst.BaseExpression,
    STATEMENT: cst.BaseSmallStatement,
    COMPOUND: cst.BaseCompoundStatement,
}
_SUBCLASS: dict[tuple[type, type], bool] = {}


def is_a(tp: type, base: type) -> bool:
    """``issubclass`` cached (libcst's base classes are ABCs: isinstance is slow)."""
    key = (tp, base)
    found = _SUBCLASS.get(key)
    if found is None:
        found = _SUBCLASS[key] = issubclass(tp, base)
    return found


class Context:
    """Tracks, during a traversal, which nodes are not candidates for a pattern kind.

    Fed every node parents first (:meth:`visit`), it knows of each node, by id, whether
    it is in a position that is not an expression (an attribute name, a keyword, an
    import), an ``elif`` (not a statement) or assigned to (``targets``).
    """

    def __init__(self) -> None:
        self.not_expression: set[int] = set()
        self.not_statement: set[int] = set()  # ``elif`` branches are If nodes, not statements
        self.targets: set[int] = set()  # expressions assigned to

    def visit(self, node: cst.CSTNode) -> None:
        """Note what ``node`` says about its children (call it before visiting them)."""
        tp = type(node)
        if tp in _TARGET_FIELDS:
            self.targets.add(id(getattr(node, _TARGET_FIELDS[tp])))
        elif (tp is cst.Tuple or tp is cst.List) and id(node) in self.targets:
            self.targets.update(id(e.value) for e in node.elements)  # type: ignore[attr-defined]
        if tp in NO_EXPRESSIONS or id(node) in self.not_expression:
            self.not_expression.update(id(c) for c in child_nodes(node))
        else:
            for field in NOT_EXPRESSION_FIELDS.get(tp, ()):
                child = getattr(node, field)
                if isinstance(child, cst.CSTNode):
                    self.not_expression.add(id(child))
        if tp is cst.If and type(node.orelse) is cst.If:  # type: ignore[attr-defined]
            self.not_statement.add(id(node.orelse))  # type: ignore[attr-defined]

    def is_candidate(self, kind: str, node: cst.CSTNode, original: cst.CSTNode | None = None) -> bool:
        """Whether a pattern of ``kind`` may match ``node``: its type is of that kind and,
        for an expression, it stands where an expression does; for a compound statement,
        it is not an ``elif``. ``original``: the visited node ``node`` was rebuilt from
        (the context knows the visited nodes only)."""
        if not is_a(type(node), _KIND_BASE[kind]):
            return False
        key = id(original if original is not None else node)
        if kind == EXPRESSION:
            return key not in self.not_expression
        return kind == STATEMENT or key not in self.not_statement


def site_source(node: cst.CSTNode) -> str:
    """The source of a matched site (a compound statement without its leading blank lines and comments)."""
    if isinstance(node, cst.BaseCompoundStatement):
        node = node.with_changes(leading_lines=())
    return source_of(node)


@dataclass(frozen=True, slots=True)
class Search:
    """What ``find_sites`` looks for: a pattern's matcher, its kind, and the gap's reason."""

    matcher: Matcher
    kind: str
    reason: str
    rule: str = ""  #: the rule the gap is attributed to (``rules[3]``), if any


def searches_by_type(searches: Sequence[Search]) -> tuple[dict[type, list[Search]], list[Search]]:
    """The searches by the node types they can match, and those that match any type
    (at a node, the first ones are tried before the second, each in the given order)."""
    by_type: dict[type, list[Search]] = {}
    for search in searches:
        for tp in search.matcher.root_types or ():
            by_type.setdefault(tp, []).append(search)
    return by_type, [s for s in searches if s.matcher.root_types is None]


class _SiteFinder:
    def __init__(self, searches: Sequence[Search], resolver: Resolver | None) -> None:
        self.by_type, self.anywhere = searches_by_type(searches)
        self.resolver = resolver
        self.context = Context()
        self.found: list[tuple[cst.CSTNode, Search]] = []

    def run(self, module: cst.Module) -> None:
        """Every node, parents first (the context of a node is its ancestors')."""
        by_type, anywhere, context = self.by_type, self.anywhere, self.context
        for node in preorder(module):
            context.visit(node)
            searches = by_type.get(type(node))
            if searches or anywhere:
                for search in (searches or []) + anywhere:
                    if context.is_candidate(search.kind, node) and search.matcher.match(node, self.resolver) is not None:
                        self.found.append((node, search))


def find_sites(module: cst.Module, searches: Sequence[Search], path: str, code: str | None = None) -> list[Gap]:
    """Every match of every search in one walk (names matched by binding), as gaps
    sorted by position. ``code``: the module's source, when the caller has it."""
    if not searches:
        return []
    finder = _SiteFinder(searches, Resolver(module, code))
    finder.run(module)
    return gaps_at(module, finder.found, path)


def gaps_at(module: cst.Module, found: Sequence[tuple[cst.CSTNode, Search]], path: str) -> list[Gap]:
    """The gaps of the sites ``found`` (nodes of ``module``, in pre-order), sorted by position."""
    if not found:
        return []
    positions = positions_of(module, (node for node, _ in found))
    gaps = [
        Gap(path, *positions[id(node)], search.reason, site_source(node), rule=search.rule)
        for node, search in found
    ]
    return sorted(gaps, key=lambda g: (g.line, g.column))


def find_pattern_sites(module: cst.Module, pattern: Pattern, path: str, reason: str) -> list[Gap]:
    """The sites of ``module`` that ``pattern`` matches (e.g. for ``expect_absent``):
    one Gap per match with its 1-based line/column and its source text. Nested
    matches are all reported."""
    return find_patterns_sites(module, [(pattern, reason)], path)


def find_patterns_sites(module: cst.Module, searches: Sequence[tuple[Pattern, str]], path: str) -> list[Gap]:
    """``find_pattern_sites`` for several (pattern, reason) pairs in one walk of the tree."""
    return find_sites(module, [Search(Matcher(p.node), p.kind, reason) for p, reason in searches], path)


@dataclass(frozen=False)
class _PositionState(CodegenState):
    """Codegen that only tracks the line/column and records the start of target nodes
    (what PositionProvider reports, for a fraction of its cost)."""

    targets: set[int] = field(default_factory=set)
    found: dict[int, tuple[int, int]] = field(default_factory=dict)
    line: int = 1
    column: int = 0

    def add_indent_tokens(self) -> None:
        for token in self.indent_tokens:
            self.add_token(token)

    def add_token(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets and id(node) not in self.found:  # fallback: whitespace-inclusive
            self.found[id(node)] = (self.line, self.column + 1)

    def record_syntactic_position(self, node: cst.CSTNode, *, start_node=None, end_node=None):  # type: ignore[override]
        if id(node) in self.targets:
            self.found[id(node)] = (self.line, self.column + 1)
        return _NO_CONTEXT


def positions_of(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, tuple[int, int]]:
    """1-based (line, column) where each node (by identity) of ``module`` starts,
    as PositionProvider reports it (parentheses and leading whitespace excluded)."""
    state = _PositionState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        targets={id(n) for n in nodes},
    )
    module._codegen(state)
    return state.found


__all__ = ["COMPOUND", "Context", "Search", "find_pattern_sites", "find_patterns_sites", "find_sites", "gaps_at", "positions_of", "searches_by_type", "site_source"]
