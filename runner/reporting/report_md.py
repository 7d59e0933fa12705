"""The run report as Markdown, ready to paste into a pull request."""
from __future__ import annotations

from runner.execution.overview import SUBTASK_STATES, PhaseView, RunOverview
from runner.execution.store import RunFolder
from runner.model.prices import PriceTable
from runner.reporting.funnel import compute_funnel, render_funnel_md
from runner.reporting.orchestration import fix_lines, review_lines
from runner.reporting.report import Figures, HunkRuleNames, compute_figures, phase_hunks
from runner.reporting.model_usage import compute_model_figures, render_model_lines
from runner.reporting.report_status import render_budget, render_verdict


def render_report_md(view: RunOverview, folder: RunFolder) -> str:
    """The run's report as Markdown for a pull request: figures, funnel, budget, model, baseline, phases."""
    s = view.state
    f = compute_figures(view, folder)
    out = [
        f"# batchmod: {s.playbook_name}",
        "",
        f"Run `{s.run_id}` — **{s.status.replace('_', ' ')}** — playbook `{s.playbook_path}` (sha256 `{s.playbook_sha256[:12]}`)"
        + (f" on branch `{s.options.branch}`" if s.options.branch else ""),
    ]
    if s.variables:
        out.append("Variables: " + ", ".join(f"`{k}={v}`" for k, v in s.variables))
    if s.stop is not None:
        out += ["", f"> **Stopped:** {s.stop.reason}", f"> Next: `{s.stop.next}`"]
    out += ["", "## Figures", ""] + _figures(f)
    out += ["", "## Funnel", ""] + render_funnel_md(*compute_funnel(view, folder, PriceTable()))
    out += ["", f"Run budget: {render_budget(view.budget)}"]
    figures = compute_model_figures(view)
    if figures is not None:
        out += ["", "## Model", ""] + [f"- {line.strip()}" for line in render_model_lines(figures)]
    if s.baseline:
        out += ["", "## Baseline (untouched tree)", ""]
        for b in s.baseline:
            r = b.result
            word = "passed" if r.passed else f"failed (exit {r.exit_code})" + (f": {', '.join(x.id for x in r.failures[:8])}" if r.failures else "")
            out.append(f"- `{r.name}` ({b.phase}): {word}")
    for phase in view.phases:
        out += ["", *_phase(phase, folder, s.playbook_path)]
    return "\n".join(out).rstrip("\n") + "\n"


def _figures(f: Figures) -> list[str]:
    rows = [
        ("time to plan", f"{f.plan_seconds:.2f}s"),
        ("time to execute", f"{f.execute_seconds:.2f}s"),
        ("planned scope", f"{f.planned_files} files, {f.planned_lines} lines"),
        ("files actually touched", f"{f.touched_files} ({f.kept_lines} lines kept)"),
        ("first-pass checks", "; ".join(f"{p}: {ok}/{n} passed" for p, ok, n in f.first_pass) or "no checks"),
        ("subtasks reverted", str(len(f.reverted)) + (f" ({', '.join(f.reverted)})" if f.reverted else "")),
        ("subtasks left as gaps", str(len(f.gaps)) + (f" ({', '.join(f.gaps)})" if f.gaps else "")),
        ("subtasks failed", str(len(f.failed)) + (f" ({', '.join(f.failed)})" if f.failed else "")),
    ]
    return ["| figure | value |", "|---|---|"] + [f"| {k} | {v} |" for k, v in rows]


def _rule_tables(view: PhaseView, playbook_path: str) -> list[str]:
    """Per rule-based task of the phase: the rules that matched, with matches, changes and gaps
    as planned; then the rules that matched no site."""
    rules = view.record.rules if view.record is not None else ()
    out: list[str] = []
    for task in dict.fromkeys(r.task for r in rules):
        every = [r for r in rules if r.task == task]
        out += ["", f"Rules of task `{task}` ({every[0].searched} files):"]
        if any(r.matches for r in every):
            out += ["", "| # | rule | kind | matches | changes | gaps | at |", "|---|---|---|---|---|---|---|"]
        out += [f"| {r.index} | `{r.label}` | {r.kind} | {r.matches} | {r.changes} | {r.gaps} | `{playbook_path}:{r.line}:{r.column}` |"
                for r in every if r.matches]
        idle = [r for r in every if not r.matches]
        if idle:
            out += ["", "Matched no site: " + ", ".join(f"{r.index} `{r.label}` (`{playbook_path}:{r.line}:{r.column}`)" for r in idle)]
    return out


def _rules_words(named: list[tuple[int, str]] | None) -> str:
    if not named:
        return ""
    return f", rule{'s' if len(named) > 1 else ''} " + ", ".join(f"{i} `{label}`" for i, label in named)


def _phase(view: PhaseView, folder: RunFolder, playbook_path: str) -> list[str]:
    ps = view.state
    counts = ", ".join(f"{view.count(st)} {st.replace('_', ' ')}" for st in SUBTASK_STATES if view.count(st)) or "none"
    out = [f"## Phase `{ps.name}` — {ps.state.replace('_', ' ')}", "", f"- subtasks: {counts}"]
    if view.record is not None:
        out.append(f"- budget: {render_budget(view.budget)}")
    if ps.gate:
        out.append(f"- gate: {ps.gate}" + (f" (approved by {ps.approval.by} at {ps.approval.at})" if ps.approval else ""))
    if ps.first_checks and ps.first_checks != ps.checks:
        out.append("- first run of the checks:")
        out += [f"  - {render_verdict(v)}" for v in ps.first_checks]
    if ps.checks:
        out.append("- checks:")
        out += [f"  - {render_verdict(v)}" for v in ps.checks]
    if ps.format is not None:
        out.append(f"- format `{ps.format.command}`: {len(ps.format.deltas)} file(s)" + (f"; {ps.format.note}" if ps.format.note else ""))
    if ps.bisect is not None:
        out.append(f"- bisect: {ps.bisect.note} ({ps.bisect.check_runs} check runs)")
        out += [f"  - reverted {', '.join(c.subtasks)}: {c.reason}" for c in ps.bisect.culprits]
    out += [f"- {line}" for line in review_lines(ps) + fix_lines(ps)]
    if ps.adopted:
        out.append(f"- hand edits kept after a failed gate: {', '.join(ps.adopted)}")
    if ps.commit:
        out.append(f"- commit `{ps.commit[:12]}`")
    out += _rule_tables(view, playbook_path)
    hunks = phase_hunks(folder, ps.name, ps.format.command if ps.format else "")
    by_subtask: dict[str, list[str]] = {}
    names = HunkRuleNames(view)
    for h in hunks:
        by = h.made_by + _rules_words(names.of(h))
        by_subtask.setdefault(h.subtask, []).append(f"# {h.path} — made by {by}\n{h.text}")
    for sub in view.subtasks:
        if sub.record.status == "no-change":
            continue
        added = sum(d.added for d in sub.record.deltas)
        removed = sum(d.removed for d in sub.record.deltas)
        out += ["", f"### `{sub.record.id}` — {sub.state.replace('_', ' ')} (+{added} −{removed}, transform `{sub.record.transform}`)"]
        if sub.reason:
            out.append(f"{sub.reason}")
        out += [f"- gap: {g.render()}" for g in sub.record.gaps] + [f"- error: {e}" for e in sub.record.errors]
        if sub.record.id in by_subtask:
            out += ["", "```diff", "".join(by_subtask[sub.record.id]).rstrip("\n"), "```"]
    if "format" in by_subtask:
        out += ["", "### format", "", "```diff", "".join(by_subtask["format"]).rstrip("\n"), "```"]
    return out
