"""Cassette: record, replay, torn lines, concurrency — the real SDK against the local server."""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from runner.errors import InputError
from runner.model.cassette import Cassette
from runner.model.client import ModelError
from tests.model.helpers import TEST_KEY, api_client, request
from tests.model_server import text, tool_use


def _echo(body):
    return text("echo " + body["messages"][0]["content"])


def test_record_then_replay_with_the_server_stopped(messages_server, tmp_path):
    path = str(tmp_path / "pb.cassette.jsonl")
    messages_server.script([tool_use("done", {"summary": "one"}), text("two")])
    recorder = Cassette(api_client(messages_server), path, "record")
    recorded = [recorder.create(request("a")), recorder.create(request("b"))]
    messages_server.stop()
    player = Cassette(None, path, "replay")
    replayed = [player.create(request("a")), player.create(request("b"))]
    for live, again in zip(recorded, replayed):
        assert (again.content, again.stop_reason, again.usage, again.model, again.request_key) == \
               (live.content, live.stop_reason, live.usage, live.model, live.request_key)
        assert again.replayed and again.calls == 0 and live.calls == 1
    assert player.count() == 2
    assert player.sha256() == hashlib.sha256((tmp_path / "pb.cassette.jsonl").read_bytes()).hexdigest()


def test_a_line_holds_the_request_and_reply_but_no_key_or_headers(messages_server, tmp_path):
    path = tmp_path / "c.jsonl"
    messages_server.script([text("hello")])
    Cassette(api_client(messages_server), str(path)).create(request("a"))
    raw = path.read_text()
    assert TEST_KEY not in raw and "authorization" not in raw.lower() and "x-api-key" not in raw
    (line,) = [json.loads(x) for x in raw.splitlines()]
    assert line["key"] == request("a").key() and line["request"] == request("a").payload()
    assert line["reply"]["content"] == [{"type": "text", "text": "hello"}]
    assert set(line["reply"]["usage"]) == {"input_tokens", "output_tokens", "cache_creation_input_tokens",
                                           "cache_read_input_tokens"}


def test_record_mode_replays_what_it_has_and_asks_only_the_new(messages_server, tmp_path):
    path = str(tmp_path / "c.jsonl")
    messages_server.script(_echo)
    Cassette(api_client(messages_server), path).create(request("a"))
    again = Cassette(api_client(messages_server), path)
    assert again.create(request("a")).replayed
    assert not again.create(request("b")).replayed
    assert [r.body["messages"][0]["content"] for r in messages_server.requests] == ["a", "b"]
    assert again.count() == 2


def test_replay_miss_names_the_key(tmp_path):
    player = Cassette(None, str(tmp_path / "none.jsonl"), "replay")
    with pytest.raises(ModelError) as caught:
        player.create(request("new"))
    key = request("new").key()
    assert caught.value.kind == "replay-miss" and caught.value.request_key == key
    assert str(caught.value).startswith(f"no recorded answer for request {key[:12]} (none.jsonl holds 0")


def test_record_without_a_client_says_the_key_is_needed(tmp_path):
    with pytest.raises(ModelError) as caught:
        Cassette(None, str(tmp_path / "c.jsonl"), "record").create(request())
    assert caught.value.kind == "no-key" and "ANTHROPIC_API_KEY" in str(caught.value)


def test_torn_last_line_is_asked_again_and_the_file_repaired(messages_server, tmp_path):
    path = tmp_path / "c.jsonl"
    messages_server.script(_echo)
    first = Cassette(api_client(messages_server), str(path))
    for word in ("a", "b", "c"):
        first.create(request(word))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) - 25])  # kill -9 in the middle of the third append
    resumed = Cassette(api_client(messages_server), str(path))
    assert resumed.torn and resumed.count() == 2
    before = len(messages_server.requests)
    assert resumed.create(request("a")).replayed and resumed.create(request("b")).replayed
    assert len(messages_server.requests) == before  # completed exchanges are not asked again
    assert not resumed.create(request("c")).replayed
    assert len(messages_server.requests) == before + 1
    lines = path.read_bytes().splitlines()
    assert len(lines) == 3 and all(json.loads(x)["v"] == 1 for x in lines)
    assert Cassette(None, str(path), "replay").count() == 3


def test_a_damaged_line_in_the_middle_is_bad_input(tmp_path):
    path = tmp_path / "c.jsonl"
    good = json.dumps({"v": 1, "key": "k", "reply": {"content": []}})
    path.write_text(f"{good}\n<<<<<<< HEAD\n{good}\n")
    with pytest.raises(InputError) as caught:
        Cassette(None, str(path), "replay")
    assert str(caught.value).startswith(f"{path}:2: not a recorded exchange")


def test_concurrent_workers_ask_each_request_once(messages_server, tmp_path):
    path = tmp_path / "c.jsonl"
    messages_server.script(lambda body: text("x", delay=0.05))
    cassette = Cassette(api_client(messages_server), str(path))
    words = ["a", "b", "c", "d"] * 3
    with ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda w: cassette.create(request(w)), words))
    assert len(messages_server.requests) == 4 and cassette.count() == 4
    assert sum(not r.replayed for r in replies) == 4
    assert len(path.read_bytes().splitlines()) == 4


def test_two_cassettes_on_one_file_keep_each_others_lines(messages_server, tmp_path):
    path = tmp_path / "c.jsonl"
    messages_server.script(_echo)
    first, second = Cassette(api_client(messages_server), str(path)), Cassette(api_client(messages_server), str(path))
    first.create(request("a"))
    second.create(request("b"))
    first.create(request("c"))
    assert Cassette(None, str(path), "replay").count() == 3
    assert first.sha256() == second.sha256() == hashlib.sha256(path.read_bytes()).hexdigest()


def test_sha256_leaves_out_a_torn_tail(messages_server, tmp_path):
    path = tmp_path / "c.jsonl"
    messages_server.script(_echo)
    Cassette(api_client(messages_server), str(path)).create(request("a"))
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"v": 1, "key": "tor')
    assert Cassette(None, str(path), "replay").sha256() == hashlib.sha256(whole).hexdigest()
