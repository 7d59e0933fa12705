"""Every run's journal is kept: `batchmod runs` lists them, `status --run` and `rollback --run` reach any of them."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import invoke, playbook, tree_bytes

UNIONS = '  - name: unions\n    tasks:\n      - type: pep604\n        files: ["pkg/**/*.py"]\n'
FSTRINGS = '  - name: fstrings\n    tasks:\n      - type: fstring\n        files: ["pkg/**/*.py"]\n'


def run(pb: Path, repo: Path):  # type: ignore[no-untyped-def]
    return invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1", "--allow-dirty")


def two_runs(tmp_path: Path, repo: Path) -> tuple[str, str]:
    assert run(playbook(tmp_path / "a.yaml", UNIONS, name="first"), repo).exit_code == 0
    assert run(playbook(tmp_path / "b.yaml", FSTRINGS, name="second"), repo).exit_code == 0
    listed = json.loads(invoke("runs", "--root", str(repo), "--json").stdout)
    return listed[0]["run_id"], listed[1]["run_id"]


def test_runs_lists_every_run_and_an_older_one_is_rolled_back_after_the_later(tmp_path: Path, repo: Path) -> None:
    original = tree_bytes(repo)
    first, second = two_runs(tmp_path, repo)
    listed = json.loads(invoke("runs", "--root", str(repo), "--json").stdout)
    assert [(r["playbook"], r["status"], r["files_written"], r["current"]) for r in listed] == [
        ("first", "done", 4, False), ("second", "done", 2, True)]
    text = invoke("runs", "--root", str(repo)).stdout
    assert first in text and second in text and text.splitlines()[2].startswith(f"* {second}")

    status = json.loads(invoke("status", "--root", str(repo), "--run", first, "--json").stdout)
    assert status["run_id"] == first and [p["name"] for p in status["phases"]] == ["unions"]

    refused = invoke("rollback", "--root", str(repo), "--run", first)
    assert refused.exit_code == 2
    assert f"pkg/b.py, pkg/c.py changed since run {first} wrote them (by the later run {second})" in refused.stderr
    assert f"batchmod rollback --run {second}" in refused.stderr and "--force" in refused.stderr

    assert invoke("rollback", "--root", str(repo), "--run", second).exit_code == 0
    result = invoke("rollback", "--root", str(repo), "--run", first)
    assert result.exit_code == 0, result.output
    assert tree_bytes(repo) == original
    assert invoke("rollback", "--root", str(repo), "--run", "nope").stderr.startswith("batchmod: error: --run nope: no such run")


def test_a_run_whose_state_is_damaged_is_rolled_back_from_its_journal(tmp_path: Path, repo: Path, two_phase: Path) -> None:
    original = tree_bytes(repo)
    assert run(two_phase, repo).exit_code == 0
    run_dir = next(p for p in (repo / ".batchmod/runs").iterdir() if p.is_dir())
    (run_dir / "state.json").write_text("{}")
    listed = invoke("runs", "--root", str(repo)).stdout
    assert "damaged" in listed
    result = invoke("rollback", "--root", str(repo), "--run", run_dir.name)
    assert result.exit_code == 0, result.output
    assert "from its journal" in result.stdout
    assert tree_bytes(repo) == original
