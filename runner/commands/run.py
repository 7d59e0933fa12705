"""``batchmod run PLAYBOOK``: execute phase by phase (or continue the current run)."""
from __future__ import annotations

import os

from runner.commands.model_setup import ModelFlags, ModelSession, batch_state, model_session, refuse_unanswerable
from runner.commands.result import CommandResult
from runner.execution.context import RunIO, RunModel
from runner.execution.execute import RunRequest, execute_run
from runner.execution.overview import build_overview
from runner.execution.store import RunStore
from runner.playbook.spec import Playbook
from runner.reporting.report_status import render_status_text
from runner.reporting.summary import RunSummary, summarize_run
from runner.reporting.summary_text import render_failed_line


def run_command(request: RunRequest, io: RunIO) -> CommandResult:
    """Run, then print the run's status; the exit code is the run summary's."""
    sessions: list[ModelSession] = []

    def model_for(playbook: Playbook) -> RunModel | None:
        flags = ModelFlags(replay=request.replay, batch=request.batch, batch_state=batch_state(request.root), notify=io.notify)
        session = model_session(playbook, flags)
        if session is None:
            return None
        if session.mode == "replay":
            for warning in session.check_lock():  # a cassette that differs from the lock: exit 2
                io.notify(f"warning: {warning}")
        sessions.append(session)
        return RunModel(session.cassette_only(), session.asking(), lambda plan: refuse_unanswerable(plan, session),
                        session.bind)

    try:
        outcome = execute_run(request, io, model_for)
    finally:
        for session in sessions:
            if session.records:
                session.write_lock()
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
