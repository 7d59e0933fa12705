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

from typing import Iterable, Sequence

import libcst as cst

from ..base import Gap

from .bindings import Resolver
from .fields import child_nodes, field_names
from .pattern import COMPOUND, EXPRESSION, STATEMENT
from .sites import Context, Search, _SiteFinder, find_sites, gaps_at, is_a, searches_by_type

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
    """The input's structural nodes: each one's parent, the nodes a rule matches, and
    the sites of the flag searches it was given (see ``flag_sites``)."""

    def __init__(self, module: cst.Module, context: Context, parents: dict[int, cst.CSTNode],
                 matched: list[cst.CSTNode], searched: Sequence[Search], flagged: list[tuple[cst.CSTNode, Search]]) -> None:
        self.module = module
        self.context = context  #: the input's context (which nodes are not expressions, not statements)
        self.parents = parents  #: id(node) -> its parent (the module has none)
        self.matched = matched  #: nodes (lines, for statement rules) some rule matches
        self.searched = tuple(searched)  #: the flag searches tried
        self.flagged = flagged  #: (node, search) of every flag site, in pre-order (``fields.preorder``)

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

    def flagged_under(self) -> dict[int, list[tuple[cst.CSTNode, Search]]]:
        """id(input node) -> the flag sites in its subtree (itself included), in pre-order."""
        under: dict[int, list[tuple[cst.CSTNode, Search]]] = {}
        parents = self.parents
        for hit in self.flagged:
            node: cst.CSTNode | None = hit[0]
            while node is not None:
                under.setdefault(id(node), []).append(hit)
                node = parents.get(id(node))
        return under


def scan(module: cst.Module, index, resolver: Resolver | None, searches: Sequence[Search] = ()) -> Scan:  # type: ignore[no-untyped-def]
    """Every structural node of ``module``, parents first, tried as the walk tries it
    (``index``: a ``walk.RuleIndex``) and by ``searches`` as ``sites.find_sites`` tries them."""
    context = Context()
    parents: dict[int, cst.CSTNode] = {}
    matched: list[cst.CSTNode] = []
    flagged: list[tuple[cst.CSTNode, Search]] = []
    by_type, anywhere = searches_by_type(searches)
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        tp = type(node)
        context.visit(node)
        if _matched(node, tp, index, context, resolver):
            matched.append(node)
        found = by_type.get(tp)
        if found or anywhere:
            for search in (found or []) + anywhere:
                if context.is_candidate(search.kind, node) and search.matcher.match(node, resolver) is not None:
                    flagged.append((node, search))
        children = structural_children(node)
        for child in children:
            parents[id(child)] = node
        children.reverse()
        stack.extend(children)
    return Scan(module, context, parents, matched, searches, flagged)


def structural_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of ``node`` that may hold expressions or statements, in field order."""
    return child_nodes(node, structural_fields(type(node)))


def _matched(node: cst.CSTNode, tp: type, index, context: Context, resolver: Resolver | None) -> bool:  # type: ignore[no-untyped-def]
    """Whether the walk would find a rule that matches ``node`` (an input node)."""
    kind = kind_of(tp)
    if kind is OTHER or kind is NAME:
        rules = index.rules_for(EXPRESSION, tp)
        return bool(rules) and context.is_candidate(EXPRESSION, node) and _matches(rules, node, resolver)
    if kind is LINE or kind is SUITE:
        return index.statements and any(_matches(index.rules_for(STATEMENT, type(s)), s, resolver) for s in node.body)  # type: ignore[attr-defined]
    if kind is COMPOUND_STATEMENT:
        rules = index.rules_for(COMPOUND, tp)
        return bool(rules) and context.is_candidate(COMPOUND, node) and _matches(rules, node, resolver)
    return False


def _matches(rules, node: cst.CSTNode, resolver: Resolver | None) -> bool:  # type: ignore[no-untyped-def]
    for rule in rules:
        if rule.matcher.match(node, resolver) is not None:
            return True
    return False



def flag_sites(tree: cst.Module, searches: Sequence[Search], path: str, code: str,
               found: Scan | None, resolver: Resolver | None, out_resolver: Resolver | None = None) -> list[Gap]:
    """``sites.find_sites(tree, searches, path, code)`` for the output ``tree`` of a walk
    over ``found.module``: the subtrees the output shares with the input (the same
    objects, in the same context) take the sites the scan found in them, the rest is
    searched. Only where that is exact: the scan tried these searches, and their names
    match as written in both files (``as_written``; ``resolver``: the input's); else
    the whole output is searched. ``out_resolver``: how the output's names resolve
    (default: ``Resolver(tree, code)``)."""
    given = out_resolver
    out_resolver = Resolver(tree, code) if given is None else given
    wanted = set(searches)
    if found is None or resolver is None or not wanted <= set(found.searched) \
            or not as_written(searches, resolver) or not as_written(searches, out_resolver):
        if given is None:
            return find_sites(tree, searches, path, code)
        finder = _SiteFinder(searches, given)
        finder.run(tree)
        return gaps_at(tree, finder.found, path)
    under = found.flagged_under()
    by_type, anywhere = searches_by_type(searches)
    context, known, parents = Context(), found.context, found.parents
    hits: list[tuple[cst.CSTNode, Search]] = []
    stack: list[cst.CSTNode] = [tree]
    while stack:
        node = stack.pop()
        key = id(node)
        if (key in parents or node is found.module) and (key in context.not_expression) == (key in known.not_expression) \
                and (key in context.not_statement) == (key in known.not_statement):
            hits.extend(hit for hit in under.get(key, ()) if hit[1] in wanted)
            continue  # an input subtree in its input context: its sites are the scan's
        context.visit(node)
        tried = by_type.get(type(node))
        if tried or anywhere:
            for search in (tried or []) + anywhere:
                if context.is_candidate(search.kind, node) and search.matcher.match(node, out_resolver) is not None:
                    hits.append((node, search))
        children = structural_children(node)  # (as the scan: no site lies in the other fields)
        children.reverse()
        stack.extend(children)
    return gaps_at(tree, hits, path)


def as_written(searches: Sequence[Search], resolver: Resolver) -> bool:
    """Whether every name of the searches' patterns matches a site exactly when the site
    is written the same, in the file of ``resolver``: ``binding: any``, or a dotted
    reference whose head no import of the file binds or imports (``self.$m``). Then a
    subtree matches alike in the input and the output."""
    imports: dict[str, frozenset[str]] | None = None
    for search in searches:
        for ref in search.matcher.refs.values():
            if ref.any:
                continue
            if ref.bare:
                return False  # scope analysis decides
            if imports is None:
                imports = resolver.imports()
            head = ref.head
            if head in imports or any(q == head or q.startswith(head + ".") for qs in imports.values() for q in qs):
                return False
    return True
