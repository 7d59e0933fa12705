"""Placeholders: the identifiers metavariables become, and where ``$$$`` may stand.

``$x`` is parsed as the Name ``__bm_mv_x``; ``$$$xs`` as the Name ``__bm_mvs_xs``,
which must be an element of a sequence: a call argument, a list/tuple/set element, a
dict entry, a parameter, a decorator, a subscript element, an import name, a with-item, a global
name, a statement in a block or a small statement in a line.
"""
from __future__ import annotations

import libcst as cst

from .fields import field_names
from .text import MV_PREFIX, MVS_PREFIX


def mv_name(node: object) -> str | None:
    """``x`` when ``node`` is the placeholder Name of ``$x``; None for any other node."""
    if isinstance(node, cst.Name) and node.value.startswith(MV_PREFIX):
        return node.value[len(MV_PREFIX) :]
    return None


def mvs_name(node: object) -> str | None:
    """``xs`` when ``node`` is the placeholder Name of ``$$$xs``; None for any other node."""
    if isinstance(node, cst.Name) and node.value.startswith(MVS_PREFIX):
        return node.value[len(MVS_PREFIX) :]
    return None


def _seq_inner(node: cst.CSTNode) -> cst.CSTNode | None:
    """The node that would be a ``$$$xs`` placeholder if ``node`` is a sequence slot."""
    if isinstance(node, cst.Name):
        return node
    if isinstance(node, cst.Arg):
        return node.value if node.keyword is None and node.star == "" else None
    if isinstance(node, cst.Element):
        return node.value
    if isinstance(node, cst.StarredDictElement):  # ``{$k: $v, $$$rest}`` (``**`` added by the parser's text)
        return node.value
    if isinstance(node, cst.Param):
        plain = node.annotation is None and node.default is None and node.star in ("", cst.MaybeSentinel.DEFAULT)
        return node.name if plain else None
    if isinstance(node, cst.Decorator):
        return node.decorator
    if isinstance(node, cst.SubscriptElement):
        sl = node.slice
        return sl.value if isinstance(sl, cst.Index) and sl.star is None else None
    if isinstance(node, (cst.ImportAlias, cst.WithItem)):
        return (node.name if isinstance(node, cst.ImportAlias) else node.item) if node.asname is None else None
    if isinstance(node, cst.SimpleStatementLine):
        if len(node.body) == 1 and isinstance(node.body[0], cst.Expr):
            return node.body[0].value
        return None
    if isinstance(node, cst.Expr):
        return node.value
    if isinstance(node, cst.NameItem):
        return node.name
    return None


def seq_mv_name(node: cst.CSTNode) -> str | None:
    """``xs`` if ``node`` (an element of a sequence field) stands for ``$$$xs``: it is one of
    the slots the module docstring lists, holding only the placeholder; None otherwise."""
    inner = _seq_inner(node)
    return mvs_name(inner) if inner is not None else None


def params_mv_name(node: cst.Parameters) -> str | None:
    """``ps`` if the parameter list is exactly ``($$$ps)`` (no ``/``, ``*``, ``**``, default
    or annotation): it then binds the whole list; None otherwise."""
    if (
        len(node.params) == 1
        and not node.posonly_params
        and not node.kwonly_params
        and not isinstance(node.star_arg, (cst.Param, cst.ParamStar))
        and node.star_kwarg is None
        and not isinstance(node.posonly_ind, cst.ParamSlash)
    ):
        return seq_mv_name(node.params[0])
    return None


class Placeholders(cst.CSTVisitor):
    """Collects, over one visit of a pattern or template tree, its placeholders.

    ``names``: every placeholder Name (``$x`` and ``$$$xs``) in source order;
    ``in_sequence``: the ids of the ``$$$`` ones that stand in a sequence slot (where they
    may be used; see :func:`seq_mv_name`).
    """

    def __init__(self) -> None:
        self.names: list[cst.Name] = []
        self.in_sequence: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        """Record ``node`` if it is a placeholder, and the ``$$$`` placeholders standing in
        its sequence fields; True: every node is entered."""
        if isinstance(node, cst.Name) and (mv_name(node) or mvs_name(node)) is not None:
            self.names.append(node)
        for value in vars_of(node):
            if isinstance(value, (tuple, list)):
                for elem in value:
                    inner = _seq_inner(elem) if isinstance(elem, cst.CSTNode) else None
                    if inner is not None and mvs_name(inner) is not None:
                        self.in_sequence.add(id(inner))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        """Nothing (the default looks up ``leave_<Node>`` on every node)."""

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        """Nothing (the default looks up ``visit_<Node>_<attribute>`` on every field)."""

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        """Nothing (the default looks up ``leave_<Node>_<attribute>`` on every field)."""


def vars_of(node: cst.CSTNode) -> tuple[object, ...]:
    """The values of the node's fields (nodes, sequences, strings, sentinels), in
    declaration order."""
    return tuple(getattr(node, f) for f in field_names(type(node)))
