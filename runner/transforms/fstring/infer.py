"""What a local name provably holds, from every assignment to it in its scope.

Flow-insensitive and conservative: a name is an ``int`` (or a ``str``, ``float``,
``dict``) only when every binding of it in its scope gives one — ``n = 0`` / ``n += 1``,
``s = str(x)`` / ``s += "..."``, a loop target whose items are known (``for i in
range(...)``, ``for c in "abc"``, ``for c in ("a", "b")``, ``for i, x in enumerate(...)``,
``for i, x in zip(range(...), xs)``, or a name bound only to such a literal: a tuple, or
a list / set in a function that never does anything with it but loop over it) — and
*not a tuple* when every binding gives a non-tuple (an ``except ... as e`` exception is
never a tuple, though of any type). Parameters, imports, globals assigned elsewhere, ``with ... as`` and
anything else make the name unknown.
"""
from __future__ import annotations

from typing import Callable, Iterable

import libcst as cst
from libcst.metadata import Assignment, FunctionScope, Scope

UNKNOWN, NOT_TUPLE, OBJECT = "", "not-tuple", "object"  #: NOT_TUPLE: of a standard type; OBJECT: of any type
_DEPTH = 3
_LITERAL_SEQUENCES = (cst.Tuple, cst.List, cst.Set)


def combine_kinds(kinds: Iterable[str]) -> str:
    """One kind for values of these kinds: the common one, else NOT_TUPLE (OBJECT when one
    may be of any type) when none is unknown, else UNKNOWN (also for no value at all)."""
    found = set(kinds)
    if len(found) == 1:
        return found.pop()
    if not found or UNKNOWN in found:
        return UNKNOWN
    return OBJECT if OBJECT in found else NOT_TUPLE


class NameInference:
    """``kind(name)`` → "int", "str", "float", "dict", NOT_TUPLE or UNKNOWN for a Name
    node of the tree."""

    def __init__(self, scope_of: Callable[[cst.CSTNode], Scope | None],
                 parent_of: Callable[[cst.CSTNode], cst.CSTNode | None],
                 value_kind: Callable[[cst.BaseExpression, int], str],
                 builtin_of: Callable[[cst.CSTNode], str | None]) -> None:
        self._scope_of = scope_of
        self._parent_of = parent_of
        self._value_kind = value_kind  #: kind of an expression (see :func:`.exprs.value_kind`)
        self._builtin_of = builtin_of

    def kind(self, name: cst.Name, depth: int = 0) -> str:
        """The kinds of all of ``name``'s assignments combined (``combine_kinds``); UNKNOWN when its bindings cannot be found."""
        assignments = self._assignments(name, depth)
        if assignments is None:
            return UNKNOWN
        return combine_kinds(self._binding_kind(a.node, depth) for a in assignments)

    def item_kind(self, iterable: cst.BaseExpression, depth: int) -> str:
        """What every item of ``for x in iterable`` provably is."""
        if depth > _DEPTH:
            return UNKNOWN
        if isinstance(iterable, _LITERAL_SEQUENCES):
            if not iterable.elements or any(isinstance(e, cst.StarredElement) for e in iterable.elements):
                return UNKNOWN
            return combine_kinds(self._value_kind(e.value, depth + 1) for e in iterable.elements)
        if self._is_call_to(iterable, "range"):
            return "int"
        if self._value_kind(iterable, depth + 1) == "str":
            return "str"  # iterating a str gives one-character strs
        if isinstance(iterable, cst.Name):
            return self._name_items(iterable, depth)
        return UNKNOWN

    def tuple_length(self, name: cst.Name) -> int | None:
        """n when every binding of the name is a tuple display of n plain elements
        (``pair = (a, b)``), or a loop item of a sequence of those (``for nv in [(n, v)
        for n in names]``, through a local list only looped over)."""
        assignments = self._assignments(name, 0)
        if assignments is None:
            return None
        lengths = set()
        for a in assignments:
            parent = self._parent_of(a.node)
            if isinstance(parent, cst.AssignTarget):
                assign = self._parent_of(parent)
                lengths.add(_tuple_display_length(assign.value) if isinstance(assign, cst.Assign) else None)
            elif isinstance(parent, (cst.For, cst.CompFor)) and parent.target is a.node:
                lengths.add(self._item_tuple_length(parent.iter))
            else:
                return None
        return lengths.pop() if len(lengths) == 1 else None

    def _item_tuple_length(self, iterable: cst.BaseExpression) -> int | None:
        if isinstance(iterable, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            return _tuple_display_length(iterable.elt)
        if isinstance(iterable, _LITERAL_SEQUENCES) and iterable.elements:
            found = {_tuple_display_length(e.value) if isinstance(e, cst.Element) else None for e in iterable.elements}
            return found.pop() if len(found) == 1 else None
        if not isinstance(iterable, cst.Name):
            return None
        assignments = self._assignments(iterable, 0)
        if assignments is None:
            return None
        found = set()
        for a in assignments:
            target = self._parent_of(a.node)
            assign = self._parent_of(target) if isinstance(target, cst.AssignTarget) else None
            if not (isinstance(assign, cst.Assign) and isinstance(a.scope, FunctionScope)
                    and all(self._is_loop_iter(r.node) for r in a.references)):
                return None
            found.add(self._item_tuple_length(assign.value) if not isinstance(assign.value, cst.Name) else None)
        return found.pop() if len(found) == 1 else None

    def _assignments(self, name: cst.Name, depth: int) -> list[Assignment] | None:
        if depth > _DEPTH:
            return None
        scope = self._scope_of(name)
        if scope is None:
            return None
        assignments = list(scope[name.value])
        if not assignments or not all(isinstance(a, Assignment) for a in assignments):
            return None
        return assignments  # type: ignore[return-value]

    def _name_items(self, name: cst.Name, depth: int) -> str:
        """Items of a name bound only to literal sequences or ``range(...)``; a list or set
        only in a function that just loops over it (nothing else could add an item)."""
        assignments = self._assignments(name, depth)
        if assignments is None:
            return UNKNOWN
        kinds = []
        for a in assignments:
            target = self._parent_of(a.node)
            assign = self._parent_of(target) if isinstance(target, cst.AssignTarget) else None
            if not isinstance(assign, cst.Assign):
                return UNKNOWN
            value = assign.value
            if isinstance(value, (cst.List, cst.Set)) and not (
                    isinstance(a.scope, FunctionScope) and all(self._is_loop_iter(r.node) for r in a.references)):
                return UNKNOWN
            if not (isinstance(value, _LITERAL_SEQUENCES) or self._is_call_to(value, "range")):
                return UNKNOWN
            kinds.append(self.item_kind(value, depth + 1))
        return combine_kinds(kinds)

    def _is_loop_iter(self, node: cst.CSTNode) -> bool:
        parent = self._parent_of(node)
        return isinstance(parent, (cst.For, cst.CompFor)) and parent.iter is node

    def _binding_kind(self, node: cst.CSTNode, depth: int) -> str:
        parent = self._parent_of(node)
        if isinstance(parent, cst.AssignTarget):
            assign = self._parent_of(parent)
            return self._value_kind(assign.value, depth + 1) if isinstance(assign, cst.Assign) else UNKNOWN
        if isinstance(parent, cst.AnnAssign) and parent.target is node and parent.value is not None:
            return self._value_kind(parent.value, depth + 1)
        if isinstance(parent, cst.AugAssign) and parent.target is node:
            value = self._value_kind(parent.value, depth + 1)
            return value if value in ("int", "str") else UNKNOWN
        if isinstance(parent, (cst.For, cst.CompFor)) and parent.target is node:
            return self.item_kind(parent.iter, depth + 1)
        if isinstance(parent, cst.AsName):
            handler = self._parent_of(parent)
            return OBJECT if isinstance(handler, cst.ExceptHandler) else UNKNOWN
        if isinstance(parent, cst.Element):
            return self._unpacked(parent, depth)
        return UNKNOWN

    def _unpacked(self, element: cst.Element, depth: int) -> str:
        """``for i, x in enumerate(xs)`` / ``for a, b in zip(as_, bs)``: one name of the
        target tuple, from the argument it comes from."""
        tuple_ = self._parent_of(element)
        loop = self._parent_of(tuple_) if isinstance(tuple_, cst.Tuple) else None
        if not (isinstance(tuple_, cst.Tuple) and isinstance(loop, (cst.For, cst.CompFor)) and loop.target is tuple_
                and isinstance(loop.iter, cst.Call)):
            return UNKNOWN
        index = next(i for i, e in enumerate(tuple_.elements) if e is element)
        args = loop.iter.args
        positional = bool(args) and not any(a.star or a.keyword is not None for a in args)
        if self._is_call_to(loop.iter, "enumerate") and len(tuple_.elements) == 2:
            if index == 0:
                return "int"
            return self.item_kind(args[0].value, depth + 1) if positional else UNKNOWN
        if self._is_call_to(loop.iter, "zip") and positional and len(tuple_.elements) == len(args):
            return self.item_kind(args[index].value, depth + 1)
        return UNKNOWN

    def _is_call_to(self, node: cst.BaseExpression, builtin: str) -> bool:
        return isinstance(node, cst.Call) and self._builtin_of(node.func) == builtin


def _tuple_display_length(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Tuple) and not any(isinstance(e, cst.StarredElement) for e in node.elements):
        return len(node.elements)
    return None
