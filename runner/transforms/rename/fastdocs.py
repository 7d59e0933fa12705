"""The fast path's docs: the docstrings and comments of a file, found with ``ast`` and the
bytes, so that they can be renamed by the same functions as on the libcst path
(:func:`.docs.rename_docstring`, :func:`.docs.apply_words`).

A docstring is taken only when libcst's docs step certainly sees the same literal (the
first statement of a module, class or function, alone on its lines, one plain literal);
other candidates are reported as unclear and the fast path gives up if they matter.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from runner.transforms.rename.astfacts import Facts, span

_OPENING = re.compile(rb"([rRuU]?)(\"\"\"|'''|\"|')")
_BEFORE = re.compile(rb"[ \t\f]*")
_AFTER = re.compile(rb"[ \t\f]*(?:#[^\r\n]*)?(?:\r\n|\r|\n|$)")
_EOL = re.compile(rb"\r\n|\r|\n")


@dataclass
class Docstring:
    """A docstring's literal: its node and the source between its quotes."""

    node: ast.Constant
    start: int  #: offset of the body (after the prefix and the opening quote)
    end: int  #: offset of the closing quote
    head: str  #: prefix and opening quote
    quote: str  #: the quote
    body: str  #: source between the quotes


def docstrings(facts: Facts, tree: ast.Module, source: bytes,
               starts: list[int]) -> tuple[list[Docstring], list[ast.Constant]]:
    """The docstrings libcst's docs step sees, and the first-statement literals it may see
    differently (bytes, concatenated, parenthesized, sharing a line...)."""
    exact: list[Docstring] = []
    unclear: list[ast.Constant] = []
    for owner in [tree, *facts.defs]:
        body = getattr(owner, "body", None)
        if not body or not isinstance(body[0], ast.Expr) or not isinstance(body[0].value, ast.Constant):
            continue
        node = body[0].value
        if not isinstance(node.value, (str, bytes)):
            continue
        found = _docstring(node, source, starts)
        (exact.append(found) if found else unclear.append(node))
    return exact, unclear


def _docstring(node: ast.Constant, source: bytes, starts: list[int]) -> Docstring | None:
    if not isinstance(node.value, str):
        return None
    start, end = span(starts, node)
    line_start = starts[node.lineno - 1]
    if _BEFORE.match(source, line_start).end() != start or not _AFTER.match(source, end):
        return None
    literal = plain_literal(source, start, end)
    if literal is None:
        return None  # concatenated literals, or a quote inside: leave it to libcst
    body_start, body_end = start + len(literal[0]) + len(literal[1]), end - len(literal[1])
    return Docstring(node, body_start, body_end, "".join(literal), literal[1],
                     source[body_start:body_end].decode("utf-8"))


def comment_at(source: bytes, starts: list[int], literals: list[tuple[int, int]], at: int) -> tuple[int, int] | None:
    """The (start, end) offsets of the comment that holds offset ``at`` (from ``#`` to the
    end of the line, as libcst's Comment), or None when ``at`` is not in a comment.
    ``literals``: the spans of every string literal (a ``#`` inside one starts nothing)."""
    if _inside(literals, at):
        return None
    line = _line_of(starts, at)
    hash_at = source.find(b"#", starts[line], at)
    while hash_at != -1 and _inside(literals, hash_at):
        hash_at = source.find(b"#", hash_at + 1, at)
    if hash_at == -1:
        return None
    newline = _EOL.search(source, at)
    return hash_at, newline.start() if newline else len(source)


def _inside(literals: list[tuple[int, int]], at: int) -> bool:
    return any(start <= at < end for start, end in literals)


def _line_of(starts: list[int], at: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= at:
            low = middle
        else:
            high = middle - 1
    return low


def dunder_all_entries(tree: ast.Module) -> list[ast.Constant]:
    """The string constants libcst's ``__all__`` step reads (see
    :func:`.scan.dunder_all_strings`): elements of a list, tuple or set (or either side of
    a binary operation, or the value itself) assigned, annotated or augmented to the
    module-level ``__all__``, and the first argument of ``__all__.extend``/``append``."""
    found: list[ast.Constant] = []

    def strings_in(value: ast.expr | None) -> None:
        if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
            found.extend(e for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, (str, bytes)))
        elif isinstance(value, ast.BinOp):
            strings_in(value.left)
            strings_in(value.right)
        elif isinstance(value, ast.Constant) and isinstance(value.value, (str, bytes)):
            found.append(value)

    def is_all(target: ast.expr) -> bool:
        return isinstance(target, ast.Name) and target.id == "__all__"

    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(is_all(t) for t in stmt.targets):
            strings_in(stmt.value)
        elif isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) and is_all(stmt.target):
            strings_in(stmt.value)
        elif (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
              and isinstance(stmt.value.func, ast.Attribute) and is_all(stmt.value.func.value)
              and stmt.value.func.attr in ("extend", "append") and stmt.value.args and not stmt.value.keywords
              and not isinstance(stmt.value.args[0], ast.Starred)):
            strings_in(stmt.value.args[0])
    return found


def plain_literal(source: bytes, start: int, end: int) -> tuple[str, str] | None:
    """``(prefix, quote)`` of the source ``[start, end)`` when it is one plain str literal
    (no bytes or f prefix, not concatenated, no quote inside), else None."""
    opening = _OPENING.match(source, start)
    if opening is None:
        return None
    quote = opening.group(2)
    body_start, body_end = opening.end(), end - len(quote)
    if body_end < body_start or source[body_end:end] != quote or quote in source[body_start:body_end]:
        return None
    return opening.group(1).decode(), quote.decode()
