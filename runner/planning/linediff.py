"""Line diffs as git counts them: lines end at ``\\n`` only, and the edit script is minimal.

``git diff --numstat`` splits a file at ``\\n`` (a ``\\r\\n`` line is one line whose text
ends in ``\\r``; a last line without ``\\n`` differs from the same text with it) and
counts the lines of a Myers diff, which is a shortest edit script. difflib's
SequenceMatcher is neither (it splits at ``\\r``, form feeds and more, and its
longest-block heuristic can report more changed lines than there are), so batchmod
computes its own: the counts of ``plan``, budgets, ``run``, ``status`` and ``report``
are git's, and the unified diff shown is the same edit script.
"""
from __future__ import annotations

import difflib
from typing import Sequence

#: beyond this many differing lines the exact search costs too much; fall back to difflib's blocks
_MAX_EDITS = 4000


def split_lines(text: str) -> list[str]:
    """Lines as git sees them, each with its ``\\n`` (the last one may have none)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def matching_blocks(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]]:
    """(i, j, n) runs of equal lines of a shortest edit script, ending with (len(a), len(b), 0)."""
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    middle = _myers(mid_a, mid_b)
    if middle is None:
        middle = [tuple(m) for m in difflib.SequenceMatcher(None, mid_a, mid_b, autojunk=False).get_matching_blocks()[:-1]]
    blocks = [(0, 0, head)] if head else []
    blocks += [(i + head, j + head, n) for i, j, n in middle if n]
    if tail:
        blocks.append((len(a) - tail, len(b) - tail, tail))
    return _merged(blocks) + [(len(a), len(b), 0)]


def _merged(blocks: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    out: list[tuple[int, int, int]] = []
    for i, j, n in blocks:
        if out and out[-1][0] + out[-1][2] == i and out[-1][1] + out[-1][2] == j:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + n)
        else:
            out.append((i, j, n))
    return out


def _myers(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int]] | None:
    """Matching runs of a shortest edit script (Myers 1986), or None when it needs over _MAX_EDITS edits."""
    n, m = len(a), len(b)
    v = {1: 0}
    trace = []
    for d in range(min(n + m, _MAX_EDITS) + 1):
        trace.append(dict(v))
        for k in range(-d, d + 1, 2):
            x = v[k + 1] if k == -d or (k != d and v[k - 1] < v[k + 1]) else v[k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            v[k] = x
            if x >= n and y >= m:
                return _backtrack(trace, n, m)
    return None


def _backtrack(trace: list[dict[int, int]], x: int, y: int) -> list[tuple[int, int, int]]:
    runs = []
    for d in range(len(trace) - 1, -1, -1):
        v = trace[d]
        k = x - y
        prev_k = k + 1 if k == -d or (k != d and v.get(k - 1, -1) < v.get(k + 1, -1)) else k - 1
        prev_x = v.get(prev_k, 0)
        prev_y = prev_x - prev_k
        start_x = prev_x if prev_k == k + 1 else prev_x + 1  # after the one insertion or deletion
        if d == 0:
            start_x, prev_y = 0, 0
        snake = x - start_x
        if snake > 0:
            runs.append((start_x, start_x - k, snake))
        x, y = prev_x, prev_y
    return runs[::-1]


def count_changes(a: Sequence[str], b: Sequence[str], blocks: list[tuple[int, int, int]]) -> tuple[int, int]:
    """(added, removed) lines of the edit script ``blocks``."""
    same = sum(n for _, _, n in blocks)
    return len(b) - same, len(a) - same


def unified_diff(a: Sequence[str], b: Sequence[str], blocks: list[tuple[int, int, int]],
                 fromfile: str, tofile: str, context: int = 3) -> list[str]:
    """The unified diff of ``blocks`` (difflib's format; lines keep their ends)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matcher.matching_blocks = [difflib.Match(i, j, n) for i, j, n in blocks]  # type: ignore[attr-defined]
    out: list[str] = []
    for group in matcher.get_grouped_opcodes(context):
        if not out:
            out += [f"--- {fromfile}\n", f"+++ {tofile}\n"]
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [" " + line for line in a[i1:i2]]
                continue
            out += ["-" + line for line in a[i1:i2]]
            out += ["+" + line for line in b[j1:j2]]
    return out


def _range(start: int, stop: int) -> str:
    length = stop - start
    beginning = start + 1 if length else start
    return f"{beginning}" if length == 1 else f"{beginning},{length}"
