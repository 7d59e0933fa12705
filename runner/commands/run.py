"""``batchmod run PLAYBOOK``: execute phase by phase (or continue the current run)."""
from __future__ import annotations

import os

from runner.commands.result import CommandResult
from runner.execution.context import RunIO
from runner.execution.execute import RunRequest, execute_run
from runner.execution.overview import build_overview
from runner.execution.store import RunStore
from runner.reporting.report_status import render_status_text
from runner.reporting.summary import RunSummary, summarize_run
from runner.reporting.summary_text import render_failed_line


def run_command(request: RunRequest, io: RunIO) -> CommandResult:
    """Run, then print the run's status; the exit code is the run summary's."""
    outcome = execute_run(request, io)
    stderr = f"batchmod: stopped: {outcome.stop.reason}\nnext: {outcome.stop.next}\n" if outcome.stop else ""
    if outcome.run_id is None:
        summary = RunSummary(outcome.stop.reason if outcome.stop else None, outcome.failed)
        return CommandResult(stdout=outcome.message + render_failed_line(summary, "run"), stderr=stderr, exit_code=summary.exit_code)
    folder = RunStore(os.path.abspath(request.root)).current()
    assert folder is not None
    view = build_overview(folder, folder.load_state())
    summary = summarize_run(view)
    text = render_status_text(view, include_stop=False) + render_failed_line(summary, "run")
    return CommandResult(stdout=text, stderr=stderr, exit_code=summary.exit_code)
