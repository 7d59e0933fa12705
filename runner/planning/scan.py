"""A tree segment's files read, hashed and searched where their jobs run: in the pool's workers.

Without a result cache nothing needs a file's bytes before its job but its needles, so
each worker takes chunks of paths, reads and hashes each file, searches it for its
tasks' needles and runs the job at once when one is there; the parent gets back the
digests and the results only. A file whose bytes the plan already holds (an earlier
phase's output) goes with them and is not read again.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from runner.adapters.workspace import read_bytes
from runner.planning.plan import FileChange, file_change
from runner.transforms.base import Changed
from runner.transforms.engine import FileJob, FileResult, Step, apply_file_job

#: paths per chunk a worker takes at a time: small enough that the few files with needles
#: (their jobs are most of the work) spread over the workers
CHUNK_FILES = 32
#: at most this many jobs per segment (``adapters.fork_pool.MAX_FORK_CHUNKS`` is 1,024)
MAX_CHUNKS = 1000


@dataclass(frozen=True, slots=True)
class ScanJob:
    """A chunk of a segment's files for one worker, with what deciding and running their jobs takes."""

    root: str
    paths: tuple[str, ...]  #: in path order
    steps: tuple[tuple[Step, ...], ...]  #: each path's steps, in task order
    given: dict[str, bytes]  #: the bytes the plan already holds for some of ``paths`` (not read again)
    needles: dict[int, tuple[bytes, ...]]  #: task index -> its needles, encoded
    include_generated: bool
    sizes: tuple[int, ...] = ()  #: each path's size as listed (-1: not known); spares a read its ``fstat``


@dataclass(frozen=True, slots=True)
class Scanned:
    """A file whose job ran, or that could not be read (every other file is just its digest)."""

    sha256: str  #: of the bytes read; "" when they were given, or unreadable
    error: str  #: "cannot read: ..." when unreadable, else ""
    result: FileResult | None  #: None when unreadable
    source: bytes | None  #: the bytes read (None when given, or unreadable)
    changes: tuple[FileChange, ...] = ()  #: the diff of each change the job made, made here as well (see ``diffed``)


def disk_path(root: str, path: str) -> str:
    """Where the listed ``path`` (posix, relative) of ``root`` is on disk."""
    return root + "/" + path if os.sep == "/" else os.path.join(root, *path.split("/"))


def chunk_files(root: str, files: list[tuple[str, tuple[Step, ...]]], given: dict[str, bytes],
                needles: dict[int, tuple[bytes, ...]], include_generated: bool,
                sizes: dict[str, int] | None = None) -> list[ScanJob]:
    """``files`` ((path, steps) in path order) as jobs of ``CHUNK_FILES`` files each, more
    when that makes over ``MAX_CHUNKS`` jobs (a fork pool's task pipe holds that many);
    ``sizes``: the listing's size of each file it knows."""
    size = max(CHUNK_FILES, -(-len(files) // MAX_CHUNKS))
    jobs = []
    for i in range(0, len(files), size):
        part = files[i:i + size]
        paths = tuple(path for path, _ in part)
        jobs.append(ScanJob(root, paths, tuple(steps for _, steps in part),
                            {p: given[p] for p in paths if p in given} if given else {}, needles, include_generated,
                            tuple(sizes.get(p, -1) for p in paths) if sizes else ()))
    return jobs


def scan_files(job: ScanJob) -> list[str | Scanned]:
    """Each file of ``job``, in order: read and hashed unless its bytes are given, and its
    job run when one of its steps' needles is in it (``apply_file_job``, which never
    raises for a bad file). A file without needles is its digest alone (a plain string
    pickles in a fraction of a record's time: most files are such); never raises for a
    file that cannot be read."""
    out: list[str | Scanned] = []
    sizes = job.sizes or (-1,) * len(job.paths)
    for path, steps, size in zip(job.paths, job.steps, sizes):
        data = job.given.get(path)
        digest = ""
        if data is None:
            try:
                data = read_bytes(disk_path(job.root, path), size)
            except OSError as exc:
                out.append(Scanned("", f"cannot read: {exc.strerror or exc}", None, None))
                continue
            digest = hashlib.sha256(data).hexdigest()
        if not any(may_change(job.needles[s.task_index], data) for s in steps):
            out.append(digest)
            continue
        result = apply_file_job(FileJob(job.root, path, data, steps, job.include_generated))
        out.append(Scanned(digest, "", result, data if path not in job.given else None, diffed(result)))
    return out


def diffed(result: FileResult) -> tuple[FileChange, ...]:
    """``file_change`` of each change in ``result``: made where the job ran, the parent's
    plan diffs them without waiting for them after its scan (``Diffs.seed``)."""
    return tuple(file_change(result.path, o.before, o.after) for _, o in result.outcomes if isinstance(o, Changed))


def may_change(needles: tuple[bytes, ...], source: bytes) -> bool:
    """``engine.needles_match`` on needles encoded once: no needles, or one of them is in ``source``."""
    if not needles:
        return True
    for needle in needles:
        if needle in source:
            return True
    return False
