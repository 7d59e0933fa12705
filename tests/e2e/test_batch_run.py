"""model.batch end to end: the first attempts of a phase go as one Message Batch (local server, real SDK);
a run killed while the batch is in progress polls it again instead of submitting it twice."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from e2e_support import invoke, spawn
from model_support import model_playbook, model_repo
from test_model_run import KEY, api  # noqa: F401  (the local server's key and endpoint, as a user sets them)

FIXED = ("pkg/alpha.py", "pkg/beta.py", "pkg/gamma.py")


def test_first_attempts_go_as_one_batch_and_follow_ups_are_interactive(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb", model_extra="  batch: true\n")
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    (batch,) = api.batch_requests()
    assert len(batch["requests"]) == 3 and all(len(r["params"]["messages"]) == 1 for r in batch["requests"])
    assert [len(b["messages"]) for b in api.message_requests()] == [3, 3, 3]  # only the follow-ups, one each
    assert "submitted 3 first attempt(s)" in result.stderr and "3/3 answered (ended)" in result.stderr
    assert all("compat.ensure_text" not in (repo / p).read_text() for p in FIXED)
    cassette = (tmp_path / "pb" / "drop.cassette.jsonl").read_text().splitlines()
    assert len(cassette) == 6  # the batch's answers are recorded like any exchange


def test_a_run_killed_while_its_batch_runs_polls_it_again(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    api.batch_polls = 10_000  # in progress until the test lets it end
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb")
    proc = spawn("run", str(pb), "--root", str(repo), "--yes", "--batch",
                 env={"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": api.base_url})
    deadline = time.monotonic() + 90
    polled = lambda: sum(1 for r in api.requests if r.method == "GET")  # noqa: E731
    while polled() < 1 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert polled() >= 1, proc.communicate()[1].decode()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(api.batch_requests()) == 1 and api.message_requests() == []
    api.batch_polls = 0
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--batch")
    assert result.exit_code == 0, result.output
    assert "not submitted again" in result.stderr
    assert len(api.batch_requests()) == 1  # one submission in all
    assert all("compat.ensure_text" not in (repo / p).read_text() for p in FIXED)
