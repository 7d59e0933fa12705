"""``batchmod report``: a PR-style summary of the current run, and the figures to judge it by.

The figures: time to plan and to execute, planned scope against the files actually
touched, first-pass check results, subtasks reverted or left as gaps. Every hunk of
the diff names the transform (or the phase's format command) that made it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.errors import BatchmodError
from runner.execution.journal import Journal
from runner.planning.plan import file_change
from runner.execution.records import CheckResult
from runner.execution.overview import SUBTASK_STATES, PhaseView, RunOverview, SubtaskView
from runner.execution.store import RunFolder
from runner.reporting.hunks import Hunk, split_hunks
from runner.reporting.model_usage import compute_model_figures, model_figures_json
from runner.planning.accounting import hunk_key
from runner.reporting.plan_json import hunk_rules_json, name_rules
from runner.reporting.orchestration import fix_json, review_json
from runner.reporting.report_status import budget_json, gap_json, phase_rules_json, verdict_json


@dataclass(frozen=True, slots=True)
class Figures:
    """The report's figures: time spent, planned against touched files and lines, first-pass checks, subtasks by outcome."""

    plan_seconds: float
    execute_seconds: float
    planned_files: int
    planned_lines: int
    touched_files: int  #: files whose content differs from the run's start now
    kept_lines: int  #: added + removed from the run's start to now, as git diff counts them
    first_pass: tuple[tuple[str, int, int], ...]  #: (phase, checks passed at first run, checks)
    reverted: tuple[str, ...]
    gaps: tuple[str, ...]
    failed: tuple[str, ...]


def compute_figures(view: RunOverview, folder: RunFolder) -> Figures:
    """The figures of the run in ``folder``; reads its journal (StateDamaged when unreadable) and stored contents (one missing: the subtasks' own line counts)."""
    s = view.state
    start = dict(s.start_sha256)
    written = Journal(folder.events_path).written_hashes()
    touched = sorted(p for p, h in written.items() if start.get(p) != h)
    kept = [v for p in view.phases for v in p.subtasks if v.state in ("done", "gap") and v.record.writable]
    first_pass = tuple(
        (p.state.name, sum(1 for v in p.state.first_checks if not v.blocking), len(p.state.first_checks))
        for p in view.phases if p.state.first_checks
    )
    return Figures(
        plan_seconds=round(s.plan_seconds, 2),
        execute_seconds=round(s.execute_seconds, 2),
        planned_files=len({f for p in s.planned for f in p.paths}),
        planned_lines=sum(p.lines for p in s.planned),
        touched_files=len(touched),
        kept_lines=_net_lines(folder, start, written, touched, sum(d.added + d.removed for v in kept for d in v.record.deltas)),
        first_pass=first_pass,
        reverted=tuple(v.record.id for p in view.phases for v in p.subtasks if v.state == "reverted"),
        gaps=tuple(v.record.id for p in view.phases for v in p.subtasks if v.state == "gap"),
        failed=tuple(v.record.id for p in view.phases for v in p.subtasks if v.state == "failed"),
    )


def _net_lines(folder: RunFolder, start: dict[str, str], written: dict[str, str], touched: list[str], fallback: int) -> int:
    """Lines added + removed from the run's start to now, per file as ``git diff --numstat`` counts them."""
    total = 0
    for path in touched:
        try:
            change = file_change(path, folder.blob(start[path]), folder.blob(written[path]))
        except (BatchmodError, KeyError):
            return fallback  # a start content not kept (an older run): the subtasks' own counts
        total += change.added + change.removed
    return total


def phase_hunks(folder: RunFolder, phase: str, format_command: str) -> list[Hunk]:
    """The phase's hunks from ``diffs/``, each with what made it."""
    hunks: list[Hunk] = []
    for header, made_by, text in _sections(folder.read_text(f"diffs/{phase}.diff") or "", "# subtask "):
        hunks.extend(split_hunks(header, made_by, text))
    for header, _, text in _sections(folder.read_text(f"diffs/{phase}.format.diff") or "", "# format "):
        hunks.extend(split_hunks("format", f"format: {format_command}", text))
    return hunks


def _sections(text: str, marker: str) -> list[tuple[str, str, str]]:
    """Split ``# subtask ID (transform)`` sections (diff bodies never start a line with '#')."""
    out: list[tuple[str, str, list[str]]] = []
    for line in text.splitlines(keepends=True):
        if line.startswith(marker):
            head = line[len(marker):].strip()
            ident, _, made_by = head.partition(" (")
            out.append((ident, made_by.rstrip(")"), []))
        elif out:
            out[-1][2].append(line)
    return [(i, m, "".join(body)) for i, m, body in out]




def report_json(view: RunOverview, folder: RunFolder) -> dict[str, Any]:
    """The run's report as JSON (``report --format json``, and what ``report --merge`` merges)."""
    s = view.state
    f = compute_figures(view, folder)
    return {
        "run_id": s.run_id,
        "status": s.status,
        "playbook": {"name": s.playbook_name, "path": s.playbook_path, "sha256": s.playbook_sha256},
        "root": s.root,
        "vars": {k: v for k, v in s.variables},
        "branch": s.options.branch,
        "shard": s.options.shard,
        "figures": {
            "plan_seconds": f.plan_seconds, "execute_seconds": f.execute_seconds,
            "planned": {"files": f.planned_files, "lines": f.planned_lines},
            "touched": {"files": f.touched_files, "lines": f.kept_lines},
            "first_pass_checks": [{"phase": p, "passed": ok, "checks": n} for p, ok, n in f.first_pass],
            "reverted": list(f.reverted), "gaps": list(f.gaps), "failed": list(f.failed),
        },
        "baseline": [{"phase": b.phase, **_baseline_json(b.result)} for b in s.baseline],
        "phases": [_phase_json(p, folder, s.playbook_path) for p in view.phases],
        "budget": budget_json(view.budget),
        "model": model_figures_json(compute_model_figures(view)),
        "funnel": _funnel(view, folder),
    }


def _phase_json(p: PhaseView, folder: RunFolder, playbook_path: str) -> dict[str, Any]:
    """One phase of ``report_json``: its state, gate, checks, bisect, format, subtasks, rules and hunks."""
    names = HunkRuleNames(p)
    return {
        "name": p.state.name,
        "state": p.state.state,
        "gate": p.state.gate,
        "approval": {"by": p.state.approval.by, "at": p.state.approval.at} if p.state.approval else None,
        "budget": budget_json(p.budget),
        "checks": [verdict_json(v) for v in p.state.checks],
        "first_checks": [verdict_json(v) for v in p.state.first_checks],
        "bisect": {"note": p.state.bisect.note, "check_runs": p.state.bisect.check_runs,
                   "culprits": [{"subtasks": list(c.subtasks), "files": list(c.files), "reason": c.reason} for c in p.state.bisect.culprits]}
        if p.state.bisect else None,
        "format": {"command": p.state.format.command, "files": [d.path for d in p.state.format.deltas], "note": p.state.format.note}
        if p.state.format else None,
        "commit": p.state.commit or None,
        "review": review_json(p.state.review),
        "fix": fix_json(p.state.fix),
        "subtasks": [_subtask_json(v) for v in p.subtasks if v.record.status != "no-change"],
        "subtask_counts": {st: p.count(st) for st in SUBTASK_STATES},
        "rules": phase_rules_json(p, playbook_path),
        "hunks": [{"subtask": h.subtask, "made_by": h.made_by, "file": h.path, "text": h.text, **_model_hunk(p, h),
                   **hunk_rules_json(names.of(h))}
                  for h in phase_hunks(folder, p.state.name, p.state.format.command if p.state.format else "")],
    }


def _subtask_json(v: SubtaskView) -> dict[str, Any]:
    """One subtask of a phase of ``report_json``: id, task, transform, state, files, line counts, gaps, errors, review."""
    return {"id": v.record.id, "task": v.record.task, "transform": v.record.transform, "state": v.state, "reason": v.reason,
            "files": list(v.record.files), "lines_added": sum(d.added for d in v.record.deltas),
            "lines_removed": sum(d.removed for d in v.record.deltas), "gaps": [gap_json(g) for g in v.record.gaps],
            "errors": list(v.record.errors), "review": list(v.record.review)}


class HunkRuleNames:
    """The rules that made each hunk of a phase's rule-based transforms, indexed once per
    phase (a report has a hunk per site, so no hunk looks through every subtask)."""

    def __init__(self, phase: PhaseView) -> None:
        labels = {(r.task, r.index): r.label for r in phase.record.rules} if phase.record is not None else {}
        self._names = {(v.record.id, h.file, h.header): name_rules(h.rules, labels, v.record.task)
                       for v in phase.subtasks for h in v.record.hunk_rules}

    def of(self, hunk: Hunk) -> list[tuple[int, str]] | None:
        """(index, label) of the rules that made ``hunk`` (None: not a rule-based transform's hunk)."""
        if not self._names or hunk.made_by.startswith(("model:", "format:")):
            return None
        return self._names.get((hunk.subtask, *hunk_key(hunk.path, hunk.text)))


def _model_hunk(phase: PhaseView, hunk: Hunk) -> dict[str, Any]:
    """A model hunk's attribution: the attempt and the request whose answer made it."""
    if not hunk.made_by.startswith("model:"):
        return {}
    record = next((v.record for v in phase.subtasks if v.record.id == hunk.subtask), None)
    if record is None or record.model is None:
        return {}
    return {"model": {"attempt": record.model.attempts, "request_key": record.model.request_key}}


def _funnel(view: RunOverview, folder: RunFolder) -> dict[str, Any]:
    from runner.model.prices import PriceTable
    from runner.reporting.funnel import compute_funnel, funnel_json  # the funnel reads phase_hunks from here

    phases, total = compute_funnel(view, folder, PriceTable())
    return {"phases": {f.name: funnel_json(f) for f in phases}, "run": funnel_json(total)}


def _baseline_json(result: CheckResult) -> dict[str, Any]:
    return {"name": result.name, "command": result.command, "exit_code": result.exit_code, "passed": result.passed,
            "failures": [x.id for x in result.failures]}
