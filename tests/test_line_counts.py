"""batchmod's +/- for a file is git's: `git diff --numstat` on a real repository agrees, file by file."""
from __future__ import annotations

import random
import subprocess
from pathlib import Path

from runner.planning.plan import file_change

CASES: dict[str, tuple[bytes, bytes]] = {
    "crlf.py": (b"a = 1\r\nb = 2\r\nc = 3\r\n", b"a = 1\r\nb = 20\r\nc = 3\r\n"),
    "crlf_to_lf.py": (b"a = 1\r\nb = 2\r\n", b"a = 1\nb = 2\n"),
    "no_final_newline.py": (b"x = 1\ny = 2", b"x = 1\ny = 3"),
    "gains_final_newline.py": (b"x = 1\ny = 2", b"x = 1\ny = 2\n"),
    "lone_cr_and_formfeed.py": (b"a = 1\rb = 2\n\x0c\nc = 3\n", b"a = 1\rb = 3\n\x0c\nc = 3\n"),
    "moved_block.py": (b"".join(b"line %d\n" % i for i in range(30)), b"".join(b"line %d\n" % i for i in [*range(10, 20), *range(10), *range(20, 30)])),
    "repeated_lines.py": (b"pass\n" * 5 + b"x = 1\n" + b"pass\n" * 5, b"pass\n" * 3 + b"x = 2\n" + b"pass\n" * 7),
}


def _random_case(rng: random.Random) -> tuple[bytes, bytes]:
    words = [b"a = 1", b"b = 2", b"pass", b"", b"return x", b"c = 3\r", b"# note"]
    before = [rng.choice(words) for _ in range(rng.randint(0, 60))]
    after = list(before)
    for _ in range(rng.randint(1, 8)):
        at = rng.randint(0, len(after))
        op = rng.choice(("insert", "delete", "change"))
        if op == "insert" or not after:
            after.insert(at, rng.choice(words))
        elif op == "delete":
            del after[min(at, len(after) - 1)]
        else:
            after[min(at, len(after) - 1)] = rng.choice(words) + b"!"
    end_a, end_b = rng.choice((b"", b"\n")), rng.choice((b"", b"\n"))
    return b"\n".join(before) + end_a, b"\n".join(after) + end_b


def git(root: Path, *args: str) -> str:
    """git's output in ``root`` (line ends left alone)."""
    return subprocess.run(["git", "-c", "core.autocrlf=false", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def commit_then_change(root: Path, cases: dict[str, tuple[bytes, bytes]]) -> None:
    """A git repository in ``root`` with each case's before committed and its after written."""
    git(root, "init", "-q")
    (root / ".gitattributes").write_bytes(b"* -text\n")  # bytes as they are, like batchmod
    for name, (before, _) in cases.items():
        (root / name).write_bytes(before)
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "before")
    for name, (_, after) in cases.items():
        (root / name).write_bytes(after)


def numstat(root: Path, *flags: str) -> dict[str, tuple[int, int]]:
    """``git diff --numstat FLAGS`` in ``root``: file -> (added, removed)."""
    counts = {}
    for line in git(root, "diff", "--numstat", *flags).splitlines():
        added, removed, name = line.split("\t")
        counts[name] = (int(added), int(removed))
    return counts


def test_counts_equal_git_numstat_file_by_file(tmp_path: Path) -> None:
    rng = random.Random(11)
    cases = {**CASES, **{f"random_{n}.py": _random_case(rng) for n in range(120)}}
    commit_then_change(tmp_path, cases)
    ours = {name: (c.added, c.removed) for name, (a, b) in cases.items() if a != b for c in [file_change(name, a, b)]}
    assert ours == numstat(tmp_path)


def test_the_diff_shown_is_the_counted_edit_script() -> None:
    before, after = CASES["moved_block.py"]
    change = file_change("m.py", before, after)
    body = [ln for ln in change.diff.splitlines() if not ln.startswith(("---", "+++"))]
    assert sum(ln.startswith("+") for ln in body) == change.added == 10
    assert sum(ln.startswith("-") for ln in body) == change.removed == 10
    tail = file_change("t.py", b"x = 1\ny = 2", b"x = 1\ny = 3").diff
    assert tail.endswith("-y = 2\n\\ No newline at end of file\n+y = 3\n\\ No newline at end of file\n")
