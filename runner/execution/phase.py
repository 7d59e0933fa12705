"""The phase loop: plan → write → format → checks → gate (→ bisect / rollback) → commit.

Each step moves the phase to its next state and saves it; a step that is cut short
(Ctrl-C, kill -9, power loss) is done again on resume, and is safe to do again: writes
go through the journal, checks and the formatter are re-run.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from runner.execution.bisect import bisect_phase
from runner.execution.context import RunContext, command_line, run_again
from runner.execution.fix_loop import fix_phase
from runner.execution.formatting import format_phase
from runner.execution.gates import decide_gate
from runner.execution.prepare import prepare_phase
from runner.execution.records import BisectOutcome, CheckVerdict, PhaseState, Stop
from runner.execution.review_gate import needs_review, phase_client, review_phase
from runner.execution.rollback import restore_phase
from runner.execution.vcs import commit_phase
from runner.reporting.shorten import list_some
from runner.execution.verify import run_phase_checks


def advance_phase(ctx: RunContext, name: str) -> Stop | None:
    """Take the phase as far as it goes: None when it is done, else why it stopped."""
    while True:
        state = ctx.phase_state(name).state
        if state == "done":
            return None
        stop = _STEPS[state](ctx, name)
        if stop is not None:
            return stop


def failed_subtasks_stop(ctx: RunContext, name: str, following: str) -> Stop | None:
    """After phase ``name`` is done: stop before ``following`` if it had failed subtasks and says ``on_error: stop``."""
    record = ctx.folder.load_phase(name)
    failed = record.failed() if record is not None else ()
    if not failed or ctx.spec(name).on_error == "continue":
        return None
    ctx.journal.append("failed_subtasks_stop", phase=name, failed=list(failed))
    return Stop(
        f"phase {name}: {len(failed)} failed subtask{'s' if len(failed) > 1 else ''} ({list_some(failed)}); "
        f"phase {following} was not started (phase {name} has on_error: stop)",
        f"see why with {command_line('status', ctx.state)}; fix the cause, then {command_line('rollback', ctx.state)} "
        f"and {run_again(ctx.state)}; or set `on_error: continue` on phase {name} to run the later phases without them",
    )


def _retry(ctx: RunContext, name: str) -> Stop | None:
    ps = ctx.phase_state(name)
    ctx.io.notify(f"phase {name}: was rolled back; planning it again (attempt {ps.attempt + 2})")
    ctx.save_phase(replace(ps, state="pending", attempt=ps.attempt + 1, checks=(), gate="", format=None, bisect=None, approval=None, review=None, fix=None))
    return None


def _write(ctx: RunContext, name: str) -> Stop | None:
    if needs_review(ctx, name):
        review_phase(ctx, name, phase_client(ctx, name))  # before any write: rejected subtasks are not written
    ps, record = ctx.phase_state(name), ctx.record(name)
    done = ctx.journal.done_keys()
    written: set[str] = set()  #: files, not subtasks: two subtasks writing one file wrote one file
    for subtask in record.writable():
        key = ctx.key(ps, subtask.id)
        if key in done:
            continue
        attribution = {"model": {"attempt": subtask.model.attempts, "request_key": subtask.model.request_key,
                                 "files": list(subtask.model.files)}} if subtask.model and subtask.model.files else {}
        written.update(ctx.writer.apply(key, f"subtask {subtask.id}", subtask.deltas, phase=name, subtask=subtask.id,
                                        **attribution))
    ctx.journal.append("phase_written", phase=name, attempt=ps.attempt, files=list(record.changed_files))
    ctx.save_phase(replace(ctx.phase_state(name), state="written"))
    ctx.io.notify(f"phase {name}: wrote {len(written)} file(s)")
    return None


def _format(ctx: RunContext, name: str) -> Stop | None:
    outcome = format_phase(ctx, name)
    ctx.save_phase(replace(ctx.phase_state(name), state="formatted", format=outcome))
    return None


def _check(ctx: RunContext, name: str) -> Stop | None:
    ps, record = ctx.phase_state(name), ctx.record(name)
    if ps.state == "failed":
        _adopt_hand_edits(ctx, name)
    verdicts = run_phase_checks(ctx, name, record.changed_files, "re-check" if ps.state == "failed" else "")
    ps = replace(ctx.phase_state(name), checks=verdicts, first_checks=ctx.phase_state(name).first_checks or verdicts)
    return _gate(ctx, ps, verdicts)


def _gate(ctx: RunContext, ps: PhaseState, verdicts: tuple[CheckVerdict, ...]) -> Stop | None:
    spec = ctx.spec(ps.name)
    decision = decide_gate(spec, verdicts, ps.approval is not None, len(ps.review.rejected) if ps.review else 0)
    ctx.journal.append("gate", phase=ps.name, passed=decision.passed, needs_approval=decision.needs_approval, reason=decision.reason)
    if decision.passed:
        ctx.save_phase(replace(ps, state="awaiting_approval" if decision.needs_approval else "passed", gate=decision.reason))
        return None
    if spec.on_failure == "fix" and ps.fix is None:
        ctx.save_phase(replace(ps, state="fixing", gate=decision.reason))
        return None
    fallback = spec.after_fix if spec.on_failure == "fix" else spec.on_failure
    if fallback == "bisect" and ps.bisect is None:
        ctx.save_phase(replace(ps, state="bisecting", gate=decision.reason))
        return None
    if fallback == "rollback":
        ctx.save_phase(replace(ps, state="rolling_back", gate=decision.reason))  # a crash mid-restore resumes it
        return None
    ctx.save_phase(replace(ps, state="failed", gate=decision.reason))
    return Stop(
        f"phase {ps.name}: {decision.reason}; its edits are left in place",
        f"fix the failures, then {run_again(ctx.state)} (re-runs the checks, keeps your fixes), "
        f"or {command_line('rollback', ctx.state, '--phase', ps.name)}",
    )


def _fix(ctx: RunContext, name: str) -> Stop | None:
    outcome, verdicts = fix_phase(ctx, name, phase_client(ctx, name))
    return _gate(ctx, replace(ctx.phase_state(name), fix=outcome, checks=verdicts), verdicts)


def _roll_back(ctx: RunContext, name: str) -> Stop:
    ps = ctx.phase_state(name)
    why = f"checks failed: {ps.gate}"
    restore_phase(ctx.writer, ctx.record(name), why)
    ctx.save_phase(replace(ps, state="rolled_back"))
    ctx.journal.append("phase_rolled_back", phase=name, reason=why)
    return Stop(f"phase {name}: {why}; its edits were rolled back", f"fix the cause, then {run_again(ctx.state)} to retry phase {name}")


def _bisect(ctx: RunContext, name: str) -> Stop | None:
    ps, record = ctx.phase_state(name), ctx.record(name)
    final = _final_hashes(ctx, name)
    ctx.io.notify(f"phase {name}: bisecting {len(record.writable())} subtasks to find what broke the checks")
    result = bisect_phase(ctx.writer, record, final, lambda why: run_phase_checks(ctx, name, record.changed_files, why), ps.checks)
    outcome = BisectOutcome(result.culprits, result.check_runs, result.note)
    ctx.journal.append(
        "bisect", phase=name, passed=result.passed, note=result.note, check_runs=result.check_runs,
        culprits=[{"subtasks": list(c.subtasks), "files": list(c.files), "reason": c.reason} for c in result.culprits],
    )
    ps = replace(ps, bisect=outcome)
    if result.passed:
        for c in result.culprits:
            ctx.io.notify(f"  reverted {', '.join(c.subtasks)}: {c.reason}")
        return _gate(ctx, replace(ps, checks=result.verdicts), result.verdicts)
    if result.culprits:  # the search wrote the pre-images back already
        ctx.save_phase(replace(ps, state="rolled_back", checks=result.verdicts))
        return Stop(f"phase {name}: {result.note}", f"fix the cause, then {run_again(ctx.state)} to retry phase {name}")
    ctx.save_phase(replace(ps, state="failed", checks=result.verdicts))
    return Stop(f"phase {name}: {ps.gate}; {result.note}", f"fix the failures, then {run_again(ctx.state)}")


def _await_approval(ctx: RunContext, name: str) -> Stop | None:
    return Stop(
        f"phase {name}: {ctx.phase_state(name).gate}",
        f"review the changes (git diff), then {command_line('approve', ctx.state, name)} and {run_again(ctx.state)}",
    )


def _commit(ctx: RunContext, name: str) -> Stop | None:
    wanted = ctx.state.options.commit or ctx.spec(name).commit
    if wanted and not ctx.git:
        ctx.io.notify(f"phase {name}: `commit: phase` skipped: {ctx.root} is not a git repository")
    sha = commit_phase(ctx, name) if wanted and ctx.git else None
    ctx.save_phase(replace(ctx.phase_state(name), state="done", commit=sha or ""))
    ctx.journal.append("phase_done", phase=name, commit=sha or "")
    ctx.io.notify(f"phase {name}: done" + (f" (commit {sha[:10]})" if sha else ""))
    return None


def _adopt_hand_edits(ctx: RunContext, name: str) -> None:
    """After a failed gate the user was asked to fix things: their edits become the run's expectation."""
    now = {p: (h, ctx.writer.disk_sha(p)) for p, h in ctx.expected_hashes().items()}
    changed = {p: disk for p, (want, disk) in now.items() if disk != want}
    if changed:
        ctx.journal.append("adopt", phase=name, files=[{"path": p, "post": h} for p, h in sorted(changed.items())])
        ps = ctx.phase_state(name)
        ctx.save_phase(replace(ps, adopted=tuple(sorted(set(ps.adopted) | set(changed)))))


def _final_hashes(ctx: RunContext, name: str) -> dict[str, str]:
    """The phase's files after its writes and format, from the journal (not the disk: a bisect may be half way)."""
    ps = ctx.phase_state(name)
    record = ctx.record(name)
    out = {}
    for event in ctx.journal.events():
        if event["kind"] == "done" and event["key"].startswith(f"{name}#{ps.attempt}/") and "/bisect/" not in event["key"]:
            for f in event.get("files", ()):
                out[f["path"]] = f["post"]
        if event["kind"] == "adopt":
            for f in event.get("files", ()):
                out[f["path"]] = f["post"]
    return {p: out.get(p, h) for p, h in record.preimages}


_STEPS: dict[str, Callable[[RunContext, str], Stop | None]] = {
    "pending": prepare_phase,
    "rolled_back": _retry,
    "planned": _write,
    "written": _format,
    "formatted": _check,
    "failed": _check,
    "bisecting": _bisect,
    "fixing": _fix,
    "rolling_back": _roll_back,
    "awaiting_approval": _await_approval,
    "passed": _commit,
}
