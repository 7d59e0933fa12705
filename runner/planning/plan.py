"""The plan: frozen records of a dry run, and the budget arithmetic over them."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from runner.planning.expand import Subtask
from runner.planning.targets import Targets
from runner.planning.linediff import count_changes, matching_blocks, split_lines, unified_diff
from runner.transforms.base import Gap

if TYPE_CHECKING:  # the model's records are imported by the code that makes them (a plan with model work)
    from runner.model.forecast import ModelForecast
    from runner.model.jobs import Exchange

STATUSES = ("change", "no-change", "gap", "error")


@dataclass(frozen=True, slots=True)
class FileChange:
    """A file's planned change: its bytes before and after, the unified diff and its line counts."""

    path: str
    before: bytes
    after: bytes
    diff: str  #: unified diff, a/ b/ prefixes
    added: int
    removed: int


def file_change(path: str, before: bytes, after: bytes) -> FileChange:
    """The change of one file as a unified diff (a/ b/ prefixes), its lines counted as
    ``git diff --numstat`` counts them (see linediff.py)."""
    a = split_lines(before.decode("utf-8", "surrogateescape"))
    b = split_lines(after.decode("utf-8", "surrogateescape"))
    blocks = matching_blocks(a, b)
    added, removed = count_changes(a, b, blocks)
    lines = [_printable(ln) for ln in unified_diff(a, b, blocks, f"a/{path}", f"b/{path}")]
    text = "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines)
    return FileChange(path, before, after, text, added, removed)


def _printable(line: str) -> str:
    return line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


@dataclass(frozen=True, slots=True)
class ModelWork:
    """What the model did for one subtask: its edits on top of the deterministic result."""

    changes: tuple[FileChange, ...]  #: deterministic result → the model's edit, per file
    filled: tuple[Gap, ...]
    exchanges: tuple[Exchange, ...]
    attempts: int
    error: str = ""  #: why the job did not run (a replay miss names the request key)
    error_kind: str = ""  #: replay-miss | budget | transport | api | ""
    refused_paths: int = 0
    cost_usd: float = 0.0  #: of the exchanges asked (replayed answers are free)

    @property
    def first_attempt(self) -> bool:
        """Every gap closed at the first try."""
        return bool(self.changes) and not self.error and self.attempts == 1

    @property
    def request_key(self) -> str:
        """The key of the last exchange of the final attempt: the answer that made the edits."""
        last = [e for e in self.exchanges if e.attempt == self.attempts] or list(self.exchanges)
        return last[-1].request_key if last else ""


@dataclass(frozen=True, slots=True)
class HunkRules:
    """The rules that made one hunk of a subtask's deterministic diff."""

    file: str
    header: str  #: the hunk's ``@@ -a,b +c,d @@`` line, unique within the file's diff
    rules: tuple[int, ...]  #: indices in the task type's ``rules:``


@dataclass(frozen=True, slots=True)
class RuleAccount:
    """What one rule of a rule-based task (``rewrite``) did over the task's files in a phase."""

    task: str  #: the task's label in its phase
    type: str  #: the task type
    index: int  #: position in the task type's ``rules:``
    kind: str  #: replace | flag
    label: str  #: the rule's ``id``, else the first line of its ``match``
    line: int  #: where the rule is in the playbook file (1-based; 0: unknown)
    column: int
    matches: int  #: sites it matched
    changes: int  #: sites it rewrote
    gaps: int  #: sites it left as gaps
    files: int  #: files it matched in
    searched: int  #: files of the task


@dataclass(frozen=True, slots=True)
class SubtaskResult:
    """What planning one subtask gave: its status, changes, gaps, errors, and the model's part."""

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
    forecast: ModelForecast | None = None  #: set when the model is needed but was not asked
    model: ModelWork | None = None  #: set when the model was asked (plan --model, --replay, run)
    hunk_rules: tuple[HunkRules, ...] = ()  #: a rule-based transform's hunks, with the rules that made each

    def attributed_changes(self, transform: str) -> list[tuple[str, FileChange]]:
        """The subtask's changes split by author: ``(made_by, change)``, deterministic part first.

        ``made_by`` is ``transform`` for the deterministic edit and
        ``model: attempt N, request KEY`` for the model's edit on top of it.
        """
        model = {c.path: c for c in self.model.changes} if self.model is not None else {}
        out: list[tuple[str, FileChange]] = []
        for change in self.changes:
            edit = model.get(change.path)
            if edit is None:
                out.append((transform, change))
                continue
            if edit.before != change.before:
                out.append((transform, file_change(change.path, change.before, edit.before)))
            assert self.model is not None
            out.append((f"model: attempt {self.model.attempts}, request {self.model.request_key}", edit))
        return out

    @property
    def failed(self) -> bool:
        """The subtask failed: a transform error, or gaps left under ``on_gap: fail``."""
        return bool(self.errors) or (self.on_gap == "fail" and bool(self.gaps))

    @property
    def lines_added(self) -> int:
        """Lines added over the subtask's changes."""
        return sum(c.added for c in self.changes)

    @property
    def lines_removed(self) -> int:
        """Lines removed over the subtask's changes."""
        return sum(c.removed for c in self.changes)


@dataclass(frozen=True, slots=True)
class BudgetUse:
    """One budgeted amount (files, lines, model calls, tokens, dollars) against its limit."""

    key: str  #: files | lines | model_calls | model_tokens | model_cost_usd
    amount: int | float  #: float for model_cost_usd
    limit: int | float | None
    estimated: bool = False  #: model figures are estimates in a plan
    method: str = ""  #: for estimates: "bytes" or "count_tokens"

    @property
    def over(self) -> int | float:
        """How far the amount exceeds the limit; 0 within it or without a limit."""
        return max(0, self.amount - self.limit) if self.limit is not None else 0


@dataclass(frozen=True, slots=True)
class PhaseResult:
    """A planned phase: its subtasks, its budget use, the net change per file."""

    name: str
    subtasks: tuple[SubtaskResult, ...]
    budget: tuple[BudgetUse, ...]
    files: tuple[FileChange, ...]  #: whole-phase change per file (start of phase → end)
    model_budget_spent: str = ""  #: why the model budget refused a call (the rest stayed gaps)
    rules: tuple[RuleAccount, ...] = ()  #: per rule of each rule-based task, in task then rule order

    def count(self, status: str) -> int:
        """How many of the phase's subtasks have ``status`` (change, no-change, gap, error)."""
        return sum(1 for s in self.subtasks if s.status == status)

    @property
    def failed(self) -> tuple[str, ...]:
        """Ids of the phase's failed subtasks, in plan order."""
        return tuple(s.subtask.id for s in self.subtasks if s.failed)


@dataclass(frozen=True, slots=True)
class PlanStats:
    """What planning cost: files read and parsed, cache hits, seconds; jobs whose results the cache may not keep."""

    files_read: int
    files_parsed: int
    cache_hits: int
    seconds: float
    uncached: int = 0  #: jobs whose results depend on other files: neither stored in the cache nor kept in a plan


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything ``batchmod plan`` found, phase by phase; written as the plan JSON, executed by ``run``."""

    playbook_name: str
    playbook_path: str
    playbook_sha256: str
    root: str
    variables: tuple[tuple[str, object], ...]
    phases: tuple[PhaseResult, ...]
    budget: tuple[BudgetUse, ...]
    skipped: tuple[tuple[str, str], ...]  #: files left out (symlinks leaving the root, files over select.max_file_bytes)
    stats: PlanStats
    pruned: tuple[tuple[str, tuple[str, ...]], ...] = ()  #: (subtask id, files) left out by PlanOptions.subtask_ids
    shard: str | None = None  #: ``K/N`` when only one shard's files were planned
    targets: Targets = Targets()  #: the --only / --skip patterns
    targeted_out: int = 0  #: subtasks they left out

    def overshoots(self) -> list[str]:
        """One line per exceeded limit, naming the limit and the overshoot."""
        lines = [_overshoot("run", b) for b in self.budget if b.over]
        for phase in self.phases:
            lines.extend(_overshoot(f"phase {phase.name}", b) for b in phase.budget if b.over)
        return lines

    @property
    def within_budget(self) -> bool:
        """No run or phase limit is exceeded."""
        return not self.overshoots()


_LIMIT_NAMES = {"files": "max_files", "lines": "max_lines", "model_calls": "max_model_calls",
                "model_tokens": "max_model_tokens", "model_cost_usd": "max_cost_usd"}


def _overshoot(scope: str, use: BudgetUse) -> str:
    verb = "estimates" if use.estimated else "plans"
    fmt = (lambda v: f"{v:.4f}") if use.key == "model_cost_usd" else str
    return (
        f"{scope} budget exceeded: {_LIMIT_NAMES[use.key]} is {fmt(use.limit)}, the plan {verb} {fmt(use.amount)} "
        f"(over by {fmt(use.over)}); narrow the globs, split the phase, or raise the limit in the playbook"
    )
