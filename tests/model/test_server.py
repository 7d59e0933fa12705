"""The test server speaks the Messages API as the real SDK expects it."""
from __future__ import annotations

import anthropic
import pytest

from tests.model_server import drop, error, reply, text, text_block, tool_block, tool_use


def _client(server, **kw) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.base_url, api_key="test-key", **kw)


def _ask(client: anthropic.Anthropic, **kw):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=64,
                                  messages=[{"role": "user", "content": "hi"}], **kw)


def test_text_and_tool_use_parse_as_sdk_messages(messages_server):
    messages_server.script([text("hello"), tool_use("done", {"summary": "ok"}, say="finished")])
    client = _client(messages_server)
    first, second = _ask(client), _ask(client)
    assert first.content[0].text == "hello" and first.stop_reason == "end_turn"
    assert [b.type for b in second.content] == ["text", "tool_use"]
    tool = second.content[1]
    assert tool.name == "done" and tool.input == {"summary": "ok"} and tool.id.startswith("toolu_")
    assert second.stop_reason == "tool_use"
    assert second.usage.input_tokens > 0 and second.usage.output_tokens > 0
    assert second.usage.cache_read_input_tokens == 0


def test_requests_are_recorded_with_headers_and_body(messages_server):
    messages_server.script([text("a")])
    _ask(_client(messages_server))
    (received,) = messages_server.requests
    assert received.path == "/v1/messages"
    assert "test-key" in (received.headers.get("x-api-key", "") + received.headers.get("authorization", ""))
    assert received.body["model"] == "claude-haiku-4-5"
    assert "temperature" not in received.body and "tool_choice" not in received.body


def test_cache_prefix_is_written_then_read(messages_server):
    messages_server.script(lambda body: text("ok"))
    system = [{"type": "text", "text": "shared " * 200, "cache_control": {"type": "ephemeral"}}]
    client = _client(messages_server)
    first = _ask(client, system=system)
    second = _ask(client, system=system)
    assert first.usage.cache_creation_input_tokens > 0 and first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == first.usage.cache_creation_input_tokens
    assert second.usage.cache_creation_input_tokens == 0


def test_429_is_retried_by_the_sdk_with_retry_after(messages_server):
    messages_server.script([error(429), text("after the wait")])
    answer = _ask(_client(messages_server, max_retries=2))
    assert answer.content[0].text == "after the wait"
    first, second = messages_server.requests
    assert second.headers["x-stainless-retry-count"] == "1"


def test_error_bodies_become_typed_sdk_errors(messages_server):
    messages_server.script([error(400, message="bad tool schema"), error(529)])
    client = _client(messages_server, max_retries=0)
    with pytest.raises(anthropic.BadRequestError) as bad:
        _ask(client)
    assert bad.value.status_code == 400 and "bad tool schema" in str(bad.value)
    assert bad.value.body["error"]["type"] == "invalid_request_error"
    with pytest.raises(anthropic.APIStatusError) as overloaded:
        _ask(client)
    assert overloaded.value.status_code == 529


def test_dropped_connection_is_a_connection_error(messages_server):
    messages_server.script([drop()])
    with pytest.raises(anthropic.APIConnectionError):
        _ask(_client(messages_server, max_retries=0))


def test_exhausted_script_answers_400_and_is_noted(messages_server):
    with pytest.raises(anthropic.BadRequestError):
        _ask(_client(messages_server, max_retries=0))
    assert len(messages_server.unexpected) == 1


def test_count_tokens(messages_server):
    count = _client(messages_server).messages.count_tokens(
        model="claude-haiku-4-5", messages=[{"role": "user", "content": "hi " * 100}])
    assert count.input_tokens > 50


def test_callable_steps_see_the_request(messages_server):
    messages_server.script([lambda body: text(body["messages"][0]["content"].upper()),
                            reply(text_block("x"), tool_block("a", {}), tool_block("b", {"n": 1}))])
    client = _client(messages_server)
    assert _ask(client).content[0].text == "HI"
    ids = [b.id for b in _ask(client).content if b.type == "tool_use"]
    assert len(set(ids)) == 2


def test_stopped_server_refuses_connections(messages_server):
    messages_server.script(lambda body: text("ok"))
    client = _client(messages_server, max_retries=0)
    _ask(client)
    messages_server.stop()
    with pytest.raises(anthropic.APIConnectionError):
        _ask(client)


def test_standalone_server_answers_from_a_file(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    answers = tmp_path / "answers.py"
    answers.write_text("from tests.model_server import text\n\ndef answer(body):\n    return text('from file')\n")
    log = tmp_path / "log.jsonl"
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "tests.model_server", "--answers", str(answers), "--log", str(log)],
                            cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        client = anthropic.Anthropic(base_url=url, api_key="test-key", max_retries=0)
        assert _ask(client).content[0].text == "from file"
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "served 1 message requests" in err
    assert len(log.read_text().splitlines()) == 1


@pytest.mark.parametrize("messages, problem", [
    ([{"role": "assistant", "content": "x"}], "roles must alternate"),
    ([{"role": "user", "content": [{"type": "text", "text": ""}]}], "text content blocks must be non-empty"),
    ([{"role": "user", "content": "a"},
      {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "done", "input": {}}]},
      {"role": "user", "content": "next"}], "without tool_result blocks immediately after: t1"),
])
def test_requests_the_api_would_refuse_are_refused(messages_server, messages, problem):
    messages_server.script(lambda body: text("never"))
    messages_server.allow_invalid = True
    client = _client(messages_server, max_retries=0)
    with pytest.raises(anthropic.BadRequestError, match=problem):
        client.messages.create(model="m", max_tokens=5, messages=messages)
    assert messages_server.invalid
