"""A plan saved by ``batchmod plan --out``: read it, and refuse it when it went stale."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Callable

from runner.adapters.workspace import read_bytes_or_none, sha256_bytes
from runner.errors import InputError, StalePlanError
from runner.planning.plan import Plan
from runner.planning.targets import Targets


@dataclass(frozen=True, slots=True)
class SavedSubtask:
    """A subtask of a saved plan: its status, each file's sha256 when planned, its lines added and removed."""

    id: str
    status: str
    file_sha256: tuple[tuple[str, str], ...]
    lines: tuple[int, int]  #: added, removed


@dataclass(frozen=True, slots=True)
class SavedPlan:
    """A plan written by ``batchmod plan --out``, as ``run --plan`` checks and executes it."""

    path: str
    sha256: str  #: of the plan file
    playbook_sha256: str
    variables: tuple[tuple[str, Any], ...]
    phases: tuple[tuple[str, tuple[SavedSubtask, ...]], ...]
    shard: str | None = None  #: the plan's ``--shard K/N``; run executes the same shard
    targets: Targets = Targets()  #: the --only / --skip it was planned with

    @property
    def phase_names(self) -> tuple[str, ...]:
        """The plan's phases, in order."""
        return tuple(name for name, _ in self.phases)


def load_saved_plan(path: str) -> SavedPlan:
    """Read the plan file at ``path``; InputError when it is missing or not a plan written by ``plan --out``."""
    data = read_bytes_or_none(path)
    if data is None:
        raise InputError(f"--plan {path}: no such file; write one with `batchmod plan PLAYBOOK --out {path}`")
    try:
        doc = json.loads(data)
        phases = tuple(
            (
                p["name"],
                tuple(
                    SavedSubtask(s["id"], s["status"], tuple(sorted(s["file_sha256"].items())), (s["lines_added"], s["lines_removed"]))
                    for s in p["subtasks"]
                ),
            )
            for p in doc["phases"]
        )
        targets = doc.get("targets", {})
        return SavedPlan(path, sha256_bytes(data), doc["playbook"]["sha256"], tuple(sorted(doc.get("vars", {}).items())),
                         phases, doc.get("shard"), Targets(tuple(targets.get("only", ())), tuple(targets.get("skip", ()))))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"--plan {path}: not a plan written by `batchmod plan --out` ({type(exc).__name__}: {exc})") from None


def saved_subtask_ids(saved: SavedPlan | None) -> frozenset[str] | None:
    """The subtasks a run of ``saved`` may plan and write (None: no saved plan, all of them)."""
    if saved is None:
        return None
    return frozenset(s.id for _, subtasks in saved.phases for s in subtasks)


def note_pruned(plan: Plan, notify: Callable[[str], None]) -> None:
    """Say which matching files a saved plan leaves out (they are not touched)."""
    files = sorted({f for _, fs in plan.pruned for f in fs})
    if files:
        shown = ", ".join(files[:10]) + (f" and {len(files) - 10} more" if len(files) > 10 else "")
        notify(f"not in the saved plan: {shown}; plan again to include {'them' if len(files) > 1 else 'it'}")


def refuse_stale(saved: SavedPlan, root: str, playbook_path: str, playbook_sha256: str) -> None:
    """The playbook and every planned file must be as they were when the plan was made."""
    if saved.playbook_sha256 != playbook_sha256:
        raise StalePlanError(
            f"--plan {saved.path}: {playbook_path} changed since the plan was made; "
            f"plan again with `batchmod plan {playbook_path} --out {saved.path}`"
        )
    changed = sorted({
        path
        for _, subtasks in saved.phases
        for s in subtasks
        for path, sha in s.file_sha256
        if _disk_sha(root, path) != sha
    })
    if changed:
        shown = ", ".join(changed[:10]) + (f" and {len(changed) - 10} more" if len(changed) > 10 else "")
        raise StalePlanError(
            f"--plan {saved.path}: {shown} changed since the plan was made; nothing was written. "
            f"Plan again with `batchmod plan {playbook_path} --out {saved.path}`"
        )


def refuse_different(saved: SavedPlan, plan: Plan) -> None:
    """The plan computed now must be the saved one (same subtasks, statuses, line counts)."""
    now = {p.name: {s.subtask.id: (s.status, (s.lines_added, s.lines_removed)) for s in p.subtasks} for p in plan.phases}
    for name, subtasks in saved.phases:
        for s in subtasks:
            got = now.get(name, {}).get(s.id)
            if got != (s.status, s.lines):
                what = f"now {got[0]} +{got[1][0]} -{got[1][1]}" if got else "no longer planned"
                raise StalePlanError(
                    f"--plan {saved.path}: subtask {s.id} was planned as {s.status} +{s.lines[0]} -{s.lines[1]}, {what} "
                    "(a transform or batchmod changed); plan again"
                )


def _disk_sha(root: str, path: str) -> str:
    data = read_bytes_or_none(os.path.join(root, *path.split("/")))
    return sha256_bytes(data) if data is not None else ""
