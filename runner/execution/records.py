"""Frozen records of a run: what ``state.json`` and the phase files hold.

``state.json`` is a RunState; ``phases/<phase>.json`` is a PhasePlanRecord. Both are
rewritten atomically; the journal (``events.jsonl``) says which writes are done.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from runner.planning.plan import BudgetUse, HunkRules, RuleAccount

#: the layout of the run state this batchmod writes (docs/state.md)
STATE_VERSION = 2

#: a run that ended; ``batchmod run`` starts a new one after these
TERMINAL_STATUSES = ("done", "rolled_back")


@dataclass(frozen=True, slots=True)
class FileDelta:
    """One file's write: its content's sha256 before and after, and the lines added and removed."""

    path: str
    pre: str  #: sha256 of the content before the write
    post: str  #: sha256 of the content after it
    added: int = 0
    removed: int = 0


@dataclass(frozen=True, slots=True)
class ModelExchange:
    """One model call made for a subtask (tokens as the API's usage reported them)."""

    request_key: str
    attempt: int
    model: str
    calls: int  #: API calls, SDK retries included; 0 when replayed from the cassette
    replayed: bool
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int


@dataclass(frozen=True, slots=True)
class SubtaskModel:
    """The model's part of a subtask: its edits are in the subtask's deltas, attributed here."""

    attempts: int
    request_key: str  #: the answer whose edits were kept
    files: tuple[str, ...]  #: files the model edited
    filled: int  #: gaps it closed
    exchanges: tuple[ModelExchange, ...]
    cost_usd: float = 0.0
    error: str = ""
    error_kind: str = ""  #: replay-miss | budget | transport | api | no-key
    refused_paths: int = 0


@dataclass(frozen=True, slots=True)
class GapRecord:
    """A site left open, as stored and shown everywhere (status, report, gaps)."""

    file: str
    line: int
    column: int
    task: str  #: the task label in its phase
    rule: str  #: the transform's rule that left it (``rules[3]``), "" when it has none
    reason: str
    source: str = ""  #: the matched source text, when there is one

    def render(self) -> str:
        """``file:line:column: reason`` (the one-line form every listing shows)."""
        return f"{self.file}:{self.line}:{self.column}: {self.reason}"


@dataclass(frozen=True, slots=True)
class SubtaskRecord:
    """A subtask as planned and stored: its files' deltas, the gaps left, errors, the model's part, the review."""

    id: str
    task: str  #: the task label in its phase
    type: str  #: the task type
    transform: str  #: what made the edit (a registry name or a codemod's dotted path)
    status: str  #: planned status: change | no-change | gap | error
    files: tuple[str, ...]
    deltas: tuple[FileDelta, ...]
    gaps: tuple[GapRecord, ...] = ()
    errors: tuple[str, ...] = ()
    on_gap: str = "report"
    model: SubtaskModel | None = None  #: what the model did for it, when it was asked
    review: tuple[str, ...] = ()  #: the reviewer's reasons ("file:line: reason") when it rejected the subtask
    hunk_rules: tuple[HunkRules, ...] = ()  #: a rule-based transform's hunks, with the rules that made each

    @property
    def failed(self) -> bool:
        """A transform error, or gaps left under ``on_gap: fail``: nothing of it is written."""
        return bool(self.errors) or (self.on_gap == "fail" and bool(self.gaps))

    @property
    def writable(self) -> bool:
        """A subtask whose edits are written: it changed files, did not fail, was not rejected by review."""
        return bool(self.deltas) and not self.failed and self.status != "rejected"


@dataclass(frozen=True, slots=True)
class PhasePlanRecord:
    """A phase as planned on the tree it is written to (stored before any write)."""

    phase: str
    attempt: int
    subtasks: tuple[SubtaskRecord, ...]
    preimages: tuple[tuple[str, str], ...]  #: (path, sha256) at phase start, for every file written
    budget: tuple[BudgetUse, ...]
    changed_files: tuple[str, ...]  #: files the phase writes, sorted
    model_budget_spent: str = ""  #: why the model budget refused a call while planning it
    rules: tuple[RuleAccount, ...] = ()  #: what each rule of the phase's rule-based tasks did, as planned

    def writable(self) -> tuple[SubtaskRecord, ...]:
        """The subtasks whose edits are written, in plan order."""
        return tuple(s for s in self.subtasks if s.writable)

    def failed(self) -> tuple[str, ...]:
        """Ids of the subtasks that failed, in plan order."""
        return tuple(s.id for s in self.subtasks if s.failed)


@dataclass(frozen=True, slots=True)
class FailedTest:
    """One failed test of a check, as its JUnit report names it."""

    id: str  #: classname::name from JUnit
    message: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One run of a check: its exit, the tail of its output, the log file, the failed tests."""

    name: str
    command: str  #: as rendered
    exit_code: int  #: -1 on timeout
    duration: float
    timed_out: bool
    tail: str  #: the last lines of stdout + stderr
    log: str  #: the full output, relative to the run folder
    failures: tuple[FailedTest, ...] = ()
    junit_read: bool = False  #: a JUnit report was written by this run of the check

    @property
    def passed(self) -> bool:
        """Exit 0, no timeout and no failed test in its JUnit report."""
        return self.exit_code == 0 and not self.timed_out and not self.failures


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """A check's result on the untouched tree, before the run's first write."""

    phase: str
    result: CheckResult


@dataclass(frozen=True, slots=True)
class CheckVerdict:
    """A check's result judged against the baseline on the untouched tree."""

    result: CheckResult
    baseline_passed: bool | None  #: None: no baseline for this check
    new_failures: tuple[str, ...]  #: test ids, or the check's name when no ids apply
    preexisting: tuple[str, ...]  #: failures the untouched tree had too (shown, not blamed)
    whole: bool = False  #: compared with the baseline as a whole (no test ids on both sides)
    must_pass: bool = False  #: a goal check: blocks while it fails, whatever the baseline

    @property
    def blocking(self) -> bool:
        """The check has failures blamed on the migration: the gate stops."""
        return bool(self.new_failures)


@dataclass(frozen=True, slots=True)
class Approval:
    """Who approved a manual gate (``batchmod approve``) and when."""

    by: str
    at: str  #: ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class Culprit:
    """Subtasks that bisection found to cause new check failures (reverted together)."""

    subtasks: tuple[str, ...]  #: reverted together (they share files)
    files: tuple[str, ...]
    reason: str  #: the new failures seen with them applied


@dataclass(frozen=True, slots=True)
class BisectOutcome:
    """What bisection of a failed phase found, and how many check runs it took."""

    culprits: tuple[Culprit, ...]
    check_runs: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class FormatOutcome:
    """The phase's formatter run: its command, its exit, the files it changed."""

    command: str
    exit_code: int
    deltas: tuple[FileDelta, ...]  #: files the formatter changed
    note: str = ""  #: why edits were dropped, when they were


@dataclass(frozen=True, slots=True)
class ReviewOutcome:
    """The model review of a phase, before its writes."""

    reviewed: int  #: subtasks the reviewer was asked about
    approved: int
    rejected: tuple[str, ...]  #: subtask ids not written (rejected, or no verdict)
    not_sampled: int = 0  #: writable subtasks outside ``review: {on, sample}``
    note: str = ""  #: why some got no verdict (budget spent, no tool call)
    seconds: float = 0.0
    calls: int = 0
    tokens: int = 0


@dataclass(frozen=True, slots=True)
class ClusterRecord:
    """One failure cluster of the fix loop, and what became of it."""

    key: str
    signature: str
    count: int
    examples: tuple[str, ...]  #: a few test ids
    round: int  #: the round it was first seen in
    resolved_in: int = 0  #: the round after which it no longer failed; 0 while it is left
    note: str = ""  #: why the model's fix was not applied (refused, budget, no fix)


@dataclass(frozen=True, slots=True)
class FixOutcome:
    """The fix loop of a phase: rounds made, clusters seen, edits refused by the guard."""

    rounds: int = 0
    clusters: tuple[ClusterRecord, ...] = ()
    refused: tuple[str, ...] = ()  #: each refused fix, explained ("file: deletes test test_x")
    files: tuple[str, ...] = ()  #: files the fixes changed
    calls: int = 0
    tokens: int = 0
    passed: bool = False  #: the checks passed after a round
    note: str = ""


@dataclass(frozen=True, slots=True)
class PhaseState:
    """A phase's progress in ``state.json``: its step, attempt, checks, gate and what each step recorded."""

    name: str
    #: pending → planned → written → formatted → (awaiting_approval →) passed → done; off the main line:
    #: failed, fixing, bisecting, rolling_back, rolled_back (see execution/phase.py for the steps)
    state: str = "pending"
    attempt: int = 0
    checks: tuple[CheckVerdict, ...] = ()
    first_checks: tuple[CheckVerdict, ...] = ()  #: the first run of the checks after writing
    gate: str = ""  #: the last gate decision, in words
    approval: Approval | None = None
    format: FormatOutcome | None = None
    bisect: BisectOutcome | None = None
    commit: str = ""
    adopted: tuple[str, ...] = ()  #: files edited by hand after a failed gate, kept
    plan_seconds: float = 0.0
    review: ReviewOutcome | None = None  #: set once the model reviewed the phase (gate.review: model)
    fix: FixOutcome | None = None  #: set once the fix loop ran (on_failure: fix)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The options a run started with (kept so a resume runs the same way)."""

    phase: str | None = None
    plan: str | None = None  #: the saved plan executed, as given
    plan_sha256: str | None = None
    branch: str | None = None
    commit: bool = False
    plan_subtasks: tuple[str, ...] | None = None  #: with a saved plan: the only subtasks the run may write
    shard: str | None = None  #: ``K/N`` of ``--shard``; a resumed run keeps it
    only: tuple[str, ...] = ()  #: --only patterns over subtask ids, honoured on resume
    skip: tuple[str, ...] = ()  #: --skip patterns


@dataclass(frozen=True, slots=True)
class Stop:
    """Why a run stopped, and the command to type next."""

    reason: str
    next: str  #: the command to type next


@dataclass(frozen=True, slots=True)
class PlannedScope:
    """What the plan at run start said a phase would change."""

    phase: str
    paths: tuple[str, ...]
    lines: int


@dataclass(frozen=True, slots=True)
class RunState:
    """``state.json``: everything a run knows about itself between two commands."""

    run_id: str
    playbook_name: str
    playbook_path: str  #: as the user typed it
    playbook_abspath: str
    playbook_sha256: str
    root: str
    variables: tuple[tuple[str, object], ...]
    overrides: tuple[tuple[str, object], ...]  #: the --var values (or a saved plan's variables) the run started with
    options: RunOptions
    status: str  #: running | stopped | rolling_back | rolled_back | done
    created: str
    updated: str
    phases: tuple[PhaseState, ...]
    start_sha256: tuple[tuple[str, str], ...]  #: every planned file's content at run start
    planned: tuple[PlannedScope, ...]
    limits: tuple[BudgetUse, ...] = ()  #: the run budget's limits, amounts as planned at start
    baseline: tuple[BaselineEntry, ...] = ()
    baseline_done: bool = False
    stop: Stop | None = None
    plan_seconds: float = 0.0
    execute_seconds: float = 0.0
    version: int = STATE_VERSION  #: 1: contents in the run's blobs/; 2: shared objects/

    def phase(self, name: str) -> PhaseState:
        """The state of phase ``name``; StopIteration when the run has no such phase."""
        return next(p for p in self.phases if p.name == name)

    def with_phase(self, updated: PhaseState) -> "RunState":
        """A copy with the phase of the same name replaced by ``updated``."""
        return replace(self, phases=tuple(updated if p.name == updated.name else p for p in self.phases))

    def baseline_for(self, phase: str, check: str) -> CheckResult | None:
        """The baseline result of ``phase``'s check ``check``, None when it has none."""
        return next((b.result for b in self.baseline if b.phase == phase and b.result.name == check), None)
