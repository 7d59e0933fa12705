"""``gate: {review: model}``: the reviewer judges each subtask's diff before the phase writes.

A rejected subtask (or one left without a verdict: budget spent, no valid answer) is
not written: the stored phase record marks it ``rejected`` with the reasons, so the
write step, status, report and rollback all see the same thing. The approved ones are
written and checked as usual; the gate then stops before the next phase unless
``on_reject: continue`` (``batchmod approve PHASE`` accepts the rejections).
"""
from __future__ import annotations

import time
from dataclasses import replace

from runner.errors import InputError
from runner.execution.context import RunContext
from runner.execution.records import PhasePlanRecord, ReviewOutcome, SubtaskRecord
from runner.execution.store import RunFolder
from runner.model.client import ModelClient
from runner.model.jobs import Exchange
from runner.model.review import ReviewItem, Verdict, review_subtask, select_for_review
from runner.planning.plan import file_change

SUMMARY_ROWS = 30  #: one screen


def needs_review(ctx: RunContext, name: str) -> bool:
    """The phase asks for a model review and it has not been made yet."""
    return ctx.spec(name).gate.review == "model" and ctx.phase_state(name).review is None


def phase_client(ctx: RunContext, name: str) -> ModelClient:
    """The client the phase's model calls go through (cassette, budget); the commands built it."""
    access = ctx.model.phases if ctx.model is not None else None
    if access is None or access.client_for_phase is None:
        raise InputError(f"phase {name} needs the model (review or fix) but the run has none; "
                         "give the `model:` section provider anthropic or replay")
    return access.client_for_phase(ctx.spec(name))


def review_phase(ctx: RunContext, name: str, client: ModelClient) -> ReviewOutcome:
    """Review the phase's writable subtasks; store the verdicts in the phase record and state."""
    started = time.monotonic()
    spec, record = ctx.spec(name), ctx.record(name)
    model = ctx.loaded.playbook.model
    assert model is not None  # validate refuses review: model without a model section
    items = [ReviewItem(s.id, ctx.loaded.playbook.task_type(s.type), subtask_diff(ctx.folder, s), made_by_model(s))
             for s in record.writable()]
    chosen = select_for_review(items, spec.gate.review_on, spec.gate.review_sample)
    summary = plan_summary(record)
    ctx.io.notify(f"phase {name}: the model reviews {len(chosen)} of {len(items)} subtask(s)")
    verdicts: list[Verdict] = []
    spent = ""
    for item in chosen:
        if spent:  # no more calls: the rest stays unreviewed, hence unwritten
            verdicts.append(Verdict(item.subtask_id, "none", error=f"not reviewed: {spent}", error_kind="budget"))
            continue
        verdict = review_subtask(client, item, summary, model.reviewer_model, model.reviewer_tokens,
                                 model.max_attempts, model.params_json)
        spent = verdict.error if verdict.error_kind == "budget" else ""
        verdicts.append(verdict)
        _journal(ctx, name, verdict)
    outcome = _outcome(verdicts, len(items) - len(chosen), time.monotonic() - started)
    ctx.folder.save_phase(apply_verdicts(record, verdicts))
    ctx.save_phase(replace(ctx.phase_state(name), review=outcome))
    ctx.io.notify(f"phase {name}: review approved {outcome.approved}, rejected {len(outcome.rejected)}"
                  + (f" ({outcome.note})" if outcome.note else ""))
    return outcome


def apply_verdicts(record: PhasePlanRecord, verdicts: list[Verdict]) -> PhasePlanRecord:
    """The record with every subtask not approved marked ``rejected`` (its reasons kept), and the
    files only they would have written dropped from the phase's files."""
    refused = {v.subtask_id: v for v in verdicts if v.verdict != "approve"}
    subtasks, held = [], {}  # held: file → the rejected subtask whose edit a later one builds on
    for s in record.subtasks:
        paths = {d.path for d in s.deltas}
        blocker = next((held[p] for p in sorted(paths) if p in held), None)
        if s.id in refused:
            s = _rejected(s, refused[s.id])
        elif blocker is not None and s.writable:
            s = replace(s, status="rejected", review=(f"builds on {blocker}, which the review rejected (same file)",))
        if s.status == "rejected":
            held.update({p: s.id for p in paths})
        subtasks.append(s)
    written = {d.path for s in subtasks if s.writable for d in s.deltas}
    preimages = tuple((p, h) for p, h in record.preimages if p in written)
    return replace(record, subtasks=tuple(subtasks), preimages=preimages, changed_files=tuple(sorted(written)))


def _rejected(s: SubtaskRecord, verdict: Verdict) -> SubtaskRecord:
    reasons = tuple(r.render() for r in verdict.reasons) or (verdict.error or "rejected without a reason",)
    return replace(s, status="rejected", review=reasons)


def subtask_diff(folder: RunFolder, s: SubtaskRecord) -> str:
    """The subtask's own diff (not whole files), from the contents stored when the phase was planned."""
    return "".join(file_change(d.path, folder.blob(d.pre), folder.blob(d.post)).diff for d in s.deltas)


def made_by_model(s: SubtaskRecord) -> bool:
    """Some of the subtask's edit came from the model (a ``model`` transform, or gaps it filled)."""
    return s.transform == "model" or (s.model is not None and bool(s.model.files))


def plan_summary(record: PhasePlanRecord) -> str:
    """One screen: the phase's subtasks with their line counts and gaps."""
    writable = record.writable()
    lines = [f"# The plan of phase `{record.phase}`: {len(record.subtasks)} subtask(s), {len(writable)} to write, "
             f"{len(record.changed_files)} file(s)"]
    for s in writable[:SUMMARY_ROWS]:
        added, removed = sum(d.added for d in s.deltas), sum(d.removed for d in s.deltas)
        lines.append(f"- {s.id} ({s.type}): +{added} -{removed}" + (f", {len(s.gaps)} gap(s) left" if s.gaps else ""))
    if len(writable) > SUMMARY_ROWS:
        lines.append(f"- … and {len(writable) - SUMMARY_ROWS} more")
    return "\n".join(lines)


def _outcome(verdicts: list[Verdict], not_sampled: int, seconds: float) -> ReviewOutcome:
    approved = sum(1 for v in verdicts if v.verdict == "approve")
    notes = sorted({v.error for v in verdicts if v.error})
    exchanges = [e for v in verdicts for e in v.exchanges if not e.replayed]
    return ReviewOutcome(
        reviewed=len(verdicts), approved=approved, rejected=tuple(v.subtask_id for v in verdicts if v.verdict != "approve"),
        not_sampled=not_sampled, note="; ".join(notes[:3]), seconds=round(seconds, 3),
        calls=sum(e.calls for e in exchanges),
        tokens=sum(e.input_tokens + e.output_tokens + e.cache_creation_input_tokens + e.cache_read_input_tokens for e in exchanges),
    )


def _journal(ctx: RunContext, name: str, verdict: Verdict) -> None:
    ctx.journal.append(
        "review", phase=name, subtask=verdict.subtask_id, verdict=verdict.verdict,
        reasons=[r.render() for r in verdict.reasons], error=verdict.error, exchanges=exchanges_json(verdict.exchanges),
    )


def exchanges_json(exchanges: tuple[Exchange, ...]) -> list[dict[str, object]]:
    """Model exchanges as the journal keeps them (the report's funnel reads them back)."""
    return [{"key": e.request_key, "model": e.model, "input": e.input_tokens, "output": e.output_tokens,
             "cache_write": e.cache_creation_input_tokens, "cache_read": e.cache_read_input_tokens,
             "calls": e.calls, "replayed": e.replayed} for e in exchanges]
