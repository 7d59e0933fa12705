"""Gates end to end: failing checks under stop / rollback / bisect, the baseline, manual approval, conflicts."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import IMPORTS_CHECK, PY, SOURCES, git, invoke, playbook, tree_bytes

UNIONS = '  - name: unions\n    tasks:\n      - type: pep604\n        files: ["pkg/**/*.py"]\n'
FSTRINGS = '  - name: fstrings\n    tasks:\n      - type: fstring\n        files: ["pkg/**/*.py"]\n'
#: fails once pkg/c.py is converted (exit 1 when the text is there)
C_UNCONVERTED = f"""      - name: c stays
        run: {PY} -c "import sys; sys.exit('int | None' in open('pkg/c.py').read())"
"""


def run(pb: Path, repo: Path, *extra: str):  # type: ignore[no-untyped-def]
    return invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1", *extra)


def status(repo: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(invoke("status", "--root", str(repo), "--json").stdout)


def test_failing_check_with_stop_keeps_edits_then_rerun_rechecks(repo: Path, tmp_path: Path) -> None:
    pb = playbook(tmp_path / "pb.yaml", UNIONS + f"    checks:\n{C_UNCONVERTED}" + FSTRINGS)
    result = run(pb, repo)
    assert result.exit_code == 1
    assert "check `c stays` failed (exit 1)" in result.stderr
    assert "its edits are left in place" in result.stderr
    assert "int | None" in (repo / "pkg/c.py").read_text()
    assert status(repo)["phases"][0]["state"] == "failed"

    fixed = (repo / "pkg/c.py").read_text().replace("int | None", "Optional[int]").replace("from typing import Union", "from typing import Optional")
    (repo / "pkg/c.py").write_text(fixed)  # the user fixes it by hand, as told
    result = run(pb, repo)
    assert result.exit_code == 0, result.output
    c = (repo / "pkg/c.py").read_text()
    assert "v: Optional[int]" in c and 'f"{v} items"' in c  # the fix kept, phase 2 applied on top
    assert "kept hand edits: pkg/c.py" in invoke("status", "--root", str(repo)).stdout


def test_failing_check_with_rollback_restores_the_phase(repo: Path, tmp_path: Path) -> None:
    before = tree_bytes(repo)
    pb = playbook(tmp_path / "pb.yaml", UNIONS + f"    on_failure: rollback\n    checks:\n{C_UNCONVERTED}" + FSTRINGS)
    result = run(pb, repo)
    assert result.exit_code == 1
    assert "its edits were rolled back" in result.stderr
    assert tree_bytes(repo) == before
    phases = status(repo)["phases"]
    assert phases[0]["state"] == "rolled_back" and phases[1]["state"] == "pending"
    assert len(phases[0]["subtasks"]["reverted"]) == 4


def test_bisect_reverts_only_the_culprit(repo: Path, tmp_path: Path) -> None:
    pb = playbook(tmp_path / "pb.yaml", UNIONS + f"    on_failure: bisect\n    checks:\n{C_UNCONVERTED}")
    result = run(pb, repo)
    assert result.exit_code == 0, result.output
    assert (repo / "pkg/c.py").read_bytes() == SOURCES["pkg/c.py"].encode()  # type: ignore[union-attr]
    for name in ("a", "b", "d"):
        assert "Union[" not in (repo / f"pkg/{name}.py").read_text()
    phase = status(repo)["phases"][0]
    assert phase["subtasks"]["reverted"] == ["unions/pep604/pkg/c.py"]
    assert sorted(phase["subtasks"]["done"]) == ["unions/pep604/pkg/__init__.py", "unions/pep604/pkg/a.py", "unions/pep604/pkg/b.py", "unions/pep604/pkg/d.py"]
    assert phase["checks"][0]["passed"] is True  # the tree left behind passes
    report = json.loads(invoke("report", "--root", str(repo), "--format", "json").stdout)
    bisect = report["phases"][0]["bisect"]
    assert [c["subtasks"] for c in bisect["culprits"]] == [["unions/pep604/pkg/c.py"]]
    assert "check `c stays` failed" in bisect["culprits"][0]["reason"]
    assert bisect["check_runs"] <= 4
    assert report["figures"]["reverted"] == ["unions/pep604/pkg/c.py"]


JUNIT_SCRIPT = '''\
import os, sys
c = open("pkg/c.py").read()
cases = [("test_legacy", True), ("test_c", "int | None" in c), ("test_ok", False)]
os.makedirs("reports", exist_ok=True)
with open("reports/junit.xml", "w") as fp:
    fp.write('<testsuite name="t">')
    for name, failing in cases:
        body = f'<failure message="{name} broke">trace</failure>' if failing else ""
        fp.write(f'<testcase classname="tests.test_pkg" name="{name}">{body}</testcase>')
    fp.write("</testsuite>")
sys.exit(1)
'''


def test_baseline_failures_do_not_block_but_new_ones_do(tmp_path: Path) -> None:
    from e2e_support import make_repo

    repo = make_repo(tmp_path / "repo", {**SOURCES, "checks/junit_check.py": JUNIT_SCRIPT, ".gitignore": "reports/\n"})
    junit = f"      - name: tests\n        run: {PY} checks/junit_check.py\n        junit: reports/junit.xml\n"
    always_red = "      - name: lint\n        run: exit 3\n"
    # phase 1 does not touch pkg/c.py: only the failures the untouched tree had remain
    pb = playbook(tmp_path / "pb.yaml", '  - name: unions\n    tasks:\n      - type: pep604\n        files: ["pkg/a.py", "pkg/b.py"]\n'
                  f"    checks:\n{junit}{always_red}")
    result = run(pb, repo)
    assert result.exit_code == 0, result.output
    assert "failing before too (not blamed): tests.test_pkg::test_legacy" in result.stdout
    assert "failing before too (judged as a whole, not blamed): lint" in result.stdout

    repo2 = make_repo(tmp_path / "repo2", {**SOURCES, "checks/junit_check.py": JUNIT_SCRIPT, ".gitignore": "reports/\n"})
    pb2 = playbook(tmp_path / "pb2.yaml", UNIONS + f"    checks:\n{junit}")
    result = run(pb2, repo2)
    assert result.exit_code == 1
    assert "new failures: tests.test_pkg::test_c" in result.stderr
    assert "test_legacy" not in result.stderr.split("new failures:")[1].split(" (failing on the untouched tree too")[0].split(";")[0]
    verdict = status(repo2)["phases"][0]["checks"][0]
    assert verdict["new_failures"] == ["tests.test_pkg::test_c"]
    assert verdict["preexisting"] == ["tests.test_pkg::test_legacy"]
    assert {"id": "tests.test_pkg::test_c", "message": "test_c broke"} in verdict["failures"]


def test_manual_approval_stops_then_approve_and_continue(repo: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("USER", "reviewer")
    monkeypatch.setenv("LOGNAME", "reviewer")
    pb = playbook(tmp_path / "pb.yaml", UNIONS + f"    gate: {{approval: manual}}\n    checks:\n{IMPORTS_CHECK}" + FSTRINGS)
    result = run(pb, repo)
    assert result.exit_code == 1
    assert "batchmod approve unions" in result.stderr
    assert 'return "hello {}".format(name)' in (repo / "pkg/b.py").read_text()  # phase 2 has not started
    assert status(repo)["phases"][0]["waiting_for"] == "batchmod approve unions"

    assert invoke("approve", "fstrings", "--root", str(repo)).exit_code == 2  # not waiting
    approved = invoke("approve", "unions", "--root", str(repo))
    assert approved.exit_code == 0 and "approved by reviewer" in approved.stdout
    result = run(pb, repo)
    assert result.exit_code == 0, result.output
    assert 'return f"hello {name}"' in (repo / "pkg/b.py").read_text()
    phases = status(repo)["phases"]
    assert phases[0]["approval"]["by"] == "reviewer" and [p["state"] for p in phases] == ["done", "done"]


def test_hand_edit_between_phases_is_a_conflict(repo: Path, tmp_path: Path) -> None:
    pb = playbook(tmp_path / "pb.yaml", UNIONS + "    gate: {approval: manual}\n" + FSTRINGS)
    assert run(pb, repo).exit_code == 1
    written = (repo / "pkg/b.py").read_bytes()
    edited = written + b"# reviewer's note\n"
    (repo / "pkg/b.py").write_bytes(edited)
    assert invoke("approve", "unions", "--root", str(repo)).exit_code == 0
    result = run(pb, repo)
    assert result.exit_code == 1
    assert "conflict: pkg/b.py changed by hand" in result.stderr
    assert (repo / "pkg/b.py").read_bytes() == edited
    assert 'f"{v} items"' not in (repo / "pkg/c.py").read_text()  # nothing of phase 2 was written

    (repo / "pkg/b.py").write_bytes(written)  # undo the edit, as the message says
    result = run(pb, repo)
    assert result.exit_code == 0, result.output
    assert 'f"hello {name}"' in (repo / "pkg/b.py").read_text()
    assert git(repo, "diff", "--stat").count("|") == 4
