"""The plan for people: a compact table per phase, budgets, gaps; diffs on request."""
from __future__ import annotations

from runner.planning.plan import BudgetUse, Plan


def render_plan_text(plan: Plan, *, diff: bool = False, max_gaps: int = 20) -> str:
    out: list[str] = [f"plan: {plan.playbook_name} ({plan.playbook_path}) on {plan.root}"]
    for phase in plan.phases:
        lines_added = sum(s.lines_added for s in phase.subtasks)
        lines_removed = sum(s.lines_removed for s in phase.subtasks)
        out.append("")
        out.append(
            f"phase {phase.name}: {len(phase.subtasks)} subtasks — "
            + ", ".join(f"{phase.count(st)} {st}" for st in ("change", "no-change", "gap", "error"))
        )
        out.append(f"  files changed {len(phase.files)}, lines +{lines_added} -{lines_removed}")
        rows = [s for s in phase.subtasks if s.status != "no-change"]
        if rows:
            width = min(72, max(len(s.subtask.id) for s in rows))
            out.append(f"  {'subtask':<{width}}  {'status':<9} {'+':>5} {'-':>5}  gaps")
            for s in rows:
                out.append(
                    f"  {s.subtask.id:<{width}}  {s.status:<9} {s.lines_added:>5} {s.lines_removed:>5}  {len(s.gaps)}"
                )
        out.append("  budget: " + budget_line(phase.budget))
        gaps = [(s, g) for s in phase.subtasks for g in s.gaps]
        if gaps:
            out.append(f"  gaps ({len(gaps)}):")
            for s, g in gaps[:max_gaps]:
                owner = " [needs model]" if s.needs_model else ""
                out.append(f"    {g.file}:{g.line}:{g.column}: {g.reason}{owner}")
            if len(gaps) > max_gaps:
                out.append(f"    … {len(gaps) - max_gaps} more (see --json)")
        errors = [e for s in phase.subtasks for e in s.errors]
        if errors:
            out.append(f"  errors ({len(errors)}):")
            out.extend(f"    {e}" for e in errors)
    if plan.skipped:
        out.append("")
        out.append(f"skipped {len(plan.skipped)} file(s): " + ", ".join(f"{f} ({r})" for f, r in plan.skipped[:10]))
    out.append("")
    out.append("run budget: " + budget_line(plan.budget))
    for line in plan.overshoots():
        out.append(f"OVER BUDGET: {line}")
    s = plan.stats
    out.append(f"read {s.files_read} files, parsed {s.files_parsed}, cached {s.cache_hits}, in {s.seconds:.2f}s")
    if diff:
        out.append("")
        out.append(render_plan_diff(plan))
    return "\n".join(out).rstrip("\n") + "\n"


def render_plan_diff(plan: Plan) -> str:
    chunks = []
    for phase in plan.phases:
        for s in phase.subtasks:
            for change in s.changes:
                chunks.append(f"# {s.subtask.id}\n{change.diff}")
    return "".join(chunks) if chunks else "(no changes)\n"


def budget_line(uses: tuple[BudgetUse, ...]) -> str:
    names = {"files": "files", "lines": "lines", "model_calls": "model calls", "model_tokens": "model tokens"}
    parts = []
    for u in uses:
        approx = "~" if u.estimated else ""
        limit = f"/{u.limit}" if u.limit is not None else ""
        flag = " OVER" if u.over else ""
        parts.append(f"{names[u.key]} {approx}{u.amount}{limit}{flag}")
    return ", ".join(parts)
