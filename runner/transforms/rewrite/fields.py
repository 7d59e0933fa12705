"""Field names of libcst node classes (cached; ``__dataclass_fields__`` also lists
pseudo-fields such as ``__slots__``), and a node's children read from its fields."""
from __future__ import annotations

import dataclasses
from typing import Iterator

import libcst as cst

_CACHE: dict[type, tuple[str, ...]] = {}


def field_names(tp: type) -> tuple[str, ...]:
    """The dataclass fields of a libcst node type, in declaration order (cached per type;
    ``tp`` must be a dataclass: ``TypeError`` otherwise)."""
    names = _CACHE.get(tp)
    if names is None:
        names = _CACHE[tp] = tuple(f.name for f in dataclasses.fields(tp))
    return names


def child_nodes(node: cst.CSTNode, names: tuple[str, ...] | None = None) -> list[cst.CSTNode]:
    """The immediate children of ``node`` (what ``node.children`` lists), read from its
    fields (``names``: those only): libcst's property rebuilds the node through a visitor
    to find them."""
    out: list[cst.CSTNode] = []
    for name in field_names(type(node)) if names is None else names:
        value = getattr(node, name)
        tp = type(value)
        if tp is tuple or tp is list:
            out.extend(v for v in value if IS_NODE.get(type(v)) or is_node_type(type(v)))
        elif IS_NODE.get(tp) or is_node_type(tp):
            out.append(value)
    return out


IS_NODE: dict[type, bool] = {}


def is_node_type(tp: type) -> bool:
    """``issubclass(tp, cst.CSTNode)``, cached (CSTNode is an ABC: isinstance is slow)."""
    found = IS_NODE.get(tp)
    if found is None:
        found = IS_NODE[tp] = issubclass(tp, cst.CSTNode)
    return found


def preorder(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node of the tree under ``root`` (included), parents before their children,
    without libcst's visitor machinery (which rebuilds every node it passes)."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        children = child_nodes(node)
        children.reverse()
        stack.extend(children)
