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


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "core.autocrlf=false", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_counts_equal_git_numstat_file_by_file(tmp_path: Path) -> None:
    rng = random.Random(11)
    cases = {**CASES, **{f"random_{n}.py": _random_case(rng) for n in range(120)}}
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitattributes").write_bytes(b"* -text\n")  # bytes as they are, like batchmod
    for name, (before, _) in cases.items():
        (tmp_path / name).write_bytes(before)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "before")
    for name, (_, after) in cases.items():
        (tmp_path / name).write_bytes(after)
    git_counts = {}
    for line in _git(tmp_path, "diff", "--numstat").splitlines():
        added, removed, name = line.split("\t")
        git_counts[name] = (int(added), int(removed))
    ours = {name: (c.added, c.removed) for name, (a, b) in cases.items() if a != b for c in [file_change(name, a, b)]}
    assert ours == git_counts


def test_the_diff_shown_is_the_counted_edit_script() -> None:
    before, after = CASES["moved_block.py"]
    change = file_change("m.py", before, after)
    body = [ln for ln in change.diff.splitlines() if not ln.startswith(("---", "+++"))]
    assert sum(ln.startswith("+") for ln in body) == change.added == 10
    assert sum(ln.startswith("-") for ln in body) == change.removed == 10
    tail = file_change("t.py", b"x = 1\ny = 2", b"x = 1\ny = 3").diff
    assert tail.endswith("-y = 2\n\\ No newline at end of file\n+y = 3\n\\ No newline at end of file\n")
