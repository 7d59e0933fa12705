"""Message Batches through the real SDK (local server): one submission, a killed wait resumed, answers prefilled."""
from __future__ import annotations

from pathlib import Path

import pytest

from runner.adapters.anthropic_api import AnthropicClient
from runner.model.batch import prefill_first_attempts
from runner.model.client import ModelRequest, canonical
from tests.model_server import text, tool_use


def _request(n: int) -> ModelRequest:
    return ModelRequest("claude-haiku-4-5", 256, messages=canonical([{"role": "user", "content": f"gap {n}"}]))


class _Killed(Exception):
    pass


def test_a_batch_killed_while_waiting_is_polled_again_not_resubmitted(messages_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    messages_server.script([text("first"), tool_use("done", {"summary": "second"}), text("third")])
    messages_server.batch_polls = 2
    api = AnthropicClient(api_key="test-key", base_url=messages_server.base_url, max_retries=0)
    requests = [_request(n) for n in range(3)]
    state = str(tmp_path / "run" / "batches.json")
    lines: list[str] = []

    def killed_on_first_poll(line: str) -> None:
        lines.append(line)
        if "answered" in line:
            raise _Killed  # the process dies while the batch is in progress

    with pytest.raises(_Killed):
        prefill_first_attempts(api, requests, state, killed_on_first_poll, sleep=lambda s: None)
    assert lines[0].endswith("submitted 3 first attempt(s)")

    fresh = AnthropicClient(api_key="test-key", base_url=messages_server.base_url, max_retries=0)  # the resumed process
    resumed: list[str] = []
    outcome = prefill_first_attempts(fresh, requests, state, resumed.append, sleep=lambda s: None)
    assert outcome is not None and (outcome.submitted, outcome.requests, outcome.answered) == (False, 3, 3)
    assert "not submitted again" in resumed[0] and resumed[-1].endswith("3/3 answered (ended)")
    assert len(messages_server.batch_requests()) == 1  # one submission in all
    (submitted,) = messages_server.batch_requests()
    assert [r["custom_id"] for r in submitted["requests"]] == [r.key() for r in requests]
    assert "tool_choice" not in submitted["requests"][0]["params"]

    replies = [fresh.create(r) for r in requests]  # joined on custom_id: no interactive call
    assert [r.blocks()[0].get("text") for r in replies] == ["first", None, "third"]
    assert replies[1].tool_uses()[0]["name"] == "done"
    assert messages_server.message_requests() == []
    messages_server.script([text("interactive")])
    assert fresh.create(requests[0]).blocks()[0]["text"] == "interactive"  # each answer is used once; follow-ups ask


def test_nothing_to_batch_submits_nothing(messages_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    api = AnthropicClient(api_key="test-key", base_url=messages_server.base_url, max_retries=0)
    assert prefill_first_attempts(api, [], str(tmp_path / "b.json"), lambda line: None) is None
    assert messages_server.requests == []


def test_batch_answers_are_charged_half_price(messages_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from runner.model.budget import Budgeted, Ledger

    usage = {"input_tokens": 40_000, "output_tokens": 2_000}
    messages_server.script([text("batched", usage=usage), text("interactive", usage=usage)])
    api = AnthropicClient(api_key="test-key", base_url=messages_server.base_url, max_retries=0)
    prefill_first_attempts(api, [_request(0)], str(tmp_path / "b.json"), lambda line: None, sleep=lambda s: None)
    batch_ledger, ask_ledger = Ledger(), Ledger()
    batched = Budgeted(api, batch_ledger).create(_request(0))
    asked = Budgeted(api, ask_ledger).create(_request(1))
    assert batched.batched and not asked.batched and batched.usage == asked.usage
    # haiku 4.5 at $1 / $5 per million: 0.04 + 0.01 = $0.05 asked one by one, half in a batch
    assert ask_ledger.spent().cost_usd == pytest.approx(0.05)
    assert batch_ledger.spent().cost_usd == pytest.approx(0.025)
