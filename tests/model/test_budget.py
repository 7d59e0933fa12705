"""Prices and budgets: refusals happen before the call, retries count, replays are free."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from runner.model.budget import Budgeted, Ledger, Limits
from runner.model.cassette import Cassette
from runner.model.client import ModelError, Usage
from runner.model.prices import Price, PriceTable, model_family
from tests.model.helpers import api_client, request
from tests.model_server import error, text


@pytest.mark.parametrize("model, family", [
    ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"), ("claude-haiku-4-5", "claude-haiku-4-5"),
    ("claude-3-5-haiku-latest", "claude-3-5-haiku"), ("anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1"),
    ("claude-opus-4-20250514", "claude-opus-4-0")])
def test_dated_and_provider_ids_map_to_their_family(model, family):
    assert model_family(model) == family
    assert PriceTable().price(model) is not None


def test_cost_counts_every_kind_of_token():
    usage = Usage(input_tokens=1_000_000, output_tokens=100_000, cache_creation_input_tokens=200_000,
                  cache_read_input_tokens=2_000_000)
    # haiku 4.5: 1.00 + 0.50 + 0.25 + 0.20
    assert PriceTable().cost("claude-haiku-4-5", usage) == pytest.approx(1.95)
    assert PriceTable().cost("gpt-unknown", usage) is None
    assert PriceTable().cost("claude-haiku-4-5", usage, batched=True) == pytest.approx(1.95 / 2)


def test_playbook_prices_override_and_complete_the_table():
    table = PriceTable({"claude-haiku-4-5": {"output": 4.0}, "my-model": {"input": 2.0, "output": 8.0}})
    assert table.price("claude-haiku-4-5-20251001") == Price(1.0, 4.0, 1.25, 0.1)
    assert table.price("my-model") == Price(2.0, 8.0, 2.5, 0.2)
    with pytest.raises(ValueError, match="model.prices.other: other has no shipped price, so output must be given"):
        PriceTable({"other": {"input": 1.0}})
    with pytest.raises(ValueError, match="unknown field"):
        PriceTable({"claude-haiku-4-5": {"inputs": 1.0}})


def test_calls_run_out_before_the_call_is_made(messages_server):
    messages_server.script(lambda body: text("ok"))
    ledger = Ledger(Limits(max_calls=2))
    client = Budgeted(api_client(messages_server), ledger)
    client.create(request("a"))
    client.create(request("b"))
    with pytest.raises(ModelError) as caught:
        client.create(request("c"))
    assert caught.value.kind == "budget" and str(caught.value) == "run budget: max_model_calls 2 reached (2 made)"
    assert len(messages_server.requests) == 2
    assert ledger.spent().calls == 2 and ledger.spent().refused == 1


def test_sdk_retries_count_as_calls(messages_server):
    messages_server.script([error(429), text("ok"), text("never")])
    ledger = Ledger(Limits(max_calls=2))
    client = Budgeted(api_client(messages_server), ledger)
    assert client.create(request("a")).calls == 2
    assert ledger.spent().calls == 2
    with pytest.raises(ModelError, match="max_model_calls 2 reached"):
        client.create(request("b"))


def test_failed_calls_are_charged_their_attempts(messages_server):
    messages_server.script([error(500, retry_after=0.01)] * 3)
    ledger = Ledger()
    with pytest.raises(ModelError):
        Budgeted(api_client(messages_server, max_retries=2), ledger).create(request())
    assert ledger.spent().calls == 3 and ledger.spent().tokens == 0


def test_tokens_and_cost_limits(messages_server):
    messages_server.script(lambda body: text("ok", usage={"input_tokens": 600, "output_tokens": 500}))
    tokens = Ledger(Limits(max_tokens=1000))
    client = Budgeted(api_client(messages_server), tokens)
    client.create(request("a"))
    with pytest.raises(ModelError, match=r"max_model_tokens 1000 reached \(1100 used\)"):
        client.create(request("b"))
    dollars = Ledger(Limits(max_cost_usd=0.003))  # haiku: 600 in + 500 out = $0.0031
    client = Budgeted(api_client(messages_server), dollars)
    client.create(request("a"))
    assert dollars.spent().cost_usd == pytest.approx(0.0031)
    with pytest.raises(ModelError, match=r"max_cost_usd 0.003 reached \(\$0.0031 spent\)"):
        client.create(request("b"))


def test_a_cost_limit_needs_a_price(messages_server):
    with pytest.raises(ModelError, match="model mystery-1 has no price; give it under model.prices"):
        Budgeted(api_client(messages_server), Ledger(Limits(max_cost_usd=1))).create(request(model="mystery-1"))
    assert messages_server.requests == []


def test_a_phase_ledger_has_its_own_limit_and_charges_the_run(messages_server):
    messages_server.script(lambda body: text("ok"))
    run = Ledger(Limits(max_calls=3))
    first, second = run.child(Limits(max_calls=2), "phase library"), run.child(name="phase tests")
    Budgeted(api_client(messages_server), first).create(request("a"))
    Budgeted(api_client(messages_server), first).create(request("b"))
    with pytest.raises(ModelError, match="phase library budget: max_model_calls 2"):
        Budgeted(api_client(messages_server), first).create(request("c"))
    Budgeted(api_client(messages_server), second).create(request("d"))
    with pytest.raises(ModelError, match="run budget: max_model_calls 3"):
        Budgeted(api_client(messages_server), second).create(request("e"))
    assert (run.spent().calls, first.spent().calls, second.spent().calls) == (3, 2, 1)
    assert run.spent().tokens == first.spent().tokens + second.spent().tokens > 0


def test_roles_are_counted_apart(messages_server):
    messages_server.script(lambda body: text("ok"))
    ledger = Ledger()
    client = Budgeted(api_client(messages_server), ledger)
    client.create(request("a"))
    client.create(request("b", role="reviewer"))
    roles = ledger.by_role()
    assert roles["worker"].calls == roles["reviewer"].calls == 1


def test_concurrent_callers_never_pass_the_call_limit(messages_server):
    messages_server.script(lambda body: text("ok", delay=0.05))
    ledger = Ledger(Limits(max_calls=3))
    client = Budgeted(api_client(messages_server), ledger)

    def ask(word):
        try:
            return client.create(request(word))
        except ModelError:
            return None

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(ask, "abcdefgh"))
    assert sum(r is not None for r in replies) == 3 and len(messages_server.requests) == 3


def test_replayed_answers_cost_nothing_even_when_spent(messages_server, tmp_path):
    messages_server.script(lambda body: text("ok"))
    path = str(tmp_path / "c.jsonl")
    ledger = Ledger(Limits(max_calls=1))
    Cassette(Budgeted(api_client(messages_server), ledger), path).create(request("a"))
    again = Cassette(Budgeted(api_client(messages_server), ledger), path)
    assert again.create(request("a")).replayed
    with pytest.raises(ModelError, match="budget"):
        again.create(request("b"))
    assert ledger.spent().calls == 1 and len(messages_server.requests) == 1


def test_preloaded_charges_count_on_the_run_and_on_the_phase_made_later():
    from runner.model.budget import Charge
    from runner.model.spend_log import parse_charges, render_charge

    heard: list[Charge] = []
    before = Ledger(Limits(max_calls=10))
    before.listener = heard.append
    phase = before.child(Limits(max_calls=3), name="phase lib")
    for _ in range(2):
        assert phase.reserve("claude-haiku-4-5") is None
        phase.settle("worker", "claude-haiku-4-5", Usage(input_tokens=100, output_tokens=10), 1)
    log = b"".join(render_charge(c) for c in heard) + b'{"v": 1, "ledger": "pha'  # torn by a kill
    resumed = Ledger(Limits(max_calls=10))
    resumed.preload(parse_charges(log))
    assert resumed.spent().calls == 2 and resumed.spent().tokens == 220
    again = resumed.child(Limits(max_calls=3), name="phase lib")
    assert again.reserve("claude-haiku-4-5") is None  # the third call of the phase
    again.settle("worker", "claude-haiku-4-5", Usage(), 1)
    assert again.reserve("claude-haiku-4-5") == "phase lib budget: max_model_calls 3 reached (3 made)"
    assert resumed.spent().calls == 3 and resumed.child(name="phase other").spent().calls == 0
