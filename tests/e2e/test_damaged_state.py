"""Damaged run state (valid JSON of the wrong shape, a journal line without `kind`, truncated JSON): one line, exit 2, what to do."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e_support import invoke, tree_bytes


def finished_run(repo: Path, pb: Path) -> Path:
    assert invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1").exit_code == 0
    return next(p for p in (repo / ".batchmod/runs").iterdir() if p.is_dir())


@pytest.mark.parametrize(("content", "what"), [
    ("{}", "state.json: missing run_id"),
    ('{"run_id": 5}', "state.json: run_id: expected a string, got 5"),
    ('{"run_id": "x", "phases": 3', "state.json: not JSON"),
    ("[]", "state.json: expected an object, got a list"),
])
def test_a_damaged_state_file_is_one_line_and_exit_2(repo: Path, two_phase: Path, content: str, what: str) -> None:
    run_dir = finished_run(repo, two_phase)
    (run_dir / "state.json").write_text(content)
    for command in ("status", "report", "approve unions", "run"):
        extra = (str(two_phase), "--yes") if command == "run" else ()
        result = invoke(*command.split(), *extra, "--root", str(repo))
        assert result.exit_code == 2, result.output
        line = result.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert line.startswith(f"batchmod: error: run state damaged: .batchmod/runs/{run_dir.name}/{what}"), line
        assert "batchmod runs" in line and "--new-run" in line


def test_a_journal_line_without_kind_is_named_by_line(repo: Path, two_phase: Path) -> None:
    run_dir = finished_run(repo, two_phase)
    events = run_dir / "events.jsonl"
    lines = events.read_text().splitlines()
    lines[3] = json.dumps({"t": "x", "key": "k"})
    events.write_text("\n".join(lines) + "\n")
    after = tree_bytes(repo)
    result = invoke("rollback", "--root", str(repo))
    assert result.exit_code == 2, result.output
    assert f"run state damaged: .batchmod/runs/{run_dir.name}/events.jsonl:4: a journal line without `kind`" in result.stderr
    assert tree_bytes(repo) == after


def test_new_run_starts_beside_a_damaged_one(repo: Path, two_phase: Path) -> None:
    run_dir = finished_run(repo, two_phase)
    assert invoke("rollback", "--root", str(repo)).exit_code == 0
    (run_dir / "state.json").write_text("{}")
    refused = invoke("run", str(two_phase), "--root", str(repo), "--yes", "--jobs", "1")
    assert refused.exit_code == 2 and "run state damaged" in refused.stderr
    result = invoke("run", str(two_phase), "--root", str(repo), "--yes", "--jobs", "1", "--new-run")
    assert result.exit_code == 0, result.output
    assert "int | str" in (repo / "pkg/a.py").read_text()
