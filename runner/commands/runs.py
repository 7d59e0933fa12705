"""``batchmod runs``: every run kept under ``.batchmod/runs``, oldest first (id, start, playbook, state, files)."""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass

from runner.commands.result import CommandResult
from runner.errors import StateDamaged
from runner.execution.journal import Journal
from runner.execution.store import RunFolder, RunStore


@dataclass(frozen=True, slots=True)
class RunRow:
    """One line of ``batchmod runs``: a run's id, start, playbook, status and files written."""

    run_id: str
    started: str
    playbook: str
    status: str  #: the run's status, "interrupted", or "damaged: what is wrong"
    files_written: int | None  #: None when the journal cannot be read
    current: bool


def runs_command(root: str, as_json: bool) -> CommandResult:
    """Every run under ``root``, oldest first, as a table or JSON; a damaged run is a row that says so, never an error."""
    store = RunStore(os.path.abspath(root))
    current = store.current()
    busy = store.busy()
    rows = [_row(f, current is not None and f.path == current.path, busy) for f in store.run_folders()]
    if as_json:
        return CommandResult(stdout=json.dumps([dataclasses.asdict(r) for r in rows], indent=2) + "\n")
    if not rows:
        return CommandResult(stdout=f"no batchmod run under {store.root}\n")
    lines = [f"  {'run':<36} {'started':<21} {'playbook':<20} {'files':>5}  state"]
    for r in rows:
        files = "?" if r.files_written is None else str(r.files_written)
        lines.append(f"{'*' if r.current else ' '} {r.run_id:<36} {r.started:<21} {r.playbook:<20} {files:>5}  {r.status}")
    lines.append("(* the current run; `batchmod status --run ID`, `batchmod rollback --run ID` reach any of them)")
    return CommandResult(stdout="\n".join(lines) + "\n")


def _row(folder: RunFolder, current: bool, busy: bool) -> RunRow:
    try:
        written: int | None = len({f["path"] for e in Journal(folder.events_path).events() if e["kind"] == "done"
                                   and "/rollback/" not in e["key"] for f in e.get("files", ())})
    except StateDamaged:
        written = None
    try:
        state = folder.load_state()
    except StateDamaged as exc:
        what = str(exc).removeprefix("run state damaged: ").split(";")[0]
        return RunRow(folder.run_id, "?", "?", f"damaged: {what}", written, current)
    status = "interrupted" if state.status == "running" and not (current and busy) else state.status
    return RunRow(folder.run_id, state.created, state.playbook_name, status, written, current)
