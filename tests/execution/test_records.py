"""Run records survive JSON; the report splits diffs into hunks by their @@ ranges."""
from __future__ import annotations

import json

from runner.execution.codec import decode_record, encode_record
from runner.execution.records import (
    Approval, BisectOutcome, CheckResult, CheckVerdict, Culprit, PhaseState, PlannedScope, RunOptions, RunState, Stop, FailedTest,
)
from runner.planning.plan import BudgetUse
from runner.reporting.hunks import split_hunks as _split_hunks


def test_run_state_round_trips_through_json() -> None:
    verdict = CheckVerdict(CheckResult("t", "pytest", 1, 1.5, False, "tail", "log", (FailedTest("a::b", "m"),), True), False, (), ("a::b",))
    state = RunState(
        run_id="r", playbook_name="p", playbook_path="p.yaml", playbook_abspath="/p.yaml", playbook_sha256="s", root="/r",
        variables=(("src", "lib"), ("n", 3)), overrides=(("src", "lib"),), options=RunOptions(phase="one", commit=True),
        status="stopped", created="c", updated="u",
        phases=(PhaseState("one", "passed", 1, (verdict,), (verdict,), "ok", Approval("me", "now"),
                           bisect=BisectOutcome((Culprit(("x",), ("f",), "why"),), 3)),),
        start_sha256=(("f", "h"),), planned=(PlannedScope("one", ("f",), 2),), limits=(BudgetUse("files", 1, 5),),
        stop=Stop("why", "next"), execute_seconds=2,
    )
    assert decode_record(RunState, json.loads(json.dumps(encode_record(state)))) == state


def test_hunks_are_counted_not_guessed() -> None:
    diff = (
        "--- a/x.py\n+++ b/x.py\n"
        "@@ -1,2 +1,2 @@\n--- not a header\n+++ nor this\n keep\n"
        "@@ -10 +10 @@\n-a\n+b\n\\ No newline at end of file\n"
    )
    hunks = _split_hunks("s", "T", diff)
    assert [h.path for h in hunks] == ["x.py", "x.py"]
    assert hunks[0].text == "@@ -1,2 +1,2 @@\n--- not a header\n+++ nor this\n keep\n"
    assert hunks[1].text.endswith("\\ No newline at end of file\n")
