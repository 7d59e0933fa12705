"""What a local name provably holds, from every assignment to it in its scope.

Flow-insensitive and conservative: a name is an ``int`` (or a ``str``) only when every
binding of it in its scope gives one — ``n = 0`` / ``n += 1``, ``for i in range(...)``,
``for i, x in enumerate(...)``, ``s = str(x)`` / ``s += "..."`` — and *not a tuple* when
every binding gives a non-tuple (an ``except ... as e`` exception is never a tuple).
Parameters, imports, globals assigned elsewhere, ``with ... as`` and anything else
make the name unknown.
"""
from __future__ import annotations

from typing import Callable

import libcst as cst
from libcst.metadata import Assignment, Scope

UNKNOWN, NOT_TUPLE = "", "not-tuple"
_DEPTH = 3


class NameInference:
    """``kind(name)`` → "int", "str", NOT_TUPLE or UNKNOWN for a Name node of the tree."""

    def __init__(self, scope_of: Callable[[cst.CSTNode], Scope | None],
                 parent_of: Callable[[cst.CSTNode], cst.CSTNode | None],
                 value_kind: Callable[[cst.BaseExpression, int], str],
                 builtin_of: Callable[[cst.CSTNode], str | None]) -> None:
        self._scope_of = scope_of
        self._parent_of = parent_of
        self._value_kind = value_kind  #: kind of an expression, ("int" | "str" | NOT_TUPLE | "")
        self._builtin_of = builtin_of

    def kind(self, name: cst.Name, depth: int = 0) -> str:
        if depth > _DEPTH:
            return UNKNOWN
        scope = self._scope_of(name)
        if scope is None:
            return UNKNOWN
        assignments = list(scope[name.value])
        if not assignments or not all(isinstance(a, Assignment) for a in assignments):
            return UNKNOWN
        kinds = {self._binding_kind(a.node, depth) for a in assignments}
        if len(kinds) == 1:
            return kinds.pop()
        return NOT_TUPLE if UNKNOWN not in kinds else UNKNOWN

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
            return "int" if self._is_call_to(parent.iter, "range") else UNKNOWN
        if isinstance(parent, cst.AsName):
            handler = self._parent_of(parent)
            return NOT_TUPLE if isinstance(handler, cst.ExceptHandler) else UNKNOWN
        if isinstance(parent, cst.Element):
            return self._enumerate_index(node, parent)
        return UNKNOWN

    def _enumerate_index(self, node: cst.CSTNode, element: cst.Element) -> str:
        tuple_ = self._parent_of(element)
        loop = self._parent_of(tuple_) if isinstance(tuple_, cst.Tuple) else None
        if (isinstance(tuple_, cst.Tuple) and isinstance(loop, (cst.For, cst.CompFor)) and loop.target is tuple_
                and len(tuple_.elements) == 2 and tuple_.elements[0] is element
                and self._is_call_to(loop.iter, "enumerate")):
            return "int"
        return UNKNOWN

    def _is_call_to(self, node: cst.BaseExpression, builtin: str) -> bool:
        return isinstance(node, cst.Call) and self._builtin_of(node.func) == builtin
