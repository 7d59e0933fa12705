"""Per-rule accounting of a plan: what each rule of a rule-based task did, which hunks
it made, and which rules matched nowhere.

The counts come from the transforms' outcomes (counted in their own walk, kept by the
result cache); nothing here parses or walks a file.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

from runner.planning.expand import ExpandedPhase
from runner.planning.plan import HunkRules, PhaseResult, RuleAccount, SubtaskResult
from runner.playbook.spec import TaskTypeSpec
from runner.reporting.hunks import split_hunks
from runner.transforms.base import Outcome, RuleTally

if TYPE_CHECKING:
    from runner.transforms.rewrite.accounting import RuleInfo


@dataclass(frozen=True, slots=True)
class UnmatchedRule:
    """A rule that matched no site in any file its task type's tasks were planned on."""

    type: str
    index: int
    label: str
    line: int
    column: int
    files: int  #: files searched

    def render(self, playbook_path: str) -> str:
        """The plan's warning line: ``playbook.yaml:LINE:COL: warning: rule '…' of task type X matched no site in N files``."""
        return (f"{playbook_path}:{self.line}:{self.column}: warning: rule '{self.label}' of task type {self.type} "
                f"matched no site in {self.files} file{'s' if self.files != 1 else ''}")


ROLL_UP = 3  #: more unmatched rules than this in one task type are warned about in one line


def render_unmatched(unmatched: Sequence[UnmatchedRule], playbook_path: str) -> list[str]:
    """The plan's warning lines: one per rule that matched nowhere, or, for a task type
    with more than ``ROLL_UP`` of them (a catalogue playbook covering every variant), one
    line that counts them and says where the list is."""
    by_type: dict[str, list[UnmatchedRule]] = {}
    for rule in unmatched:
        by_type.setdefault(rule.type, []).append(rule)
    lines = []
    for name, rules in by_type.items():
        if len(rules) <= ROLL_UP:
            lines += [r.render(playbook_path) for r in rules]
            continue
        first, files = rules[0], max(r.files for r in rules)
        lines.append(f"{playbook_path}:{first.line}:{first.column}: warning: {len(rules)} rules of task type {name} "
                     f"matched no site in {files} file{'s' if files != 1 else ''} (the first here; all listed "
                     "under unmatched_rules in `plan --json`)")
    return lines


def _rule_catalogue(spec: TaskTypeSpec) -> tuple[RuleInfo, ...]:
    """``rule_catalogue``, its package imported only for a task type with rules (``rewrite``
    brings libcst, which a plan of other transforms served from the cache never needs)."""
    if spec.transform != "rewrite":
        return ()
    from runner.transforms.rewrite.accounting import rule_catalogue

    return rule_catalogue(spec)


def account_phase(phase: ExpandedPhase, outcomes: Mapping[tuple[int, str], Outcome]) -> tuple[RuleAccount, ...]:
    """Each rule of each rule-based task of the phase, summed over the task's files (a task
    that selected no file is left out: nothing was searched)."""
    out: list[RuleAccount] = []
    for task in phase.tasks:
        infos = _rule_catalogue(task.spec) if task.files else ()
        if not infos:
            continue
        sums = {i.index: [0, 0, 0, 0] for i in infos}  # matches, changes, gaps, files
        for path in task.files:
            outcome = outcomes.get((task.index, path))
            for tally in outcome.rules if outcome is not None else ():
                row = sums.get(tally.rule)
                if row is not None:
                    row[0] += tally.matches
                    row[1] += tally.changes
                    row[2] += tally.gaps
                    row[3] += 1 if tally.matches else 0
        out.extend(RuleAccount(task.label, task.spec.name, i.index, i.kind, i.label, i.line, i.column, *sums[i.index],
                               searched=len(task.files))
                   for i in infos)
    return tuple(out)


def attribute_hunks(spec: TaskTypeSpec, result: SubtaskResult,
                    tallies: Mapping[str, tuple[RuleTally, ...]]) -> tuple[HunkRules, ...]:
    """Every hunk of a subtask's deterministic changes (the model's edits on top left out)
    with the rules that made it; ``()`` for a transform without rules. ``tallies``: each
    changed file's per-rule counts."""
    infos = _rule_catalogue(spec)
    if not infos:
        return ()
    from runner.transforms.rewrite.accounting import attribute_hunk

    out = []
    for by, change in result.attributed_changes("transform"):
        if by != "transform":
            continue
        changers = [t.rule for t in tallies.get(change.path, ()) if t.changes]
        for hunk in split_hunks("", "", change.diff):
            header, *body = hunk.text.splitlines(keepends=True)
            removed = "".join(ln[1:] for ln in body if ln.startswith("-"))
            added = "".join(ln[1:] for ln in body if ln.startswith("+"))
            out.append(HunkRules(change.path, header.rstrip("\n"), attribute_hunk(removed, added, infos, changers)))
    return tuple(out)


def hunk_rule_lookup(hunk_rules: Sequence[HunkRules]) -> dict[tuple[str, str], tuple[int, ...]]:
    """(file, ``@@`` header) → rule indices, to find a hunk's rules from its text."""
    return {(h.file, h.header): h.rules for h in hunk_rules}


def hunk_key(file: str, text: str) -> tuple[str, str]:
    """The lookup key of a hunk's text (starting at its ``@@`` line)."""
    return file, text.split("\n", 1)[0]


def unmatched_rules(phases: Sequence[PhaseResult]) -> list[UnmatchedRule]:
    """Rules that matched no site, summed per task type over every task and phase planned
    (a rule whose tasks selected no file is not listed: nothing was searched)."""
    totals: dict[tuple[str, int], list] = {}
    for phase in phases:
        for r in phase.rules:
            entry = totals.setdefault((r.type, r.index), [r, 0, 0])
            entry[1] += r.matches
            entry[2] += r.searched
    return [UnmatchedRule(r.type, r.index, r.label, r.line, r.column, searched)
            for r, matches, searched in totals.values() if not matches and searched]
