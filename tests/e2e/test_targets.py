"""--only / --skip (Terraform's -target): prune subtasks by id in plan and run; recorded, resumed, saved."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import invoke, make_repo, run_dir
from test_failed_subtasks import FILES


def playbook(path: Path) -> Path:
    path.write_text(
        "version: 1\nname: boomy\ntask_types:\n  boom:\n    transform: \"python:tools/boom.py:Boom\"\n"
        "phases:\n  - name: one\n    tasks:\n      - type: boom\n        files: [\"pkg/*.py\"]\n    gate: {approval: manual}\n"
        "  - name: two\n    tasks:\n      - type: boom\n        files: [\"pkg/*.py\"]\n",
        encoding="utf-8",
    )
    return path


def test_skip_is_recorded_and_honoured_when_the_run_resumes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    pb = playbook(tmp_path / "pb.yaml")
    first = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1", "--skip", "*/bad.py")
    assert first.exit_code == 1 and "waiting for manual approval" in first.stderr  # stopped at the manual gate
    assert "targets: --skip */bad.py — 2 subtask(s) left out" in first.stderr
    state = json.loads((run_dir(repo) / "state.json").read_text())
    assert (state["options"]["only"], state["options"]["skip"]) == ([], ["*/bad.py"])
    assert invoke("approve", "one", "--root", str(repo)).exit_code == 0
    second = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")  # no flags: the run's own targets
    assert second.exit_code == 0, second.output
    assert (repo / "pkg/good.py").read_text() == "x = 21\n"  # both phases
    assert (repo / "pkg/bad.py").read_text() == "x = 2\n"  # skipped in both: never planned, so never failed


def test_a_saved_plan_keeps_its_targets_and_run_plan_uses_them(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    pb = playbook(tmp_path / "pb.yaml")
    saved = tmp_path / "plan.json"
    planned = invoke("plan", str(pb), "--root", str(repo), "--only", "one/*/good.py", "--out", str(saved))
    assert planned.exit_code == 0, planned.output
    doc = json.loads(saved.read_text())
    assert doc["targets"] == {"only": ["one/*/good.py"], "skip": [], "left_out": 5}
    assert [p["name"] for p in doc["phases"]] == ["one"]  # phase two keeps no subtask: not planned
    differs = invoke("run", str(pb), "--root", str(repo), "--yes", "--plan", str(saved), "--only", "one/*")
    assert differs.exit_code == 2 and "differs from the saved plan's --only one/*/good.py" in differs.stderr
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1", "--plan", str(saved))
    assert result.exit_code == 1 and "waiting for manual approval" in result.stderr  # the manual gate of phase one
    assert (repo / "pkg/good.py").read_text() == "x = 11\n" and (repo / "pkg/other.py").read_text() == "y = 3\n"
    assert json.loads((run_dir(repo) / "state.json").read_text())["options"]["only"] == ["one/*/good.py"]


def test_an_only_that_matches_nothing_is_exit_2_with_the_closest_ids(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    result = invoke("plan", str(playbook(tmp_path / "pb.yaml")), "--root", str(repo), "--only", "one/boom/pkg/god.py")
    assert result.exit_code == 2
    assert result.stderr.startswith("batchmod: error: --only one/boom/pkg/god.py: matches no subtask id; closest: one/boom/pkg/good.py")
