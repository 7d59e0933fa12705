"""``batchmod test PLAYBOOK``: each task type's transform on its examples, and idempotence."""
from __future__ import annotations

import os
from dataclasses import dataclass

from runner.commands.result import CommandResult
from runner.errors import InputError
from runner.playbook.load import load_playbook
from runner.testing.examples import check_playbook_examples
from runner.testing.render import render_test_report


@dataclass(frozen=True, slots=True)
class ExamplesRequest:
    """What ``batchmod test`` was asked: the playbook, the root, ``--var`` values and the task types to test."""

    playbook: str
    root: str  #: where `python:` codemods live and commands find BATCHMOD_ROOT
    overrides: dict[str, str]
    task_types: tuple[str, ...] = ()  #: only these; all when empty


def examples_command(request: ExamplesRequest) -> CommandResult:
    """Exit 0 when every example passes, 1 when one fails; bad input raises (exit 2)."""
    root = os.path.abspath(request.root)
    loaded = load_playbook(request.playbook, root=root, overrides=request.overrides)
    declared = [t.name for t in loaded.playbook.task_types]
    for name in request.task_types:
        if name not in declared:
            raise InputError(f"--task {name}: no task type `{name}` in {request.playbook}; declared: {', '.join(declared)}")
    reports = check_playbook_examples(loaded.playbook, loaded.context(), root, request.task_types)
    failed = any(r.status == "fail" for r in reports)
    return CommandResult(stdout=render_test_report(reports), exit_code=1 if failed else 0)
