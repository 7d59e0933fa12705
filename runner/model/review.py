"""The reviewer: one verdict per subtask, through the ``submit_review`` tool.

The reviewer (``model.reviewer``, else ``model.name``) sees the task's intent
(description, instructions, examples), a one-screen summary of the phase's plan and the
subtask's diff, never whole files. It answers by calling ``submit_review`` (offered
with ``tool_choice`` auto: current models refuse a forced tool choice); an answer
without a valid call is asked again, a bounded number of times. Nothing here writes:
the driver decides what a verdict means for the tree.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from runner.model.client import ModelClient, ModelError, ModelReply, ModelRequest, canonical
from runner.model.gap_request import continue_request
from runner.model.jobs import Exchange
from runner.playbook.spec import TaskTypeSpec

SYSTEM = (
    "You review the edits of an automated code migration before they are written to a repository. "
    "You see what the migration is meant to do, a summary of the phase, and one subtask's diff. "
    "Approve when the diff does what the task intends and keeps behaviour; reject when it changes "
    "behaviour, is incomplete in a way that breaks code, or does something the task does not ask for. "
    "Answer only by calling the submit_review tool once; tie every reason to a file and a line of the diff."
)

SUBMIT_REVIEW = {
    "name": "submit_review",
    "description": "Give the verdict on this subtask's diff.",
    "input_schema": {
        "type": "object",
        "properties": {
            "verdict": {"type": "string", "enum": ["approve", "reject"]},
            "reasons": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"file": {"type": "string"}, "line": {"type": "integer"}, "reason": {"type": "string"}},
                    "required": ["reason"],
                },
            },
        },
        "required": ["verdict"],
    },
}


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One subtask as the reviewer sees it."""

    subtask_id: str
    task: TaskTypeSpec
    diff: str  #: the subtask's unified diff (deterministic and model edits)
    model_edits: bool  #: some of the diff was written by the model


@dataclass(frozen=True, slots=True)
class Reason:
    """A reviewer's reason for rejecting a subtask, at a file and line when it named one."""

    file: str
    line: int
    reason: str

    def render(self) -> str:
        """``file:line: reason`` (or ``file: reason``, or just the reason when no place was named)."""
        where = f"{self.file}:{self.line}: " if self.file and self.line else f"{self.file}: " if self.file else ""
        return where + self.reason


@dataclass(frozen=True, slots=True)
class Verdict:
    """The reviewer's answer for one subtask. ``verdict``: approve | reject | none (no answer)."""

    subtask_id: str
    verdict: str
    reasons: tuple[Reason, ...] = ()
    exchanges: tuple[Exchange, ...] = ()
    error: str = ""  #: why there is no verdict (budget spent, no tool call after every ask)
    error_kind: str = ""  #: budget | replay-miss | transport | api | no-verdict


def sampled(subtask_id: str, fraction: float) -> bool:
    """Whether a subtask falls in a review sample of ``fraction``; stable: seeded by its id alone."""
    if fraction >= 1:
        return True
    point = int(hashlib.sha256(subtask_id.encode("utf-8")).hexdigest()[:8], 16) / 0x1_0000_0000
    return point < fraction


def select_for_review(items: list[ReviewItem], on: str, fraction: float) -> list[ReviewItem]:
    """The items to review: ``on`` is ``all`` or ``model-edits``; then the stable sample."""
    return [i for i in items if (on == "all" or i.model_edits) and sampled(i.subtask_id, fraction)]


def review_request(item: ReviewItem, summary: str, model: str, max_tokens: int, params: str = "{}") -> ModelRequest:
    """The first request for ``item``: intent and summary as a cached prefix, then the diff."""
    return ModelRequest(
        model=model, max_tokens=max_tokens,
        system=canonical([{"type": "text", "text": SYSTEM}]),
        messages=canonical([{"role": "user", "content": [
            {"type": "text", "text": _intent(item.task) + "\n\n" + summary, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": f"Subtask `{item.subtask_id}`. Its diff:\n\n```diff\n{item.diff.rstrip()}\n```"},
        ]}]),
        tools=canonical([SUBMIT_REVIEW]), params=params, role="reviewer",
    )


def review_subtask(client: ModelClient, item: ReviewItem, summary: str, model: str, max_tokens: int,
                   max_asks: int = 3, params: str = "{}") -> Verdict:
    """Ask for a verdict on ``item``; an answer without a valid ``submit_review`` call is asked again
    (up to ``max_asks`` requests in all). Never raises: a failed call is a Verdict with ``error``."""
    request = review_request(item, summary, model, max_tokens, params)
    exchanges: list[Exchange] = []
    problem = ""
    for attempt in range(1, max_asks + 1):
        try:
            reply = client.create(request)
        except ModelError as exc:
            return Verdict(item.subtask_id, "none", (), tuple(exchanges), str(exc), exc.kind)
        exchanges.append(Exchange.of(reply, attempt, "reviewer"))
        parsed, problem = parse_verdict(reply)
        if parsed is not None:
            verdict, reasons = parsed
            return Verdict(item.subtask_id, verdict, reasons, tuple(exchanges))
        request = _ask_again(request, reply, problem)
    return Verdict(item.subtask_id, "none", (), tuple(exchanges),
                   f"no verdict after {max_asks} asks: {problem}", "no-verdict")


def parse_verdict(reply: ModelReply) -> tuple[tuple[str, tuple[Reason, ...]] | None, str]:
    """((verdict, reasons), "") from a valid ``submit_review`` call, else (None, what was wrong)."""
    calls = [b for b in reply.tool_uses() if b.get("name") == "submit_review"]
    if not calls:
        if reply.stop_reason == "max_tokens":
            return None, "the answer hit max_tokens before calling submit_review"
        return None, "the answer did not call submit_review"
    data = calls[-1].get("input") or {}
    verdict = data.get("verdict")
    if verdict not in ("approve", "reject"):
        return None, f"submit_review verdict must be approve or reject, got {json.dumps(verdict)}"
    reasons = []
    for raw in data.get("reasons") or []:
        if isinstance(raw, dict) and str(raw.get("reason", "")).strip():
            line = raw.get("line")
            reasons.append(Reason(str(raw.get("file") or ""), line if isinstance(line, int) else 0, str(raw["reason"]).strip()))
    if verdict == "reject" and not reasons:
        return None, "a reject needs at least one reason (file, line, reason)"
    return (verdict, tuple(reasons)), ""


def _ask_again(request: ModelRequest, reply: ModelReply, problem: str) -> ModelRequest:
    """The conversation so far plus one user turn explaining what was wrong (tool calls answered)."""
    answers: list[dict[str, Any]] = [
        {"type": "tool_result", "tool_use_id": b["id"], "is_error": True, "content": problem}
        for b in reply.tool_uses() if b.get("id")
    ]
    if not answers:
        answers = [{"type": "text", "text": f"{problem}. Call submit_review with verdict approve or reject, and reasons."}]
    return continue_request(request, reply, answers)


def _intent(task: TaskTypeSpec) -> str:
    parts = [f"# The task: `{task.name}` (transform `{task.transform}`)"]
    if task.description:
        parts.append(task.description.strip())
    if task.instructions:
        parts.append("Instructions:\n" + task.instructions.strip())
    for ex in task.examples:
        parts.append(f"Example ({ex.name}):\nbefore:\n```python\n{ex.before.rstrip()}\n```\nafter:\n```python\n{ex.after.rstrip()}\n```")
    return "\n\n".join(parts)

