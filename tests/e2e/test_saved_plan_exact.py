"""A saved plan is exact: `run --plan` writes what it names; a file that appeared since is reported, not touched."""
from __future__ import annotations

from pathlib import Path

from e2e_support import git, invoke

NEW = "from typing import Union\n\nX: Union[int, str] = 1\n"


def test_a_file_added_after_the_plan_is_reported_and_left_alone(repo: Path, two_phase: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    assert invoke("plan", str(two_phase), "--root", str(repo), "--out", str(plan), "--jobs", "1").exit_code == 0
    (repo / "pkg/e.py").write_text(NEW)
    git(repo, "add", "pkg/e.py")
    git(repo, "commit", "-qm", "a new module")
    result = invoke("run", str(two_phase), "--root", str(repo), "--yes", "--jobs", "1", "--plan", str(plan))
    assert result.exit_code == 0, result.output
    assert "not in the saved plan: pkg/e.py; plan again to include it" in result.stderr
    assert (repo / "pkg/e.py").read_text() == NEW
    assert "int | str" in (repo / "pkg/a.py").read_text()
