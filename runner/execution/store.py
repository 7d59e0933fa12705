"""Run state on disk: ``.batchmod/runs/<run-id>/`` and the pointer to the current run (the lock: run_lock.py).

A run folder holds ``state.json`` (atomic rewrite), ``events.jsonl`` (the journal),
``phases/<phase>.json`` (each phase as planned), ``diffs/`` and ``checks/`` (outputs).
File contents (pre-images, and what each write puts in place so an interrupted run can
finish) are objects shared by every run: ``.batchmod/objects/ab/cdef…``, named by the
sha256 of the content and zlib-compressed as git stores its objects, so ``grep -r``,
linters and coverage tools never see a second copy of the code. Runs made by batchmod
before objects kept them in their own ``blobs/<sha256>``; those are still read.
"""
from __future__ import annotations

import json
import os
import re
import time
import zlib
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from runner.adapters.workspace import ensure_dir, make_new_dir, read_bytes, read_bytes_or_none, sha256_bytes
from runner.adapters.workspace import write_bytes_durable as _write_durable
from runner.errors import BatchmodError, InputError, StateDamaged, WriteError
from runner.execution.codec import decode_record, encode_record
from runner.execution.records import STATE_VERSION, PhasePlanRecord, RunState
from runner.execution.run_lock import hold_root_lock, root_lock_busy


class RunFolder:
    """One run's folder; ``objects`` defaults to ``.batchmod/objects`` beside ``runs/``."""

    def __init__(self, path: str, objects: str | None = None) -> None:
        self.path = path
        self.objects = objects or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(path))), "objects")

    def shown(self, relpath: str = "") -> str:
        """A path in the run folder as people see it: ``.batchmod/runs/<id>/<relpath>``."""
        base = os.path.join(".batchmod", "runs", self.run_id)
        return os.path.join(base, *relpath.split("/")) if relpath else base

    @property
    def run_id(self) -> str:
        """The run's id: its folder's name (``YYYYmmdd-HHMMSS-<playbook>``)."""
        return os.path.basename(self.path)

    @property
    def events_path(self) -> str:
        """The run's journal, ``events.jsonl``."""
        return os.path.join(self.path, "events.jsonl")

    def load_state(self) -> RunState:
        """The run's ``state.json``; StateDamaged when unreadable, malformed or written by a newer batchmod."""
        state = self._decode(RunState, "state.json")
        if state.version > STATE_VERSION:
            raise StateDamaged(f"{self.shown('state.json')}: written by a newer batchmod (state layout {state.version}, "
                               f"this one reads up to {STATE_VERSION}); use that batchmod, or {damage_advice(self.run_id)}")
        return state

    def save_state(self, state: RunState) -> None:
        """Rewrite ``state.json`` atomically and durably; WriteError when the disk refuses."""
        self._write_json("state.json", encode_record(state))

    def load_phase(self, phase: str) -> PhasePlanRecord | None:
        """The stored plan of ``phase``, None when it was not planned yet; StateDamaged when unreadable."""
        if not os.path.exists(os.path.join(self.path, "phases", f"{phase}.json")):
            return None
        return self._decode(PhasePlanRecord, f"phases/{phase}.json")

    def save_phase(self, record: PhasePlanRecord) -> None:
        """Write ``phases/<phase>.json`` atomically and durably; WriteError when the disk refuses."""
        self._write_json(f"phases/{record.phase}.json", encode_record(record))

    def put_blob(self, data: bytes) -> str:
        """Store a content once (by its sha256); returns the sha256."""
        sha = sha256_bytes(data)
        path = self._object_path(sha)
        if not os.path.exists(path):
            write_bytes_durable(path, zlib.compress(data, 1))
        return sha

    def blob(self, sha: str) -> bytes:
        """A stored content, verified against its sha256 (a run's pre-image or a write's result)."""
        packed = read_bytes_or_none(self._object_path(sha))
        data = _inflate(packed) if packed is not None else read_bytes_or_none(os.path.join(self.path, "blobs", sha))
        if data is None or sha256_bytes(data) != sha:
            where = os.path.join(".batchmod", "objects", sha[:2], sha[2:])
            raise StateDamaged(f"{where}: content {sha[:12]} is {'missing' if data is None else 'not what its name says'}; "
                               f"the files it would restore are left alone")
        return data

    def put_preimage(self, data: bytes) -> str:
        """Keep a file's bytes before a phase writes it (an object like any other)."""
        return self.put_blob(data)

    def _object_path(self, sha: str) -> str:
        return os.path.join(self.objects, sha[:2], sha[2:])

    def write_text(self, relpath: str, text: str) -> str:
        """Save an output (a diff, a check log) in the run folder; returns ``relpath``."""
        write_bytes_durable(os.path.join(self.path, *relpath.split("/")), text.encode("utf-8", "replace"))
        return relpath

    def read_text(self, relpath: str) -> str | None:
        """An output saved with ``write_text`` (undecodable bytes replaced), None when absent."""
        data = read_bytes_or_none(os.path.join(self.path, *relpath.split("/")))
        return data.decode("utf-8", "replace") if data is not None else None

    def _decode(self, cls: type[_R], relpath: str) -> _R:
        """A record file of the run; anything unreadable or of the wrong shape is StateDamaged."""
        full = os.path.join(self.path, *relpath.split("/"))
        try:
            data = read_bytes(full)
        except OSError as exc:
            raise StateDamaged(f"{self.shown(relpath)}: cannot read: {exc.strerror or exc}; {damage_advice(self.run_id)}") from None
        try:
            value = json.loads(data)
        except ValueError as exc:
            raise StateDamaged(f"{self.shown(relpath)}: not JSON ({exc}); {damage_advice(self.run_id)}") from None
        try:
            return decode_record(cls, value)
        except (ValueError, TypeError) as exc:
            raise StateDamaged(f"{self.shown(relpath)}: {exc}; {damage_advice(self.run_id)}") from None

    def _write_json(self, relpath: str, value: object) -> None:
        text = json.dumps(value, indent=1, ensure_ascii=False) + "\n"
        write_bytes_durable(os.path.join(self.path, *relpath.split("/")), text.encode("utf-8"))


def _inflate(packed: bytes) -> bytes | None:
    try:
        return zlib.decompress(packed)
    except zlib.error:
        return None


_R = TypeVar("_R")


def damage_advice(run_id: str) -> str:
    """What people can do about a damaged run (said after every damage message)."""
    return (f"`batchmod runs` lists the runs; `batchmod run PLAYBOOK --new-run` starts a new run beside it; "
            f"`batchmod rollback --run {run_id}` restores what its journal recorded, if the journal is readable")


def write_bytes_durable(path: str, data: bytes) -> None:
    """A state file's durable write; the machine's refusal names the file (``.batchmod/...``)."""
    try:
        _write_durable(path, data)
    except OSError as exc:
        raise WriteError(shown_state_path(path), exc) from None


def shown_state_path(path: str) -> str:
    """A path under ``.batchmod/`` as people see it (relative to the migrated root)."""
    parts = os.path.abspath(path).split(os.sep)
    return "/".join(parts[parts.index(".batchmod"):]) if ".batchmod" in parts else path


class RunStore:
    """The runs under a root: the current-run pointer, new run folders, the lock."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.base = os.path.join(root, ".batchmod")
        self.runs = os.path.join(self.base, "runs")

    def current(self) -> RunFolder | None:
        """The run the ``current`` pointer names, None when there is none or its state.json is gone."""
        data = read_bytes_or_none(os.path.join(self.runs, "current"))
        if not data:
            return None
        folder = os.path.join(self.runs, data.decode("utf-8", "replace").strip())
        return RunFolder(folder) if os.path.isfile(os.path.join(folder, "state.json")) else None

    def run_folders(self) -> list[RunFolder]:
        """Every run's folder, oldest first (a run id starts with its UTC start time)."""
        try:
            names = sorted(n for n in os.listdir(self.runs) if os.path.isdir(os.path.join(self.runs, n)))  # not `current`
        except OSError:
            return []
        return [RunFolder(os.path.join(self.runs, n)) for n in names]

    def folder(self, run_id: str) -> RunFolder:
        """The folder of run ``run_id`` (as `batchmod runs` lists it)."""
        path = os.path.join(self.runs, run_id)
        if os.sep in run_id or run_id.startswith(".") or not os.path.isdir(path):
            raise InputError(f"--run {run_id}: no such run under {self.root}; `batchmod runs` lists them")
        return RunFolder(path)

    def require(self, run_id: str | None) -> tuple[RunFolder, RunState]:
        """Run ``run_id``, or the current run when None."""
        if run_id is None:
            return self.require_current()
        folder = self.folder(run_id)
        return folder, folder.load_state()

    def require_current(self) -> tuple[RunFolder, RunState]:
        """The current run and its state; InputError when there is none, StateDamaged when unreadable."""
        folder = self.current()
        if folder is None:
            raise InputError(f"no batchmod run under {self.root}; start one with `batchmod run PLAYBOOK`")
        return folder, folder.load_state()

    def create(self, playbook_name: str) -> RunFolder:
        """Make a new, empty run folder named after the time and the playbook (``-2``, ``-3``… on a clash).

        Also writes ``.batchmod/.gitignore`` when missing. BatchmodError when no free name is found.
        """
        self._ensure_gitignore()
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", playbook_name).strip("-") or "run"
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for n in range(1, 1000):
            name = f"{stamp}-{slug}" + (f"-{n}" if n > 1 else "")
            if not make_new_dir(os.path.join(self.runs, name)):
                continue
            return RunFolder(os.path.join(self.runs, name))
        raise BatchmodError(f"cannot create a run folder under {self.runs}")

    def set_current(self, folder: RunFolder) -> None:
        """Point ``runs/current`` at ``folder`` (a durable write)."""
        write_bytes_durable(os.path.join(self.runs, "current"), (folder.run_id + "\n").encode())

    @contextmanager
    def lock(self, notify: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold ``.batchmod/lock`` so two commands never change one root at once (see run_lock.py).

        InputError when another live batchmod command holds it; a holder that died is taken
        over, and ``notify`` says so. Creates ``.batchmod/`` and its ``.gitignore`` when missing.
        """
        self._ensure_gitignore()
        with hold_root_lock(os.path.join(self.base, "lock"), self.root, notify):
            yield

    def busy(self) -> bool:
        """Another live process holds the lock (a run is in progress); reads the lock file, never locks it."""
        return root_lock_busy(os.path.join(self.base, "lock"))

    def _ensure_gitignore(self) -> None:
        ensure_dir(self.runs)
        path = os.path.join(self.base, ".gitignore")
        if not os.path.exists(path):
            write_bytes_durable(path, b"# batchmod's run state and cache; not for version control\n*\n")
