"""``batchmod report``: a PR-style summary of the current run (Markdown or JSON).

``--merge RUN_DIR...`` merges the reports of shard runs (``run --shard K/N`` on N
checkouts) into one.
"""
from __future__ import annotations

import json
import os

from runner.adapters.workspace import write_text_atomic
from runner.commands.result import CommandResult
from runner.errors import InputError
from runner.execution.overview import build_overview
from runner.execution.store import RunFolder, RunStore
from runner.execution.records import RunState
from runner.reporting.merge import merge_reports, render_merged_md
from runner.reporting.report import report_json
from runner.reporting.report_md import render_report_md


def report_command(root: str, fmt: str, out: str | None, merge: tuple[str, ...] = ()) -> CommandResult:
    """Render the current run's report (or the merged report of ``merge``'s runs) to stdout or ``out``.

    ``out`` is replaced atomically; InputError when it cannot be written, or when a
    ``merge`` path holds no run. Each run is read once.
    """
    if merge:
        merged = merge_reports([report_json(build_overview(folder, state), folder) for folder, state in map(_open, merge)])
        text = json.dumps(merged, indent=2) + "\n" if fmt == "json" else render_merged_md(merged)
    else:
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


def _open(path: str) -> tuple[RunFolder, RunState]:
    """A run folder (holds state.json), a `.batchmod` folder, or a migrated root: its current run."""
    path = os.path.abspath(path)
    if os.path.isfile(os.path.join(path, "state.json")):
        folder = RunFolder(path)
        return folder, folder.load_state()
    for root in (path, os.path.dirname(path) if os.path.basename(path) == ".batchmod" else None):
        if root and os.path.isdir(os.path.join(root, ".batchmod", "runs")):
            return RunStore(root).require_current()
    raise InputError(f"--merge {path}: not a batchmod run folder (.batchmod/runs/ID), a .batchmod folder, "
                     "or a root that holds one")
