"""The banded line diff gives the edit script of the plain greedy Myers search, and git's counts.

``_reference`` is the unbanded search the banded one replaced (kept here as the slow path):
the differential tests run both on the same inputs and compare the runs, tie-breaks
included, so the diffs shown in plans do not change.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from runner.planning import linediff
from runner.planning.linediff import count_changes, matching_blocks, split_lines
from runner.planning.plan import file_change
from tests.test_line_counts import commit_then_change, git, numstat


def _reference(a: list[str], b: list[str], max_edits: int) -> list[tuple[int, int, int]] | None:
    """Myers' greedy forward search, every diagonal every step, traced back from (n, m)."""
    n, m = len(a), len(b)
    v, trace = {1: 0}, []
    for d in range(min(n + m, max_edits) + 1):
        trace.append(dict(v))
        for k in range(-d, d + 1, 2):
            x = v[k + 1] if k == -d or (k != d and v[k - 1] < v[k + 1]) else v[k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            v[k] = x
            if x >= n and y >= m:
                return _reference_back(trace, n, m)
    return None


def _reference_back(trace: list[dict[int, int]], x: int, y: int) -> list[tuple[int, int, int]]:
    runs = []
    for d in range(len(trace) - 1, -1, -1):
        v, k = trace[d], x - y
        prev_k = k + 1 if k == -d or (k != d and v.get(k - 1, -1) < v.get(k + 1, -1)) else k - 1
        prev_x = v.get(prev_k, 0)
        prev_y = prev_x - prev_k
        start_x = prev_x if prev_k == k + 1 else prev_x + 1
        if d == 0:
            start_x, prev_y = 0, 0
        if x > start_x:
            runs.append((start_x, start_x - k, x - start_x))
        x, y = prev_x, prev_y
    return runs[::-1]


def _pair(rng: random.Random) -> tuple[list[str], list[str]]:
    alphabet = rng.choice((2, 3, 5, 20, 200))
    a = [f"{rng.randrange(alphabet)}\n" for _ in range(rng.randrange(0, 45))]
    kind = rng.randrange(3)
    if kind == 0:  # unrelated
        b = [f"{rng.randrange(alphabet)}\n" for _ in range(rng.randrange(0, 45))]
    elif kind == 1:  # lines changed in place, some new
        b = [ln if rng.random() < 0.7 else f"{rng.randrange(2 * alphabet)}\n" for ln in a]
    else:  # inserted and deleted runs
        b = list(a)
        for _ in range(rng.randrange(1, 6)):
            at = rng.randrange(len(b) + 1)
            if rng.random() < 0.5:
                b[at:at] = [f"new {rng.randrange(alphabet)}\n" for _ in range(rng.randrange(1, 5))]
            else:
                del b[at:at + rng.randrange(1, 5)]
    return a, b


def test_the_banded_search_gives_the_reference_script() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        a, b = _pair(rng)
        assert linediff._myers(a, b) == _reference(a, b, linediff._MAX_EDITS), (a, b)


def test_the_bound_grown_many_times_still_gives_the_reference_script() -> None:
    rng = random.Random(9)
    for _ in range(25):  # a few hundred lines, most of them in both sides: the first bounds fall short
        words = [f"{w}\n" for w in range(rng.choice((8, 30, 100)))]
        a = [rng.choice(words) for _ in range(300)]
        b = [ln if rng.random() < 0.75 else rng.choice(words) for ln in a]
        b[rng.randrange(300):rng.randrange(300)] = []
        assert linediff._myers(a, b) == _reference(a, b, linediff._MAX_EDITS)


def test_over_the_edit_limit_both_give_up_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(5)
    gave_up = 0
    for _ in range(3000):
        limit = rng.choice((1, 2, 3, 5, 8, 13))
        monkeypatch.setattr(linediff, "_MAX_EDITS", limit)
        a, b = _pair(rng)
        ours = linediff._myers(a, b)
        assert ours == _reference(a, b, limit), (limit, a, b)
        gave_up += ours is None
    assert 300 < gave_up < 2700  # both outcomes were exercised


def _interleaved(lines: int, every: int) -> tuple[str, str]:
    before = [f"    self.assertEqual(f({i}), {i})\n" if i % every == 0 else f"x{i} = {i}\n" for i in range(lines)]
    after = [f"    assert f({i}) == {i}\n" if i % every == 0 else ln for i, ln in enumerate(before)]
    return "".join(before), "".join(after)


def _repeated(rng: random.Random) -> tuple[str, str]:
    words = ["\n", "    pass\n", ")\n", "    return x\n", "else:\n"]
    before = [rng.choice(words) for _ in range(400)]
    after = [ln if rng.random() < 0.8 else rng.choice(words[:3]) for ln in before]
    return "".join(before), "".join(after)


def _moved(rng: random.Random) -> tuple[str, str]:
    chunks = [[f"line {c}.{i}\n" for i in range(20)] for c in range(30)]
    before = "".join(ln for chunk in chunks for ln in chunk)
    rng.shuffle(chunks)
    return before, "".join(ln for chunk in chunks for ln in chunk)


GOLDEN = {  # (before, after) -> (added, removed)
    ("", ""): (0, 0),
    ("a\n", ""): (0, 1),
    ("", "a\nb"): (2, 0),
    ("a\nb\n", "a\nb"): (1, 1),  # the last line lost its newline: a different line
    ("a\r\nb\r\n", "a\nb\r\n"): (1, 1),
    ("x\ny\nx\ny\n", "y\nx\ny\nx\n"): (1, 1),
    ("a\nb\nc\n", "c\nb\na\n"): (2, 2),
    # the blank lines stay matched; git's numstat says (23, 39): before its search, git drops
    # lines as common as blank ones from runs of changed lines (the script is then not the shortest)
    ("".join(f"f({i},\n  {i})\ng({i},\n  {i})\n\n" for i in range(8)), "".join(f"F{i}\nG{i}\n\n" for i in range(8))): (16, 32),
}


@pytest.mark.parametrize("before, after", list(GOLDEN))
def test_golden_counts(before: str, after: str) -> None:
    a, b = split_lines(before), split_lines(after)
    assert count_changes(a, b, matching_blocks(a, b)) == GOLDEN[(before, after)]


def _cases(scale: int = 1) -> dict[str, tuple[bytes, bytes]]:
    rng = random.Random(17)
    texts = {
        "interleaved.py": _interleaved(3000 // scale, 2),
        "every_fifth.py": _interleaved(2500 // scale, 5),
        "repeated.py": _repeated(rng),
        "moved.py": _moved(rng),
    }
    cases = {name: (a.encode(), b.encode()) for name, (a, b) in texts.items()}
    before, after = cases["every_fifth.py"]
    cases["crlf.py"] = before.replace(b"\n", b"\r\n"), after.replace(b"\n", b"\r\n")
    cases["no_final_newline.py"] = before[:-1], after[:-1] + b"  # end"
    return cases


def test_big_diffs_count_as_git_and_apply(tmp_path: Path) -> None:
    cases = _cases()
    commit_then_change(tmp_path, cases)
    changes = {name: file_change(name, before, after) for name, (before, after) in cases.items()}
    ours = {name: (c.added, c.removed) for name, c in changes.items()}
    assert ours == numstat(tmp_path, "--minimal")
    # git's default search stops looking for the shortest script on long moves (it reports more lines)
    assert {k: v for k, v in ours.items() if k != "moved.py"} == {k: v for k, v in numstat(tmp_path).items() if k != "moved.py"}
    git(tmp_path, "checkout", "-q", "--", ".")
    (tmp_path / "all.patch").write_text("".join(c.diff for c in changes.values()), encoding="utf-8")
    git(tmp_path, "apply", "--whitespace=nowarn", "all.patch")
    assert {name: (tmp_path / name).read_bytes() for name in cases} == {name: after for name, (_, after) in cases.items()}


@pytest.mark.slow
def test_big_diffs_give_the_reference_script() -> None:
    for name, (before, after) in _cases(scale=3).items():
        a, b = split_lines(before.decode()), split_lines(after.decode())
        head = 0  # the reference runs on what matching_blocks leaves after the common head and tail
        while head < min(len(a), len(b)) and a[head] == b[head]:
            head += 1
        tail = 0
        while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
            tail += 1
        mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
        assert linediff._myers(mid_a, mid_b) == _reference(mid_a, mid_b, linediff._MAX_EDITS), name
