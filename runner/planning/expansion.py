"""What a plan covers: its options, and the playbook expanded into phases over the root's files.

Kept apart from the dry run so that a plan served whole from the cache (``cache_plans``)
expands the playbook without importing what running its transforms needs.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from runner.planning.expand import ExpandedPhase, expand_playbook
from runner.planning.select import Candidates, oversized_files
from runner.planning.shard import Shard, select_shard
from runner.planning.targets import Targets, targeted_ids

if TYPE_CHECKING:
    from runner.planning.gapfill import ModelAccess
    from runner.playbook.load import LoadedPlaybook


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """How to plan: the root, one phase or all, workers, cache, shard, model access, subtask ids and targets."""

    root: str  #: absolute
    phase: str | None = None
    jobs: int = 1
    use_cache: bool = True
    executor: str = "local"  #: local | dask://HOST:PORT
    shard: Shard | None = None  #: plan only this shard's files (``--shard K/N``)
    model: ModelAccess | None = None  #: None: gaps are reported, the model is neither asked nor forecast
    subtask_ids: frozenset[str] | None = None  #: plan only these subtasks (a saved plan's); None: all
    targets: Targets = Targets()  #: --only / --skip


#: what ``expanded_phases`` gives: (phases, oversized files, pruned subtasks, subtasks left out by the targets)
Expansion = tuple[tuple[ExpandedPhase, ...], dict[str, str], tuple[tuple[str, tuple[str, ...]], ...], int]


def expanded_phases(loaded: LoadedPlaybook, variables: dict[str, Any], options: PlanOptions,
                    candidates: Candidates) -> Expansion:
    """The phases to plan: the playbook expanded over this shard's files, files over
    ``select.max_file_bytes`` left out, then narrowed to ``options.subtask_ids`` and
    ``options.targets``. Returns (phases, oversized files, pruned subtasks, subtasks
    left out by the targets)."""
    playbook = loaded.playbook
    files = select_shard(candidates.files, options.shard, any(t.per == "directory" for p in playbook.phases for t in p.tasks))
    phases = expand_playbook(playbook, variables, files, options.phase)
    oversized = oversized_files(options.root, {f for p in phases for t in p.tasks for f in t.files}, playbook.select.max_file_bytes,
                               candidates.sizes)
    if oversized:  # planned without them, as if they were not selected
        phases = expand_playbook(playbook, variables, tuple(f for f in files if f not in oversized), options.phase)
    pruned: tuple[tuple[str, tuple[str, ...]], ...] = ()
    if options.subtask_ids is not None:
        phases, pruned = keep_subtasks(phases, options.subtask_ids)
    targeted_out = 0
    if options.targets:
        every = [s.id for p in phases for s in p.subtasks]
        phases, _ = keep_subtasks(phases, targeted_ids(every, options.targets))
        targeted_out = len(every) - sum(len(p.subtasks) for p in phases)
        if options.phase is None:  # a phase left with no subtask is not planned at all
            phases = tuple(p for p in phases if p.subtasks)
    return phases, oversized, pruned, targeted_out


def keep_subtasks(phases: tuple[ExpandedPhase, ...], ids: frozenset[str]
                  ) -> tuple[tuple[ExpandedPhase, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """The phases with only the subtasks in ``ids`` (and their tasks' files); the others as (id, files)."""
    kept_phases, pruned = [], []
    for phase in phases:
        kept = tuple(s for s in phase.subtasks if s.id in ids)
        pruned.extend((s.id, s.files) for s in phase.subtasks if s.id not in ids)
        files = {(s.task_index, f) for s in kept for f in s.files}
        tasks = tuple(replace(t, files=tuple(f for f in t.files if (t.index, f) in files)) for t in phase.tasks)
        kept_phases.append(replace(phase, tasks=tasks, subtasks=kept))
    return tuple(kept_phases), tuple(pruned)
