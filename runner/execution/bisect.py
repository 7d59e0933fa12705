"""``on_failure: bisect``: find the subtasks that broke the checks, revert only those.

Subtasks that share a file are one unit (they are written and reverted together). The
search writes a subset of units over the phase's pre-images, runs the checks, and
splits the failing halves (adaptive group testing: about 2·k·log n check runs for k
culprits among n units). The tree left behind must pass the checks; if it does not
(the culprits interact), the whole phase is rolled back instead.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Callable

from runner.execution.baseline import describe_verdicts
from runner.execution.journal import TreeWriter
from runner.execution.records import CheckVerdict, Culprit, FileDelta, PhasePlanRecord

RunChecks = Callable[[str], tuple[CheckVerdict, ...]]  #: why → verdicts on the current tree


@dataclass(frozen=True, slots=True)
class Unit:
    """Subtasks written and reverted together (they share files), and those files."""

    subtasks: tuple[str, ...]
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BisectResult:
    """What the search found: the reverted culprits, the checks of the tree left behind, and whether it passes."""

    culprits: tuple[Culprit, ...]
    verdicts: tuple[CheckVerdict, ...]  #: of the tree left behind
    passed: bool  #: the tree left behind passes (False: rolled back or not the phase's fault)
    check_runs: int
    note: str


def group_units(record: PhasePlanRecord) -> list[Unit]:
    """Writable subtasks grouped by shared files (union-find), in plan order."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    subtasks = record.writable()
    owner: dict[str, str] = {}
    for s in subtasks:
        for d in s.deltas:
            if d.path in owner:
                parent[find(s.id)] = find(owner[d.path])
            owner.setdefault(d.path, s.id)
    groups: dict[str, list[str]] = {}
    for s in subtasks:
        groups.setdefault(find(s.id), []).append(s.id)
    by_id = {s.id: s for s in subtasks}
    return [
        Unit(tuple(ids), tuple(sorted({d.path for i in ids for d in by_id[i].deltas})))
        for ids in groups.values()
    ]


class _Search:
    def __init__(self, writer: TreeWriter, record: PhasePlanRecord, final: dict[str, str], run_checks: RunChecks) -> None:
        self.writer = writer
        self.record = record
        self.pre = dict(record.preimages)
        self.final = final
        self.units = group_units(record)
        self.run_checks = run_checks
        self.memo: dict[frozenset[int], tuple[bool, tuple[CheckVerdict, ...]]] = {}
        self.runs = 0

    def apply(self, applied: frozenset[int]) -> None:
        deltas = []
        for i, unit in enumerate(self.units):
            for path in unit.files:
                target = self.final[path] if i in applied else self.pre[path]
                deltas.append(FileDelta(path, self.writer.disk_sha(path), target))
        key = f"{self.record.phase}#{self.record.attempt}/bisect/{uuid.uuid4().hex[:12]}"
        self.writer.apply(key, f"bisect of phase {self.record.phase}", deltas, phase=self.record.phase)

    def passes(self, applied: frozenset[int]) -> tuple[bool, tuple[CheckVerdict, ...]]:
        self.apply(applied)
        if applied not in self.memo:
            self.runs += 1
            verdicts = self.run_checks(f"bisect {len(applied)}/{len(self.units)} units")
            self.memo[applied] = (not any(v.blocking for v in verdicts), verdicts)
        return self.memo[applied]

    def culprits(self, candidates: list[int], base: frozenset[int], reasons: dict[int, str], known_bad: bool = False) -> list[int]:
        if not candidates:
            return []
        if not known_bad:
            ok, verdicts = self.passes(base | frozenset(candidates))
            if ok:
                return []
            if len(candidates) == 1:
                reasons[candidates[0]] = describe_verdicts(verdicts)
                return candidates
        elif len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        left, right = candidates[:half], candidates[half:]
        bad_left = self.culprits(left, base, reasons)
        kept = base | frozenset(i for i in left if i not in bad_left)
        return bad_left + self.culprits(right, kept, reasons)


def bisect_phase(writer: TreeWriter, record: PhasePlanRecord, final: dict[str, str], run_checks: RunChecks,
                 failing: tuple[CheckVerdict, ...]) -> BisectResult:
    """Find and revert the culprit units; the tree is left at the kept units (or the pre-images)."""
    search = _Search(writer, record, final, run_checks)
    everything = frozenset(range(len(search.units)))
    search.memo[everything] = (False, failing)
    ok, verdicts = search.passes(frozenset())
    if not ok:
        search.apply(everything)
        note = "the checks fail even without this phase's edits, so no subtask is to blame; the edits are kept"
        return BisectResult((), failing, False, search.runs, note)
    reasons: dict[int, str] = {}
    bad = search.culprits(sorted(everything), frozenset(), reasons, known_bad=True)
    keep = everything - frozenset(bad)
    ok, verdicts = search.passes(keep)
    culprits = tuple(
        Culprit(search.units[i].subtasks, search.units[i].files, reasons.get(i, describe_verdicts(failing))) for i in bad
    )
    if not ok:
        search.apply(frozenset())
        note = "reverting the culprits alone did not make the checks pass (the subtasks interact); the whole phase was rolled back"
        return BisectResult(culprits, verdicts, False, search.runs, note)
    return BisectResult(culprits, verdicts, True, search.runs, f"{len(bad)} of {len(search.units)} units reverted")
