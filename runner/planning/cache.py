"""Result cache under ``.batchmod/cache``: file content × task specs × versions → outcomes.

One SQLite file; values are JSON (never pickle: the folder is writable by anyone who
can write the repo). A damaged cache is dropped and rebuilt, never an error.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import runner
from runner.adapters.workspace import ensure_dir, read_bytes, remove_file_if_present
from runner.lazy import lazy_module
from runner.playbook.spec import TaskTypeSpec

if TYPE_CHECKING:
    import sqlite3

    from runner.transforms.base import Outcome
    from runner.transforms.engine import FileJob, FileResult, Step
else:
    sqlite3 = lazy_module("sqlite3")  # a plan with --no-cache never opens a database


@lru_cache(maxsize=None)
def version_salt() -> str:
    """The versions every key depends on: batchmod's, libcst's installed release
    (:func:`libcst_version`), batchmod's code (``runner_code``), the interpreter's and the
    cache schema's."""
    from runner.planning.cache_identity import interpreter, runner_code

    return f"batchmod={runner.__version__};libcst={libcst_version()};code={runner_code()};{interpreter()};schema=5"


_RELEASE = re.compile(rb"^__version__\s*=\s*(?:version\s*=\s*)?['\"]([^'\"\n]+)['\"]", re.M)


def libcst_version() -> str:
    """libcst's installed version, without importing libcst (which has no ``__version__``):
    the release its ``_version.py`` names (found through the import system, read in a
    fraction of a millisecond), else its distribution's metadata (~20 ms of imports), else
    ``"?"``."""
    from runner.planning.cache_identity import locate_module

    origin = locate_module("libcst._version")
    try:
        found = _RELEASE.search(read_bytes(origin)) if origin is not None else None
    except OSError:
        found = None
    if found is not None:
        return found.group(1).decode("utf-8", "replace")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("libcst")
    except PackageNotFoundError:
        return "?"


def result_inputs(spec: TaskTypeSpec) -> tuple[object, ...]:
    """What a task type's result on a file depends on: its transform, rendered ``with:``,
    needles, post-conditions, language, whether gaps fail it and its scope (file or
    statement: the parse differs). Not its name, description, instructions, examples,
    model context, nor ``on_gap: report`` versus ``model`` (the model fills gaps after the
    cached step), nor anything else of the playbook."""
    return (spec.transform, spec.with_json, spec.needles, spec.expect_absent, spec.language, spec.on_gap == "fail",
            spec.scope)


def needles_key(step: Step, root: str, identity: str) -> str:
    """The key of a step's needles (its transform's, as built): versions, the root, the
    step's result inputs and needles override, and ``identity``, its transform's code."""
    h = hashlib.sha256(version_salt().encode())
    h.update(b"\0needles\0" + root.encode("utf-8", "surrogateescape"))
    h.update(_step_bytes(step))
    h.update(b"\0" + identity.encode("utf-8", "surrogateescape"))
    return "needles:" + h.hexdigest()


def job_key(job: FileJob, extra: str = "") -> str:
    """The cache key of one file job: versions, path, each step's result inputs, ``extra``, the content."""
    h = hashlib.sha256()
    h.update(version_salt().encode())
    h.update(b"\0" + job.path.encode("utf-8", "surrogateescape"))
    h.update(b"\0" + (b"gen" if job.include_generated else b"nogen"))
    for step in job.steps:
        h.update(_step_bytes(step))
    h.update(b"\0" + extra.encode())
    h.update(b"\0" + hashlib.sha256(job.source).digest())
    return h.hexdigest()


_STEP_BYTES: dict[int, tuple[Step, bytes]] = {}  #: id(step) -> (step, its part of the key); the step keeps the id unique


def _step_bytes(step: Step) -> bytes:
    """A step's part of every key of its files, computed once per Step object (a plan
    shares one Step between all the files of its task; the spec's ``repr`` is long)."""
    known = _STEP_BYTES.get(id(step))
    if known is not None and known[0] is step:
        return known[1]
    data = b"\0" + repr((step.task_index, result_inputs(step.spec), step.needles)).encode()
    if len(_STEP_BYTES) >= 256:
        _STEP_BYTES.clear()
    _STEP_BYTES[id(step)] = (step, data)
    return data


class ResultCache:
    """Get/put FileResults by key; ``ResultCache(None)`` is a cache that never hits."""

    def __init__(self, folder: str | None) -> None:
        self._db: sqlite3.Connection | None = None
        if folder is None:
            return
        try:
            ensure_dir(folder)
            self._db = _open(os.path.join(folder, "results.sqlite"))
        except (OSError, sqlite3.Error):
            self._db = None  # a read-only root plans without a cache

    @property
    def enabled(self) -> bool:
        """The cache may hit: it is on and its database opened."""
        return self._db is not None

    def get(self, key: str, job: FileJob) -> FileResult | None:
        """The cached result of ``job`` under ``key``; None when absent, unreadable or the cache is off."""
        value = self._value(key)
        if value is None:
            return None
        try:
            return _decode(json.loads(value), job)
        except (ValueError, KeyError, TypeError):
            return None

    def needles(self, key: str) -> tuple[str, ...] | None:
        """The needles stored under ``key`` (``needles_key``); None when absent, unreadable or off."""
        value = self._value(key)
        try:
            return tuple(json.loads(value)) if value is not None else None
        except (ValueError, TypeError):
            return None

    def put_needles(self, key: str, needles: tuple[str, ...]) -> None:
        """Store a step's needles under ``key``; a database error is ignored."""
        self._put([(key, json.dumps(list(needles)))])

    def diff(self, key: str) -> tuple[str, int, int] | None:
        """The (diff, added, removed) stored under ``key`` (``cache_diffs.diff_key``); None when absent or off."""
        value = self._value(key)
        try:
            text, added, removed = json.loads(value) if value is not None else (None, 0, 0)
        except (ValueError, TypeError):
            return None
        if not isinstance(text, str) or not isinstance(added, int) or not isinstance(removed, int):
            return None
        return text, added, removed

    def put_diffs(self, items: list[tuple[str, tuple[str, int, int]]]) -> None:
        """Store diffs by key in one transaction; a database error is ignored."""
        self._put([(key, json.dumps(list(value))) for key, value in items])

    def _value(self, key: str) -> str | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row is not None else None

    def _put(self, rows: list[tuple[str, str]]) -> None:
        if self._db is None or not rows:
            return
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO results (key, value) VALUES (?, ?)", rows)
        except sqlite3.Error:
            pass

    def put_many(self, items: list[tuple[str, FileResult]]) -> None:
        """Store results by key in one transaction; a database error is ignored (a cache only saves time)."""
        if self._db is not None:
            self._put([(k, json.dumps(_encode(r))) for k, r in items])

    def close(self) -> None:
        """Close the database (nothing to do when the cache is off)."""
        if self._db is not None:
            self._db.close()


def _open(path: str) -> sqlite3.Connection:
    try:
        return _drop_other_versions(sqlite3.connect(path, timeout=5))
    except sqlite3.DatabaseError:
        remove_file_if_present(path)
        return _drop_other_versions(sqlite3.connect(path, timeout=5))


def _drop_other_versions(db: sqlite3.Connection) -> sqlite3.Connection:
    """``db`` with its tables, emptied of results kept under another ``version_salt`` (another
    batchmod code, Python or libcst: never served again, so not kept growing)."""
    db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS salt (value TEXT NOT NULL)")
    if db.execute("SELECT value FROM salt").fetchall() != [(version_salt(),)]:
        with db:
            db.execute("DELETE FROM results")
            db.execute("DELETE FROM salt")
            db.execute("INSERT INTO salt (value) VALUES (?)", (version_salt(),))
    return db


def _b(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _encode(result: FileResult) -> dict[str, Any]:
    from runner.transforms.base import Changed

    steps = []
    for index, outcome in result.outcomes:
        entry: dict[str, Any] = {
            "i": index,
            "kind": type(outcome).__name__,
            "warnings": list(outcome.warnings),
            "gaps": [[g.file, g.line, g.column, g.reason, g.source, g.rule] for g in outcome.gaps],
            "rules": [[t.rule, t.matches, t.changes, t.gaps] for t in outcome.rules],
        }
        if isinstance(outcome, Changed):
            entry["after"] = _b(outcome.after)
        else:
            entry["reason"] = outcome.reason
        steps.append(entry)
    return {"steps": steps}


def _decode(value: dict[str, Any], job: FileJob) -> FileResult:
    from runner.transforms.base import Changed, Failed, Gap, RuleTally, Unchanged
    from runner.transforms.engine import FileResult

    current = job.source
    outcomes: list[tuple[int, Outcome]] = []
    for entry in value["steps"]:
        warnings = tuple(entry["warnings"])
        gaps = tuple(Gap(*g) for g in entry["gaps"])
        rules = tuple(RuleTally(*t) for t in entry["rules"])
        if entry["kind"] == "Changed":
            after = base64.b64decode(entry["after"])
            outcomes.append((entry["i"], Changed(current, after, warnings, gaps, rules)))
            current = after
        elif entry["kind"] == "Failed":
            outcomes.append((entry["i"], Failed(entry["reason"], warnings, gaps, rules)))
        else:
            outcomes.append((entry["i"], Unchanged(entry["reason"], warnings, gaps, rules)))
    return FileResult(job.path, tuple(outcomes), current)
