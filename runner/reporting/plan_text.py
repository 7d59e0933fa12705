"""The plan for people: a compact table per phase, budgets, gaps; diffs on request."""
from __future__ import annotations

from runner.planning.plan import BudgetUse, PhaseResult, Plan, RuleAccount


def render_plan_text(plan: Plan, *, diff: bool = False, max_gaps: int = 20) -> str:
    """The plan for people: per phase its subtasks, budget, rules, model use and gaps (up to ``max_gaps``), then the diff when ``diff``."""
    shard = f", shard {plan.shard}" if plan.shard else ""
    out: list[str] = [f"plan: {plan.playbook_name} ({plan.playbook_path}) on {plan.root}{shard}"]
    if plan.targets:
        out.append(f"targets: {plan.targets.flags()} — {plan.targeted_out} subtask(s) left out")
    for phase in plan.phases:
        out.extend(_phase_lines(phase, plan.playbook_path, max_gaps))
    out.extend(_run_lines(plan))
    if diff:
        out.append("")
        out.append(render_plan_diff(plan))
    return "\n".join(out).rstrip("\n") + "\n"


def _phase_lines(phase: PhaseResult, playbook_path: str, max_gaps: int) -> list[str]:
    """One phase: a blank line, its counts, its subtask table, budget, rules, model use, gaps and errors."""
    lines_added = sum(c.added for c in phase.files)  # net over the phase, as git diff counts it
    lines_removed = sum(c.removed for c in phase.files)
    out = [
        "",
        f"phase {phase.name}: {len(phase.subtasks)} subtasks — "
        + ", ".join(f"{phase.count(st)} {st}" for st in ("change", "no-change", "gap", "error")),
        f"  files changed {len(phase.files)}, lines +{lines_added} -{lines_removed}",
    ]
    out.extend(_subtask_table(phase))
    out.append("  budget: " + budget_line(phase.budget))
    out.extend(rule_table_lines(phase.rules, playbook_path))
    out.extend(_model_lines(phase))
    out.extend(_gap_lines(phase, max_gaps))
    errors = [e for s in phase.subtasks for e in s.errors]
    if errors:
        out.append(f"  errors ({len(errors)}):")
        out.extend(f"    {e}" for e in errors)
    return out


def _subtask_table(phase: PhaseResult) -> list[str]:
    """The subtasks that are not no-change: id, status, lines added and removed, gaps (none: no table)."""
    rows = [s for s in phase.subtasks if s.status != "no-change"]
    if not rows:
        return []
    width = min(72, max(len(s.subtask.id) for s in rows))
    out = [f"  {'subtask':<{width}}  {'status':<9} {'+':>5} {'-':>5}  gaps"]
    for s in rows:
        out.append(f"  {s.subtask.id:<{width}}  {s.status:<9} {s.lines_added:>5} {s.lines_removed:>5}  {len(s.gaps)}")
    return out


def _gap_lines(phase: PhaseResult, max_gaps: int) -> list[str]:
    """The phase's gaps, the first ``max_gaps`` of them, then how many more."""
    gaps = [(s, g) for s in phase.subtasks for g in s.gaps]
    if not gaps:
        return []
    out = [f"  gaps ({len(gaps)}):"]
    for s, g in gaps[:max_gaps]:
        owner = " [needs model]" if s.needs_model else ""
        out.append(f"    {g.file}:{g.line}:{g.column}: {g.reason}{owner}")
    if len(gaps) > max_gaps:
        out.append(f"    … {len(gaps) - max_gaps} more (see --json)")
    return out


def _run_lines(plan: Plan) -> list[str]:
    """After the phases: the skipped files, the run's budget and overshoots, what was read."""
    out: list[str] = []
    if plan.skipped:
        out.append("")
        out.append(f"skipped {len(plan.skipped)} file(s): " + ", ".join(f"{f} ({r})" for f, r in plan.skipped[:10]))
    out.append("")
    out.append("run budget: " + budget_line(plan.budget))
    for line in plan.overshoots():
        out.append(f"OVER BUDGET: {line}")
    s = plan.stats
    out.append(f"read {s.files_read} files, parsed {s.files_parsed}, cached {s.cache_hits}, in {s.seconds:.2f}s")
    return out


#: the widest rule label shown in a table (longer ones are cut with "…")
MAX_LABEL = 48


def rule_table_lines(rules: tuple[RuleAccount, ...], playbook_path: str, indent: str = "  ") -> list[str]:
    """Per rule-based task: a table rule → matches / changes / gaps, and where the rule is.
    Only the rules that matched are rows; one line counts the others (each is warned about)."""
    out: list[str] = []
    tasks: dict[str, list[RuleAccount]] = {}
    for r in rules:
        tasks.setdefault(r.task, []).append(r)
    for task, every in tasks.items():
        rows = [r for r in every if r.matches]
        labels = [_cut(r.label) + (" [flag]" if r.kind == "flag" else "") for r in rows]
        width = max([len("rule"), *(len(label) for label in labels)])
        files = every[0].searched
        out.append(f"{indent}rules of task {task} (rewrite, {files} file{'s' if files != 1 else ''}):")
        if rows:
            out.append(f"{indent}  {'#':<2} {'rule':<{width}}  matches  changes  gaps  at")
        for r, label in zip(rows, labels):
            out.append(f"{indent}  {r.index:<2} {label:<{width}}  {r.matches:>7}  {r.changes:>7}  {r.gaps:>4}  "
                       f"{playbook_path}:{r.line}:{r.column}")
        idle = len(every) - len(rows)
        if idle:
            out.append(f"{indent}  {idle} {'more ' if rows else ''}rule{'s' if idle != 1 else ''} matched no site")
    return out


def _cut(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _model_lines(phase: PhaseResult) -> list[str]:
    works = [s for s in phase.subtasks if s.model is not None]
    forecasts = [s for s in phase.subtasks if s.forecast is not None]
    out = []
    if forecasts:
        how = "estimated from bytes" if any(s.forecast and s.forecast.method == "bytes" for s in forecasts) else "prompt counted by the API"
        out.append(f"  model: {len(forecasts)} subtask(s) would ask the model ({how}); not asked: `plan --model` asks and shows the diffs")
    if works:
        filled = sum(len(s.model.filled) for s in works if s.model)
        left = sum(len(s.gaps) for s in works)
        replayed = sum(1 for s in works for e in (s.model.exchanges if s.model else ()) if e.replayed)
        asked = sum(1 for s in works for e in (s.model.exchanges if s.model else ()) if not e.replayed)
        out.append(f"  model: {len(works)} subtask(s), {filled} gap(s) filled, {left} left; "
                   f"{asked} exchange(s) asked, {replayed} replayed from the cassette")
    if phase.model_budget_spent:
        out.append(f"  MODEL BUDGET SPENT: {phase.model_budget_spent}; no more calls were made, the rest stays as gaps")
    return out


def render_plan_diff(plan: Plan) -> str:
    """Every subtask's diff, each headed by its id (and its author when the model edited it); "(no changes)" when empty."""
    chunks = []
    for phase in plan.phases:
        for s in phase.subtasks:
            for made_by, change in s.attributed_changes("deterministic"):
                label = f" ({made_by})" if s.model is not None else ""
                chunks.append(f"# {s.subtask.id}{label}\n{change.diff}")
    return "".join(chunks) if chunks else "(no changes)\n"


_NAMES = {"files": "files", "lines": "lines", "model_calls": "model calls", "model_tokens": "model tokens",
          "model_cost_usd": "model cost"}


def budget_line(uses: tuple[BudgetUse, ...]) -> str:
    """Budget uses on one line (``files 3/10, lines 40 OVER``…); model figures without use or limit are left out."""
    parts = []
    for u in uses:
        if u.key.startswith("model_") and not u.amount and u.limit is None:
            continue  # no model in this plan and no limit: nothing to say
        approx = "~" if u.estimated else ""
        if u.key == "model_cost_usd":
            amount, limit = f"${u.amount:.4f}", f"/${u.limit:.2f}" if u.limit is not None else ""
        else:
            amount, limit = str(u.amount), f"/{u.limit}" if u.limit is not None else ""
        flag = " OVER" if u.over else ""
        parts.append(f"{_NAMES[u.key]} {approx}{amount}{limit}{flag}")
    if any(u.estimated and u.method == "bytes" and u.amount for u in uses):
        parts[-1] += " (model figures estimated from bytes)"
    return ", ".join(parts)
