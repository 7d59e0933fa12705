"""Budget use of a plan: files and lines counted, model calls and tokens estimated."""
from __future__ import annotations

from typing import TYPE_CHECKING

from runner.playbook.spec import Budget, PhaseSpec, Playbook

if TYPE_CHECKING:
    from runner.planning.plan import BudgetUse, FileChange, PhaseResult, SubtaskResult

#: what one model exchange costs besides the files: system prompt, tools, the answer
_CALL_OVERHEAD_TOKENS = 2000
_BYTES_PER_TOKEN = 4


def estimate_tokens(file_bytes: int, instructions: str, gap_count: int) -> int:
    """Input (files + instructions + gap list) plus an answer about as long as the files."""
    prompt = file_bytes + len(instructions) + 80 * gap_count
    return _CALL_OVERHEAD_TOKENS + (2 * prompt) // _BYTES_PER_TOKEN


def _review_calls(phase: PhaseSpec, subtasks: tuple["SubtaskResult", ...]) -> tuple[int, int]:
    if phase.gate.review != "model":
        return 0, 0
    changed = [s for s in subtasks if s.status == "change"]
    tokens = sum(_CALL_OVERHEAD_TOKENS + sum(len(c.diff) for c in s.changes) // _BYTES_PER_TOKEN for s in changed)
    return len(changed), tokens


def _uses(budget: Budget, files: int, lines: int, calls: int, tokens: int) -> tuple["BudgetUse", ...]:
    from runner.planning.plan import BudgetUse

    return (
        BudgetUse("files", files, budget.max_files),
        BudgetUse("lines", lines, budget.max_lines),
        BudgetUse("model_calls", calls, budget.max_model_calls, estimated=True),
        BudgetUse("model_tokens", tokens, budget.max_model_tokens, estimated=True),
    )


def phase_budget(phase: PhaseSpec, subtasks: tuple["SubtaskResult", ...], files: tuple["FileChange", ...]) -> tuple["BudgetUse", ...]:
    lines = sum(s.lines_added + s.lines_removed for s in subtasks)
    calls = sum(1 for s in subtasks if s.needs_model)
    tokens = sum(s.model_tokens for s in subtasks)
    review_calls, review_tokens = _review_calls(phase, subtasks)
    return _uses(phase.budget, len(files), lines, calls + review_calls, tokens + review_tokens)


def run_budget(playbook: Playbook, phases: tuple["PhaseResult", ...]) -> tuple["BudgetUse", ...]:
    files = {c.path for p in phases for c in p.files}
    totals = [0, 0, 0]
    for phase in phases:
        for use in phase.budget:
            if use.key == "lines":
                totals[0] += use.amount
            elif use.key == "model_calls":
                totals[1] += use.amount
            elif use.key == "model_tokens":
                totals[2] += use.amount
    return _uses(playbook.budget, len(files), totals[0], totals[1], totals[2])
