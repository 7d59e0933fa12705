"""The plan as JSON (``plan --json`` and ``plan --out``); docs/plan-json.md describes it."""
from __future__ import annotations

from typing import Any

import runner
from runner.planning.plan import Plan, SubtaskResult

_BUDGET_FIELDS = {"files": "planned", "lines": "planned", "model_calls": "estimated", "model_tokens": "estimated"}


def render_plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "playbook": {"name": plan.playbook_name, "path": plan.playbook_path, "sha256": plan.playbook_sha256},
        "batchmod_version": runner.__version__,
        "root": plan.root,
        "vars": {k: v for k, v in plan.variables},
        "phases": [
            {
                "name": phase.name,
                "subtasks": [_subtask(s) for s in phase.subtasks],
                "budget": _budget(phase.budget),
                "within_budget": not any(b.over for b in phase.budget),
            }
            for phase in plan.phases
        ],
        "budget": _budget(plan.budget),
        "within_budget": plan.within_budget,
        "skipped": [{"file": f, "reason": r} for f, r in plan.skipped],
    }


def _subtask(s: SubtaskResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": s.subtask.id,
        "task": s.subtask.type,
        "files": list(s.subtask.files),
        "file_sha256": dict(s.file_sha256),
        "status": s.status,
        "lines_added": s.lines_added,
        "lines_removed": s.lines_removed,
        "gaps": [
            {"file": g.file, "line": g.line, "column": g.column, "reason": g.reason, **({"source": g.source} if g.source else {}),
             **({"rule": g.rule} if g.rule else {})}
            for g in s.gaps
        ],
    }
    if s.errors:
        out["errors"] = list(s.errors)
    if s.warnings:
        out["warnings"] = list(s.warnings)
    if s.needs_model:
        out["needs_model"] = True
        out["model_tokens_estimated"] = s.model_tokens
    return out


def _budget(uses) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {u.key: {_BUDGET_FIELDS[u.key]: u.amount, "limit": u.limit} for u in uses}
