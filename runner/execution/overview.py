"""A run as people ask about it: phases, subtasks by state, budgets, the gate, what to type next.

Read-only: built from ``state.json``, the phase records and the journal.
"""
from __future__ import annotations

from dataclasses import dataclass

from runner.execution.budget import run_budget_use
from runner.execution.context import command_line, run_again
from runner.execution.journal import Journal
from runner.execution.records import PhasePlanRecord, PhaseState, PlannedScope, RunState, SubtaskRecord
from runner.execution.store import RunFolder
from runner.planning.plan import BudgetUse

SUBTASK_STATES = ("pending", "in_progress", "done", "failed", "rejected", "reverted", "gap")


@dataclass(frozen=True, slots=True)
class SubtaskView:
    """A subtask with its state in the run (done, failed, reverted…) and why."""

    record: SubtaskRecord
    state: str  #: one of SUBTASK_STATES
    reason: str = ""  #: why it failed or was reverted


@dataclass(frozen=True, slots=True)
class PhaseView:
    """A phase as people see it: its state, its stored plan, what the start plan said, its subtasks."""

    state: PhaseState
    record: PhasePlanRecord | None  #: None until the phase is planned
    planned: PlannedScope | None  #: what the plan at run start said
    subtasks: tuple[SubtaskView, ...]

    def count(self, state: str) -> int:
        """How many of the phase's subtasks are in ``state`` (one of SUBTASK_STATES)."""
        return sum(1 for s in self.subtasks if s.state == state)

    @property
    def budget(self) -> tuple[BudgetUse, ...]:
        """The phase's budget use as planned; empty until it is planned."""
        return self.record.budget if self.record else ()


@dataclass(frozen=True, slots=True)
class RunOverview:
    """A run as `status` and `report` show it: its phases, the run budget used, the command to type next."""

    state: RunState
    folder: str
    phases: tuple[PhaseView, ...]
    budget: tuple[BudgetUse, ...]  #: the run's use so far against its limits
    next: str  #: the command to type next


def build_overview(folder: RunFolder, state: RunState) -> RunOverview:
    """The overview of the run in ``folder``; reads its records and journal (StateDamaged when they are unreadable)."""
    journal = Journal(folder.events_path)
    done = journal.done_keys()
    open_keys = {i.key for i in journal.open_intents()}
    planned = {p.phase: p for p in state.planned}
    phases = []
    for ps in state.phases:
        record = folder.load_phase(ps.name)
        views = tuple(_subtask_view(ps, s, done, open_keys) for s in record.subtasks) if record else ()
        phases.append(PhaseView(ps, record, planned.get(ps.name), views))
    written = [(v.record.changed_files, v.record.budget) for v in phases if v.record and v.state.state not in ("pending", "rolled_back")]
    return RunOverview(state, folder.path, tuple(phases), run_budget_use(state.limits, written), _next(state))


def _subtask_view(ps: PhaseState, s: SubtaskRecord, done: set[str], open_keys: set[str]) -> SubtaskView:
    if s.errors:
        return SubtaskView(s, "failed", "; ".join(s.errors))
    if s.gaps and s.on_gap == "fail":
        return SubtaskView(s, "failed", f"{len(s.gaps)} gap(s) and on_gap: fail")
    if s.status == "rejected":
        return SubtaskView(s, "rejected", "rejected by review: " + "; ".join(s.review))
    if not s.writable:
        return SubtaskView(s, "gap" if s.gaps else "done")
    if ps.state == "rolled_back":
        return SubtaskView(s, "reverted", f"phase rolled back: {ps.gate}")
    for culprit in ps.bisect.culprits if ps.bisect else ():
        if s.id in culprit.subtasks:
            return SubtaskView(s, "reverted", culprit.reason)
    key = f"{ps.name}#{ps.attempt}/{s.id}"
    if key in done:
        return SubtaskView(s, "gap" if s.gaps else "done")
    return SubtaskView(s, "in_progress" if key in open_keys else "pending")


def _next(state: RunState) -> str:
    if state.status == "rolling_back":
        return command_line("rollback", state) + "  (finishes the interrupted rollback)"
    if state.stop is not None:
        return state.stop.next
    if state.status in ("running", "stopped", "interrupted"):
        return run_again(state) + "  (continues the run)"
    if state.status == "rolled_back":
        return "nothing: the run was rolled back; " + run_again(state) + " starts a new one"
    return command_line("report", state) + "  (the run is done)"
