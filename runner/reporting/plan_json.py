"""The plan as JSON (``plan --json`` and ``plan --out``); docs/plan-json.md describes it."""
from __future__ import annotations

from json.encoder import encode_basestring_ascii as escape
from typing import Any, Callable

import runner
from runner.planning.accounting import hunk_key, hunk_rule_lookup, unmatched_rules
from runner.planning.plan import BudgetUse, ModelWork, PhaseResult, Plan, RuleAccount, SubtaskResult
from runner.reporting.hunks import split_hunks
from runner.reporting.indented_json import Verbatim, dumps_indented

_BUDGET_FIELDS = {"files": "planned", "lines": "planned", "model_calls": "estimated", "model_tokens": "estimated",
                  "model_cost_usd": "estimated"}


def render_plan_json(plan: Plan) -> dict[str, Any]:
    """The plan as the JSON document docs/plan-json.md describes (plain data, ready to dump):
    what ``plan --json`` prints and ``plan --out`` saves (what ``run --plan`` reads)."""
    return _document(plan, _subtask)


def plan_json_text(plan: Plan) -> str:
    """``dumps_indented(render_plan_json(plan))``, the same text, sooner: a subtask that changed
    nothing and holds only its file's digest (most subtasks of a big plan) is written from a
    template instead of going through a dict."""
    return dumps_indented(_document(plan, _subtask_entry))


def _document(plan: Plan, entry: Callable[[SubtaskResult, dict[tuple[str, int], str]], Any]) -> dict[str, Any]:
    return {
        "playbook": {"name": plan.playbook_name, "path": plan.playbook_path, "sha256": plan.playbook_sha256},
        "batchmod_version": runner.__version__,
        "root": plan.root,
        "shard": plan.shard,
        "vars": {k: v for k, v in plan.variables},
        "phases": [
            {
                "name": phase.name,
                "subtasks": [entry(s, labels) for s in phase.subtasks],
                "budget": _budget(phase.budget),
                "within_budget": not any(b.over for b in phase.budget),
                "rules": [rule_account_json(r, plan.playbook_path) for r in phase.rules],
            }
            for phase in plan.phases
            for labels in [_labels(phase)]
        ],
        "unmatched_rules": [
            {"type": u.type, "index": u.index, "label": u.label, "location": f"{plan.playbook_path}:{u.line}:{u.column}",
             "files": u.files}
            for u in unmatched_rules(plan.phases)
        ],
        "budget": _budget(plan.budget),
        "within_budget": plan.within_budget,
        "skipped": [{"file": f, "reason": r} for f, r in plan.skipped],
        "targets": {"only": list(plan.targets.only), "skip": list(plan.targets.skip), "left_out": plan.targeted_out},
    }


def rule_account_json(r: RuleAccount, playbook_path: str) -> dict[str, Any]:
    """One rule's figures over a task's files (plan JSON, status and report JSON)."""
    return {"task": r.task, "type": r.type, "index": r.index, "label": r.label, "kind": r.kind,
            "location": f"{playbook_path}:{r.line}:{r.column}", "matches": r.matches, "changes": r.changes,
            "gaps": r.gaps, "files": r.files, "searched": r.searched}


def hunk_rules_json(named: list[tuple[int, str]] | None) -> dict[str, Any]:
    """``{"rules": [{"index", "label"}]}`` for a hunk of a rule-based transform; ``{}`` otherwise."""
    return {} if named is None else {"rules": [{"index": i, "label": label} for i, label in named]}


def name_rules(rules: tuple[int, ...] | None, labels: dict[tuple[str, int], str], task: str) -> list[tuple[int, str]] | None:
    """(index, label) of each rule of ``task`` in ``rules``."""
    return None if rules is None else [(i, labels.get((task, i), f"rules[{i}]")) for i in rules]


def _labels(phase: PhaseResult) -> dict[tuple[str, int], str]:
    return {(r.task, r.index): r.label for r in phase.rules}


#: where a subtask's text starts: the document, "phases", a phase, "subtasks"
_SUBTASK_NEWLINE = "\n" + " " * 8
_N = _SUBTASK_NEWLINE + "  "
_PLAIN_HEAD = "{" + _N + '"id": '
_PLAIN_TASK = "," + _N + '"task": '
_PLAIN_FILES = "," + _N + '"files": [' + _N + "  "
_PLAIN_DIGEST = _N + "]," + _N + '"file_sha256": {' + _N + "  "
_PLAIN_TAIL = (_N + "}," + _N + '"status": "no-change",' + _N + '"lines_added": 0,' + _N + '"lines_removed": 0,' + _N
               + '"gaps": []' + _SUBTASK_NEWLINE + "}")


def _subtask_entry(s: SubtaskResult, labels: dict[tuple[str, int], str]) -> Any:
    """``_subtask(s, labels)``, or its text (a Verbatim) when ``s`` is a plain no-change subtask."""
    files = s.subtask.files
    if (s.status != "no-change" or len(files) != 1 or len(s.file_sha256) != 1 or s.file_sha256[0][0] != files[0]
            or s.gaps or s.errors or s.warnings or s.needs_model or s.forecast is not None or s.model is not None
            or s.hunk_rules or s.changes):
        return _subtask(s, labels)
    path = escape(files[0])
    text = (f"{_PLAIN_HEAD}{escape(s.subtask.id)}{_PLAIN_TASK}{escape(s.subtask.type)}{_PLAIN_FILES}{path}"
            f"{_PLAIN_DIGEST}{path}: {escape(s.file_sha256[0][1])}{_PLAIN_TAIL}")
    return Verbatim(text, _SUBTASK_NEWLINE, lambda: _subtask(s, labels))


def _subtask(s: SubtaskResult, labels: dict[tuple[str, int], str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": s.subtask.id,
        "task": s.subtask.type,
        "files": list(s.subtask.files),
        "file_sha256": dict(s.file_sha256),
        "status": s.status,
        "lines_added": s.lines_added,
        "lines_removed": s.lines_removed,
        "gaps": [
            {"file": g.file, "line": g.line, "column": g.column, "task": s.subtask.task, "rule": g.rule, "reason": g.reason,
             "source": g.source}
            for g in s.gaps
        ],
    }
    if s.errors:
        out["errors"] = list(s.errors)
    if s.warnings:
        out["warnings"] = list(s.warnings)
    if s.needs_model:
        out["needs_model"] = True
    if s.forecast is not None:
        f = s.forecast
        out["model_forecast"] = {"calls": f.calls, "tokens": f.tokens, "cost_usd": f.cost_usd, "method": f.method}
    if s.model is not None:
        out["model"] = model_work_json(s.model, s.subtask.id)
    if s.model is not None or s.hunk_rules:
        by_hunk = hunk_rule_lookup(s.hunk_rules)
        out["hunks"] = [
            {"made_by": "model" if made_by.startswith("model") else "transform", "file": h.path, "text": h.text,
             **({"attempt": s.model.attempts, "request_key": s.model.request_key} if s.model and made_by.startswith("model")
                else hunk_rules_json(name_rules(by_hunk.get(hunk_key(h.path, h.text)), labels, s.subtask.task)))}
            for made_by, change in s.attributed_changes("transform")
            for h in split_hunks(s.subtask.id, made_by, change.diff)
        ]
    return out


def model_work_json(work: ModelWork, subtask: str) -> dict[str, Any]:
    """What the model did for a subtask: attempts, gaps filled, every exchange, the error if any."""
    return {
        "subtask": subtask,
        "attempts": work.attempts,
        "first_attempt": work.first_attempt,
        "request_key": work.request_key,
        "filled": [{"file": g.file, "line": g.line, "column": g.column, "reason": g.reason} for g in work.filled],
        "error": work.error or None,
        "error_kind": work.error_kind or None,
        "refused_paths": work.refused_paths,
        "cost_usd": work.cost_usd,
        "exchanges": [
            {"request_key": e.request_key, "attempt": e.attempt, "role": e.role, "model": e.model, "calls": e.calls,
             "replayed": e.replayed, "input_tokens": e.input_tokens, "output_tokens": e.output_tokens,
             "cache_creation_input_tokens": e.cache_creation_input_tokens, "cache_read_input_tokens": e.cache_read_input_tokens}
            for e in work.exchanges
        ],
    }


def _budget(uses: tuple[BudgetUse, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for u in uses:
        entry: dict[str, Any] = {_BUDGET_FIELDS[u.key]: u.amount, "limit": u.limit}
        if u.key.startswith("model_"):
            entry["method"] = u.method if u.estimated else "model"  # model: counted from the API's usage
        out[u.key] = entry
    return out
