"""Gaps are structured records everywhere, and a re-plan of a finished run still lists the gaps it left."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import invoke, make_repo

PLAYBOOK = (
    "version: 1\nname: gappy\ntask_types:\n  swap:\n    transform: rewrite\n"
    "    with: {rules: [{match: \"old($x)\", replace: \"new($x)\"}]}\n    expect_absent: [\"compat.legacy\"]\n"
    "phases:\n  - name: one\n    tasks:\n      - {type: swap, files: [\"*.py\"]}\n"
)
GAP = {"file": "a.py", "line": 2, "column": 5, "task": "swap", "rule": "", "reason": "", "source": ""}


def _gaps(doc_gaps: list[dict]) -> list[dict]:  # type: ignore[type-arg]
    return [{**g, "reason": "", "source": ""} for g in doc_gaps]  # reason and source are the transform's words


def test_gaps_are_records_in_plan_status_and_report_and_survive_a_replan(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {"a.py": "old(1)\nx = compat.legacy\n"})
    pb = tmp_path / "pb.yaml"
    pb.write_text(PLAYBOOK, encoding="utf-8")
    plan = json.loads(invoke("plan", str(pb), "--root", str(repo), "--json").stdout)
    planned = plan["phases"][0]["subtasks"][0]["gaps"]
    assert _gaps(planned) == [GAP] and "compat.legacy" in planned[0]["reason"] + planned[0]["source"]
    assert invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1").exit_code == 0
    assert (repo / "a.py").read_text() == "new(1)\nx = compat.legacy\n"  # the needle `old` is gone, the gap is not

    text = invoke("status", "--root", str(repo)).stdout
    assert "  gap: a.py:2:5: " in text and "[swap]" in text
    status = json.loads(invoke("status", "--root", str(repo), "--json").stdout)
    assert _gaps([{k: v for k, v in g.items() if k != "subtask"} for g in status["phases"][0]["gaps"]]) == [GAP]
    assert status["phases"][0]["gaps"][0]["subtask"] == "one/swap/a.py"
    report = json.loads(invoke("report", "--root", str(repo), "--format", "json").stdout)
    subtask = next(s for p in report["phases"] for s in p["subtasks"] if s["id"] == "one/swap/a.py")
    assert _gaps(subtask["gaps"]) == [GAP]

    replan = json.loads(invoke("plan", str(pb), "--root", str(repo), "--json").stdout)
    assert _gaps(replan["phases"][0]["subtasks"][0]["gaps"]) == [GAP]  # still listed after the run
