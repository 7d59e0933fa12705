"""Run a phase's checks on the current tree and judge them against the baseline."""
from __future__ import annotations

from runner.execution.baseline import judge_check
from runner.execution.checks import log_name, render_check, run_check
from runner.execution.context import RunContext
from runner.execution.records import CheckVerdict


def run_phase_checks(ctx: RunContext, phase: str, changed_files: tuple[str, ...], why: str = "") -> tuple[CheckVerdict, ...]:
    """Every check of the phase, in order; each result is journaled and its output saved."""
    spec = ctx.spec(phase)
    context = ctx.check_context(phase, changed_files)
    seen = sum(1 for e in ctx.journal.events() if e["kind"] == "check")
    verdicts = []
    for n, check in enumerate(spec.checks, start=seen + 1):
        rendered = render_check(check, context, phase)
        result = run_check(rendered, ctx.root, ctx.folder, log_name(f"checks/{phase}", check.name, n))
        verdict = judge_check(result, ctx.state.baseline_for(phase, check.name), check.must_pass)
        verdicts.append(verdict)
        ctx.journal.append(
            "check", phase=phase, name=check.name, why=why, exit_code=result.exit_code, duration=result.duration,
            timed_out=result.timed_out, failures=[f.id for f in result.failures], new_failures=list(verdict.new_failures),
            preexisting=list(verdict.preexisting), log=result.log,
        )
        ctx.io.notify(f"  check {check.name}{f' ({why})' if why else ''}: {_word(verdict)} ({result.duration:.1f}s)")
    return tuple(verdicts)


def _word(verdict: CheckVerdict) -> str:
    if verdict.result.passed:
        return "passed"
    if verdict.blocking:
        return "FAILED: " + ", ".join(verdict.new_failures[:3])
    if verdict.whole:
        return "failed as on the untouched tree (judged as a whole; not blamed)"
    return "failed only in tests that failed before too (not blamed): " + ", ".join(verdict.preexisting[:3])
