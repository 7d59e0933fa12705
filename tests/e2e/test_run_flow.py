"""`batchmod run` end to end on temporary git repositories: the happy path and its refusals."""
from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

from e2e_support import IMPORTS_CHECK, git, invoke, playbook, tree_bytes


def run(pb: Path, repo: Path, *extra: str):  # type: ignore[no-untyped-def]
    return invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1", *extra)


def test_two_phase_migration_writes_checks_and_reports(repo: Path, two_phase: Path) -> None:
    result = run(two_phase, repo)
    assert result.exit_code == 0, result.output
    a = (repo / "pkg/a.py").read_text()
    b = (repo / "pkg/b.py").read_text()
    assert "def parse(x: int | str) -> Optional[int]:" in a
    assert 'return f"hello {name}"' in b and "name: str | bytes" in b  # phase 2 planned on phase 1's output
    assert "baseline: check imports (unions) on the untouched tree passes" in result.stderr
    assert "phase unions: done" in result.stdout and "phase fstrings: done" in result.stdout

    status = json.loads(invoke("status", "--root", str(repo), "--json").stdout)
    assert status["status"] == "done"
    assert [p["state"] for p in status["phases"]] == ["done", "done"]
    assert status["phases"][0]["subtasks"]["done"] and not status["phases"][0]["subtasks"]["pending"]
    assert status["phases"][0]["checks"][0]["passed"] is True

    report = invoke("report", "--root", str(repo)).stdout
    assert "| files actually touched | 4 (" in report
    assert "made by libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand" in report
    assert "made by libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand" in report
    doc = json.loads(invoke("report", "--root", str(repo), "--format", "json").stdout)
    hunks = doc["phases"][1]["hunks"]
    assert {h["file"] for h in hunks} == {"pkg/b.py", "pkg/c.py"}
    assert doc["figures"]["first_pass_checks"] == [{"phase": "unions", "passed": 1, "checks": 1}, {"phase": "fstrings", "passed": 1, "checks": 1}]

    run_dir = next((repo / ".batchmod/runs").glob("*-modernize"))
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    intents = [e for e in events if e["kind"] == "intent"]
    assert len(intents) == 6 and all(f["pre"] != f["post"] for e in intents for f in e["files"])
    original_a = b"from typing import Optional, Union\n\n\ndef parse(x: Union[int, str]) -> Optional[int]:\n    return int(x)\n"
    sha = hashlib.sha256(original_a).hexdigest()
    assert zlib.decompress((repo / ".batchmod/objects" / sha[:2] / sha[2:]).read_bytes()) == original_a
    assert git(repo, "status", "--porcelain", "--", ".batchmod") == ""  # the state folder ignores itself


def test_without_terminal_or_yes_is_refused(repo: Path, two_phase: Path) -> None:
    result = invoke("run", str(two_phase), "--root", str(repo))
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_saved_plan_runs_exactly_and_stale_plan_is_refused(repo: Path, two_phase: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    assert invoke("plan", str(two_phase), "--root", str(repo), "--out", str(plan), "--jobs", "1").exit_code == 0
    (repo / "pkg/c.py").write_text((repo / "pkg/c.py").read_text() + "# edited after planning\n")
    git(repo, "commit", "-qam", "edit")
    before = tree_bytes(repo)
    result = run(two_phase, repo, "--plan", str(plan))
    assert result.exit_code == 2
    assert "pkg/c.py changed since the plan was made" in result.stderr
    assert tree_bytes(repo) == before

    assert invoke("plan", str(two_phase), "--root", str(repo), "--out", str(plan), "--jobs", "1").exit_code == 0
    two_phase.write_text(two_phase.read_text() + "\n# a comment\n")
    result = run(two_phase, repo, "--plan", str(plan))
    assert result.exit_code == 2 and "changed since the plan was made" in result.stderr

    assert invoke("plan", str(two_phase), "--root", str(repo), "--out", str(plan), "--jobs", "1").exit_code == 0
    result = run(two_phase, repo, "--plan", str(plan))
    assert result.exit_code == 0, result.output
    assert "int | None" in (repo / "pkg/c.py").read_text()


def test_over_budget_writes_nothing(repo: Path, tmp_path: Path) -> None:
    pb = playbook(tmp_path / "pb.yaml", "  - name: unions\n    tasks:\n      - type: pep604\n        files: [\"pkg/**/*.py\"]\n",
                  head="budget:\n  max_files: 2\n")
    before = tree_bytes(repo)
    result = run(pb, repo)
    assert result.exit_code == 1
    assert "max_files is 2, the plan plans 4 (over by 2)" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree_bytes(repo) == before


def test_phase_budget_checked_before_the_phase_writes(repo: Path, tmp_path: Path) -> None:
    body = (
        "  - name: unions\n    tasks:\n      - type: pep604\n        files: [\"pkg/**/*.py\"]\n"
        "    budget: {max_lines: 3}\n"
    )
    before = tree_bytes(repo)
    result = run(playbook(tmp_path / "pb.yaml", body), repo)
    assert result.exit_code == 1
    assert "phase unions budget exceeded: max_lines is 3" in result.stderr
    assert tree_bytes(repo) == before


def test_dirty_files_refused_unless_allowed(repo: Path, two_phase: Path) -> None:
    (repo / "pkg/a.py").write_text((repo / "pkg/a.py").read_text() + "# wip\n")
    result = run(two_phase, repo)
    assert result.exit_code == 2
    assert "pkg/a.py has uncommitted changes" in result.stderr
    assert "int | str" not in (repo / "pkg/a.py").read_text()
    result = run(two_phase, repo, "--allow-dirty")
    assert result.exit_code == 0, result.output
    assert (repo / "pkg/a.py").read_text().endswith("# wip\n")


def test_branch_and_commit_per_phase(repo: Path, two_phase: Path) -> None:
    result = run(two_phase, repo, "--branch", "batchmod/modernize", "--commit")
    assert result.exit_code == 0, result.output
    assert git(repo, "branch", "--show-current").strip() == "batchmod/modernize"
    log = git(repo, "log", "--format=%s%n%b%x00", "main..HEAD").split("\0")
    subjects = [entry.strip().splitlines()[0] for entry in log if entry.strip()]
    assert subjects == ["batchmod: modernize: phase fstrings", "batchmod: modernize: phase unions"]
    assert "Batchmod-Phase: unions#0" in log[1]
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-1", "--format=%s", "main").strip() == "initial"


def test_nothing_to_change_starts_no_run(repo: Path, two_phase: Path) -> None:
    assert run(two_phase, repo).exit_code == 0
    result = run(two_phase, repo)
    assert result.exit_code == 0
    assert "nothing to change" in result.stdout


def test_status_without_a_run_says_how_to_start(tmp_path: Path) -> None:
    result = invoke("status", "--root", str(tmp_path))
    assert result.exit_code == 2
    assert "start one with `batchmod run PLAYBOOK`" in result.stderr


def test_changing_the_playbook_starts_a_new_run(repo: Path, tmp_path: Path) -> None:
    body = (
        "  - name: unions\n    tasks:\n      - type: pep604\n        files: [\"pkg/**/*.py\"]\n"
        f"    gate: {{approval: manual}}\n    checks:\n{IMPORTS_CHECK}"
    )
    pb = playbook(tmp_path / "pb.yaml", body)
    assert run(pb, repo).exit_code == 1
    pb.write_text(pb.read_text().replace("approval: manual", "approval: auto"))
    result = run(pb, repo)
    assert "changed since run" in result.stderr and "starting a new run" in result.stderr
    assert result.exit_code == 0, result.output


def test_declining_the_prompt_writes_nothing(repo: Path, two_phase: Path) -> None:
    from runner.execution.context import RunIO
    from runner.execution.execute import RunRequest, execute_run

    asked: list[str] = []
    lines: list[str] = []
    io = RunIO(notify=lines.append, confirm=lambda q: asked.append(q) is not None, interactive=True)
    before = tree_bytes(repo)
    outcome = execute_run(RunRequest(str(two_phase), str(repo), jobs=1), io)
    assert asked == [f"Write 4 file(s) in 2 phase(s) under {repo}?"]
    assert any(line.startswith("plan: modernize") for line in lines)  # the summary comes before the question
    assert outcome.run_id is None and "not confirmed" in outcome.stop.reason  # type: ignore[union-attr]
    assert tree_bytes(repo) == before


def test_a_stopped_run_continues_with_its_own_variables(repo: Path, tmp_path: Path) -> None:
    body = (
        '  - name: unions\n    tasks:\n      - type: pep604\n        files: ["{{ src }}/a.py"]\n    gate: {approval: manual}\n'
        '  - name: fstrings\n    tasks:\n      - type: fstring\n        files: ["{{ src }}/*.py"]\n'
    )
    pb = playbook(tmp_path / "pb.yaml", body, head="vars:\n  src: nowhere\n")
    assert run(pb, repo, "--var", "src=pkg").exit_code == 1
    assert invoke("approve", "unions", "--root", str(repo)).exit_code == 0
    result = run(pb, repo)  # no --var: the run's src=pkg, not the playbook's default
    assert result.exit_code == 0, result.output
    assert "continuing at phase unions" in result.stderr
    assert 'f"hello {name}"' in (repo / "pkg/b.py").read_text()
    out = tmp_path / "report.md"
    assert invoke("report", "--root", str(repo), "--out", str(out)).exit_code == 0
    assert "Variables: `src=pkg`" in out.read_text()
