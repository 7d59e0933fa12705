"""``batchmod status``: the current (or last) run: phases, subtasks by state, budgets, what to type next."""
from __future__ import annotations

import json
import os
from dataclasses import replace

from runner.commands.result import CommandResult
from runner.execution.overview import build_overview
from runner.execution.store import RunStore
from runner.reporting.report_status import render_status_text, status_json


def status_command(root: str, as_json: bool, run_id: str | None = None) -> CommandResult:
    """The run ``run_id`` (default: the current one) as text or JSON; a run whose process is gone shows as interrupted.

    InputError when there is no such run, StateDamaged when its state cannot be read.
    """
    store = RunStore(os.path.abspath(root))
    folder, state = store.require(run_id)
    current = store.current()
    if state.status == "running" and not (store.busy() and current is not None and current.path == folder.path):
        state = replace(state, status="interrupted")  # killed or powered off mid-run; `run` continues it
    view = build_overview(folder, state)
    if as_json:
        return CommandResult(stdout=json.dumps(status_json(view), indent=2) + "\n")
    return CommandResult(stdout=render_status_text(view))
