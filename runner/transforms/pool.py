"""Process pools and a serial executor with the same interface (deterministic tests).

Where processes fork (Linux), a pool of a plan's size is ``adapters.fork_pool.ForkPool``:
its workers take the items from the memory they inherit, so nothing but results is
pickled and neither ``multiprocessing`` nor ``concurrent.futures`` is imported. Otherwise
a ``ProcessPoolExecutor``, imported only when a pool is made: a plan whose work is too
small for one, or served from the cache, never pays for it.
"""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from runner.adapters.fork_pool import ForkPool

T = TypeVar("T")
R = TypeVar("R")


def default_jobs() -> int:
    """The worker count by default: the CPUs this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class SerialExecutor:
    """Runs each call in this process, in order."""

    def __enter__(self) -> "SerialExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, fn: Callable[[T], R], items: Iterable[T], chunksize: int = 1) -> Iterator[R]:
        """``fn`` over ``items`` lazily in this process, in order (``chunksize`` is ignored)."""
        return map(fn, items)


def make_executor(jobs: int, work_items: int, chunksize: int = 1) -> SerialExecutor | ForkPool | ProcessPoolExecutor:
    """A pool of ``jobs`` processes, or the serial executor when a pool cannot pay off; a
    ``ForkPool`` where processes fork and the work's chunks (``work_items`` by ``chunksize``)
    fit its task pipe.

    The workers die with this process (a ``kill -9`` of batchmod leaves none behind).
    """
    if jobs <= 1 or work_items < 2 * jobs:
        return SerialExecutor()
    from runner.adapters.fork_pool import MAX_FORK_CHUNKS, ForkPool

    if sys.platform.startswith("linux") and -(-work_items // chunksize) <= MAX_FORK_CHUNKS:
        return ForkPool(jobs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from runner.adapters.lifetime import die_with_parent

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),))


def chunk_size(work_items: int, jobs: int) -> int:
    """Items per chunk sent to a worker: about 8 chunks per worker, between 1 and 64 items."""
    return max(1, min(64, work_items // (jobs * 8)))

