"""Where a Name is not an expression (attribute names, keywords, definitions), and dotted names."""
from __future__ import annotations

import libcst as cst

# Name nodes that are not expressions: attribute names, keyword names, definitions.
NOT_EXPRESSION_FIELDS: dict[type, tuple[str, ...]] = {
    cst.Attribute: ("attr",),
    cst.Arg: ("keyword",),
    cst.FunctionDef: ("name",),
    cst.ClassDef: ("name",),
    cst.Param: ("name",),
    cst.NameItem: ("name",),
    cst.MatchKeywordElement: ("key",),
    cst.MatchAs: ("name",),
    cst.MatchStar: ("name",),
}
# Statements whose whole subtree holds no expressions (module paths, declared names).
NO_EXPRESSIONS = frozenset({cst.Import, cst.ImportFrom, cst.Global, cst.Nonlocal})


def dotted_name(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a Name or an attribute chain of Names; None for anything else."""
    parts: list[str] = []
    while type(node) is cst.Attribute:
        parts.append(node.attr.value)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    if type(node) is not cst.Name:
        return None
    parts.append(node.value)  # type: ignore[attr-defined]
    return ".".join(reversed(parts))


def head_name(node: cst.CSTNode) -> cst.Name | None:
    """The leftmost Name of an attribute chain (the node itself for a Name); None when the
    chain starts with anything else (a call, a subscript, a literal)."""
    while type(node) is cst.Attribute:
        node = node.value  # type: ignore[attr-defined]
    return node if type(node) is cst.Name else None  # type: ignore[return-value]
