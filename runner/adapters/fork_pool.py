"""A pool of forked workers that take their items from the memory they inherit.

Only results are pickled (the items never are), and neither ``multiprocessing`` nor
``concurrent.futures`` is imported: for the few dozen files a plan's needles leave, a
process pool's start-up (its imports, its threads, every item pickled) was a large part
of the work it shared.
"""
from __future__ import annotations

import os
import pickle
import selectors
import signal
from typing import Any, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: chunk numbers go to the workers through one pipe, written whole before they start: 4
#: bytes each, within the one page a pipe always holds
MAX_FORK_CHUNKS = 1024


class ForkPool:
    """``jobs`` forked workers. Each takes the number of the next chunk of items from a
    pipe filled before they start (the items are in the memory they inherit) and sends
    each chunk's results, pickled, on a pipe of its own; ``map`` yields them in item order.

    A worker that raises or dies makes ``map`` raise RuntimeError; leaving the pool kills
    the workers still running and reaps them all.
    """

    def __init__(self, jobs: int, share: bool = False) -> None:
        self._jobs = jobs
        self._share = share  #: this process is one of the ``jobs``: it takes chunks too, between collecting results
        self._pids: list[int] = []
        self._fds: list[int] = []
        self._all_sent = True  #: every chunk's results came back: the workers are exiting on their own

    def __enter__(self) -> "ForkPool":
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds.clear()
        for pid in self._pids:
            try:
                if not self._all_sent and os.waitpid(pid, os.WNOHANG) == (0, 0):
                    os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self._pids.clear()

    def map(self, fn: Callable[[T], R], items: Iterable[T], chunksize: int = 1) -> Iterator[R]:
        """``fn`` over ``items`` in the workers, results in item order (at most ``MAX_FORK_CHUNKS`` chunks)."""
        listed = list(items)
        chunks = [listed[i:i + chunksize] for i in range(0, len(listed), max(1, chunksize))]
        if len(chunks) > MAX_FORK_CHUNKS:
            raise ValueError(f"{len(chunks)} chunks: a ForkPool takes at most {MAX_FORK_CHUNKS}")
        return self._results(fn, chunks)

    def _results(self, fn: Callable[[T], R], chunks: list[list[T]]) -> Iterator[R]:
        self._all_sent = False
        tasks = self._start(fn, chunks)
        done: dict[int, list[R]] = {}
        buffers = {fd: bytearray() for fd in tasks}
        own = self._fds[0] if self._share else -1  #: the task pipe, while this process takes chunks from it
        with selectors.DefaultSelector() as sel:
            for fd in tasks:
                sel.register(fd, selectors.EVENT_READ)
            for index in range(len(chunks)):
                while index not in done:
                    timeout = None
                    if own >= 0:  # a chunk of its own, then only what the workers sent meanwhile
                        own, timeout = _run_own(fn, chunks, own, done), 0
                    elif not sel.get_map():
                        raise RuntimeError("a pool worker died before it sent its results")
                    for key, _ in sel.select(timeout):
                        if not _take_frames(key.fd, buffers[key.fd], done):
                            sel.unregister(key.fd)
                if index == len(chunks) - 1:
                    self._all_sent = True
                yield from done.pop(index)

    def _start(self, fn: Callable[[T], R], chunks: list[list[T]]) -> list[int]:
        """Fill the task pipe, fork the workers; the read ends of their result pipes."""
        from runner.adapters.lifetime import die_with_parent

        tasks_r, tasks_w = os.pipe()
        self._fds.append(tasks_r)
        os.set_blocking(tasks_w, False)
        try:
            os.write(tasks_w, b"".join(i.to_bytes(4, "little") for i in range(len(chunks))))
        finally:
            os.close(tasks_w)
        parent, readers = os.getpid(), []
        for _ in range(min(self._jobs - self._share, len(chunks))):
            results_r, results_w = os.pipe()
            _widen(results_w)
            pid = os.fork()
            if pid == 0:
                _work(fn, chunks, tasks_r, results_w, parent, die_with_parent)
            os.close(results_w)
            self._pids.append(pid)
            self._fds.append(results_r)
            readers.append(results_r)
        return readers


def _run_own(fn: Callable[[Any], Any], chunks: list[list[Any]], tasks: int, done: dict[int, Any]) -> int:
    """Run the next chunk of the task pipe here, its results into ``done``; the pipe, or -1
    when it is empty. A chunk that raises is a failed worker's error."""
    number = os.read(tasks, 4)
    if len(number) != 4:
        return -1
    index = int.from_bytes(number, "little")
    try:
        done[index] = [fn(item) for item in chunks[index]]
    except Exception as exc:
        raise RuntimeError(f"a pool worker failed: {type(exc).__name__}: {exc}") from None
    return tasks


def _widen(fd: int) -> None:
    """Let the pipe hold a megabyte (Linux), so a worker seldom waits for this process to
    finish a chunk of its own before its results are read."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


def _take_frames(fd: int, buffer: bytearray, done: dict[int, Any]) -> bool:
    """Read what ``fd`` has, move each whole frame's results into ``done``; False at its end."""
    data = os.read(fd, 1 << 20)
    if not data:
        return False
    buffer += data
    while len(buffer) >= 8 and len(buffer) >= 8 + (size := int.from_bytes(buffer[:8], "little")):
        index, ok, value = pickle.loads(buffer[8:8 + size])
        del buffer[:8 + size]
        if not ok:
            raise RuntimeError(f"a pool worker failed: {value}")
        done[index] = value
    return True


def _work(fn: Callable[[Any], Any], chunks: list[list[Any]], tasks: int, results: int, parent: int,
          die_with_parent: Callable[[int], None]) -> None:
    """A forked worker's life: chunk numbers from ``tasks`` until it is empty, each chunk's
    results (or the error that stopped it) as a frame on ``results``; never returns.
    ``tasks`` -1: the one chunk 0, no task pipe (``ForkedCall``)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: the parent reports it, the workers just stop
        die_with_parent(parent)
        while len(number := os.read(tasks, 4) if tasks >= 0 else b"\0\0\0\0") == 4:
            index = int.from_bytes(number, "little")
            try:
                frame = pickle.dumps((index, True, [fn(item) for item in chunks[index]]), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                frame = pickle.dumps((index, False, f"{type(exc).__name__}: {exc}"))
            view = memoryview(len(frame).to_bytes(8, "little") + frame)
            while view:
                view = view[os.write(results, view):]
            if tasks < 0:
                break
        code = 0
    finally:
        os._exit(code)


class ForkedCall:
    """``fn(arg)`` running in a forked child while this process goes on; ``result()``
    waits for it and returns its value (pickled back) or raises RuntimeError when it
    raised or died. The child dies with this process; ``cancel()`` kills and reaps it."""

    def __init__(self, fn: Callable[[T], R], arg: T) -> None:
        from runner.adapters.lifetime import die_with_parent

        parent = os.getpid()
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(reader)
            _work(fn, [[arg]], -1, writer, parent, die_with_parent)
        os.close(writer)
        self._pid: int | None = pid
        self._fd = reader

    def result(self) -> R:
        """The value ``fn(arg)`` returned in the child (once)."""
        done: dict[int, Any] = {}
        buffer = bytearray()
        try:
            while _take_frames(self._fd, buffer, done):
                pass
        finally:
            self.cancel()
        if 0 not in done:
            raise RuntimeError("a forked child died before it sent its result")
        return done[0][0]

    def cancel(self) -> None:
        """Kill the child if it still runs, reap it, close its pipe (nothing when it was reaped)."""
        if self._pid is None:
            return
        os.close(self._fd)
        try:
            if os.waitpid(self._pid, os.WNOHANG) == (0, 0):
                os.kill(self._pid, signal.SIGKILL)
                os.waitpid(self._pid, 0)
        except ChildProcessError:
            pass
        self._pid = None
