"""``rename_attributes``: rename the attributes of a name that a rewritten match binds.

A rule such as ``with self.assertRaises($exc) as $cm: $$$body`` ->
``with pytest.raises($exc) as $cm: $$$body`` with ``rename_attributes: {cm: {exception:
value}}`` also turns every ``cm.exception`` that uses *that* binding into ``cm.value``.

The unit is a name in one scope (libcst's ScopeProvider on the input file): the sites are
converted, and the uses renamed, only when every assignment of the name in that scope is
a site of such a rule with the same renames, and every use of it (in that scope or in a
nested function) is one of the mapped attributes. Otherwise every site of that name in
that scope is left as it was and reported with the first reason found. The check does
not follow control flow on purpose: libcst orders references by position, which misses a
use in a loop before the assignment, and a name rebound by anything else is not safe to
rename in part.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

import libcst as cst

from .bindings import Resolver
from .sites import positions_of


@dataclass(frozen=True, slots=True)
class BoundSite:
    """A site a rule with ``rename_attributes`` rewrote, in the input tree."""

    site: cst.CSTNode  #: the matched node as it is in the input
    name: cst.Name  #: the input Name the metavariable bound (an ``as`` target...)
    renames: Mapping[str, str]  #: old attribute -> new attribute


@dataclass(frozen=True)
class AttributePlan:
    """What a walk may do: the sites it may rewrite, the attributes it renames."""

    allowed: frozenset[int]  #: ids of input sites that may be rewritten
    refused: Mapping[int, str]  #: id of an input site -> why it is left as it was
    renames: Mapping[int, str]  #: id of an input Attribute -> its new attribute name

    def touches(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` (of the input) holds an attribute to rename or a site to rewrite."""
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in self.renames or id(current) in self.allowed:
                return True
            stack.extend(current.children)
        return False

    def refusing_all(self, reason: str) -> "AttributePlan":
        """The same sites, all refused (nothing renamed)."""
        refused = {**{site: reason for site in self.allowed}, **self.refused}
        return AttributePlan(frozenset(), refused, {})


def plan_attributes(module: cst.Module, sites: Iterable[BoundSite], resolver: Resolver) -> AttributePlan:
    """Group the bound sites of ``module`` by (scope, name) and decide each group: it is
    allowed, with its attributes renamed, when every assignment of the name in its scope
    is a site with the same renames and every use is a mapped attribute; otherwise each
    of its sites is refused with the group's first problem in the file."""
    by_name = {id(s.name): s for s in sites}
    groups: dict[tuple[int, str], tuple[object, list[BoundSite]]] = {}
    for site in by_name.values():
        scope = resolver.scope(site.name)
        groups.setdefault((id(scope), site.name.value), (scope, []))[1].append(site)
    attributes = _attributes_of_names(module)
    allowed: set[int] = set()
    renames: dict[int, str] = {}
    problems: list[tuple[list[BoundSite], list[tuple[str, cst.CSTNode]]]] = []
    for scope, group in groups.values():
        found, wrong = _renames_of(group, scope, by_name, attributes)
        if wrong:
            problems.append((group, wrong))
        else:
            allowed.update(id(s.site) for s in group)
            renames.update(found)
    return AttributePlan(frozenset(allowed), _refusals(module, problems), renames)


def _renames_of(group: list[BoundSite], scope, by_name: dict[int, BoundSite], attributes: dict[int, cst.Attribute]):
    """The renames of one (scope, name) group, {id(Attribute): new}, and what forbids them:
    [(kind, node)] with kind ``assigned`` (by something else), ``used`` (not through an
    attribute) or ``attribute`` (one the map does not name)."""
    if scope is None:
        return {}, [("used", group[0].name)]
    name, renames = group[0].name.value, group[0].renames
    wrong: list[tuple[str, cst.CSTNode]] = []
    assignments = scope.assignments[name]
    for assignment in assignments:
        site = by_name.get(id(assignment.node))
        if site is None or site.renames != renames:
            wrong.append(("assigned", assignment.node))
    accesses = {id(a): a for assignment in assignments for a in assignment.references}
    accesses.update((id(a), a) for a in scope.accesses[name])
    found: dict[int, str] = {}
    for access in accesses.values():
        attribute = attributes.get(id(access.node))
        new = renames.get(attribute.attr.value) if attribute is not None else None
        if new is not None:
            found[id(attribute)] = new
        else:
            wrong.append(("used", access.node) if attribute is None else ("attribute", attribute))
    return found, wrong


def _refusals(module: cst.Module, problems: list) -> dict[int, str]:
    """id(site) -> the reason of its group: the first problem in the file."""
    if not problems:
        return {}
    positions = positions_of(module, (node for _, wrong in problems for _, node in wrong))
    refused: dict[int, str] = {}
    for group, wrong in problems:
        kind, node = min(wrong, key=lambda w: (positions.get(id(w[1]), (0, 0)), w[0]))
        line = positions.get(id(node), (0, 0))[0]
        reason = describe_refusal(kind, node, group[0].name.value, group[0].renames, line)
        refused.update({id(s.site): reason for s in group})
    return refused


def _attributes_of_names(module: cst.Module) -> dict[int, cst.Attribute]:
    """id(Name) -> the Attribute whose value that Name is (``cm`` of ``cm.exception``)."""
    found: dict[int, cst.Attribute] = {}

    class _Collect(cst.CSTVisitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            if type(node.value) is cst.Name:
                found[id(node.value)] = node

    module.visit(_Collect())
    return found


def describe_refusal(kind: str, node: cst.CSTNode, name: str, renames: Mapping[str, str], line: int) -> str:
    """One sentence for why the sites of ``name`` are left as they were."""
    mapped = ", ".join(f"{name}.{old}" for old in renames)
    if kind == "assigned":
        return f"`{name}` is also assigned at line {line}, other than by a site of this rule"
    if kind == "attribute":
        attr = node.attr.value  # type: ignore[attr-defined]
        return f"`{name}` is used as `{name}.{attr}` at line {line}, which rename_attributes does not map (it maps {mapped})"
    return f"`{name}` is used other than through an attribute at line {line} (it must be used only as {mapped})"
