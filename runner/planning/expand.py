"""Expand a playbook into phases of subtasks (Jinja rendered here, into new records)."""
from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from runner.errors import InputError
from runner.playbook.spec import Playbook, PhaseSpec, TaskTypeSpec, canonical_json
from runner.planning.render import RenderError, render_text, render_value
from runner.planning.select import select_files


@dataclass(frozen=True, slots=True)
class ExpandedTask:
    """A task of a phase with its task type rendered and its files selected."""

    index: int  #: position in the phase
    label: str  #: the type, or ``type[i]`` when a phase uses a type twice
    spec: TaskTypeSpec  #: rendered with the playbook's variables
    files: tuple[str, ...]  #: selected files, sorted
    per: str
    needles: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Subtask:
    """One unit of work: a task on one file, one folder or all its files (``per``), with a stable id."""

    id: str  #: ``phase/task/path`` — stable across runs
    phase: str
    task_index: int
    task: str  #: the task label
    type: str  #: the task type's name
    files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExpandedPhase:
    """A phase with its tasks expanded and cut into subtasks."""

    spec: PhaseSpec
    tasks: tuple[ExpandedTask, ...]
    subtasks: tuple[Subtask, ...]


def expand_playbook(
    playbook: Playbook, variables: dict[str, Any], candidates: tuple[str, ...], only_phase: str | None = None
) -> tuple[ExpandedPhase, ...]:
    """Phases in order (or just ``only_phase``), each with its subtasks in a fixed order."""
    if only_phase is not None and only_phase not in [p.name for p in playbook.phases]:
        names = ", ".join(p.name for p in playbook.phases)
        raise InputError(f"--phase {only_phase}: no such phase in {playbook.path}; phases: {names}")
    phases = []
    for phase in playbook.phases:
        if only_phase is not None and phase.name != only_phase:
            continue
        phases.append(_expand_phase(playbook, phase, variables, candidates))
    return tuple(phases)


def _expand_phase(playbook: Playbook, phase: PhaseSpec, variables: dict[str, Any], candidates: tuple[str, ...]) -> ExpandedPhase:
    counts = Counter(t.type for t in phase.tasks)
    seen: Counter[str] = Counter()
    tasks, subtasks = [], []
    for index, task in enumerate(phase.tasks):
        seen[task.type] += 1
        label = task.type if counts[task.type] == 1 else f"{task.type}[{seen[task.type]}]"
        where = f"phase {phase.name}, task {label}"
        try:
            include = tuple(render_text(g, variables) for g in task.files)
            exclude = tuple(render_text(g, variables) for g in (*playbook.select.exclude, *task.exclude))
            spec = playbook.task_type(task.type)
            if spec.transform != "command":  # a command's `run` is rendered per subtask
                spec = replace(spec, with_json=canonical_json(render_value(spec.args(), variables)))
            files = tuple(select_files(candidates, include, exclude))
        except (RenderError, ValueError) as exc:
            raise InputError(f"{playbook.path}: {where}: {exc}") from None
        expanded = ExpandedTask(index, label, spec, files, task.per, task.needles)
        tasks.append(expanded)
        subtasks.extend(_group(phase.name, expanded))
    return ExpandedPhase(phase, tuple(tasks), tuple(subtasks))


def _group(phase: str, task: ExpandedTask) -> list[Subtask]:
    def make(suffix: str, files: tuple[str, ...]) -> Subtask:
        ident = f"{phase}/{task.label}/{suffix}" if suffix else f"{phase}/{task.label}"
        return Subtask(ident, phase, task.index, task.label, task.spec.name, files)

    if not task.files:
        return []
    if task.per == "task":
        return [make("", task.files)]
    if task.per == "directory":
        groups: dict[str, list[str]] = {}
        for f in task.files:
            groups.setdefault(posixpath.dirname(f) or ".", []).append(f)
        return [make(d if d == "." else d + "/", tuple(fs)) for d, fs in sorted(groups.items())]
    return [make(f, (f,)) for f in task.files]
