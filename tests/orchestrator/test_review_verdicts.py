"""The reviewer asks through the real SDK (local server): verdicts, asking again, sampling, budget errors."""
from __future__ import annotations

from runner.adapters.anthropic_api import AnthropicClient
from runner.model.client import ModelError, ModelReply, ModelRequest
from runner.model.review import ReviewItem, Reason, review_subtask, sampled, select_for_review
from runner.playbook.spec import Example, TaskTypeSpec
from tests.model_server import text, tool_use

TASK = TaskTypeSpec("pep604", "rewrite", description="PEP 604 unions.", instructions="Use X | Y.",
                    examples=(Example("x: Union[int, str]", "x: int | str", "union"),))
ITEM = ReviewItem("unions/pep604/pkg/a.py", TASK, "--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -1 +1 @@\n-x: Union[int, str]\n+x: int | str\n", False)


def _client(server) -> AnthropicClient:  # type: ignore[no-untyped-def]
    return AnthropicClient(api_key="test-key", base_url=server.base_url, max_retries=0)


def test_a_rejection_with_reasons_tied_to_lines(messages_server) -> None:  # type: ignore[no-untyped-def]
    messages_server.script([tool_use("submit_review", {"verdict": "reject", "reasons": [
        {"file": "pkg/a.py", "line": 1, "reason": "changes a runtime annotation on Python 3.8"}]})])
    verdict = review_subtask(_client(messages_server), ITEM, "phase unions: 1 subtask", "claude-opus-4-6", 1024)
    assert verdict.verdict == "reject"
    assert verdict.reasons == (Reason("pkg/a.py", 1, "changes a runtime annotation on Python 3.8"),)
    assert verdict.reasons[0].render() == "pkg/a.py:1: changes a runtime annotation on Python 3.8"
    (body,) = messages_server.message_requests()
    assert body["model"] == "claude-opus-4-6" and body["max_tokens"] == 1024
    assert "tool_choice" not in body  # offered, never forced
    assert [t["name"] for t in body["tools"]] == ["submit_review"]
    sent = "".join(b["text"] for b in body["messages"][0]["content"])
    assert "Use X | Y." in sent and "x: int | str" in sent and "phase unions: 1 subtask" in sent and "+x: int | str" in sent
    assert "cache_control" in body["messages"][0]["content"][0]
    assert [e.role for e in verdict.exchanges] == ["reviewer"]


def test_an_answer_without_the_tool_is_asked_again_then_given_up(messages_server) -> None:  # type: ignore[no-untyped-def]
    messages_server.script([text("Looks fine to me."), tool_use("submit_review", {"verdict": "approve"})])
    verdict = review_subtask(_client(messages_server), ITEM, "summary", "m", 256)
    assert verdict.verdict == "approve" and len(verdict.exchanges) == 2
    second = messages_server.message_requests()[1]["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "user"]
    assert "did not call submit_review" in second[2]["content"][0]["text"]

    messages_server.script([text("no"), tool_use("submit_review", {"verdict": "maybe"}), text("still no")])
    verdict = review_subtask(_client(messages_server), ITEM, "summary", "m", 256, max_asks=3)
    assert (verdict.verdict, verdict.error_kind) == ("none", "no-verdict")
    assert "no verdict after 3 asks" in verdict.error
    third = messages_server.message_requests()[-1]["messages"]
    assert third[-1]["content"][0]["type"] == "tool_result" and third[-1]["content"][0]["is_error"] is True


def test_a_reject_without_reasons_is_asked_again(messages_server) -> None:  # type: ignore[no-untyped-def]
    messages_server.script([tool_use("submit_review", {"verdict": "reject"}),
                            tool_use("submit_review", {"verdict": "reject", "reasons": [{"reason": "wrong"}]})])
    verdict = review_subtask(_client(messages_server), ITEM, "s", "m", 256)
    assert verdict.verdict == "reject" and verdict.reasons == (Reason("", 0, "wrong"),)


class _Spent:
    def create(self, request: ModelRequest) -> ModelReply:
        raise ModelError("budget", "max_model_calls is 3, all used", request.key())


def test_a_spent_budget_is_no_verdict_not_a_traceback() -> None:
    verdict = review_subtask(_Spent(), ITEM, "s", "m", 256)
    assert (verdict.verdict, verdict.error_kind, verdict.error) == ("none", "budget", "max_model_calls is 3, all used")


def test_sampling_is_stable_and_about_the_fraction() -> None:
    ids = [f"lib/t/pkg/m{i}.py" for i in range(400)]
    picked = [i for i in ids if sampled(i, 0.25)]
    assert picked == [i for i in ids if sampled(i, 0.25)]  # same ids, same sample
    assert 70 <= len(picked) <= 130
    assert set(i for i in ids if sampled(i, 0.1)) <= set(picked)  # a smaller sample is a subset
    items = [ReviewItem(i, TASK, "", n % 2 == 0) for n, i in enumerate(ids[:10])]
    assert [i.subtask_id for i in select_for_review(items, "model-edits", 1.0)] == ids[:10:2]
    assert len(select_for_review(items, "all", 1.0)) == 10
