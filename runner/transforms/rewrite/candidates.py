"""Where the walk must go: a read-only pass that finds the nodes a rule matches.

The walk (``walk.RuleApplier``) is a libcst transformer, which rebuilds every node it
passes. A subtree where no rule matches any node (and no attribute is renamed) comes
out of the walk as it went in, so the walk need not enter it: this pass tries every
rule of the index on the input's nodes (with the candidate rules of the walk: the same
node kinds, the same ``Context``), and ``Scan.marks`` gives the nodes the walk must
visit (the matched ones and their ancestors) and those whose children it must visit
(the ancestors). A node matched on the input is matched again by the walk, on its
rewritten form; a node no rule matches on the input cannot match in the walk unless
something under it changed, and then it is an ancestor of a match.

Only structural nodes are visited: fields that hold whitespace, comments and
punctuation only (``STRUCTURAL``) are skipped; they hold no expression or statement.
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst

from .bindings import Resolver
from .fields import IS_NODE, field_names, is_node_type
from .pattern import COMPOUND, EXPRESSION, STATEMENT
from .sites import Context, is_a

# Fields that hold only whitespace, comments, punctuation, operators or plain values
# (checked against libcst's annotations by the tests).
TRIVIAL_FIELDS = frozenset(
    {
        "lpar", "rpar", "comma", "semicolon", "colon", "first_colon", "second_colon", "dot",
        "equal", "operator", "leading_lines", "lines_after_decorators", "trailing_whitespace",
        "header", "footer", "empty_lines", "first_line", "last_line", "newline", "lbrace",
        "rbrace", "lbracket", "rbracket", "relative", "asynchronous", "trailing_comma",
        "separator", "default_indent", "default_newline", "encoding", "has_trailing_newline",
        "start", "end", "star", "indent", "conversion", "leading_whitespace", "comment",
    }
)
_STRUCTURAL: dict[type, tuple[str, ...]] = {}


def structural_fields(tp: type) -> tuple[str, ...]:
    """The fields of a libcst node type that may hold expressions or statements."""
    names = _STRUCTURAL.get(tp)
    if names is None:
        names = _STRUCTURAL[tp] = tuple(
            f for f in field_names(tp) if f not in TRIVIAL_FIELDS and not f.startswith("whitespace")
        )
    return names


OTHER, NAME, FSTRING, LINE, SUITE, BLOCK, COMPOUND_STATEMENT, COMMENT = (object() for _ in range(8))
_KINDS: dict[type, object] = {
    cst.Name: NAME,
    cst.FormattedString: FSTRING,
    cst.SimpleStatementLine: LINE,
    cst.SimpleStatementSuite: SUITE,
    cst.IndentedBlock: BLOCK,
    cst.Comment: COMMENT,
}


def kind_of(tp: type) -> object:
    """What the walk does at a node of type ``tp`` (one of the constants above)."""
    kind = _KINDS.get(tp)
    if kind is None:
        kind = _KINDS[tp] = COMPOUND_STATEMENT if is_a(tp, cst.BaseCompoundStatement) else OTHER
    return kind


class Scan:
    """The input's structural nodes: each one's parent, and the nodes a rule matches."""

    def __init__(self, parents: dict[int, cst.CSTNode], matched: list[cst.CSTNode]) -> None:
        self.parents = parents  #: id(node) -> its parent (the module has none)
        self.matched = matched  #: nodes (lines, for statement rules) some rule matches

    def marks(self, extra: Iterable[int] = ()) -> tuple[set[int], set[int]]:
        """(ids of the nodes to visit, ids of the nodes whose children to visit): the
        matched nodes, the nodes of ``extra`` (ids), and all their ancestors."""
        visit: set[int] = set()
        enter: set[int] = set()
        parents = self.parents
        for key in [id(n) for n in self.matched] + list(extra):
            if key in visit:
                continue
            visit.add(key)
            parent = parents.get(key)
            while parent is not None:
                pkey = id(parent)
                enter.add(pkey)
                if pkey in visit:
                    break
                visit.add(pkey)
                parent = parents.get(pkey)
        return visit, enter


def scan(module: cst.Module, index, resolver: Resolver | None) -> Scan:  # type: ignore[no-untyped-def]
    """Every structural node of ``module``, parents first, tried as the walk tries it
    (``index``: a ``walk.RuleIndex``)."""
    context = Context()
    parents: dict[int, cst.CSTNode] = {}
    matched: list[cst.CSTNode] = []
    statements = index.statements
    is_node = IS_NODE
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        tp = type(node)
        context.visit(node)
        kind = kind_of(tp)
        if kind is OTHER or kind is NAME:
            rules = index.rules_for(EXPRESSION, tp)
            if rules and context.is_candidate(EXPRESSION, node) and _matches(rules, node, resolver):
                matched.append(node)
        elif kind is LINE or kind is SUITE:
            if statements and any(_matches(index.rules_for(STATEMENT, type(s)), s, resolver) for s in node.body):  # type: ignore[attr-defined]
                matched.append(node)
        elif kind is COMPOUND_STATEMENT:
            rules = index.rules_for(COMPOUND, tp)
            if rules and context.is_candidate(COMPOUND, node) and _matches(rules, node, resolver):
                matched.append(node)
        for name in structural_fields(tp):
            value = getattr(node, name)
            vtp = type(value)
            if vtp is tuple or vtp is list:
                for child in value:
                    if is_node.get(type(child)) or is_node_type(type(child)):
                        parents[id(child)] = node
                        stack.append(child)
            elif is_node.get(vtp) or is_node_type(vtp):
                parents[id(value)] = node
                stack.append(value)
    return Scan(parents, matched)


def _matches(rules, node: cst.CSTNode, resolver: Resolver | None) -> bool:  # type: ignore[no-untyped-def]
    for rule in rules:
        if rule.matcher.match(node, resolver) is not None:
            return True
    return False

