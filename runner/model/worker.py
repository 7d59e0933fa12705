"""The gap worker: a bounded loop of request → reply → tool results that proposes edits.

The worker gets a ``GapJob`` (the subtask's files after the deterministic edits, its
gaps, the task) and returns a ``GapFill`` — new file contents held in memory, never
written. The model edits through the tools of ``runner.model.tools``; for the gaps of a
deterministic task only the statements around the gap sites are editable
(``runner.model.scope``), for ``transform: model`` the whole files.

An *attempt* ends with a ``done`` whose edits fail validation, or with an answer that
cannot count as work: no tool call, a ``max_tokens`` stop, a refusal, a malformed tool
call (unknown tool, input missing or not text; the well-formed calls beside it still run). Each failure is
explained back to the model as the next turn; after ``max_attempts`` of them the gaps
stay reported with the last error. Tool errors (text not found, a path outside the
subtask, an edit outside the regions) are answered within the attempt. The number of
requests is bounded too (``max_turns``, default 6 per attempt).

On ``done`` every edited file must re-parse with libcst, the task's ``expect_absent``
must hold in the edited regions, and the driver's ``check(path, bytes)`` (e.g. a second
deterministic pass is a no-op) must return no error. A ``done`` without any edit ends
the job: the model found nothing to change, the gaps stay reported with its summary.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import libcst as cst

from runner.model.client import ModelClient, ModelError, ModelReply, ModelRequest
from runner.model.gap_request import continue_request, first_request
from runner.model.jobs import Exchange, GapFill, GapJob
from runner.model.scope import gap_regions, import_violations, region_of, whole_file
from runner.model.tools import Sandbox
from runner.transforms.base import Gap
from runner.transforms.engine import find_absent_violations
from runner.transforms.validation import parse_python

Check = Callable[[str, bytes], tuple[str, ...]]
TURNS_PER_ATTEMPT = 6


def fill_gaps(job: GapJob, client: ModelClient, check: Check | None = None) -> GapFill:
    """Ask the model to close ``job``'s gaps; the validated edits come back in ``GapFill.files``.

    Never raises: a client error (budget spent, replay miss, API gave up) ends the job with
    ``error``/``error_kind`` set and every gap left; so does an unexpected failure here.
    """
    try:
        return _GapRun(job, client, check).run()
    except _Unusable as exc:
        return _unfilled(job, str(exc), "input")
    except Exception as exc:  # the contract is "never raises": a bug fails this job only
        return _unfilled(job, f"internal error in the gap worker: {type(exc).__name__}: {exc}", "internal")


def fill_gaps_many(jobs: Sequence[GapJob], client: ModelClient,
                   check_for: Callable[[GapJob], Check | None] | None = None,
                   concurrency: int = 4) -> list[GapFill]:
    """``fill_gaps`` for every job, ``concurrency`` at a time; results in job order."""
    def one(job: GapJob) -> GapFill:
        try:
            check = check_for(job) if check_for is not None else None
        except Exception as exc:
            return _unfilled(job, f"internal error preparing the check: {type(exc).__name__}: {exc}", "internal")
        return fill_gaps(job, client, check)

    if concurrency <= 1 or len(jobs) <= 1:
        return [one(job) for job in jobs]
    pool = ThreadPoolExecutor(max_workers=min(concurrency, len(jobs)), thread_name_prefix="gap-worker")
    try:
        futures = [pool.submit(one, job) for job in jobs]
        return [future.result() for future in futures]
    finally:
        # on an interrupt, jobs not started are dropped rather than run to the end
        pool.shutdown(wait=True, cancel_futures=True)


def opening_request(job: GapJob) -> ModelRequest:
    """The first request ``fill_gaps`` sends for ``job`` (for batches, forecasts, cassette checks).

    Raises ``ValueError`` when a file of the job is not UTF-8 (the job is not asked at all).
    """
    try:
        sandbox = _sandbox_for(job)
    except _Unusable as exc:
        raise ValueError(str(exc)) from None
    return first_request(job, sandbox.files, sandbox.regions)


class _Unusable(Exception):
    """The job cannot be shown to the model (a file that is not UTF-8)."""


def _sandbox_for(job: GapJob) -> Sandbox:
    """The job's files decoded, with their editable regions (around the gaps, or whole files)."""
    texts = {path: _decode(path, data) for path, data in job.files}
    context = {path: _decode(path, data) for path, data in job.context}
    if job.gaps:
        regions = {path: gap_regions(path, text, job.gaps) for path, text in texts.items()}
    else:
        regions = {path: whole_file(path) for path in texts}
    return Sandbox(texts, context, regions)


class _GapRun:
    """One job's conversation; all state is in memory."""

    def __init__(self, job: GapJob, client: ModelClient, check: Check | None) -> None:
        self.job, self.client, self.check = job, client, check
        self.sandbox = _sandbox_for(job)
        regions = self.sandbox.regions
        self.gap_regions = [(gap, region_of(regions.get(gap.file, []), gap.line, gap.line)) for gap in job.gaps]
        self.exchanges: list[Exchange] = []
        self.attempt = 1
        self.last_error = ""
        self.failures: list[str] = []  #: why each failed attempt failed, in order
        self.summary = ""

    def run(self) -> GapFill:
        request = first_request(self.job, self.sandbox.files, self.sandbox.regions)
        max_turns = self.job.max_turns or self.job.max_attempts * TURNS_PER_ATTEMPT
        for _ in range(max_turns):
            try:
                reply = self.client.create(request)
            except ModelError as exc:
                return self._outcome(error=str(exc), kind=exc.kind)
            self.exchanges.append(Exchange.of(reply, self.attempt, "worker"))
            answer, verdict = self._answer(reply)
            if verdict == "accepted":
                return self._outcome(files=self.sandbox.edited())
            if verdict == "no-edit":
                return self._outcome(why="the model changed nothing" + (f": {self.summary}" if self.summary else ""))
            if verdict == "failed":
                self.failures.append(self.last_error)
                if self.attempt >= self.job.max_attempts:
                    return self._outcome(why=f"not filled after {self.attempt} attempt(s): {self._failures()}")
                self.attempt += 1
            request = continue_request(request, reply, answer)
        last = f": {self.last_error}" if self.last_error else ""
        return self._outcome(why=f"no accepted done within {max_turns} requests{last}")

    def _failures(self) -> str:
        """Each failed attempt's reason, numbered when there were several (for the people's queue)."""
        if len(self.failures) == 1:
            return self.failures[0]
        return "; ".join(f"attempt {n}: {why}" for n, why in enumerate(self.failures, start=1))

    # one reply ------------------------------------------------------------------

    def _answer(self, reply: ModelReply) -> tuple[list[dict[str, Any]], str]:
        """(the next user turn, verdict): continue | failed | accepted | no-edit."""
        uses = [u for u in reply.tool_uses() if u.get("id")]
        problem = _unusable_stop(reply)
        if problem is None and not uses:
            problem = "the answer called no tool"
        if problem is not None:
            self.last_error = problem
            answer = [_result(u, f"not run: {problem}", True) for u in uses]
            return answer + [_text(f"{problem}. Edit with replace_in_file, then call done; answer with "
                                   "tool calls only.")], "failed"
        answer: list[dict[str, Any]] = []
        verdict, malformed = "continue", ""
        for use in uses:
            if verdict != "continue":
                answer.append(_result(use, "not run: it came after done", True))
            elif use.get("name") == "done":
                verdict, message = self._done(use.get("input"))
                answer.append(_result(use, message, verdict == "failed"))
            else:
                result = self.sandbox.run(str(use.get("name")), use.get("input"))
                answer.append(_result(use, result.text, result.is_error))
                malformed = malformed or (result.text if result.malformed else "")
        if verdict == "continue" and malformed:
            self.last_error = f"a malformed tool call: {malformed}"
            verdict = "failed"
        return answer, verdict

    def _done(self, args: Any) -> tuple[str, str]:
        summary = args.get("summary") if isinstance(args, dict) else None
        self.summary = summary.strip().splitlines()[0] if isinstance(summary, str) and summary.strip() else ""
        edited = self.sandbox.edited()
        if not edited:
            return "no-edit", "nothing was edited"
        errors = self._validate(edited)
        if errors:
            self.last_error = "; ".join(errors)
            listing = "\n".join(f"- {e}" for e in errors)
            return "failed", f"The edits do not pass the checks:\n{listing}\nFix them, then call done again."
        return "accepted", "accepted"

    def _validate(self, edited: dict[str, str]) -> list[str]:
        errors: list[str] = []
        for path, text in edited.items():
            data = text.encode("utf-8")
            try:
                tree = parse_python(data)
            except cst.ParserSyntaxError as exc:
                errors.append(f"{path}:{exc.raw_line}:{exc.raw_column + 1}: does not parse: {exc.message}")
                continue
            regions = self.sandbox.regions.get(path, [])
            errors += import_violations(path, text, regions)
            errors += [f"{path}:{g.line}:{g.column}: {g.reason}"
                       for g in find_absent_violations(self.job.spec, tree, data, path)
                       if region_of(regions, g.line, g.line) is not None]
            if self.check is not None:
                errors += [e if e.startswith(path) else f"{path}: {e}" for e in self.check(path, data)]
        return errors

    # the outcome ----------------------------------------------------------------

    def _outcome(self, files: dict[str, str] | None = None, why: str = "", error: str = "",
                 kind: str = "") -> GapFill:
        filled, left = [], []
        for gap, region in self.gap_regions:
            if files and region is not None and region.touched:
                filled.append(gap)
            else:
                reason = error or why or ("left unchanged by the model" + (f": {self.summary}" if self.summary else ""))
                if region is None:
                    reason = "its file is not one of the subtask's files"
                left.append(_with_reason(gap, reason))
        order = [path for path, _ in self.job.files]
        new_files = tuple((p, files[p].encode("utf-8")) for p in order if files and p in files)
        return GapFill(self.job.subtask_id, new_files, tuple(filled), tuple(left), tuple(self.exchanges),
                       attempts=self.attempt if self.exchanges else 0, refused_paths=self.sandbox.refused_paths,
                       error=error, refused_edits=self.sandbox.refused_edits, error_kind=kind,
                       summary=self.summary)


def _unusable_stop(reply: ModelReply) -> str | None:
    if reply.stop_reason == "max_tokens":
        return "the answer was cut off at max_tokens; make smaller edits, one replace_in_file at a time"
    if reply.stop_reason == "refusal":
        return "the model declined to answer (refusal)"
    return None


def _result(use: dict[str, Any], text: str, is_error: bool) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": use["id"], "content": text}
    if is_error:
        block["is_error"] = True
    return block


def _text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def _with_reason(gap: Gap, why: str) -> Gap:
    return replace(gap, reason=f"{gap.reason} — model: {why}")


def _decode(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unusable(f"{path}: not UTF-8 (byte {exc.start}); the model is not asked about it") from None


def _unfilled(job: GapJob, why: str, kind: str) -> GapFill:
    return GapFill(job.subtask_id, (), (), tuple(_with_reason(g, why) for g in job.gaps), error=why, error_kind=kind)
