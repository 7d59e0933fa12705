"""The fix loop's model part: one failure cluster in, proposed file contents out (never written here).

The orchestrator model (``model.reviewer``, else ``model.name``) gets the cluster's
failures as structured data and the phase's diff, and edits through the same tools as
the gap worker (``read_file``, ``replace_in_file``, ``done``), confined to the files the
phase changed. When it calls ``done`` its edits are validated: each file must re-parse
and pass the reward-hacking guard; otherwise the reasons go back to it, a bounded
number of times. The driver applies, journals and re-checks what comes back.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.model.client import ModelClient, ModelError, ModelReply, ModelRequest, canonical
from runner.model.clusters import Cluster
from runner.model.gap_request import CACHED, continue_request
from runner.model.guard import Violation, guard_fix
from runner.model.jobs import Exchange
from runner.model.tools import TOOLS, ToolBox

SYSTEM = (
    "A batch code migration changed some files and the repository's checks now fail. You fix the cause. "
    "You see one cluster of failures that share a cause, and the diff the migration made. Edit only the "
    "files the migration changed, with the tools: read_file, replace_in_file (an exact, unique substring), "
    "then done. Keep the migration's intent; fix the code, never the tests' expectations: deleting tests, "
    "skipping them or weakening asserts is refused."
)
MAX_TURNS = 12  #: requests in one cluster's conversation
MAX_DIFF_CHARS = 40_000
MAX_LISTED = 10


@dataclass(frozen=True, slots=True)
class FixJob:
    """One fix request: a failure cluster of a phase's checks, the phase's diff and files, the model and its limits."""

    phase: str
    round: int  #: 1-based fix round
    cluster: Cluster
    diff: str  #: the phase's diff
    files: tuple[tuple[str, bytes], ...]  #: the files the phase changed, as they are now
    model: str
    max_tokens: int = 4096
    max_validations: int = 3  #: ``done`` calls whose edits fail validation before giving up
    params: str = "{}"


@dataclass(frozen=True, slots=True)
class FixProposal:
    """What the model proposes for one cluster. Never raised, always returned."""

    cluster: str  #: the cluster's key
    files: tuple[tuple[str, bytes], ...]  #: new contents of the files it changed (validated)
    summary: str = ""
    exchanges: tuple[Exchange, ...] = ()
    violations: tuple[Violation, ...] = ()  #: refused attempts (reward hacking, non-parsing edits)
    refused_paths: int = 0
    error: str = ""  #: why nothing is proposed (budget spent, gave up, no edit)
    error_kind: str = ""


def fix_request(job: FixJob) -> ModelRequest:
    """The first request for a cluster. Three prompt-cache breakpoints: the system prompt
    (shared by every cluster of every phase), the phase's diff (shared by the clusters of
    one round) and the cluster (shared by the turns of its conversation)."""
    content = [{"type": "text", "text": diff_text(job), "cache_control": CACHED},
               {"type": "text", "text": describe_job(job), "cache_control": CACHED}]
    return ModelRequest(
        model=job.model, max_tokens=job.max_tokens,
        system=canonical([{"type": "text", "text": SYSTEM, "cache_control": CACHED}]),
        messages=canonical([{"role": "user", "content": content}]),
        tools=canonical(TOOLS), params=job.params, role="reviewer",
    )


def diff_text(job: FixJob) -> str:
    """The phase's diff as the model reads it (cut at ``MAX_DIFF_CHARS``); the same for
    every cluster of the phase, so it comes first in the prompt."""
    diff = job.diff if len(job.diff) <= MAX_DIFF_CHARS else job.diff[:MAX_DIFF_CHARS] + "\n… (diff cut)\n"
    return "\n".join([f"Phase `{job.phase}`: the migration's diff:", "```diff", diff.rstrip(), "```"])


def describe_job(job: FixJob) -> str:
    """The round, the cluster, its failures (structured) and the editable files, as text."""
    c = job.cluster
    lines = [f"Phase `{job.phase}`, fix round {job.round}. Failure cluster `{c.key}`: {c.signature}",
             f"{len(c.failures)} failing test(s) share it:"]
    for f in c.failures[:MAX_LISTED]:
        where = f" at {f.file}:{f.line}" if f.file else ""
        lines.append(f"- {f.test_id} (check `{f.check}`){where}: {f.exception or 'failure'}: {f.message}")
    if len(c.failures) > MAX_LISTED:
        lines.append(f"- … and {len(c.failures) - MAX_LISTED} more")
    if c.example.tail:
        lines += ["", f"Output of {c.example.test_id}:", "```", c.example.tail, "```"]
    lines += ["", "Files you may edit: " + ", ".join(p for p, _ in job.files)]
    return "\n".join(lines)


def propose_fix(client: ModelClient, job: FixJob) -> FixProposal:
    """Talk the cluster through with the model; the validated edits it ends with, or why there are none."""
    box = ToolBox(dict(job.files), writable=frozenset(p for p, _ in job.files))
    request = fix_request(job)
    exchanges: list[Exchange] = []
    violations: list[Violation] = []
    for turn in range(1, MAX_TURNS + 1):
        try:
            reply = client.create(request)
        except ModelError as exc:
            return _none(job, exchanges, violations, box, str(exc), exc.kind)
        exchanges.append(Exchange.of(reply, job.round, "reviewer"))
        results, finished = _answer(reply, box, job, violations)
        if finished is not None:
            return FixProposal(job.cluster.key, box.changed(), finished, tuple(exchanges), tuple(violations), box.refused)
        if sum(1 for v in violations if v.kind != "no-edit") >= job.max_validations:
            return _none(job, exchanges, violations, box, "every proposed fix was refused: "
                         + "; ".join(v.explain() for v in violations[-3:]), "refused")
        request = continue_request(request, reply, results)
    return _none(job, exchanges, violations, box, f"no fix after {MAX_TURNS} requests", "no-fix")


def _answer(reply: ModelReply, box: ToolBox, job: FixJob, violations: list[Violation]) -> tuple[list[dict[str, Any]], str | None]:
    """Tool results for the reply's calls; the summary when ``done`` was accepted."""
    uses = reply.tool_uses()
    if not uses:
        why = "the answer hit max_tokens" if reply.stop_reason == "max_tokens" else "the answer used no tool"
        return [{"type": "text", "text": f"{why}; edit with replace_in_file, then call done."}], None
    results = []
    finished = None
    for use in uses:
        if use.get("name") == "done":
            problems = _validate(box, job)
            violations.extend(problems)
            if problems:
                text = "refused: " + "; ".join(v.explain() for v in problems) + ". Your edits were discarded; fix the code, not the tests."
                results.append(_result(use, text, True))
                box.reset()
                continue
            finished = str((use.get("input") or {}).get("summary", ""))
            results.append(_result(use, "accepted", False))
        else:
            text, is_error = box.call(str(use.get("name")), use.get("input") or {})
            results.append(_result(use, text, is_error))
    return results, finished


def _validate(box: ToolBox, job: FixJob) -> list[Violation]:
    changed = dict(box.changed())
    if not changed:
        return [Violation("no-edit", "", "done was called without any edit")]
    return list(guard_fix(dict(job.files), changed))


def _result(use: dict[str, Any], text: str, is_error: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "tool_result", "tool_use_id": use.get("id", ""), "content": text}
    if is_error:
        out["is_error"] = True
    return out


def _none(job: FixJob, exchanges: list[Exchange], violations: list[Violation], box: ToolBox, error: str, kind: str) -> FixProposal:
    return FixProposal(job.cluster.key, (), "", tuple(exchanges), tuple(violations), box.refused, error, kind)

