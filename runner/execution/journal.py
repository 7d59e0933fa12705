"""The journal (``events.jsonl``) and the one way batchmod writes the migrated tree.

Journal rule (docs/state.md): before files are written, an ``intent`` with each file's
pre and post sha256 is appended and fsynced; after them, a ``done``. On resume a file
of an open intent at its post hash is done, at its pre hash is redone, and anything
else is a conflict that stops the run without touching the file.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from runner.adapters.crashpoints import count_tree_write
from runner.adapters.workspace import (
    append_line_durable, fsync_dir, read_bytes_or_none, read_only, remove_file_if_present, sha256_bytes, sibling_temp, write_bytes_atomic,
)
from runner.errors import BatchmodError, GateStopped, StateDamaged, WriteError
from runner.execution.records import FileDelta
from runner.execution.store import RunFolder, damage_advice, shown_state_path


class ConflictError(GateStopped):
    """A file is no longer what batchmod planned or wrote; the run stops, it stays untouched."""

    def __init__(self, paths: list[str], message: str) -> None:
        super().__init__(message)
        self.paths = paths


@dataclass(frozen=True, slots=True)
class Intent:
    """An ``intent`` line without its ``done``: the writes an interrupted run left open."""

    key: str
    label: str
    deltas: tuple[FileDelta, ...]


class Journal:
    """Append-only events, each line fsynced before the caller goes on."""

    def __init__(self, path: str) -> None:
        self.path = path

    def append(self, kind: str, **fields: Any) -> None:
        """Append one event (``t``, ``kind``, then ``fields``) as a JSON line and fsync it; WriteError when refused."""
        event = {"t": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "kind": kind, **fields}
        try:
            append_line_durable(self.path, json.dumps(event, ensure_ascii=False, sort_keys=False))
        except OSError as exc:
            raise WriteError(shown_state_path(self.path), exc) from None

    def events(self) -> list[dict[str, Any]]:
        """Every event in order (an empty list when there is no journal yet).

        A torn line (not JSON) is skipped; a line of the wrong shape raises StateDamaged.
        """
        data = read_bytes_or_none(self.path) or b""
        out = []
        for n, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a line torn by a power loss; its write never started
            problem = _shape_problem(event)
            if problem:
                run_id = os.path.basename(os.path.dirname(os.path.abspath(self.path)))
                raise StateDamaged(f"{shown_state_path(self.path)}:{n}: {problem}; {damage_advice(run_id)}")
            out.append(event)
        return out

    def done_keys(self) -> set[str]:
        """The keys of the writes that finished."""
        return {e["key"] for e in self.events() if e["kind"] == "done"}

    def open_intents(self) -> list[Intent]:
        """The intents without a ``done``, oldest first (writes an interrupted run left open)."""
        events = self.events()
        done = {e["key"] for e in events if e["kind"] == "done"}
        return [_intent(e) for e in events if e["kind"] == "intent" and e["key"] not in done]

    def preimages(self, key_prefix: str) -> dict[str, str]:
        """Each file's sha256 before the first finished write under ``key_prefix`` (a phase attempt).

        An intent's ``pre`` was checked against the disk before its files were written, so
        these are the bytes that were really there; a file with no finished write is absent.
        """
        events = self.events()
        done = {e["key"] for e in events if e["kind"] == "done"}
        out: dict[str, str] = {}
        for event in events:
            if event["kind"] == "intent" and event["key"] in done and event["key"].startswith(key_prefix):
                for f in event["files"]:
                    out.setdefault(f["path"], f["pre"])
        return out

    def written_hashes(self) -> dict[str, str]:
        """Each file's content as batchmod last left it (a finished write or an adoption)."""
        out: dict[str, str] = {}
        for event in self.events():
            if event["kind"] in ("done", "adopt"):
                for f in event.get("files", ()):
                    out[f["path"]] = f["post"]
        return out


#: the fields each kind of journal line needs, and the hashes each of its files carries
_NEEDS = {"intent": (("key", "files"), ("pre", "post")), "done": (("key",), ("post",)),
          "format_started": (("key", "files"), ("pre",)), "adopt": (("files",), ("post",))}


def _shape_problem(event: Any) -> str:
    """What is wrong with a decoded journal line ("" when nothing is)."""
    if not isinstance(event, dict):
        return "a journal line that is not an object"
    kind = event.get("kind")
    if not isinstance(kind, str):
        return "a journal line without `kind`"
    if kind not in _NEEDS:
        return ""
    fields, hashes = _NEEDS[kind]
    for name in fields:
        if name not in event:
            return f"a `{kind}` line without `{name}`"
    if "key" in fields and not isinstance(event["key"], str):
        return f"a `{kind}` line whose `key` is not a string"
    files = event.get("files", [])
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("path"), str) and all(isinstance(f.get(h), str) for h in hashes) for f in files
    ):
        return f"a `{kind}` line whose `files` are not objects with path and {' and '.join(hashes)}"
    return ""


def _intent(event: dict[str, Any]) -> Intent:
    deltas = tuple(FileDelta(f["path"], f["pre"], f["post"]) for f in event["files"])
    return Intent(event["key"], event.get("label", ""), deltas)


class TreeWriter:
    """Journaled, atomic writes of whole files under the root (contents from the run's blobs)."""

    def __init__(self, root: str, folder: RunFolder, journal: Journal) -> None:
        self.root = root
        self.real_root = os.path.realpath(root)
        self.folder = folder
        self.journal = journal
        self.tmp_dir = os.path.join(root, ".batchmod", "tmp")  #: temporaries of tree writes: the tree never shows them

    def disk_sha(self, path: str) -> str:
        """The sha256 of the file at ``path`` now; the empty string when it does not exist."""
        data = read_bytes_or_none(self.abspath(path))
        return sha256_bytes(data) if data is not None else ""

    def read(self, path: str) -> bytes | None:
        """The file's bytes now, None when it does not exist."""
        return read_bytes_or_none(self.abspath(path))

    def abspath(self, path: str) -> str:
        """The real path of ``path`` (relative to the root, posix); BatchmodError when it resolves outside the root."""
        full = os.path.realpath(os.path.join(self.root, *path.split("/")))
        if os.path.commonpath([self.real_root, full]) != self.real_root:
            raise BatchmodError(f"{path}: resolves outside the root {self.root}; refusing to write it")
        return full

    def apply(self, key: str, label: str, deltas: Iterable[FileDelta], **extra: Any) -> list[str]:
        """Put every file at its post hash; files already there are left alone.

        All files are checked first: one that is at neither hash raises ConflictError
        and nothing is written. Returns the paths actually written.
        """
        deltas = [d for d in deltas if d.pre != d.post]
        if not deltas:
            return []
        current = {d.path: self.disk_sha(d.path) for d in deltas}
        check_conflicts(deltas, current, label, self)
        contents = {d.path: self.folder.blob(d.post) for d in deltas if current[d.path] != d.post}  # verified before the intent
        self.journal.append(
            "intent", key=key, label=label, files=[{"path": d.path, "pre": d.pre, "post": d.post} for d in deltas], **extra
        )
        for path, data in contents.items():
            self._write(path, data)
        self.journal.append("done", key=key, files=[{"path": d.path, "post": d.post} for d in deltas])
        return list(contents)

    def remove_temporaries(self) -> list[str]:
        """Delete what an interrupted write left: ``.batchmod/tmp/*`` and any journaled file's sibling temporary."""
        removed = []
        for name in sorted(os.listdir(self.tmp_dir)) if os.path.isdir(self.tmp_dir) else ():
            if remove_file_if_present(os.path.join(self.tmp_dir, name)):
                removed.append(f".batchmod/tmp/{name}")
        paths = {f["path"] for e in self.journal.events() if e["kind"] == "intent" for f in e["files"]}
        for path in sorted(paths):
            temp = sibling_temp(os.path.join(self.root, *path.split("/")))
            if remove_file_if_present(temp):
                removed.append(os.path.relpath(temp, self.root))
        return removed

    def resolve_open(self) -> list[str]:
        """Remove interrupted writes' temporaries, then finish the writes left open (the journal rule)."""
        self.remove_temporaries()
        finished = []
        for intent in self.journal.open_intents():
            current = {d.path: self.disk_sha(d.path) for d in intent.deltas}
            check_conflicts(list(intent.deltas), current, intent.label, self)
            for d in intent.deltas:
                if current[d.path] == d.pre:
                    self._write(d.path, self.folder.blob(d.post))
            self.journal.append("done", key=intent.key, files=[{"path": d.path, "post": d.post} for d in intent.deltas], resumed=True)
            finished.append(intent.label)
        return finished

    def put(self, path: str, sha: str) -> None:
        """Write a stored content, inside a journal entry the caller keeps open (a format run)."""
        self._write(path, self.folder.blob(sha))

    def _write(self, path: str, data: bytes) -> None:
        try:
            write_bytes_atomic(self.abspath(path), data, tmp_dir=self.tmp_dir, point="tree-rename")
        except OSError as exc:
            raise WriteError(path, exc) from None
        fsync_dir(os.path.dirname(self.abspath(path)))
        count_tree_write()


def check_conflicts(deltas: list[FileDelta], current: dict[str, str], label: str, writer: "TreeWriter | None" = None) -> None:
    """Every file must be at its pre or post hash, and writable when it is still to be written."""
    if writer is not None:
        refuse_read_only([d.path for d in deltas if current[d.path] != d.post], writer.abspath)
    bad = [d for d in deltas if current[d.path] not in (d.pre, d.post)]
    if not bad:
        return
    detail = "; ".join(
        f"{d.path} is {_short(current[d.path]) or 'missing'}, expected {_short(d.pre)} (before) or {_short(d.post)} (after)"
        for d in bad
    )
    names = ", ".join(d.path for d in bad)
    raise ConflictError(
        [d.path for d in bad],
        f"conflict: {names} changed since batchmod planned {label}; left untouched ({detail})",
    )


def refuse_read_only(paths: Iterable[str], abspath: Callable[[str], str]) -> None:
    """A read-only file is the user's "do not touch": a conflict, never silently replaced."""
    locked = sorted(p for p in paths if read_only(abspath(p)))
    if locked:
        modes = ", ".join(f"{p} is read-only (mode {os.stat(abspath(p)).st_mode & 0o777:04o})" for p in locked)
        raise ConflictError(locked, f"conflict: {modes}; left untouched. Make it writable (chmod u+w) or leave it out "
                                    "of the playbook's globs, then run again")


def _short(sha: str) -> str:
    return sha[:12]
