"""The gap worker against the real SDK and the local server."""
from __future__ import annotations

import json

import pytest

from runner.model.worker import fill_gaps
from tests.model.helpers import TEST_KEY, api_client
from tests.model.scenario import CONTEXT, FIXED, GAP_CALL, SOURCE, done, fix, fix_and_done, job, subtask_path
from tests.model_server import error, reply, text, tool_block, tool_use


def _last_user_blocks(body):
    return body["messages"][-1]["content"]


def test_a_gap_filled_in_two_turns(messages_server):
    messages_server.script([reply(fix()), reply(done())])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.files == (("src/app.py", FIXED.encode()),)
    assert outcome.filled == job().gaps and outcome.left == ()
    assert outcome.attempts == 1 and outcome.error == "" and outcome.summary == "used bytes.decode"
    assert [e.attempt for e in outcome.exchanges] == [1, 1] and all(e.calls == 1 for e in outcome.exchanges)
    opening, follow_up = outcome.exchanges  # the second turn reads the whole first turn from the cache
    assert follow_up.cache_read_input_tokens == opening.cache_creation_input_tokens > 0
    second = messages_server.message_requests()[1]
    (result,) = _last_user_blocks(second)
    assert result["type"] == "tool_result" and "replaced" in result["content"] and "is_error" not in result


def test_a_path_outside_the_subtask_is_refused_and_counted(messages_server):
    messages_server.script([
        reply(tool_use("read_file", {"path": "../secrets.py"}).content[0]),
        reply(fix(path=CONTEXT[0], old="def ensure_text", new="def ensure_bytes")),
        reply(tool_use("read_file", {"path": "./src/compat.py"}).content[0], fix(), done())])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.refused_paths == 2 and outcome.filled == job().gaps
    first, second = (_last_user_blocks(b)[0] for b in messages_server.message_requests()[1:3])
    assert first["is_error"] and first["content"].startswith("../secrets.py: outside the files of this task")
    assert second["is_error"] and "read-only context file" in second["content"]
    read_back = _last_user_blocks(messages_server.message_requests()[2])
    assert read_back[0]["is_error"]
    assert [p for p, _ in outcome.files] == ["src/app.py"]


def test_an_edit_outside_the_gap_region_is_refused(messages_server):
    messages_server.script([reply(fix(old="    name = str(raw)", new="    name = raw")), fix_and_done()])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.refused_edits == 1 and outcome.files == (("src/app.py", FIXED.encode()),)
    (refusal,) = _last_user_blocks(messages_server.message_requests()[1])
    assert refusal["is_error"] and refusal["content"] == (
        "src/app.py: the edit touches line 5, outside the statements around the gaps; "
        "you may change only src/app.py:1 (import statements only), src/app.py:6")


def test_a_non_parsing_edit_is_retried_then_reported_with_every_attempt_s_error(messages_server):
    broken = reply(fix(new='raw.decode("latin-1"'), done())
    messages_server.script([broken, reply(done()), text("I would rather not.")])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.files == () and outcome.filled == () and outcome.attempts == 3
    (gap,) = outcome.left
    assert gap.reason.startswith("`compat.ensure_text` remains (expect_absent) — model: not filled after 3 attempt(s): "
                                 "attempt 1: src/app.py:")
    assert "does not parse" in gap.reason and gap.reason.endswith("; attempt 3: the answer called no tool")
    assert gap.reason.count("attempt 2: src/app.py:") == 1
    assert [e.attempt for e in outcome.exchanges] == [1, 2, 3]
    feedback = _last_user_blocks(messages_server.message_requests()[1])
    assert feedback[-1]["is_error"] and "does not parse" in feedback[-1]["content"]


def test_expect_absent_must_hold_at_the_site(messages_server):
    messages_server.script([reply(fix(new='compat.ensure_text(raw, encoding="latin-1")'), done()),
                            reply(fix(old='compat.ensure_text(raw, encoding="latin-1")', new='str(raw)'), done())])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.attempts == 2 and outcome.filled == job().gaps
    feedback = _last_user_blocks(messages_server.message_requests()[1])[-1]["content"]
    assert "src/app.py:6:13: `compat.ensure_text` remains (expect_absent)" in feedback


def test_an_answer_without_a_tool_call_is_a_failed_attempt_explained_back(messages_server):
    messages_server.script([text("I would use bytes.decode here."), fix_and_done()])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.attempts == 2 and outcome.filled == job().gaps
    (hint,) = _last_user_blocks(messages_server.message_requests()[1])
    assert hint["type"] == "text" and hint["text"].startswith("the answer called no tool")


def test_max_tokens_and_refusal_are_failed_attempts(messages_server):
    messages_server.script([reply(fix(), stop_reason="max_tokens"), text("no", stop_reason="refusal"),
                            text("still nothing")])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.attempts == 3 and outcome.files == ()
    assert "answer called no tool" in outcome.left[0].reason
    cut = _last_user_blocks(messages_server.message_requests()[1])
    assert cut[0]["type"] == "tool_result" and cut[0]["is_error"] and "max_tokens" in cut[0]["content"]
    assert "declined" in _last_user_blocks(messages_server.message_requests()[2])[0]["text"]


def test_malformed_tool_input_fails_the_attempt_and_ambiguous_text_is_answered(messages_server):
    source = SOURCE + "\n\ndef again(raw):\n    return str(raw)\n"
    messages_server.script([
        reply(tool_use("replace_in_file", {"path": "src/app.py", "old": 3}).content[0],
              fix(old="str(raw)", new="x"), fix(old="nope", new="x"), tool_use("rm", {}).content[0]),
        fix_and_done()])
    outcome = fill_gaps(job(source=source), api_client(messages_server))
    assert outcome.filled and outcome.attempts == 2  # the malformed calls made the first attempt fail
    results = [b["content"] for b in _last_user_blocks(messages_server.message_requests()[1])]
    assert results[0] == "replace_in_file: old, new must be given as text"
    assert "`old` found 2 times" in results[1] and "`old` not found" in results[2]
    assert results[3].startswith("unknown tool 'rm'")


def test_the_drivers_check_is_fed_back(messages_server):
    messages_server.script([fix_and_done(), reply(done("checked"))])
    seen = []

    def check(path, data):
        seen.append(data)
        return ("a second pass of the rule would still change line 6",) if len(seen) == 1 else ()

    outcome = fill_gaps(job(), api_client(messages_server), check)
    assert outcome.attempts == 2 and outcome.filled and seen == [FIXED.encode()] * 2
    feedback = _last_user_blocks(messages_server.message_requests()[1])[-1]["content"]
    assert "src/app.py: a second pass of the rule would still change line 6" in feedback


def test_done_without_edits_leaves_the_gaps_with_the_models_word(messages_server):
    messages_server.script([tool_use("done", {"summary": "the latin-1 call must stay for py2"})])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.files == () and outcome.attempts == 1
    assert outcome.left[0].reason.endswith("model: the model changed nothing: the latin-1 call must stay for py2")


def test_429_then_success_is_one_exchange_of_two_calls(messages_server):
    messages_server.script([error(429), fix_and_done()])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.filled and [e.calls for e in outcome.exchanges] == [2]


def test_an_api_error_ends_the_job_with_the_gaps_left(messages_server):
    messages_server.script([error(400, message="messages: bad")])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.error_kind == "api" and outcome.error == "400 invalid_request_error: messages: bad"
    assert outcome.left[0].reason.endswith("model: 400 invalid_request_error: messages: bad")


def test_transform_model_may_edit_the_whole_file(messages_server):
    from dataclasses import replace

    from tests.model.scenario import SPEC

    spec = replace(SPEC, transform="model", expect_absent=())
    messages_server.script([reply(fix(old="import compat\n", new="import compat  # legacy\n"), done())])
    outcome = fill_gaps(replace(job(), spec=spec, gaps=()), api_client(messages_server))
    assert outcome.files[0][1].startswith(b"import compat  # legacy\n") and outcome.left == ()
    system = messages_server.message_requests()[0]["system"][0]["text"]
    assert system.startswith("You carry out one subtask")


def test_no_sampling_params_no_forced_tool_choice_cached_prefix_no_key(messages_server):
    messages_server.script([fix_and_done()])
    fill_gaps(job(), api_client(messages_server))
    (received,) = messages_server.requests
    body = received.body
    assert not {"temperature", "top_p", "top_k", "tool_choice"} & set(body)
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["messages"][0]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert [t["name"] for t in body["tools"]] == ["read_file", "replace_in_file", "done"]
    assert TEST_KEY not in received.raw.decode()
    text_sent = body["messages"][0]["content"][0]["text"]
    assert SOURCE in text_sent and ">6 |     label = " + GAP_CALL in text_sent
    assert "src/compat.py" in text_sent and CONTEXT[1].decode() not in text_sent


def test_the_cached_prefix_is_identical_across_subtasks_of_a_task_type(messages_server):
    messages_server.script(lambda body: fix_and_done(path=subtask_path(body)))
    client = api_client(messages_server)
    first = fill_gaps(job("src/a.py"), client)
    second = fill_gaps(job("src/b.py", source=SOURCE.replace("name", "title")), client)
    a, b = messages_server.message_requests()
    assert json.dumps([a["tools"], a["system"]]) == json.dumps([b["tools"], b["system"]])
    assert a["messages"] != b["messages"]
    assert first.exchanges[0].cache_creation_input_tokens > 0 and first.exchanges[0].cache_read_input_tokens == 0
    shared = second.exchanges[0].cache_read_input_tokens  # tools + system + task: read, not written again
    assert 0 < shared < first.exchanges[0].cache_creation_input_tokens
    assert second.exchanges[0].cache_creation_input_tokens > 0  # its own files


def test_the_same_job_gives_the_same_request_key(messages_server):
    messages_server.script(lambda body: fix_and_done())
    client = api_client(messages_server)
    assert fill_gaps(job(), client).exchanges[0].request_key == fill_gaps(job(), client).exchanges[0].request_key


def test_a_long_file_is_shown_as_excerpts_around_the_gaps(messages_server):
    filler = "".join(f"CONSTANT_{i} = {i}\n" for i in range(600))
    source = SOURCE + "\n" + filler
    messages_server.script([reply(tool_use("read_file", {"path": "src/app.py"}).content[0]), fix_and_done()])
    outcome = fill_gaps(job(source=source), api_client(messages_server))
    assert outcome.filled
    opening = messages_server.message_requests()[0]["messages"][0]["content"][0]["text"]
    assert "src/app.py has 608 lines; shown: lines 1-26 (read_file gives the whole file)" in opening
    assert "CONSTANT_17 = 17" in opening and "CONSTANT_18 = 18" not in opening
    read_back = messages_server.message_requests()[1]["messages"][-1]["content"][0]["content"]
    assert read_back == source


def test_empty_text_blocks_are_not_sent_back(messages_server):
    from tests.model_server import text_block

    messages_server.script([reply(text_block(""), fix()), reply(done())])
    assert fill_gaps(job(), api_client(messages_server)).filled
    assistant = messages_server.message_requests()[1]["messages"][1]
    assert assistant["role"] == "assistant" and [b["type"] for b in assistant["content"]] == ["tool_use"]


def test_a_file_that_is_not_utf8_is_not_asked(messages_server):
    from dataclasses import replace

    from runner.model.worker import opening_request

    latin = replace(job(), files=(("src/app.py", "x = 'é'\n".encode("latin-1")),))
    outcome = fill_gaps(latin, api_client(messages_server))
    assert outcome.error_kind == "input" and outcome.error.startswith("src/app.py: not UTF-8")
    assert messages_server.requests == [] and outcome.left[0].reason.endswith("the model is not asked about it")
    with pytest.raises(ValueError, match="not UTF-8"):
        opening_request(latin)


def test_a_multiline_match_is_shown_as_a_block(messages_server):
    from dataclasses import replace

    gap = replace(job().gaps[0], source='compat.ensure_text(\n    raw, "latin-1")')
    messages_server.script([fix_and_done()])
    fill_gaps(replace(job(), gaps=(gap,)), api_client(messages_server))
    opening = messages_server.message_requests()[0]["messages"][0]["content"][0]["text"]
    assert 'matched:\n```\ncompat.ensure_text(\n    raw, "latin-1")\n```' in opening


def test_a_fill_may_add_an_import_but_nothing_else_at_the_top(messages_server):
    add_import = tool_block("replace_in_file", {"path": "src/app.py", "old": "import compat\n",
                                                "new": "import compat\nimport codecs\n"})
    sneak = tool_block("replace_in_file", {"path": "src/app.py", "old": "import codecs\n",
                                           "new": "import codecs\ncodecs.register(print)\n"})
    undo = tool_block("replace_in_file", {"path": "src/app.py", "old": "codecs.register(print)\n", "new": ""})
    messages_server.script([reply(add_import, sneak, fix(new='codecs.decode(raw, "latin-1")'), done()),
                            reply(undo, done())])
    outcome = fill_gaps(job(), api_client(messages_server))
    feedback = _last_user_blocks(messages_server.message_requests()[1])
    assert feedback[-1]["is_error"] and "src/app.py:3: only import statements may be added to lines 1-3" in feedback[-1]["content"]
    assert outcome.attempts == 2 and [g.line for g in outcome.filled] == [6]
    (path, data), = outcome.files
    assert data.decode().startswith("import compat\nimport codecs\n\n\ndef load(raw):")
