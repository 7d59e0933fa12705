"""Keep comments that a replacement would drop (those outside every metavariable).

A comment of the matched code that is not inside a bound node (e.g. after the comma of
a call argument, between a call's parentheses and its first argument) has no place in
the replacement; it is moved to its own line above the statement that holds the match.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

import libcst as cst

from .fields import preorder


def _comments(node: cst.CSTNode) -> list[str]:
    if not any(type(n) is cst.Comment for n in preorder(node)):
        return []  # (libcst's visitor, below, rebuilds every node it passes)
    found: list[str] = []

    class _Collect(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(comment.value)

    node.visit(_Collect())
    return found


def lost_comments(old: cst.CSTNode, new: Sequence[cst.CSTNode]) -> list[str]:
    """Comments of ``old`` that none of ``new`` contains, in source order."""
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
    """``stmt`` with ``comments`` as comment lines right above it (after its own)."""
    if not comments:
        return stmt
    lines = [cst.EmptyLine(comment=cst.Comment(c)) for c in comments]
    return stmt.with_changes(leading_lines=[*stmt.leading_lines, *lines])
