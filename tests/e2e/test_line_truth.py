"""One definition of files and lines, git's: plan, budget, run, status and report agree with `git diff --numstat`."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import git, invoke, make_repo


def _rule(old: str, new: str) -> str:
    return f"    transform: rewrite\n    with: {{rules: [{{match: \"{old}($x)\", replace: \"{new}($x)\"}}]}}\n"


def test_a_line_two_tasks_change_counts_once_and_counts_equal_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {
        "both.py": "old(1)\nkeep = 1\nold(2)\n",
        "crlf.py": b"keep = 1\r\nold(3)\r\nkeep = 2",  # CRLF, no final newline
        "other.py": "mid(4)\n",
    })
    pb = tmp_path / "pb.yaml"
    pb.write_text(
        "version: 1\nname: lines\ntask_types:\n  first:\n" + _rule("old", "mid") + "  second:\n" + _rule("mid", "new")
        + "phases:\n  - name: one\n    tasks:\n      - {type: first, files: [\"*.py\"]}\n      - {type: second, files: [\"*.py\"]}\n"
        "    budget: {max_lines: 8}\n",
        encoding="utf-8",
    )
    plan = json.loads(invoke("plan", str(pb), "--root", str(repo), "--json").stdout)
    assert plan["phases"][0]["budget"]["lines"]["planned"] == 8  # both.py 2+2, crlf.py 1+1, other.py 1+1; not 12
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output  # within max_lines: 8 only when each line counts once
    assert "phase one: wrote 3 file(s)" in result.stderr  # 5 subtasks wrote, 3 files
    numstat = [line.split("\t") for line in git(repo, "diff", "--numstat").splitlines()]
    git_lines = sum(int(a) + int(r) for a, r, _ in numstat)
    assert git_lines == 8 and len(numstat) == 3
    status = json.loads(invoke("status", "--root", str(repo), "--json").stdout)
    assert status["budget"]["lines"]["used"] == git_lines and status["budget"]["files"]["used"] == 3
    report = json.loads(invoke("report", "--root", str(repo), "--format", "json").stdout)
    assert report["figures"]["touched"] == {"files": 3, "lines": git_lines}
    assert report["figures"]["planned"] == {"files": 3, "lines": git_lines}
