"""The Anthropic adapter: the real SDK against the local server."""
from __future__ import annotations

import json

import pytest

from runner.adapters.anthropic_api import AnthropicClient
from runner.errors import InputError
from runner.model.client import ModelError, canonical
from tests.model.helpers import TEST_KEY, api_client, request
from tests.model_server import drop, error, text, tool_use


def test_reply_carries_content_usage_and_one_call(messages_server):
    messages_server.script([tool_use("done", {"summary": "ok"}, say="there")])
    reply = api_client(messages_server).create(request())
    assert reply.stop_reason == "tool_use" and reply.calls == 1 and not reply.replayed
    (tool,) = reply.tool_uses()
    assert tool["name"] == "done" and tool["input"] == {"summary": "ok"} and tool["id"]
    assert reply.usage.input_tokens > 0 and reply.usage.output_tokens > 0
    assert reply.request_key == request().key() and reply.model == "claude-haiku-4-5"


def test_429_then_success_counts_two_calls(messages_server):
    messages_server.script([error(429), text("ok")])
    reply = api_client(messages_server).create(request())
    assert reply.calls == 2 and reply.blocks() == [{"type": "text", "text": "ok"}]
    assert len(messages_server.requests) == 2


def test_5xx_until_retries_run_out_is_a_transport_error_with_its_calls(messages_server):
    messages_server.script([error(529, retry_after=0.01)] * 3)
    with pytest.raises(ModelError) as caught:
        api_client(messages_server, max_retries=2).create(request())
    assert caught.value.kind == "transport" and caught.value.calls == 3
    assert str(caught.value) == "529 overloaded_error: scripted overloaded_error (retries exhausted)"
    assert caught.value.request_key == request().key()


def test_a_bad_request_is_an_api_error_not_retried(messages_server):
    messages_server.script([error(400, message="tools.0: bad schema\nmore")])
    with pytest.raises(ModelError) as caught:
        api_client(messages_server).create(request())
    assert caught.value.kind == "api" and caught.value.calls == 1
    assert str(caught.value) == "400 invalid_request_error: tools.0: bad schema"


def test_the_key_never_appears_in_an_error(messages_server):
    messages_server.script([error(401, message=f"invalid x-api-key {TEST_KEY}")])
    with pytest.raises(ModelError) as caught:
        api_client(messages_server).create(request())
    assert TEST_KEY not in str(caught.value) and "***" in str(caught.value)


def test_connection_reset_and_timeout_are_transport_errors(messages_server):
    messages_server.script([drop(), text("late", delay=1.0)])
    client = api_client(messages_server, max_retries=0, timeout=0.3)
    with pytest.raises(ModelError) as dropped:
        client.create(request())
    with pytest.raises(ModelError) as late:
        client.create(request())
    assert dropped.value.kind == late.value.kind == "transport"
    assert str(late.value) == "the API did not answer in time (retries exhausted)"


def test_no_sampling_parameters_unless_asked(messages_server):
    messages_server.script(lambda body: text("ok"))
    client = api_client(messages_server)
    client.create(request())
    client.create(request(params=canonical({"temperature": 0.2})))
    plain, tuned = messages_server.message_requests()
    assert not {"temperature", "top_p", "top_k", "tool_choice"} & set(plain)
    assert tuned["temperature"] == 0.2


def test_key_and_base_url_come_from_the_environment(messages_server, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "env-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.base_url)
    messages_server.script([text("ok")])
    AnthropicClient().create(request())
    (received,) = messages_server.requests
    assert "env-key" in json.dumps(received.headers)
    assert "env-key" not in received.raw.decode()


def test_no_key_is_one_line_of_bad_input(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "  ")
    with pytest.raises(InputError) as caught:
        AnthropicClient()
    assert str(caught.value).startswith("ANTHROPIC_API_KEY is not set") and "--replay" in str(caught.value)


def test_count_tokens(messages_server):
    assert api_client(messages_server).count_tokens(request("word " * 400)) > 100
    assert messages_server.requests[0].path == "/v1/messages/count_tokens"
