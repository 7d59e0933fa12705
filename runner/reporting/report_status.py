"""``batchmod status`` (and the end of ``batchmod run``): the run at a glance, as text or JSON."""
from __future__ import annotations

from typing import Any

from runner.execution.overview import SUBTASK_STATES, PhaseView, RunOverview
from runner.execution.records import CheckVerdict, GapRecord
from runner.planning.plan import BudgetUse
from runner.reporting.model_usage import compute_model_figures, model_figures_json, render_model_lines
from runner.reporting.orchestration import fix_json, fix_lines, review_json, review_lines
from runner.reporting.plan_json import rule_account_json
from runner.reporting.plan_text import budget_line  # the plan's wording, shared

#: gap sites listed per phase in the status text
MAX_GAPS = 20


def render_status_text(view: RunOverview, *, include_stop: bool = True) -> str:
    """``batchmod status`` as text: a line per phase and its subtasks, the budget, model use, and the next command."""
    s = view.state
    out = [f"run {s.run_id}: {s.status.replace('_', ' ')} — playbook {s.playbook_name} ({s.playbook_path}) on {s.root}"]
    for phase in view.phases:
        out.extend(_phase_lines(phase))
    out.append("run budget: " + render_budget(view.budget))
    figures = compute_model_figures(view)
    if figures is not None:
        out.extend(render_model_lines(figures))
    if include_stop and s.stop is not None:
        out.append(f"stopped: {s.stop.reason}")
    if include_stop or s.stop is None:
        out.append(f"next: {view.next}")
    return "\n".join(out) + "\n"


def _phase_lines(view: PhaseView) -> list[str]:
    ps = view.state
    counts = ", ".join(f"{view.count(st)} {st.replace('_', ' ')}" for st in SUBTASK_STATES if view.count(st))
    if view.record is None:
        scope = f"{len(view.planned.paths)} file(s) planned at start" if view.planned else "not planned"
        counts = f"not planned yet ({scope})"
    out = [f"phase {ps.name}: {ps.state.replace('_', ' ')} — subtasks: {counts or 'none'}"]
    if view.record is not None:
        out.append("  budget: " + render_budget(view.budget))
    if ps.gate:
        out.append(f"  gate: {ps.gate}")
    if ps.state == "awaiting_approval":
        out.append(f"  waiting for: `batchmod approve {ps.name}`")
    if ps.approval is not None:
        out.append(f"  approved by {ps.approval.by} at {ps.approval.at}")
    for verdict in ps.checks:
        out.append("  " + render_verdict(verdict))
    if ps.format is not None and (ps.format.deltas or ps.format.note):
        out.append(f"  format: {len(ps.format.deltas)} file(s) changed" + (f"; {ps.format.note}" if ps.format.note else ""))
    out += [f"  {line}" for line in review_lines(ps) + fix_lines(ps)]
    for sub in view.subtasks:
        if sub.state in ("failed", "rejected", "reverted", "in_progress"):
            out.append(f"  {sub.state.replace('_', ' ')}: {sub.record.id}" + (f" — {sub.reason}" if sub.reason else ""))
    gaps = [g for sub in view.subtasks if sub.state == "gap" for g in sub.record.gaps]
    for g in gaps[:MAX_GAPS]:
        out.append(f"  gap: {g.render()} [{g.task}{', ' + g.rule if g.rule else ''}]")
    if len(gaps) > MAX_GAPS:
        out.append(f"  … {len(gaps) - MAX_GAPS} more gaps (`batchmod gaps` lists them all)")
    if ps.bisect is not None and ps.bisect.note:
        out.append(f"  bisect: {ps.bisect.note} ({ps.bisect.check_runs} check runs)")
    if ps.adopted:
        out.append(f"  kept hand edits: {', '.join(ps.adopted)}")
    if ps.commit:
        out.append(f"  commit: {ps.commit[:12]}")
    return out


def render_verdict(verdict: CheckVerdict) -> str:
    """One line for a check's verdict: its result, its baseline, new and pre-existing failures."""
    r = verdict.result
    base = {None: "no baseline", True: "passed before", False: "failed before"}[verdict.baseline_passed]
    word = "passed" if r.passed else ("timed out" if r.timed_out else f"failed (exit {r.exit_code})")
    line = f"check {r.name}: {word} in {r.duration:.1f}s [{base}]"
    if verdict.new_failures:
        line += f"; new failures: {', '.join(verdict.new_failures[:8])}"
    if verdict.must_pass and not r.passed:
        line += " (must_pass)"
    if verdict.preexisting:
        how = "judged as a whole, " if verdict.whole else ""
        line += f"; failing before too ({how}not blamed): {', '.join(verdict.preexisting[:8])}"
    return line


def render_budget(uses: tuple[BudgetUse, ...]) -> str:
    """``budget_line``, or "-" when there is nothing to show."""
    return budget_line(uses) or "-"


def status_json(view: RunOverview) -> dict[str, Any]:
    """``batchmod status --json``: the run, and per phase its state, subtasks by state, budget, checks, gaps, review and fix."""
    s = view.state
    return {
        "run_id": s.run_id,
        "status": s.status,
        "playbook": {"name": s.playbook_name, "path": s.playbook_path, "sha256": s.playbook_sha256},
        "root": s.root,
        "phases": [
            {
                "name": p.state.name,
                "state": p.state.state,
                "attempt": p.state.attempt,
                "gate": p.state.gate,
                "waiting_for": f"batchmod approve {p.state.name}" if p.state.state == "awaiting_approval" else None,
                "approval": {"by": p.state.approval.by, "at": p.state.approval.at} if p.state.approval else None,
                "subtasks": {st: [v.record.id for v in p.subtasks if v.state == st] for st in SUBTASK_STATES},
                "budget": budget_json(p.budget),
                "checks": [verdict_json(v) for v in p.state.checks],
                "gaps": [{"subtask": v.record.id, **gap_json(g)} for v in p.subtasks if v.state == "gap" for g in v.record.gaps],
                "review": review_json(p.state.review),
                "rejected": {v.record.id: list(v.record.review) for v in p.subtasks if v.state == "rejected"},
                "fix": fix_json(p.state.fix),
                "rules": phase_rules_json(p, s.playbook_path),
            }
            for p in view.phases
        ],
        "budget": budget_json(view.budget),
        "model": model_figures_json(compute_model_figures(view)),
        "stop": {"reason": s.stop.reason, "next": s.stop.next} if s.stop else None,
        "next": view.next,
    }


def phase_rules_json(phase: PhaseView, playbook_path: str) -> list[dict[str, Any]]:
    """The phase's per-rule figures as planned (``[]`` before it is planned)."""
    return [rule_account_json(r, playbook_path) for r in phase.record.rules] if phase.record is not None else []


def gap_json(g: GapRecord) -> dict[str, Any]:
    """A gap as JSON: the same fields in status, report and plan JSON."""
    return {"file": g.file, "line": g.line, "column": g.column, "task": g.task, "rule": g.rule, "reason": g.reason, "source": g.source}


def budget_json(uses: tuple[BudgetUse, ...]) -> dict[str, Any]:
    """Budget uses as JSON by key: used, limit, and ``estimated`` when it is an estimate."""
    return {u.key: {"used": u.amount, "limit": u.limit, **({"estimated": True} if u.estimated else {})} for u in uses}


def verdict_json(v: CheckVerdict) -> dict[str, Any]:
    """A check's verdict as JSON: its run, baseline, failures, output tail and log."""
    r = v.result
    return {
        "name": r.name, "command": r.command, "exit_code": r.exit_code, "duration": r.duration, "timed_out": r.timed_out,
        "passed": r.passed, "baseline_passed": v.baseline_passed, "new_failures": list(v.new_failures),
        "preexisting": list(v.preexisting), "failures": [{"id": f.id, "message": f.message} for f in r.failures],
        "tail": r.tail, "log": r.log,
    }
