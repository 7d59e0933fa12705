"""``batchmod run PLAYBOOK``: execute phase by phase (or continue the current run)."""
from __future__ import annotations

import os

from runner.commands.result import CommandResult
from runner.execution.context import RunIO
from runner.execution.execute import RunRequest, execute_run
from runner.execution.overview import build_overview
from runner.execution.store import RunStore
from runner.reporting.report_status import render_status_text


def run_command(request: RunRequest, io: RunIO) -> CommandResult:
    outcome = execute_run(request, io)
    stderr = f"batchmod: stopped: {outcome.stop.reason}\nnext: {outcome.stop.next}\n" if outcome.stop else ""
    if outcome.run_id is None:
        return CommandResult(stdout=outcome.message, stderr=stderr, exit_code=outcome.exit_code)
    folder = RunStore(os.path.abspath(request.root)).current()
    assert folder is not None
    text = render_status_text(build_overview(folder, folder.load_state()), include_stop=False)
    return CommandResult(stdout=text, stderr=stderr, exit_code=outcome.exit_code)
