"""The plan: frozen records of a dry run, and the budget arithmetic over them."""
from __future__ import annotations

from dataclasses import dataclass

from runner.planning.expand import Subtask
from runner.transforms.base import Gap

STATUSES = ("change", "no-change", "gap", "error")


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    before: bytes
    after: bytes
    diff: str  #: unified diff, a/ b/ prefixes
    added: int
    removed: int


@dataclass(frozen=True, slots=True)
class SubtaskResult:
    subtask: Subtask
    status: str  #: change | no-change | gap | error
    file_sha256: tuple[tuple[str, str], ...]  #: on-disk content when planned
    changes: tuple[FileChange, ...]
    gaps: tuple[Gap, ...]
    errors: tuple[str, ...]  #: "path: reason"
    warnings: tuple[str, ...]
    notes: tuple[str, ...]  #: why files were left alone (skipped, whitespace-only)
    on_gap: str  #: report | model | fail
    needs_model: bool  #: gaps the model is to fill, or a `model` transform
    model_tokens: int  #: estimated tokens if the model is asked

    @property
    def failed(self) -> bool:
        """The subtask failed: a transform error, or gaps left under ``on_gap: fail``."""
        return bool(self.errors) or (self.on_gap == "fail" and bool(self.gaps))

    @property
    def lines_added(self) -> int:
        return sum(c.added for c in self.changes)

    @property
    def lines_removed(self) -> int:
        return sum(c.removed for c in self.changes)


@dataclass(frozen=True, slots=True)
class BudgetUse:
    key: str  #: files | lines | model_calls | model_tokens
    amount: int
    limit: int | None
    estimated: bool = False  #: model figures are estimates in a plan

    @property
    def over(self) -> int:
        return max(0, self.amount - self.limit) if self.limit is not None else 0


@dataclass(frozen=True, slots=True)
class PhaseResult:
    name: str
    subtasks: tuple[SubtaskResult, ...]
    budget: tuple[BudgetUse, ...]
    files: tuple[FileChange, ...]  #: whole-phase change per file (start of phase → end)

    def count(self, status: str) -> int:
        return sum(1 for s in self.subtasks if s.status == status)

    @property
    def failed(self) -> tuple[str, ...]:
        """Ids of the phase's failed subtasks, in plan order."""
        return tuple(s.subtask.id for s in self.subtasks if s.failed)


@dataclass(frozen=True, slots=True)
class PlanStats:
    files_read: int
    files_parsed: int
    cache_hits: int
    seconds: float


@dataclass(frozen=True, slots=True)
class Plan:
    playbook_name: str
    playbook_path: str
    playbook_sha256: str
    root: str
    variables: tuple[tuple[str, object], ...]
    phases: tuple[PhaseResult, ...]
    budget: tuple[BudgetUse, ...]
    skipped: tuple[tuple[str, str], ...]  #: files left out (symlinks leaving the root)
    stats: PlanStats

    def overshoots(self) -> list[str]:
        """One line per exceeded limit, naming the limit and the overshoot."""
        lines = [_overshoot("run", b) for b in self.budget if b.over]
        for phase in self.phases:
            lines.extend(_overshoot(f"phase {phase.name}", b) for b in phase.budget if b.over)
        return lines

    @property
    def within_budget(self) -> bool:
        return not self.overshoots()


_LIMIT_NAMES = {"files": "max_files", "lines": "max_lines", "model_calls": "max_model_calls", "model_tokens": "max_model_tokens"}


def _overshoot(scope: str, use: BudgetUse) -> str:
    verb = "estimates" if use.estimated else "plans"
    return (
        f"{scope} budget exceeded: {_LIMIT_NAMES[use.key]} is {use.limit}, the plan {verb} {use.amount} "
        f"(over by {use.over}); narrow the globs, split the phase, or raise the limit in the playbook"
    )
