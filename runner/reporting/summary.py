"""What a run or a plan came to, in one frozen record that owns the exit code.

``batchmod run`` and ``batchmod plan`` build a RunSummary and take their exit code
from it and nowhere else: 0 when everything went through, 1 when a gate or a budget
stopped it or when any subtask failed (a transform raised, a command's output did not
parse, gaps left under ``on_gap: fail``). Rendering is in ``summary_text.py``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.planning.plan import Plan

if TYPE_CHECKING:  # a plan's summary never needs the run's records
    from runner.execution.overview import RunOverview


@dataclass(frozen=True, slots=True)
class RunSummary:
    """How a run or plan ended, for the exit code: why it stopped short, and the subtasks that failed."""

    stopped: str | None  #: why the run (or plan) stopped short: a gate, a budget; None when it went to its end
    failed: tuple[str, ...]  #: ids of the subtasks that failed, in plan order

    @property
    def exit_code(self) -> int:
        """0 done; 1 a gate or a budget stopped it, or a subtask failed."""
        return 1 if self.stopped is not None or self.failed else 0


def summarize_run(view: RunOverview) -> RunSummary:
    """The summary of a run from its overview (every phase planned so far)."""
    failed = tuple(sid for p in view.phases if p.record is not None for sid in p.record.failed())
    stop = view.state.stop
    return RunSummary(stop.reason if stop is not None else None, failed)


def summarize_plan(plan: Plan, stopped: str | None = None) -> RunSummary:
    """The summary of a dry run; over budget, or a model budget spent before every gap was
    asked about, counts as stopped (``run`` would refuse it, or leave those gaps)."""
    overshoots = plan.overshoots()
    spent = [p.name for p in plan.phases if p.model_budget_spent]
    if stopped is None and overshoots:
        stopped = "; ".join(overshoots)
    elif stopped is None and spent:
        stopped = f"the model budget ran out in phase {', '.join(spent)}"
    return RunSummary(stopped, tuple(sid for p in plan.phases for sid in p.failed))
