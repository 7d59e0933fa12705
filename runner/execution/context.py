"""What every step of a run shares: the root, the run folder and state, the playbook, the outside world."""
from __future__ import annotations

import os
import shlex
import time
from dataclasses import dataclass, replace
from typing import Any, Callable

from runner.adapters.git import git_toplevel
from runner.execution.journal import Journal, TreeWriter
from runner.execution.records import PhasePlanRecord, PhaseState, RunState
from runner.execution.store import RunFolder
from runner.planning.dryrun import Progress
from runner.planning.gapfill import ModelAccess
from runner.planning.plan import Plan
from runner.playbook.load import LoadedPlaybook
from runner.playbook.spec import PhaseSpec


@dataclass(frozen=True, slots=True)
class RunIO:
    """The outside world a run talks to; built in cli.py, fakes in tests."""

    notify: Callable[[str], None]  #: a progress line for people (stderr)
    confirm: Callable[[str], bool]  #: ask a yes/no question
    interactive: bool  #: a terminal is there to answer
    progress: Progress | None = None


@dataclass(frozen=True, slots=True)
class RunModel:
    """The model as a run uses it; built by the commands (the only place clients are made)."""

    start: ModelAccess  #: for the plan shown before the run: recorded answers only
    phases: ModelAccess  #: for each phase as it is planned: asks (under the phase's budget)
    refuse_unanswerable: Callable[[Plan], None]  #: raises InputError when answers are missing and no key is set
    bind: Callable[[str], None] = lambda run_folder: None  #: keep the run's model spending in its folder


def utc_now() -> str:
    """The wall clock now, as ISO 8601 UTC to the second (``2026-01-31T12:00:00Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def command_line(verb: str, state: RunState, *args: str) -> str:
    """A command to type next, with --root when the root is not the current folder."""
    parts = ["batchmod", verb, *args]
    if os.path.abspath(os.getcwd()) != state.root:
        parts += ["--root", state.root]
    return " ".join(shlex.quote(p) if p not in ("batchmod", verb) else p for p in parts)


def run_again(state: RunState) -> str:
    """The command that continues the run (``batchmod run PLAYBOOK`` with --root when needed)."""
    return command_line("run", state, state.playbook_path)


class RunContext:
    """One ``batchmod run`` process working on one run."""

    def __init__(self, root: str, folder: RunFolder, state: RunState, loaded: LoadedPlaybook, io: RunIO, jobs: int,
                 executor: str = "local", model: RunModel | None = None) -> None:
        self.root = root
        self.model = model
        self.folder = folder
        self.state = state
        self.loaded = loaded
        self.io = io
        self.jobs = jobs
        self.executor = executor
        self.journal = Journal(folder.events_path)
        self.writer = TreeWriter(root, folder, self.journal)
        self.git = git_toplevel(root) is not None

    def save(self, state: RunState) -> None:
        """Stamp ``state`` as updated now, write it durably to ``state.json`` and make it the current state."""
        state = replace(state, updated=utc_now())
        self.folder.save_state(state)
        self.state = state

    def phase_state(self, name: str) -> PhaseState:
        """The current state of phase ``name``."""
        return self.state.phase(name)

    def save_phase(self, phase: PhaseState) -> None:
        """Replace the phase of that name in the state and save it (see ``save``)."""
        self.save(self.state.with_phase(phase))

    def record(self, phase: str) -> PhasePlanRecord:
        """The stored plan of ``phase``; RuntimeError when it was never planned (a bug in the caller)."""
        record = self.folder.load_phase(phase)
        if record is None:
            raise RuntimeError(f"phase {phase} has no stored plan")
        return record

    def spec(self, phase: str) -> PhaseSpec:
        """The playbook's spec of ``phase``; KeyError when the playbook has no such phase."""
        return self.loaded.playbook.phase(phase)

    def check_context(self, phase: str, changed_files: tuple[str, ...]) -> dict[str, Any]:
        """The Jinja context of a phase's check commands: the variables, ``changed_files`` and ``phase``."""
        return {**self.loaded.context(), "changed_files": list(changed_files), "phase": phase}

    def expected_hashes(self) -> dict[str, str]:
        """Each file as this run last left it, or as it was when the run was planned."""
        return {**dict(self.state.start_sha256), **self.journal.written_hashes()}

    def key(self, phase: PhaseState, what: str) -> str:
        """A journal key, unique to the phase's attempt."""
        return f"{phase.name}#{phase.attempt}/{what}"
