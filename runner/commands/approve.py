"""``batchmod approve PHASE``: release a manual gate; ``batchmod run`` then goes on."""
from __future__ import annotations

import getpass
import os
from dataclasses import replace

from runner.commands.result import CommandResult
from runner.errors import InputError
from runner.execution.context import run_again, utc_now
from runner.execution.journal import Journal
from runner.execution.records import Approval
from runner.execution.store import RunStore


def approve_command(root: str, phase: str) -> CommandResult:
    """Release the manual gate of ``phase`` in the current run (journaled, who and when), under the lock.

    InputError when there is no run, no such phase, or the phase is not waiting for approval.
    """
    store = RunStore(os.path.abspath(root))
    notes: list[str] = []
    with store.lock(notes.append):
        folder, state = store.require_current()
        names = [p.name for p in state.phases]
        if phase not in names:
            raise InputError(f"phase {phase}: run {state.run_id} has phases {', '.join(names)}")
        ps = state.phase(phase)
        if ps.state != "awaiting_approval":
            raise InputError(f"phase {phase} is not waiting for approval (it is {ps.state.replace('_', ' ')})")
        approval = Approval(by=_user(), at=utc_now())
        Journal(folder.events_path).append("approval", phase=phase, by=approval.by, at=approval.at)
        state = state.with_phase(replace(ps, state="passed", approval=approval, gate=ps.gate.replace("waiting for manual approval", "approved")))
        next_command = run_again(state)
        folder.save_state(replace(state, stop=None, updated=utc_now()))
    return CommandResult(stdout=f"phase {phase} approved by {approval.by} at {approval.at}\nnext: {next_command}\n",
                         stderr="".join(n + "\n" for n in notes))


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"
