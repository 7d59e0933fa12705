"""A failed subtask never reads as success: `run` and `plan` exit 1 and name it; later phases wait (on_error)."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import invoke, make_repo

#: adds 10 to every integer, and raises on any file named bad*.py
BOOM = '''\
from libcst.codemod import VisitorBasedCodemodCommand


class Boom(VisitorBasedCodemodCommand):
    def leave_Integer(self, original, updated):
        if "/bad" in "/" + self.context.filename:
            raise ValueError("boom on purpose")
        return updated.with_changes(value=str(int(updated.value) + 10))
'''
FILES = {"pkg/good.py": "x = 1\n", "pkg/bad.py": "x = 2\n", "pkg/other.py": "y = 3\n", "tools/boom.py": BOOM}


def boom_playbook(path: Path, phase_one_extra: str = "", files: str = '["pkg/*.py"]', two: str = '["pkg/other.py"]') -> Path:
    path.write_text(
        "version: 1\nname: boomy\ntask_types:\n  boom:\n    transform: \"python:tools/boom.py:Boom\"\n"
        f"phases:\n  - name: one\n    tasks:\n      - type: boom\n        files: {files}\n{phase_one_extra}"
        f"  - name: two\n    tasks:\n      - type: boom\n        files: {two}\n",
        encoding="utf-8",
    )
    return path


def run(pb: Path, repo: Path):  # type: ignore[no-untyped-def]
    return invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")


def test_run_with_a_raising_codemod_exits_1_names_it_and_does_not_start_the_next_phase(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    result = run(boom_playbook(tmp_path / "pb.yaml"), repo)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1] == "stopped with 1 failed subtask: one/boom/pkg/bad.py"
    assert "phase two was not started (phase one has on_error: stop)" in result.stderr
    assert (repo / "pkg/good.py").read_text() == "x = 11\n"  # phase one's good subtasks are written
    assert (repo / "pkg/other.py").read_text() == "y = 13\n"  # by phase one only: phase two never ran
    state = json.loads(invoke("status", "--root", str(repo), "--json").stdout)
    assert [p["state"] for p in state["phases"]] == ["done", "pending"]
    assert state["phases"][0]["subtasks"]["failed"] == ["one/boom/pkg/bad.py"]

    again = run(boom_playbook(tmp_path / "pb.yaml"), repo)  # continuing the run meets the same failure
    assert again.exit_code == 1 and (repo / "pkg/other.py").read_text() == "y = 13\n"


def test_on_error_continue_runs_later_phases_and_still_exits_1(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    result = run(boom_playbook(tmp_path / "pb.yaml", "    on_error: continue\n"), repo)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1] == "done with 1 failed subtask: one/boom/pkg/bad.py"
    assert (repo / "pkg/other.py").read_text() == "y = 23\n"  # phase two ran on top of phase one


def test_plan_with_failed_subtasks_exits_1_with_a_last_line_naming_them(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**FILES, **{f"pkg/bad{n}.py": f"z = {n}\n" for n in range(6)}})
    pb = boom_playbook(tmp_path / "pb.yaml")
    result = invoke("plan", str(pb), "--root", str(repo))
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1] == (
        "plan has 7 failed subtasks: one/boom/pkg/bad.py, one/boom/pkg/bad0.py, one/boom/pkg/bad1.py, "
        "one/boom/pkg/bad2.py, one/boom/pkg/bad3.py, … and 2 more"
    )
    as_json = invoke("plan", str(pb), "--root", str(repo), "--json")
    assert as_json.exit_code == 1
    json.loads(as_json.stdout)  # stdout stays pure JSON; the line goes to stderr
    assert as_json.stderr.splitlines()[-1].startswith("plan has 7 failed subtasks: ")


def test_run_where_every_change_failed_is_not_nothing_to_change_success(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    result = run(boom_playbook(tmp_path / "pb.yaml", files='["pkg/bad.py"]', two='["pkg/bad.py"]'), repo)
    assert result.exit_code == 1, result.output
    assert "nothing to change" in result.stdout
    assert result.stdout.splitlines()[-1] == "done with 2 failed subtasks: one/boom/pkg/bad.py, two/boom/pkg/bad.py"


def test_on_gap_fail_is_a_failed_subtask(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"a.py": "old(1)\nleft = 'old'\n", "b.py": "old(2)\n"})
    pb = tmp_path / "pb.yaml"
    pb.write_text(
        "version: 1\nname: gaps\ntask_types:\n  swap:\n    transform: rewrite\n"
        "    with: {rules: [{match: \"old($x)\", replace: \"new($x)\"}]}\n"
        "    expect_absent: [\"'old'\"]\n    on_gap: fail\n"
        "phases:\n  - name: one\n    tasks:\n      - type: swap\n        files: [\"*.py\"]\n",
        encoding="utf-8",
    )
    planned = invoke("plan", str(pb), "--root", str(repo))
    assert planned.exit_code == 1 and planned.stdout.splitlines()[-1] == "plan has 1 failed subtask: one/swap/a.py"
    result = run(pb, repo)
    assert result.exit_code == 1, result.output
    assert result.stdout.splitlines()[-1] == "done with 1 failed subtask: one/swap/a.py"
    assert (repo / "b.py").read_text() == "new(2)\n" and (repo / "a.py").read_text().startswith("old(1)")


def test_help_and_readme_document_every_exit_code() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for args in ([], ["run"], ["plan"]):
        text = invoke(*args, "--help").stdout
        for code, words in (("0", "done"), ("1", "a subtask failed"), ("2", "bad input"), ("3", "internal error"), ("130", "interrupted")):
            assert f"  {code} " in text and words in " ".join(text.split()), (args, code)
            assert f"| {code} |" in readme
