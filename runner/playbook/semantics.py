"""Checks of meaning beyond the schema, like a linter: every finding has a position.

They run on the parts of the playbook that passed the schema (``prune.prune_invalid``),
so a schema error elsewhere never hides them.
"""
from __future__ import annotations

import difflib
import os
from typing import TYPE_CHECKING, Any

from runner.errors import Diagnostic
from runner.playbook.lints import CandidateFiles, check_globs_and_commands
from runner.playbook.prune import PRUNED, entries, members
from runner.playbook.read import PathKey, RawPlaybook, format_json_path
from runner.playbook.templates import check_templates
from runner.playbook.transform_checks import check_transforms

if TYPE_CHECKING:
    from runner.planning.cache_checks import CheckVerdicts


def check_meaning(
    raw: RawPlaybook, variables: dict[str, Any] | None, root: str, candidates: CandidateFiles,
    verdicts: CheckVerdicts | None = None,
) -> list[Diagnostic]:
    """Semantic diagnostics of the (pruned) data. ``variables`` None: the `vars:` section
    is invalid, so nothing that depends on variables is checked. ``candidates`` None
    skips glob coverage (a function gives them when the coverage is checked, last). ``verdicts`` (a plan's cache) skips the transform checks when
    the same playbook, variables, root and transforms passed them before."""
    out: list[Diagnostic] = []
    data = raw.data

    def report(path: PathKey, message: str, *, severity: str = "error", key: bool = False) -> None:
        line, col = raw.source_map.position(path, key=key)
        out.append(Diagnostic(raw.path, line, col, message, format_json_path(path), severity))

    _check_names(data, report)
    for i, phase in entries(data.get("phases")):
        _check_phase_budget(data, i, phase, report)
        gate = phase.get("gate") if isinstance(phase.get("gate"), dict) else {}
        review = gate.get("review")
        if (review == "model" or isinstance(review, dict)) and _model_off(data):
            report(("phases", i, "gate", "review"), "review: model needs a `model:` section with provider anthropic or replay")
        fix = phase.get("on_failure")
        if (fix == "fix" or (isinstance(fix, list) and "fix" in fix)) and _model_off(data):
            report(("phases", i, "on_failure"), "on_failure: fix needs a `model:` section with provider anthropic or replay")
    for name, spec in members(data.get("task_types")):
        at = ("task_types", name)
        if spec.get("on_gap") == "model" and _model_off(data):
            report((*at, "on_gap"), "on_gap: model without a usable `model:` section; gaps will only be reported", severity="warning")
        if spec.get("transform") == "model" and _model_off(data):
            report((*at, "transform"), "transform: model without a usable `model:` section; every subtask stays a gap "
                   "(add `model: {provider: anthropic}`)", severity="warning")
        if not spec.get("examples") and spec.get("transform") != "command":
            report(at, f"task type `{name}` has no `examples:`; add a before/after pair so `batchmod test` can check it", severity="warning", key=True)
    _check_model(raw, report)
    out.extend(check_templates(raw, variables))
    if variables is not None:
        out.extend(_transform_diagnostics(raw, variables, root, verdicts))
        out.extend(check_globs_and_commands(raw, variables, root, candidates() if callable(candidates) else candidates))
    return out


def _transform_diagnostics(raw: RawPlaybook, variables: dict[str, Any], root: str,
                           verdicts: CheckVerdicts | None) -> list[Diagnostic]:
    """``check_transforms``, or nothing when ``verdicts`` remembers that these inputs passed it."""
    key = verdicts.key(raw.sha256, raw.data.get("task_types"), variables, root) if verdicts is not None else None
    if verdicts is not None and verdicts.passed(key):
        return []
    found = check_transforms(raw, variables, root)
    if verdicts is not None and not found:
        verdicts.remember(key)
    return found


def _check_names(data: dict[str, Any], report: Any) -> None:
    """Phase names are unique; tasks name declared task types; every task type is used."""
    task_types = data.get("task_types")
    declared = list(task_types) if isinstance(task_types, dict) else None
    used: set[str] = set()
    seen_phases: dict[str, int] = {}
    phases = data.get("phases")
    # a task taken out by the schema may use any task type: then "unused" is unknown
    complete = isinstance(phases, list) and PRUNED not in phases and all(PRUNED not in p["tasks"] for _, p in entries(phases))
    for i, phase in entries(phases):
        if phase["name"] in seen_phases:
            report(("phases", i, "name"), f"phase name `{phase['name']}` is used twice (first by phases[{seen_phases[phase['name']]}]); phase names must be unique")
        seen_phases.setdefault(phase["name"], i)
        for j, task in entries(phase.get("tasks")):
            used.add(task["type"])
            if declared is not None and task["type"] not in declared:
                close = difflib.get_close_matches(task["type"], declared, n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                report(("phases", i, "tasks", j, "type"), f"task type `{task['type']}` is not declared{hint}; declared: {', '.join(declared)}")
    for name in declared if complete and declared else ():
        if name not in used:
            report(("task_types", name), f"task type `{name}` is declared but no phase uses it", severity="warning", key=True)


def _check_model(raw: RawPlaybook, report: Any) -> None:
    model = raw.data.get("model", {})
    if model.get("provider") == "replay" and model.get("cassette"):
        if not os.path.isfile(os.path.join(os.path.dirname(os.path.abspath(raw.path)), model["cassette"])):
            report(("model", "cassette"), f"cassette `{model['cassette']}` does not exist beside the playbook; provider replay needs recorded answers", severity="warning")
    elif model.get("provider") == "replay":
        report(("model", "provider"), "provider replay needs `cassette:` (the recorded answers)")


def _model_off(data: dict[str, Any]) -> bool:
    return data.get("model", {}).get("provider", "none" if "model" not in data else "anthropic") == "none"


def _check_phase_budget(data: dict[str, Any], i: int, phase: dict[str, Any], report: Any) -> None:
    run_budget = data.get("budget", {})
    for key, value in phase.get("budget", {}).items():
        limit = run_budget.get(key)
        if limit is not None and value > limit:
            report(("phases", i, "budget", key), f"phase budget {key}={value} exceeds the run budget {key}={limit}; lower it or raise the run budget")
