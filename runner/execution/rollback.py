"""Put a phase's files back at their pre-images (journaled writes like any other).

``batchmod rollback`` restores the whole run newest phase first, or one phase; files
changed since batchmod wrote them are refused (named) unless --force.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import Callable

from runner.errors import InputError, StateDamaged
from runner.execution.annotate import restore_annotations
from runner.execution.context import run_again, utc_now
from runner.execution.journal import Journal, TreeWriter
from runner.execution.records import FileDelta, PhasePlanRecord, PhaseState, RunState, Stop
from runner.execution.store import RunFolder, RunStore


def restore_deltas(writer: TreeWriter, record: PhasePlanRecord, expected: dict[str, str]) -> tuple[list[FileDelta], list[str]]:
    """The writes that restore the phase's pre-images, and the files changed since batchmod wrote them.

    Only files the journal says this phase attempt wrote are restored, each to the content
    it had before that first write (a file planned but never written is left alone).
    """
    deltas, changed = [], []
    planned = dict(record.preimages)
    for path, pre in sorted(writer.journal.preimages(f"{record.phase}#{record.attempt}/").items()):
        if planned.get(path) != pre:
            raise StateDamaged(
                f"{writer.folder.shown('events.jsonl')}: phase {record.phase} planned {path} at {pre[:12]} but its record says "
                f"{(planned.get(path) or 'nothing')[:12]}; nothing was rolled back"
            )
        current = writer.disk_sha(path)
        if current == pre:
            continue
        if expected.get(path, current) != current:
            changed.append(path)
        writer.folder.blob(pre)  # present and what its name says, before anything is written
        deltas.append(FileDelta(path, current, pre))
    return deltas, changed


def restore_phase(writer: TreeWriter, record: PhasePlanRecord, why: str) -> list[str]:
    """Write the phase's pre-images back, whatever the files hold now; the paths written."""
    deltas, _ = restore_deltas(writer, record, {})
    key = f"{record.phase}#{record.attempt}/rollback/{uuid.uuid4().hex[:12]}"
    return writer.apply(key, f"rollback of phase {record.phase} ({why})", deltas, phase=record.phase)


def overlapping_later(records: list[PhasePlanRecord], phase: str) -> dict[str, list[str]]:
    """Files of ``phase`` that a later written phase changed too, by that phase."""
    names = [r.phase for r in records]
    mine = set(records[names.index(phase)].changed_files)
    out = {}
    for record in records[names.index(phase) + 1:]:
        shared = sorted(mine & set(record.changed_files))
        if shared:
            out[record.phase] = shared
    return out


def refuse_changed(store: RunStore, folder: RunFolder, writer: TreeWriter, changed: list[str]) -> None:
    """Files changed since the run wrote them: refused, naming a later run that changed them."""
    later = [f for f in store.run_folders() if f.run_id > folder.run_id]
    by: dict[str, str] = {}
    for other in later:
        try:
            hashes = Journal(other.events_path).written_hashes()
        except StateDamaged:
            continue
        for path in changed:
            if hashes.get(path) == writer.disk_sha(path):
                by[path] = other.run_id
    them = "them" if len(changed) > 1 else "it"
    names = ", ".join(changed)
    if by:
        runs = sorted(set(by.values()), reverse=True)
        raise InputError(
            f"{names} changed since run {folder.run_id} wrote {them} (by the later run {', '.join(runs)}); nothing was rolled back. "
            f"Roll that run back first (`batchmod rollback --run {runs[0]}`), or pass --force to restore the pre-images anyway"
        )
    raise InputError(f"{names} changed since batchmod wrote {them}; "
                     "nothing was rolled back (pass --force to restore the pre-images anyway and lose those edits)")


def _rollback_from_journal(store: RunStore, folder: RunFolder, force: bool) -> RollbackOutcome:
    """Every file the run wrote, back to its bytes before the run's first write: only the journal is read."""
    journal = Journal(folder.events_path)
    writer = TreeWriter(store.root, folder, journal)
    writer.resolve_open()
    expected = journal.written_hashes()
    deltas, changed = [], []
    for path, pre in sorted(journal.preimages("").items()):
        current = writer.disk_sha(path)
        if current == pre:
            continue
        if expected.get(path, current) != current:
            changed.append(path)
        writer.folder.blob(pre)
        deltas.append(FileDelta(path, current, pre))
    if changed and not force:
        refuse_changed(store, folder, writer, changed)
    restored = writer.apply(f"journal/rollback/{uuid.uuid4().hex[:12]}", "rollback from the journal (damaged state)", deltas)
    journal.append("rollback", phases=[], files=restored, from_journal=True)
    return RollbackOutcome(folder.run_id, (), tuple(sorted(restored)), (), "rolled back from its journal")


@dataclass(frozen=True, slots=True)
class RollbackOutcome:
    """What ``rollback_run`` did: the phases rolled back, the files written back, the run's status after."""

    run_id: str
    phases: tuple[str, ...]  #: rolled back, newest first
    restored: tuple[str, ...]  #: files written back
    commits: tuple[str, ...]  #: commits of those phases, which the restore does not undo
    status: str  #: the run's status after


def rollback_run(root: str, phase: str | None, force: bool, run_id: str | None = None,
                 notify: Callable[[str], None] | None = None) -> RollbackOutcome:
    """Restore the pre-images of a run (the current one by default), newest phase first, or of one phase.

    Files changed since the run wrote them (by hand, or by a later run) are refused
    unless ``force``. A run whose state is damaged is restored from its journal alone.
    Holds ``.batchmod/lock``; raises InputError when there is nothing to roll back, the
    phase is unknown or shares files with later phases, or files changed (without ``force``).
    """
    store = RunStore(root)
    with store.lock(notify):
        if run_id is not None and phase is None:
            folder = store.folder(run_id)
            try:
                folder.load_state()
            except StateDamaged:
                return _rollback_from_journal(store, folder, force)
        folder, state = store.require(run_id)
        journal = Journal(folder.events_path)
        writer = TreeWriter(root, folder, journal)
        writer.resolve_open()
        targets = _rollback_targets(folder, state, phase)
        expected = {**dict(state.start_sha256), **journal.written_hashes()}
        changed = sorted({p for _, r in targets for p in restore_deltas(writer, r, expected)[1]})
        if changed and not force:
            refuse_changed(store, folder, writer, changed)
        return _restore_targets(writer, state, targets, whole_run=phase is None)


_Target = tuple[PhaseState, PhasePlanRecord]  #: a written phase and its stored plan


def _rollback_targets(folder: RunFolder, state: RunState, phase: str | None) -> list[_Target]:
    """The written phases to roll back, newest first: all of them, or ``phase`` when no later phase shares its files."""
    applied = [(ps, folder.load_phase(ps.name)) for ps in state.phases if ps.state not in ("pending", "rolled_back")]
    records = [r for _, r in applied if r is not None]
    if phase is not None:
        if phase not in [p.name for p in state.phases]:
            raise InputError(f"--phase {phase}: run {state.run_id} has phases {', '.join(p.name for p in state.phases)}")
        targets = [(ps, r) for ps, r in applied if ps.name == phase and r is not None]
        if not targets:
            raise InputError(f"phase {phase} has nothing to roll back (state: {state.phase(phase).state.replace('_', ' ')})")
        later = overlapping_later(records, phase)
        if later:
            which = "; ".join(f"phase {p}: {', '.join(files)}" for p, files in later.items())
            raise InputError(f"phase {phase} shares files with later phases ({which}); roll those back first, or roll back the whole run")
    else:
        targets = [(ps, r) for ps, r in applied if r is not None]
        if not targets:
            raise InputError(f"run {state.run_id} has nothing to roll back")
    targets.reverse()
    return targets


def _restore_targets(writer: TreeWriter, state: RunState, targets: list[_Target], whole_run: bool) -> RollbackOutcome:
    """Write the targets' pre-images back (annotations first), saving the state after each phase."""
    folder, journal = writer.folder, writer.journal
    state = replace(state, status="rolling_back")
    folder.save_state(state)
    annotated = None if whole_run else {f for _, r in targets for s in r.subtasks for f in s.files}
    restored: list[str] = restore_annotations(writer, folder, annotated)  # the TODO comments of `gaps --annotate` first
    for ps, record in targets:
        restored += restore_phase(writer, record, "batchmod rollback")
        journal.append("phase_rolled_back", phase=ps.name, reason="batchmod rollback")
        state = state.with_phase(replace(state.phase(ps.name), state="rolled_back", gate="rolled back by `batchmod rollback`"))
        folder.save_state(state)
    remaining = [p for p in state.phases if p.state not in ("pending", "rolled_back")]
    status = "stopped" if remaining else "rolled_back"
    names = ", ".join(ps.name for ps, _ in targets)
    stop = Stop(f"phase {names} rolled back", f"{run_again(state)} to retry") if remaining else None
    state = replace(state, status=status, stop=stop, updated=utc_now())
    folder.save_state(state)
    journal.append("rollback", phases=[ps.name for ps, _ in targets], files=restored)
    commits = tuple(ps.commit for ps, _ in targets if ps.commit)
    return RollbackOutcome(state.run_id, tuple(ps.name for ps, _ in targets), tuple(sorted(set(restored))), commits, status)
