"""Budget use of a plan: files and lines counted; model calls, tokens and cost used or forecast.

A subtask the model answered counts what its exchanges cost (answers replayed from the
cassette are free); one that needs the model but was not asked counts its forecast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from runner.playbook.spec import Budget, PhaseSpec, Playbook

if TYPE_CHECKING:
    from runner.planning.plan import BudgetUse, FileChange, PhaseResult, SubtaskResult

ExchangeCost = Callable[["SubtaskResult"], float]  #: US dollars the subtask's exchanges cost


def _review_calls(phase: PhaseSpec, subtasks: tuple["SubtaskResult", ...]) -> tuple[int, int]:
    if phase.gate.review != "model":
        return 0, 0
    from runner.model.forecast import BYTES_PER_TOKEN, CALL_OVERHEAD_TOKENS  # the model stack, for a model review only

    changed = [s for s in subtasks if s.status == "change"]
    tokens = sum(CALL_OVERHEAD_TOKENS + sum(len(c.diff) for c in s.changes) // BYTES_PER_TOKEN for s in changed)
    return len(changed), tokens


def _model_use(subtasks: tuple["SubtaskResult", ...]) -> tuple[int, int, float, bool, str]:
    """(calls, tokens, cost, any part estimated, estimate method) of the subtasks' model work."""
    calls, tokens, cost, estimated, methods = 0, 0, 0.0, False, set()
    for s in subtasks:
        if s.forecast is not None:
            calls, tokens, cost = calls + s.forecast.calls, tokens + s.forecast.tokens, cost + s.forecast.cost_usd
            estimated = True
            methods.add(s.forecast.method)
        if s.model is not None:
            asked = [e for e in s.model.exchanges if not e.replayed]
            calls += sum(e.calls for e in asked)
            tokens += sum(e.input_tokens + e.output_tokens + e.cache_creation_input_tokens + e.cache_read_input_tokens for e in asked)
            cost += s.model.cost_usd
    method = "bytes" if "bytes" in methods else "count_tokens" if methods else ""
    return calls, tokens, round(cost, 6), estimated, method


def _uses(budget: Budget, files: int, lines: int, calls: int, tokens: int, cost: float,
          estimated: bool, method: str) -> tuple["BudgetUse", ...]:
    from runner.planning.plan import BudgetUse

    return (
        BudgetUse("files", files, budget.max_files),
        BudgetUse("lines", lines, budget.max_lines),
        BudgetUse("model_calls", calls, budget.max_model_calls, estimated, method),
        BudgetUse("model_tokens", tokens, budget.max_model_tokens, estimated, method),
        BudgetUse("model_cost_usd", cost, budget.max_cost_usd, estimated, method),
    )


def phase_budget(phase: PhaseSpec, subtasks: tuple["SubtaskResult", ...], files: tuple["FileChange", ...]) -> tuple["BudgetUse", ...]:
    """The phase's use of its budget: files and lines of its net diff, model calls, tokens and cost (review calls estimated)."""
    lines = sum(c.added + c.removed for c in files)  # each file's net diff over the phase: a line two tasks change counts once
    calls, tokens, cost, estimated, method = _model_use(subtasks)
    review_calls, review_tokens = _review_calls(phase, subtasks)
    estimated = estimated or review_calls > 0
    method = method or ("bytes" if review_calls else "")
    return _uses(phase.budget, len(files), lines, calls + review_calls, tokens + review_tokens, cost, estimated, method)


def run_budget(playbook: Playbook, phases: tuple["PhaseResult", ...]) -> tuple["BudgetUse", ...]:
    """The whole plan's use of the playbook's budget: distinct files, then the phases' lines and model use summed."""
    files = {c.path for p in phases for c in p.files}
    totals: dict[str, float] = {}
    estimated, methods = False, set()
    for phase in phases:
        for use in phase.budget:
            totals[use.key] = totals.get(use.key, 0) + use.amount
            if use.estimated:
                estimated = True
                methods.add(use.method)
    method = "bytes" if "bytes" in methods else "count_tokens" if methods else ""
    return _uses(playbook.budget, len(files), int(totals.get("lines", 0)), int(totals.get("model_calls", 0)),
                 int(totals.get("model_tokens", 0)), round(totals.get("model_cost_usd", 0.0), 6), estimated, method)
