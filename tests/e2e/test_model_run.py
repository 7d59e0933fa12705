"""The model fills the gaps, end to end: the real SDK against the local Messages API server,
temporary git repositories, the CLI in-process (and as a process to kill). No network, no key."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from e2e_support import invoke, spawn, tree_bytes
from model_support import FILES, answers, model_playbook, model_repo

KEY = "test-key-not-real"


@pytest.fixture
def api(messages_server, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The key and endpoint of the local server, as a user sets them."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.base_url)
    messages_server.script(answers())
    return messages_server


def events(repo: Path) -> list[dict]:
    runs = repo / ".batchmod" / "runs"
    current = (runs / "current").read_text().strip()
    return [json.loads(line) for line in (runs / current / "events.jsonl").read_text().splitlines()]


def test_gap_filled_written_journaled_reported(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb")
    result = invoke("run", str(pb), "--root", str(repo), "--yes")
    assert result.exit_code == 0, result.output
    for path in ("pkg/alpha.py", "pkg/beta.py", "pkg/gamma.py"):
        text = (repo / path).read_text()
        assert "compat.ensure_text" not in text and "= str(b'" in text
    assert (repo / "pkg/alpha.py").read_text().endswith("convert = str\n")
    assert len(api.message_requests()) == 6  # two turns per subtask
    log = events(repo)
    model_events = [e for e in log if e["kind"] == "model"]
    assert [e["subtask"] for e in model_events] == [f"text/drop-ensure-text/pkg/{n}.py" for n in ("alpha", "beta", "gamma")]
    assert all(e["filled"] == 1 and e["left"] == 0 and e["attempts"] == 1 for e in model_events)
    intents = [e for e in log if e["kind"] == "intent"]
    assert intents and all(e["model"]["request_key"] == m["request_key"] for e, m in zip(intents, model_events))
    # the cassette and the lock sit beside the playbook
    cassette = (tmp_path / "pb" / "drop.cassette.jsonl").read_text().splitlines()
    lock = json.loads((tmp_path / "pb" / "batchmod.lock").read_text())
    assert len(cassette) == 6 and lock["exchanges"] == 6 and lock["models"]["worker"] == "claude-haiku-4-5"
    assert KEY not in "".join(cassette)
    report = json.loads(invoke("report", "--root", str(repo), "--format", "json").output)
    assert report["model"]["gaps_filled"] == 3 and report["model"]["gaps_left"] == 0
    assert report["model"]["asked"]["calls"] == 6 and report["model"]["first_attempt"] == 3
    model_hunks = [h for h in report["phases"][0]["hunks"] if h["made_by"].startswith("model:")]
    assert len(model_hunks) == 3 and all(h["model"]["attempt"] == 1 for h in model_hunks)
    assert "+convert = str" in model_hunks[0]["text"]
    status = invoke("status", "--root", str(repo)).output
    assert "model: 3 subtask(s), 3 gap(s) filled, 0 left; first-attempt 3/3 (100%)" in status


def test_plan_model_writes_nothing_and_run_replays_its_answers(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb")
    before = tree_bytes(repo)
    planned = invoke("plan", str(pb), "--root", str(repo), "--model", "--json")
    assert planned.exit_code == 0, planned.output
    assert tree_bytes(repo) == before
    asked = len(api.message_requests())
    assert asked == 6
    doc = json.loads(planned.stdout)
    sub = doc["phases"][0]["subtasks"][0]
    assert sub["status"] == "change" and sub["gaps"] == [] and sub["model"]["attempts"] == 1
    shown = [h for h in sub["hunks"] if h["made_by"] == "model"]
    assert shown and shown[0]["request_key"] == sub["model"]["request_key"]
    assert doc["budget"]["model_calls"] == {"estimated": 6, "limit": None, "method": "model"}
    result = invoke("run", str(pb), "--root", str(repo), "--yes")
    assert result.exit_code == 0, result.output
    assert len(api.message_requests()) == asked  # every answer came from the cassette
    for line in shown[0]["text"].splitlines():
        if line.startswith("+"):
            assert line[1:] in (repo / "pkg/alpha.py").read_text().splitlines()


def test_record_then_replay_without_server_gives_the_identical_tree(tmp_path: Path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.base_url)
    messages_server.script(answers())
    pb = model_playbook(tmp_path / "pb")
    first = model_repo(tmp_path / "first")
    assert invoke("run", str(pb), "--root", str(first), "--yes").exit_code == 0
    messages_server.stop()
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")  # nothing listens: a call would fail
    second = model_repo(tmp_path / "second")
    result = invoke("run", str(pb), "--root", str(second), "--yes", "--replay")
    assert result.exit_code == 0, result.output
    assert tree_bytes(second) == tree_bytes(first)


def test_replay_miss_fails_the_subtask_naming_the_request_key(tmp_path: Path) -> None:
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb", files="pkg/alpha.py")
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--replay")
    assert result.exit_code == 1, result.output
    assert "text/drop-ensure-text/pkg/alpha.py" in result.output
    assert "no recorded answer for request " in result.output
    assert (repo / "pkg/alpha.py").read_text() == FILES["pkg/alpha.py"]  # a failed subtask writes nothing
    planned = invoke("plan", str(pb), "--root", str(repo), "--replay", "--json")
    assert planned.exit_code == 1
    key = json.loads(planned.stdout)["phases"][0]["subtasks"][0]["model"]["error"].split("request ")[1][:12]
    assert len(key) == 12 and key in planned.stderr


def test_budget_spent_mid_phase_stops_calls_and_reports_the_rest(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    api.script(answers(extra_turns={"pkg/alpha.py": 1}))  # alpha takes 3 calls, so beta gets 1 of its 2
    repo = model_repo(tmp_path / "repo")
    pb = model_playbook(tmp_path / "pb", budget="budget: {max_model_calls: 4}\n", files="pkg/[ab]*.py")
    result = invoke("run", str(pb), "--root", str(repo), "--yes")
    assert result.exit_code == 1, result.output
    assert "model budget spent" in result.output and "max_model_calls 4 reached" in result.output
    assert len(api.message_requests()) == 4
    assert (repo / "pkg/alpha.py").read_text().endswith("convert = str\n")
    beta = (repo / "pkg/beta.py").read_text()
    assert "label = str(b'b')" in beta and "to_text = compat.ensure_text" in beta  # deterministic part written, gap left
    status = json.loads(invoke("status", "--root", str(repo), "--json").output)
    assert status["model"]["gaps_filled"] == 1 and status["model"]["gaps_left"] == 1
    assert status["model"]["budget_spent"]


def test_no_key_and_no_recorded_answer_exits_2_before_any_write(tmp_path: Path) -> None:
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb")
    before = tree_bytes(repo)
    result = invoke("run", str(pb), "--root", str(repo), "--yes")
    assert result.exit_code == 2
    line = result.stderr.strip().splitlines()[-1]
    assert "ANTHROPIC_API_KEY" in line and "--replay" in line
    assert tree_bytes(repo) == before
    runs = repo / ".batchmod" / "runs"
    assert not runs.exists() or [p for p in runs.iterdir() if p.name != "current"] == []
    assert invoke("plan", str(pb), "--root", str(repo), "--model").exit_code == 2


def test_replay_refuses_a_cassette_that_does_not_match_the_lock(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    pb = model_playbook(tmp_path / "pb", files="pkg/alpha.py")
    assert invoke("plan", str(pb), "--root", str(model_repo(tmp_path / "repo")), "--model").exit_code == 0
    cassette = tmp_path / "pb" / "drop.cassette.jsonl"
    lines = cassette.read_text().splitlines()
    entry = json.loads(lines[0])
    entry["reply"]["usage"]["output_tokens"] += 1
    cassette.write_text("\n".join([json.dumps(entry), *lines[1:]]) + "\n")
    repo = model_repo(tmp_path / "other")
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--replay")
    assert result.exit_code == 2
    assert "does not match" in result.stderr and "batchmod.lock" in result.stderr
    assert tree_bytes(repo) == {k: v.encode() for k, v in FILES.items()}


def test_transform_model_edits_each_subtask(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    repo = model_repo(tmp_path / "repo")
    pb = model_playbook(tmp_path / "pb", files="pkg/alpha.py")
    text = pb.read_text().replace("    transform: rewrite\n    with:\n      rules:\n        - match: \"compat.ensure_text($x)\"\n"
                                  "          replace: \"str($x)\"\n", "    transform: model\n")
    pb.write_text(text.replace("    on_gap: model\n", ""))
    api.script(answers({"pkg/alpha.py": ("name = compat.ensure_text(b'a')\nconvert = compat.ensure_text",
                                         "name = str(b'a', 'utf-8')\nconvert = str")}))
    result = invoke("run", str(pb), "--root", str(repo), "--yes")
    assert result.exit_code == 0, result.output
    assert (repo / "pkg/alpha.py").read_text() == "from pkg import compat\n\nname = str(b'a', 'utf-8')\nconvert = str\n"


def test_kill_9_with_a_torn_cassette_line_resumes_without_asking_again(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    api.script(answers(delay={"pkg/gamma.py": 30.0}))
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb")
    proc = spawn("run", str(pb), "--root", str(repo), "--yes",
                 env={"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": api.base_url})
    deadline = time.monotonic() + 60
    while len(api.message_requests()) < 5 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert len(api.message_requests()) == 5, proc.communicate()[1].decode()  # alpha and beta done, gamma waiting
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    cassette = tmp_path / "pb" / "drop.cassette.jsonl"
    assert len(cassette.read_text().splitlines()) == 4
    with cassette.open("a") as fp:
        fp.write('{"v": 1, "key": "torn')  # the append a kill cut short
    api.script(answers())
    result = invoke("run", str(pb), "--root", str(repo), "--yes")
    assert result.exit_code == 0, result.output
    asked_again = api.message_requests()[5:]
    assert len(asked_again) == 2 and all("pkg/gamma.py" in json.dumps(b["messages"][0]) for b in asked_again)
    assert all((repo / p).read_text().count("compat.ensure_text") == 0 for p in ("pkg/alpha.py", "pkg/beta.py", "pkg/gamma.py"))
    assert len(cassette.read_text().splitlines()) == 6


def test_plan_forecasts_without_asking_counting_tokens_only_with_a_key(tmp_path: Path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb", budget="budget: {max_model_calls: 5}\n")
    text = invoke("plan", str(pb), "--root", str(repo))
    assert text.exit_code == 1  # 3 subtasks x 2 calls forecast, over max_model_calls 5, before anything runs
    assert "model calls ~6/5 OVER" in text.stdout and "estimated from bytes" in text.stdout
    assert "max_model_calls is 5, the plan estimates 6" in text.stdout
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.base_url)
    doc = json.loads(invoke("plan", str(pb), "--root", str(repo), "--json").stdout)
    assert doc["budget"]["model_tokens"]["method"] == "count_tokens"
    assert doc["phases"][0]["subtasks"][0]["model_forecast"]["method"] == "count_tokens"
    assert messages_server.message_requests() == []  # counted, never asked
    assert [r.path for r in messages_server.requests] == ["/v1/messages/count_tokens"] * 3
    assert not (tmp_path / "pb" / "drop.cassette.jsonl").exists()


def test_replay_warns_when_the_lock_was_written_by_other_versions(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb", files="pkg/alpha.py")
    assert invoke("plan", str(pb), "--root", str(repo), "--model").exit_code == 0
    lock_path = tmp_path / "pb" / "batchmod.lock"
    lock = json.loads(lock_path.read_text())
    lock["libcst"] = "0.0.1"
    lock_path.write_text(json.dumps(lock))
    result = invoke("plan", str(pb), "--root", str(repo), "--replay")
    assert result.exit_code == 0, result.output
    assert "recorded with libcst 0.0.1, this is" in result.stderr
    assert "1 gap(s) filled, 0 left" in result.stdout


def test_a_batched_plan_forecasts_the_first_calls_at_half_price(tmp_path: Path) -> None:
    repo = model_repo(tmp_path / "repo")
    costs = []
    for name, extra in (("plain", ""), ("batched", "  batch: true\n")):
        pb = model_playbook(tmp_path / name, model_extra=extra)
        doc = json.loads(invoke("plan", str(pb), "--root", str(repo), "--json").stdout)
        costs.append([s["model_forecast"]["cost_usd"] for s in doc["phases"][0]["subtasks"]])
    plain, batched = costs
    assert len(plain) == 3 and all(b < p for p, b in zip(plain, batched))
    assert all(b > p / 2 for p, b in zip(plain, batched))  # only the first of the two calls is batched


def test_a_killed_run_s_calls_count_against_the_resumed_run_s_budget(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    api.script(answers(extra_turns={"pkg/alpha.py": 1}, delay={"pkg/gamma.py": 30.0}))
    repo = model_repo(tmp_path / "repo")
    pb = model_playbook(tmp_path / "pb", budget="budget: {max_model_calls: 6}\n")  # the forecast: 3 x 2 calls
    proc = spawn("run", str(pb), "--root", str(repo), "--yes",
                 env={"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": api.base_url})
    deadline = time.monotonic() + 60
    while len(api.message_requests()) < 6 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert len(api.message_requests()) == 6, proc.communicate()[1].decode()  # alpha (3) and beta (2) done, gamma waiting
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    runs = repo / ".batchmod" / "runs"
    spend = (runs / (runs / "current").read_text().strip() / "model-spend.jsonl").read_text().splitlines()
    assert [json.loads(line)["calls"] for line in spend] == [1] * 5  # gamma's call in flight was never charged
    assert KEY not in "".join(spend)
    api.script(answers())
    result = invoke("run", str(pb), "--root", str(repo), "--yes")
    # 5 calls were made before the kill: the resumed run has 1 left, not 6
    assert len(api.message_requests()) == 7
    assert result.exit_code == 1, result.output
    assert "max_model_calls 6 reached" in result.output + result.stderr
    assert "compat.ensure_text" in (repo / "pkg/gamma.py").read_text()
