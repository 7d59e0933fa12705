"""Line diffs as git counts them: lines end at ``\\n`` only, and the edit script is minimal.

``git diff --numstat`` splits a file at ``\\n`` (a ``\\r\\n`` line is one line whose text
ends in ``\\r``; a last line without ``\\n`` differs from the same text with it) and
counts the lines of a Myers diff, which is a shortest edit script. difflib's
SequenceMatcher is neither (it splits at ``\\r``, form feeds and more, and its
longest-block heuristic can report more changed lines than there are), so batchmod
computes its own: the counts of ``plan``, budgets, ``run``, ``status`` and ``report``
are git's, and the unified diff shown is the same edit script. Where git gives up the
shortest script for speed, its counts are higher than batchmod's: it leaves lines as
common as blank ones out of runs of changed lines before searching, and stops short on
long moved blocks (``git diff --minimal`` still does the first).
"""
from __future__ import annotations

import difflib
from itertools import compress, repeat
from operator import add, eq, itemgetter, sub
from typing import Callable, Sequence

#: beyond this many differing lines the exact search costs too much; fall back to difflib's blocks
_MAX_EDITS = 4000
#: a band this wide on average (points per step) or less counts as narrow (see _myers)
_NARROW = 64


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
    """Matching runs of a shortest edit script, or None when it needs over _MAX_EDITS edits.

    The script is the one of Myers' greedy forward search (1986) traced back from the end,
    the rule being: on diagonal k, come from k+1 (an insertion) when the furthest x of k-1
    is smaller, else from k-1 (a deletion). The search here is that one on a band: a point
    is dropped when the edits spent to reach it plus a lower bound of the edits still
    needed (``_needed``) exceed a bound ``u``. Dropped points only lower the furthest x of
    the others, never on a path of at most ``u`` edits, so when the banded search reaches
    the end within ``u`` edits the script, tie-breaks included, is the unbanded one's; when
    it does not, the shortest script needs more than ``u`` and ``u`` grows: by a sixteenth
    when the band stayed narrow (the bound is close: trying costs little), else to the
    limit (the band does not pay: search it all, as the unbanded search does).
    """
    n, m = len(a), len(b)
    max_d = min(n + m, _MAX_EDITS)
    ids: dict[str, int] = {}
    xa = [ids.setdefault(line, len(ids)) for line in a]
    xb = [ids.setdefault(line, len(ids)) for line in b]
    only_a, only_b = _only_here(xa, set(xb)), _only_here(xb, set(xa))
    xa += [-1] * (max_d + 2)  # past either end nothing is equal: a snake stops there
    xb += [-2] * (max_d + 2)
    needed = _needed(only_a, only_b, n, m)
    u = max(needed(0, 0), 1)
    while True:
        u = min(u, max_d)
        reached, trace = _banded_search(xa, xb, n, m, needed, u)
        if reached:
            return _backtrack(trace, n, m)
        if u >= max_d:
            return None
        narrow = sum(len(v) for _, v in trace) < _NARROW * len(trace)
        u = u + max(16, u // 16) if narrow else max_d


def _only_here(lines: list[int], other: set[int]) -> list[int]:
    """``out[x]``: how many of ``lines[x:]`` are nowhere in ``other`` (so never matched)."""
    out = [0] * (len(lines) + 1)
    for x in range(len(lines) - 1, -1, -1):
        out[x] = out[x + 1] + (lines[x] not in other)
    return out


def _needed(only_a: list[int], only_b: list[int], n: int, m: int) -> Callable[[int, int], int]:
    """A lower bound of the edits from (x, y) to (n, m): the unmatchable lines left must be
    deleted or inserted, and deletions minus insertions is (n - x) - (m - y)."""
    def needed(x: int, y: int) -> int:
        r = (n - x) - (m - y)
        return 2 * max(only_b[y], only_a[x] - r, -r, 0) + r
    return needed


def _banded_search(xa: list[int], xb: list[int], n: int, m: int, needed: Callable[[int, int], int],
                   u: int) -> tuple[bool, list[tuple[int, list[int]]]]:
    """Whether (n, m) is reached within ``u`` edits, and the furthest x per diagonal after
    each number of edits d, as ``(lowest diagonal, x every second diagonal)``, up to the d
    that reaches (n, m) or leaves no path of at most ``u`` edits."""
    x = 0
    while xa[x] == xb[x]:
        x += 1
    trace = [(0, [0])]
    if x >= n and x >= m:
        return True, trace
    lo, prev = 0, [x]
    for d in range(1, u + 1):
        trace.append((lo, prev))
        xs = [prev[0]]  # lowest diagonal: from the one above; highest: from the one below
        xs += map(max, prev[1:], map(add, prev, repeat(1)))
        xs.append(prev[-1] + 1)
        lo -= 1
        ys = list(map(sub, xs, range(lo, lo + 2 * len(xs), 2)))
        for i in compress(range(len(xs)), map(eq, itemgetter(*xs)(xa), itemgetter(*ys)(xb))):
            x, y = xs[i] + 1, ys[i] + 1
            while xa[x] == xb[y]:
                x, y = x + 1, y + 1
            xs[i], ys[i] = x, y
        if max(xs) >= n and max(ys) >= m and any(x >= n and y >= m for x, y in zip(xs, ys)):
            return True, trace
        first, stop = 0, len(xs)
        while first < stop and _dropped(xs[first], ys[first], d, n, m, needed, u):
            first += 1
        while stop > first and _dropped(xs[stop - 1], ys[stop - 1], d, n, m, needed, u):
            stop -= 1
        if first == stop:
            return False, trace
        lo, prev = lo + 2 * first, xs[first:stop]
    return False, trace


def _dropped(x: int, y: int, d: int, n: int, m: int, needed: Callable[[int, int], int], u: int) -> bool:
    return x > n or y > m or d + needed(x, y) > u


def _backtrack(trace: list[tuple[int, list[int]]], x: int, y: int) -> list[tuple[int, int, int]]:
    runs = []
    for d in range(len(trace) - 1, 0, -1):
        lo, v = trace[d]
        k = x - y
        j = (k + 1 - lo) >> 1  # where diagonal k + 1 is; k - 1 is at j - 1 (outside the band: no path)
        below = v[j - 1] if 0 < j <= len(v) else -1
        above = v[j] if 0 <= j < len(v) else -1
        if k == -d or (k != d and below < above):
            prev_k, prev_x, start_x = k + 1, above, above
        else:
            prev_k, prev_x, start_x = k - 1, below, below + 1  # after the one insertion or deletion
        if x > start_x:
            runs.append((start_x, start_x - k, x - start_x))
        x, y = prev_x, prev_x - prev_k
    if x > 0:
        runs.append((0, 0, x))
    return runs[::-1]


def count_changes(a: Sequence[str], b: Sequence[str], blocks: list[tuple[int, int, int]]) -> tuple[int, int]:
    """(added, removed) lines of the edit script ``blocks``."""
    same = sum(n for _, _, n in blocks)
    return len(b) - same, len(a) - same


def unified_diff(a: Sequence[str], b: Sequence[str], blocks: list[tuple[int, int, int]],
                 fromfile: str, tofile: str, context: int = 3) -> list[str]:
    """The unified diff of ``blocks`` (difflib's format; lines keep their ends)."""
    # the grouping reads the blocks alone: a matcher of empty sequences does not index b's lines for nothing
    matcher = difflib.SequenceMatcher(None, (), (), autojunk=False)
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
