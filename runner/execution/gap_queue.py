"""The people's queue: every gap a run (or a plan) left open, with what a person needs to close it.

A site names its file, line and column, the reason the transform gave, the task and
its instructions, the last error of each model attempt when the model tried, and a
context excerpt of the file as it is now, so it can be picked up without opening
batchmod's state.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from runner.adapters.workspace import read_bytes_or_none, sha256_bytes
from runner.execution.annotations import annotation_base
from runner.execution.journal import Journal
from runner.execution.records import RunState
from runner.execution.store import RunFolder
from runner.planning.plan import Plan
from runner.playbook.spec import Playbook

CONTEXT_LINES = 3
MODEL_SAID = " — model: "  #: how the gap worker appends its last error to a gap's reason


@dataclass(frozen=True, slots=True)
class GapSite:
    """One open site, self-contained."""

    phase: str
    subtask: str
    task: str  #: the task type
    file: str
    line: int
    column: int
    reason: str
    instructions: str = ""
    attempts: tuple[str, ...] = ()  #: each model attempt's last error, in order
    context: str = ""  #: numbered lines around the site, the site's line marked ``>``


@dataclass(frozen=True, slots=True)
class GapQueue:
    """Every open gap of one run or plan, in order, ready to list or to write as JSON."""

    source: str  #: "run <id>" or "plan of <playbook>"
    playbook: str
    sites: tuple[GapSite, ...]


def collect_run_gaps(root: str, folder: RunFolder, state: RunState, playbook: Playbook | None) -> GapQueue:
    """The gaps of every phase the run planned (not rolled back), as the files are now on disk."""
    attempts = _attempt_errors(folder)
    sites = []
    for ps in state.phases:
        record = folder.load_phase(ps.name) if ps.state not in ("pending", "rolled_back") else None
        if record is None:
            continue
        for subtask in record.subtasks:
            for gap in subtask.gaps:
                file, line, col = gap.file, gap.line, gap.column
                reason, tried = _model_tries(gap.reason, subtask)
                sites.append(GapSite(
                    ps.name, subtask.id, subtask.type, file, line, col, reason,
                    instructions=_instructions(playbook, subtask.type),
                    attempts=attempts.get((subtask.id, file, line), tried),
                    context=excerpt(_as_planned(root, folder, file), line),
                ))
    return GapQueue(f"run {state.run_id} of {state.playbook_path}", state.playbook_path, tuple(sites))


def collect_plan_gaps(plan: Plan, playbook: Playbook) -> GapQueue:
    """The gaps a dry run reports, with excerpts of the files as the plan leaves them."""
    sites = []
    for phase in plan.phases:
        after = {c.path: c.after for c in phase.files}
        for result in phase.subtasks:
            for gap in result.gaps:
                data = after.get(gap.file) or read_bytes_or_none(_join(plan.root, gap.file))
                sites.append(GapSite(
                    phase.name, result.subtask.id, result.subtask.type, gap.file, gap.line, gap.column, gap.reason,
                    instructions=_instructions(playbook, result.subtask.type), context=excerpt(data, gap.line),
                ))
    return GapQueue(f"plan of {plan.playbook_path}", plan.playbook_path, tuple(sites))


def _model_tries(reason: str, subtask: object) -> tuple[str, tuple[str, ...]]:
    """Split ``reason — model: why`` (a gap the worker left) into the reason and its attempts' last error."""
    base, sep, why = reason.partition(MODEL_SAID)
    if not sep:
        return reason, ()
    work = getattr(subtask, "model", None)
    n = int(getattr(work, "attempts", 0) or 0)
    return base, (f"after {n} attempt{'s' if n != 1 else ''}: {why}" if n else why,)


def excerpt(data: bytes | None, line: int, around: int = CONTEXT_LINES) -> str:
    """Numbered lines ``line ± around`` of ``data``, the site's line marked with ``>``."""
    if data is None:
        return ""
    lines = data.decode("utf-8", "replace").splitlines()
    first, last = max(1, line - around), min(len(lines), line + around)
    width = len(str(last))
    return "\n".join(f"{'>' if n == line else ' '} {n:>{width}} | {lines[n - 1]}" for n in range(first, last + 1))


def _instructions(playbook: Playbook | None, task_type: str) -> str:
    if playbook is None:
        return ""
    try:
        return playbook.task_type(task_type).instructions.strip()
    except KeyError:
        return ""


def _attempt_errors(folder: RunFolder) -> dict[tuple[str, str, int], tuple[str, ...]]:
    """Each model attempt's last error by (subtask, file, line), from the journal's gap-fill events."""
    out: dict[tuple[str, str, int], list[str]] = {}
    for event in Journal(folder.events_path).events():
        if event.get("kind") != "gap_attempt" or not event.get("error"):
            continue
        key = (str(event.get("subtask", "")), str(event.get("file", "")), int(event.get("line", 0) or 0))
        out.setdefault(key, []).append(str(event["error"]))
    return {k: tuple(v) for k, v in out.items()}


def _as_planned(root: str, folder: RunFolder, path: str) -> bytes | None:
    """The file as the gap lines refer to it: on disk, minus the TODO comments of ``--annotate``."""
    data = read_bytes_or_none(_join(root, path))
    base = annotation_base(folder, path, sha256_bytes(data)) if data is not None else None
    return folder.blob(base) if base else data


def _join(root: str, path: str) -> str:
    return os.path.join(root, *path.split("/"))
