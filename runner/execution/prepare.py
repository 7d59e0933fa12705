"""Plan one phase on the current tree and store everything its writes need, before any write.

Nothing is written to the tree here. The phase is refused (the run stops, exit 1) when
it would exceed the phase or the run budget, or when a file it changes is no longer
what the run last left there (edited by hand in between: a conflict).
"""
from __future__ import annotations

import time
from dataclasses import replace

from runner.adapters.workspace import sha256_bytes
from runner.execution.budget import run_budget_use
from runner.execution.context import RunContext, run_again
from runner.execution.journal import ConflictError, refuse_read_only
from runner.execution.records import FileDelta, GapRecord, ModelExchange, PhasePlanRecord, Stop, SubtaskModel, SubtaskRecord
from runner.execution.saved_plan import note_pruned
from runner.planning.dryrun import PlanOptions, plan_playbook
from runner.planning.plan import BudgetUse, PhaseResult, Plan, SubtaskResult
from runner.planning.select import list_candidates
from runner.planning.shard import parse_shard
from runner.planning.targets import Targets


def prepare_phase(ctx: RunContext, name: str) -> Stop | None:
    """pending → planned: plan, budget, conflicts, then store pre-images, contents and the record.

    Returns the Stop when the phase would exceed a budget (journaled, nothing stored).
    Raises ConflictError for a file changed by hand; InputError when model answers are
    missing and no key is set. Writes only under ``.batchmod/`` (objects, diff, record,
    journal, state), never the tree.
    """
    started = time.monotonic()
    plan = _plan_phase(ctx, name)
    result = plan.phases[0]
    seconds = time.monotonic() - started
    overshoots = replace(plan, budget=_run_budget_with(ctx, result)).overshoots()
    if overshoots:
        ctx.journal.append("budget_exceeded", phase=name, lines=overshoots)
        return Stop("; ".join(overshoots) + "; nothing of this phase was written", "edit the playbook's budget or globs, then " + run_again(ctx.state))
    _refuse_hand_edits(ctx, result)
    _journal_model(ctx, result)
    ps = ctx.phase_state(name)
    subtasks = tuple(_subtask_record(ctx, s) for s in result.subtasks)
    writable = {s.subtask.id for s, r in zip(result.subtasks, subtasks) if r.writable}
    preimages, diff = _store_contents(ctx, result, writable)
    _refuse_moved_preimages(ctx, name, preimages)
    record = PhasePlanRecord(
        phase=name,
        attempt=ps.attempt,
        subtasks=subtasks,
        preimages=tuple(sorted(preimages.items())),
        budget=result.budget,
        changed_files=tuple(sorted(preimages)),
        model_budget_spent=result.model_budget_spent,
        rules=result.rules,
    )
    ctx.folder.write_text(f"diffs/{name}.diff", diff)
    ctx.folder.save_phase(record)
    ctx.journal.append(
        "phase_planned", phase=name, attempt=ps.attempt, files=list(record.changed_files),
        preimages=[{"path": p, "sha256": h} for p, h in record.preimages],
        subtasks=[{"id": s.id, "status": s.status, "writable": s.writable} for s in subtasks],
    )
    planned = replace(ps, state="planned", plan_seconds=ps.plan_seconds + seconds)
    ctx.save(replace(ctx.state, plan_seconds=ctx.state.plan_seconds + seconds).with_phase(planned))
    ctx.io.notify(f"phase {name}: planned {len(subtasks)} subtasks, {len(writable)} to write, {len(preimages)} files")
    return None


def _plan_phase(ctx: RunContext, name: str) -> Plan:
    """The plan of phase ``name`` on the tree as it is now, with the run's options (shard, subtasks, targets)."""
    model = ctx.model.phases if ctx.model else None
    only = ctx.state.options.plan_subtasks
    shard = parse_shard(ctx.state.options.shard) if ctx.state.options.shard else None
    options = PlanOptions(ctx.root, phase=name, jobs=ctx.jobs, executor=ctx.executor, model=model, shard=shard,
                          subtask_ids=frozenset(only) if only is not None else None,
                          targets=Targets(ctx.state.options.only, ctx.state.options.skip, strict=False))
    plan = plan_playbook(ctx.loaded, options, ctx.io.progress, list_candidates(ctx.root))
    note_pruned(plan, ctx.io.notify)
    if ctx.model is not None:
        ctx.model.refuse_unanswerable(plan)  # the phase stays pending; nothing of it is written
    return plan


def _store_contents(ctx: RunContext, result: PhaseResult, writable: set[str]) -> tuple[dict[str, str], str]:
    """Store each writable subtask's before and after contents; the pre-images (path → sha256) and the phase's diff."""
    preimages: dict[str, str] = {}
    diff = []
    for s in result.subtasks:
        if s.subtask.id not in writable:
            continue
        transform = ctx.loaded.playbook.task_type(s.subtask.type).transform
        for change in s.changes:
            if change.path not in preimages:
                preimages[change.path] = ctx.folder.put_preimage(change.before)
            ctx.folder.put_blob(change.after)
        for made_by, change in s.attributed_changes(transform):  # a model hunk names its attempt and request
            diff.append(f"# subtask {s.subtask.id} ({made_by})\n{change.diff}")
    return preimages, "".join(diff)


def _subtask_record(ctx: RunContext, s: SubtaskResult) -> SubtaskRecord:
    return SubtaskRecord(
        id=s.subtask.id,
        task=s.subtask.task,
        type=s.subtask.type,
        transform=ctx.loaded.playbook.task_type(s.subtask.type).transform,
        status=s.status,
        files=s.subtask.files,
        deltas=tuple(FileDelta(c.path, sha256_bytes(c.before), sha256_bytes(c.after), c.added, c.removed) for c in s.changes),
        gaps=tuple(GapRecord(g.file, g.line, g.column, s.subtask.task, g.rule, g.reason, g.source) for g in s.gaps),
        errors=s.errors,
        on_gap=s.on_gap,
        model=_subtask_model(s),
        hunk_rules=s.hunk_rules,
    )


def _subtask_model(s: SubtaskResult) -> SubtaskModel | None:
    work = s.model
    if work is None:
        return None
    exchanges = tuple(
        ModelExchange(e.request_key, e.attempt, e.model, e.calls, e.replayed, e.input_tokens, e.output_tokens,
                      e.cache_creation_input_tokens, e.cache_read_input_tokens)
        for e in work.exchanges
    )
    return SubtaskModel(work.attempts, work.request_key, tuple(c.path for c in work.changes), len(work.filled),
                        exchanges, work.cost_usd, work.error, work.error_kind, work.refused_paths)


def _journal_model(ctx: RunContext, result: PhaseResult) -> None:
    """Every model exchange of the phase into events.jsonl, before anything of it is written."""
    for s in result.subtasks:
        work = s.model
        if work is None:
            continue
        ctx.journal.append(
            "model", phase=result.name, subtask=s.subtask.id, attempts=work.attempts, request_key=work.request_key,
            filled=len(work.filled), left=len(s.gaps), files=[c.path for c in work.changes], error=work.error,
            cost_usd=work.cost_usd,
            exchanges=[{"request_key": e.request_key, "attempt": e.attempt, "model": e.model, "calls": e.calls,
                        "replayed": e.replayed, "input_tokens": e.input_tokens, "output_tokens": e.output_tokens,
                        "cache_creation_input_tokens": e.cache_creation_input_tokens,
                        "cache_read_input_tokens": e.cache_read_input_tokens} for e in work.exchanges],
        )
    if result.model_budget_spent:
        ctx.journal.append("model_budget_spent", phase=result.name, reason=result.model_budget_spent)


def _refuse_hand_edits(ctx: RunContext, result: PhaseResult) -> None:
    """Files the phase changes must be as the run last left them (or as planned at its start)."""
    refuse_read_only([c.path for c in result.files], ctx.writer.abspath)
    expected = ctx.expected_hashes()
    written = ctx.journal.written_hashes()
    bad = []
    for change in result.files:
        want = expected.get(change.path)
        if want is not None and want != sha256_bytes(change.before):
            bad.append(change.path)
    if bad:
        since = "batchmod last wrote " + ("them" if len(bad) > 1 else "it") if any(p in written for p in bad) else "the run was planned"
        raise ConflictError(bad, f"conflict: {', '.join(bad)} changed by hand since {since}; phase {result.name} left {'them' if len(bad) > 1 else 'it'} untouched")


def _refuse_moved_preimages(ctx: RunContext, phase: str, preimages: dict[str, str]) -> None:
    """A pre-image is the file's bytes on disk now; anything else (edited while planning) is a conflict."""
    moved = [p for p, h in sorted(preimages.items()) if ctx.writer.disk_sha(p) != h]
    if moved:
        raise ConflictError(moved, f"conflict: {', '.join(moved)} changed while phase {phase} was planned; left untouched")


def _run_budget_with(ctx: RunContext, result: PhaseResult) -> tuple[BudgetUse, ...]:
    """The run's budget use if this phase is written after the phases already written."""
    written = []
    for ps in ctx.state.phases:
        record = ctx.folder.load_phase(ps.name) if ps.name != result.name and ps.state not in ("pending", "rolled_back") else None
        if record is not None:
            written.append((record.changed_files, record.budget))
    return run_budget_use(ctx.state.limits, [*written, ([c.path for c in result.files], result.budget)])


def plan_budget_stop(plan: Plan) -> str | None:
    """The refusal of a whole plan over its budgets ("…; nothing was written"), or None within them."""
    overshoots = plan.overshoots()
    return "; ".join(overshoots) + "; nothing was written" if overshoots else None
