"""The fix loop's model part through the real SDK (local server): edits proposed, reward hacking refused."""
from __future__ import annotations

from runner.adapters.anthropic_api import AnthropicClient
from runner.model.clusters import Failure, cluster_failures
from runner.model.fix import FixJob, propose_fix
from tests.model_server import reply, tool_block, tool_use

SRC = b"def add(a, b):\n    return a + b + 1\n"
TEST = b"from pkg.m import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
CLUSTER = cluster_failures([Failure("unit", "tests.test_m::test_add", "tests/test_m.py", 5, "AssertionError", "assert 4 == 3", "E assert 4 == 3")])[0]


def _job() -> FixJob:
    return FixJob("lib", 1, CLUSTER, "--- a/pkg/m.py\n+++ b/pkg/m.py\n-    return a + b\n+    return a + b + 1\n",
                  (("pkg/m.py", SRC), ("tests/test_m.py", TEST)), "claude-opus-4-6", 2048)


def _client(server) -> AnthropicClient:  # type: ignore[no-untyped-def]
    return AnthropicClient(api_key="test-key", base_url=server.base_url, max_retries=0)


def test_a_fix_is_proposed_not_written(messages_server) -> None:  # type: ignore[no-untyped-def]
    messages_server.script([
        tool_use("read_file", {"path": "pkg/m.py"}),
        reply(tool_block("replace_in_file", {"path": "pkg/m.py", "old": "a + b + 1", "new": "a + b"}),
              tool_block("done", {"summary": "drop the stray + 1"})),
    ])
    proposal = propose_fix(_client(messages_server), _job())
    assert proposal.error == "" and proposal.summary == "drop the stray + 1"
    assert proposal.files == (("pkg/m.py", b"def add(a, b):\n    return a + b\n"),)
    first, second = messages_server.message_requests()
    sent = "\n".join(block["text"] for block in first["messages"][0]["content"])
    assert "tests.test_m::test_add" in sent and "AssertionError: assert 4 == 3" in sent and "+    return a + b + 1" in sent
    assert "Files you may edit: pkg/m.py, tests/test_m.py" in sent
    assert "tool_choice" not in first
    assert second["messages"][-1]["content"][0]["content"] == SRC.decode()
    assert [e.role for e in proposal.exchanges] == ["reviewer", "reviewer"]


def test_a_fix_that_deletes_the_test_is_refused_and_explained(messages_server) -> None:  # type: ignore[no-untyped-def]
    messages_server.script([
        reply(tool_block("replace_in_file", {"path": "tests/test_m.py", "old": "def test_add():\n    assert add(1, 2) == 3\n", "new": ""}),
              tool_block("done", {"summary": "removed the failing test"})),
        reply(tool_block("replace_in_file", {"path": "pkg/m.py", "old": " + 1", "new": ""}), tool_block("done", {"summary": "real fix"})),
    ])
    proposal = propose_fix(_client(messages_server), _job())
    assert [(v.kind, v.detail) for v in proposal.violations] == [("test-deleted", "deletes test test_add")]
    assert proposal.files == (("pkg/m.py", b"def add(a, b):\n    return a + b\n"),)  # the deletion was discarded
    explained = messages_server.message_requests()[1]["messages"][-1]["content"]
    done_result = [r for r in explained if r.get("is_error") and "refused" in r["content"]]
    assert done_result and "deletes test test_add" in done_result[0]["content"]


def test_only_the_phase_files_can_be_touched_and_refusals_are_bounded(messages_server) -> None:  # type: ignore[no-untyped-def]
    skip = {"path": "tests/test_m.py", "old": "def test_add", "new": "import pytest\n@pytest.mark.skip\ndef test_add"}
    messages_server.script([
        tool_use("read_file", {"path": "setup.py"}),
        reply(tool_block("replace_in_file", skip), tool_block("done", {"summary": "skip"})),
        reply(tool_block("replace_in_file", skip), tool_block("done", {"summary": "skip"})),
        reply(tool_block("replace_in_file", skip), tool_block("done", {"summary": "skip"})),
    ])
    proposal = propose_fix(_client(messages_server), _job())
    assert proposal.refused_paths == 1 and proposal.files == ()
    assert proposal.error_kind == "refused" and "adds a skip or xfail" in proposal.error
    assert [v.kind for v in proposal.violations] == ["skip-added"] * 3
    assert "outside the files of this task" in messages_server.message_requests()[1]["messages"][-1]["content"][0]["content"]


def test_clusters_of_one_round_share_the_cached_system_prompt_and_diff(messages_server) -> None:  # type: ignore[no-untyped-def]
    messages_server.script(lambda body: reply(tool_block("replace_in_file", {"path": "pkg/m.py", "old": "a + b + 1", "new": "a + b"}),
                                              tool_block("done", {"summary": "drop the stray + 1"})))
    other = cluster_failures([Failure("unit", "tests.test_m::test_sub", "tests/test_m.py", 9, "TypeError", "bad operand", "E TypeError")])[0]
    diff = "".join(f"+    line {n} of a long phase diff\n" for n in range(400))
    job = _job()
    proposals = [propose_fix(_client(messages_server), FixJob(job.phase, 1, cluster, diff, job.files, job.model, job.max_tokens))
                 for cluster in (CLUSTER, other)]
    first, second = messages_server.message_requests()
    assert [b.get("cache_control") for b in first["system"]] == [{"type": "ephemeral"}]
    assert first["messages"][0]["content"][0]["text"] == second["messages"][0]["content"][0]["text"]  # the diff
    assert "test_sub" in second["messages"][0]["content"][1]["text"]
    (one,), (two,) = (p.exchanges for p in proposals)
    assert one.cache_read_input_tokens == 0 and one.cache_creation_input_tokens > 3000
    assert two.cache_read_input_tokens > 3000  # tools, system prompt and the 400-line diff read from the cache
