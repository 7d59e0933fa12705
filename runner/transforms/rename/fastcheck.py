"""The fast path's last check: the edited source parses to the original ``ast`` with the
names (and docstrings) substituted, and nothing else changed.

Parsing the whole edited file again costs as much as the first parse, and comparing the
two trees more. :func:`same_tree` re-parses only the statements holding an edit (the
deepest statement around each edit that has its lines to itself: nothing before it on
its first line but indentation or a decorator's ``@``, nothing after it on its last line
but a comment), under an ``if 1:`` header when indented, and compares those with the
original statements. Around them the bytes are the original ones, and a statement that
parses on its own ends where a statement may end, so the tokens outside are the ones
Python read before. A comment edit is checked as a comment: it starts with ``#`` outside
every string literal and keeps to its line. Anything else (a tab, the future import
that changes ``!=``, an edit that changes the line count, a substitution outside the
re-parsed statements, a region that does not parse) falls back to the whole-file check.
"""
from __future__ import annotations

import ast
from bisect import bisect_right
from typing import Union

from runner.transforms.rename.astfacts import line_starts, offset, span
from runner.transforms.rename.fastswap import Edit, Substitution

_Blocks = Union[ast.stmt, ast.excepthandler, ast.match_case]


def same_tree(tree: ast.Module, source: bytes, after: bytes, edits: list[Edit], subs: list[Substitution],
              literals: list[ast.expr], starts: list[int] | None = None) -> bool:
    """Does ``after`` (``source`` with ``edits``, sorted, applied) parse to ``tree`` with
    ``subs`` applied? ``literals``: the source's string literals (constants and
    f-strings); ``starts``: its line starts (``astfacts.line_starts``), when known.
    (``tree`` changes in place.)"""
    for node, name, value in subs:
        setattr(node, name, value)
    if _regions_same(tree, source, edits, subs, literals, starts):
        return True
    try:
        new_tree = ast.parse(after)
    except Exception:  # noqa: BLE001
        return False
    return equal(tree, new_tree)


def equal(left: object, right: object) -> bool:
    """The two trees (or lists of them) have the same node types and fields (positions aside)."""
    stack: list[tuple[object, object]] = [(left, right)]
    pop, push, node_type = stack.pop, stack.append, ast.AST
    while stack:
        a, b = pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, node_type):
            for name in a._fields:
                push((getattr(a, name, None), getattr(b, name, None)))
        elif isinstance(a, list):
            if len(a) != len(b):  # type: ignore[arg-type]
                return False
            stack.extend(zip(a, b))  # type: ignore[arg-type]
        elif a != b:
            return False
    return True


def _regions_same(tree: ast.Module, source: bytes, edits: list[Edit], subs: list[Substitution],
                  literals: list[ast.expr], starts: list[int] | None = None) -> bool:
    """True when the statements holding the edits, re-parsed, are the original ones with
    ``subs`` applied, and the other edits are comments that stay comments; False when
    that is not certain (the caller checks the whole file)."""
    if b"\t" in source or b"\r" in source or b"\x0c" in source or b"barry_as_FLUFL" in source:
        return False
    starts = line_starts(source) if starts is None else starts
    regions: dict[tuple[int, int], ast.stmt] = {}
    for start, end, new in edits:
        old = source[start:end]
        if old.count(b"\n") != new.count(b"\n") or b"\r" in new or b"\x0c" in new:
            return False
        if old.startswith(b"#"):
            if not _comment_stays(source, starts, (start, end, new), literals):
                return False
            continue
        found = _region(tree, source, starts, start, end)
        if found is None:
            return False
        regions[found[0]] = found[1]
    outer = {k: v for k, v in regions.items() if not any(o != k and o[0] <= k[0] and k[1] <= o[1] for o in regions)}
    if not all(any(a <= getattr(n, "lineno", 0) and getattr(n, "end_lineno", 0) <= b for a, b in outer)
               for n, _, _ in subs):
        return False
    return all(_reparsed_equal(source, starts, lines, stmt, edits) for lines, stmt in outer.items())


def _comment_stays(source: bytes, starts: list[int], edit: Edit, literals: list[ast.expr]) -> bool:
    """The edit replaces a whole comment (from a ``#`` outside every string literal to the
    end of its line) with one."""
    start, end, new = edit
    line_end = source.find(b"\n", start)
    if end != (len(source) if line_end < 0 else line_end) or not new.startswith(b"#") or b"\n" in new:
        return False
    return not any(a <= start < b for a, b in (span(starts, node) for node in literals))


def _region(tree: ast.Module, source: bytes, starts: list[int], start: int, end: int
            ) -> tuple[tuple[int, int], ast.stmt] | None:
    """The lines (first, last) and the deepest statement holding ``source[start:end]``
    that has those lines to itself; None if there is none."""
    best = None
    blocks: list[list[ast.stmt]] = [tree.body]
    while blocks:
        inner = _holding(blocks, starts, start, end)
        if inner is None:
            break
        lines = _own_lines(source, starts, inner)
        if lines is not None:
            best = (lines, inner)
        blocks = _child_blocks(inner)
    return best


def _holding(blocks: list[list[ast.stmt]], starts: list[int], start: int, end: int) -> ast.stmt | None:
    """The statement of ``blocks`` whose source (decorators included) holds ``[start, end)``."""
    for block in blocks:
        for stmt in block:
            first = starts[_first_line(stmt) - 1] if getattr(stmt, "decorator_list", None) else offset(
                starts, stmt.lineno, stmt.col_offset)
            if first <= start and end <= offset(starts, stmt.end_lineno or 0, stmt.end_col_offset or 0):
                return stmt
    return None


def _first_line(stmt: ast.stmt) -> int:
    return min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])


def _own_lines(source: bytes, starts: list[int], stmt: ast.stmt) -> tuple[int, int] | None:
    """The statement's first and last lines when nothing else is on them (indentation, and
    a decorator's ``@``, before it; a comment after it), else None."""
    decorators = getattr(stmt, "decorator_list", None)
    first = _first_line(stmt)
    column = min(d.col_offset for d in decorators if d.lineno == first) if decorators else stmt.col_offset
    head = source[starts[first - 1]:starts[first - 1] + column].strip()
    if head != (b"@" if decorators else b""):
        return None
    last = stmt.end_lineno or 0
    line_end = starts[last] - 1 if last < len(starts) else len(source)
    tail = source[offset(starts, last, stmt.end_col_offset or 0):line_end].strip()
    return (first, last) if not tail or tail.startswith(b"#") else None


def _child_blocks(stmt: _Blocks) -> list[list[ast.stmt]]:
    blocks = [getattr(stmt, name) for name in ("body", "orelse", "finalbody") if isinstance(getattr(stmt, name, None), list)]
    for holder in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
        blocks.append(holder.body)
    return blocks


def _reparsed_equal(source: bytes, starts: list[int], lines: tuple[int, int], stmt: ast.stmt,
                    edits: list[Edit]) -> bool:
    """The region's lines with their edits parse (under ``if 1:`` when indented) to ``stmt``."""
    begin = starts[lines[0] - 1]
    stop = starts[lines[1]] if lines[1] < len(starts) else len(source)
    pieces, last = [], begin
    for start, end, new in edits:
        if end <= begin or start >= stop:
            continue
        if start < begin or end > stop:
            return False
        pieces += [source[last:start], new]
        last = end
    text = b"".join([*pieces, source[last:stop]])
    indented = text[:1] == b" "
    try:
        parsed = ast.parse(("if 1:\n" if indented else "") + text.decode("utf-8"))
    except Exception:  # noqa: BLE001
        return False
    body = parsed.body[0].body if indented and len(parsed.body) == 1 else parsed.body  # type: ignore[attr-defined]
    return equal([stmt], body)
