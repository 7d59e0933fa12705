"""Keep comments that a replacement would drop (those outside every metavariable).

A comment of the matched code that is not inside a bound node (e.g. after the comma of
a call argument, between a call's parentheses and its first argument) has no place in
the replacement; it is moved to its own line above the statement that holds the match.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import libcst as cst

from .fields import IS_NODE, field_names, is_node_type


def _comments(node: cst.CSTNode) -> list[str]:
    if not has_comment(node):
        return []  # (libcst's visitor, below, rebuilds every node it passes)
    found: list[str] = []

    class _Collect(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment.value)

    node.visit(_Collect())
    return found


_LEAVES = (cst.SimpleWhitespace, cst.Newline)  # (a Name holds none, but its parentheses may)


def has_comment(node: cst.CSTNode) -> bool:
    """Whether the tree under ``node`` holds a comment (a plain pass: children are read
    from fields, and plain whitespace, which holds none, is not entered)."""
    stack = [node]
    leaves = _LEAVES
    while stack:
        current = stack.pop()
        tp = type(current)
        if tp is cst.Comment:
            return True
        for name in field_names(tp):
            value = getattr(current, name)
            vtp = type(value)
            if vtp is tuple or vtp is list:
                stack.extend(v for v in value if type(v) not in leaves and is_node_type(type(v)))
            elif vtp not in leaves and (IS_NODE.get(vtp) or is_node_type(vtp)):
                stack.append(value)
    return False


def lost_comments(old: cst.CSTNode, new: Sequence[cst.CSTNode]) -> list[str]:
    """Comments of ``old`` that none of ``new`` contains, in source order (compared by
    text, each one as many times as it occurs); ``[]`` without walking ``new`` when ``old``
    holds none."""
    before = _comments(old)
    if not before:
        return []
    left = Counter(c for n in new for c in _comments(n))
    lost = []
    for comment in before:
        if left[comment]:
            left[comment] -= 1
        else:
            lost.append(comment)
    return lost


def with_comments_above(stmt: cst.BaseStatement, comments: Sequence[str]) -> cst.BaseStatement:
    """``stmt`` with ``comments`` as comment lines right above it (after its own leading
    lines); ``stmt`` itself when there are none."""
    if not comments:
        return stmt
    lines = [cst.EmptyLine(comment=cst.Comment(c)) for c in comments]
    return stmt.with_changes(leading_lines=[*stmt.leading_lines, *lines])
