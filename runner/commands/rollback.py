"""``batchmod rollback``: restore the pre-images of the current run, or of one phase."""
from __future__ import annotations

import os

from runner.commands.result import CommandResult
from runner.execution.rollback import rollback_run


def rollback_command(root: str, phase: str | None, force: bool, run_id: str | None = None) -> CommandResult:
    """Roll back a run (the current one by default), or one phase of it, and list the files restored.

    Errors as ``rollback_run`` raises them (InputError for a refusal, StateDamaged, WriteError).
    """
    notes: list[str] = []
    outcome = rollback_run(os.path.abspath(root), phase, force, run_id, notes.append)
    if not outcome.phases:  # restored from the journal: the run's state was damaged
        lines = [f"run {outcome.run_id}: rolled back from its journal (its state is damaged); restored {len(outcome.restored)} file(s)"]
        lines.extend(f"  {path}" for path in outcome.restored)
        return CommandResult(stdout="\n".join(lines) + "\n", stderr="".join(n + "\n" for n in notes))
    lines = [
        f"run {outcome.run_id}: rolled back phase{'s' if len(outcome.phases) > 1 else ''} {', '.join(outcome.phases)}; "
        f"restored {len(outcome.restored)} file(s)"
    ]
    lines.extend(f"  {path}" for path in outcome.restored)
    if outcome.commits:
        lines.append(f"note: commit(s) {', '.join(c[:12] for c in outcome.commits)} stay in git history; the restore is an uncommitted change")
    return CommandResult(stdout="\n".join(lines) + "\n", stderr="".join(n + "\n" for n in notes))
