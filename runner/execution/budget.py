"""The run budget as phases are written: files counted once across phases, the rest summed."""
from __future__ import annotations

from typing import Iterable

from runner.planning.plan import BudgetUse


def run_budget_use(limits: tuple[BudgetUse, ...], phases: Iterable[tuple[Iterable[str], tuple[BudgetUse, ...]]]) -> tuple[BudgetUse, ...]:
    """Use against ``limits`` (the run's) of phases given as (changed files, phase budget use)."""
    files: set[str] = set()
    totals: dict[str, int | float] = {}
    estimated: set[str] = set()
    for changed, uses in phases:
        files.update(changed)
        for use in uses:
            totals[use.key] = totals.get(use.key, 0) + use.amount
            if use.estimated:
                estimated.add(use.key)
    totals["files"] = len(files)
    return tuple(BudgetUse(u.key, totals.get(u.key, 0), u.limit, u.key in estimated) for u in limits)
