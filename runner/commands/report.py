"""``batchmod report``: a PR-style summary of the current run (Markdown or JSON)."""
from __future__ import annotations

import json
import os

from runner.adapters.workspace import write_text_atomic
from runner.commands.result import CommandResult
from runner.errors import InputError
from runner.execution.overview import build_overview
from runner.execution.store import RunStore
from runner.reporting.report import report_json
from runner.reporting.report_md import render_report_md


def report_command(root: str, fmt: str, out: str | None) -> CommandResult:
    folder, state = RunStore(os.path.abspath(root)).require_current()
    view = build_overview(folder, state)
    text = json.dumps(report_json(view, folder), indent=2) + "\n" if fmt == "json" else render_report_md(view, folder)
    if out is None:
        return CommandResult(stdout=text)
    try:
        write_text_atomic(out, text)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write the report: {exc.strerror or exc}") from None
    return CommandResult(stdout=f"report written to {out}\n")
