"""``.batchmod/lock``: one batchmod command at a time changes a root.

A POSIX record lock (not inherited by forked workers, released by the kernel when its
holder dies); the file says who holds it (pid, start time, boot id, command, since), so
a lock left behind by a holder that died (kill -9) is told from a live one and taken over.
"""
from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from runner.adapters.lifetime import process_alive, process_identity
from runner.adapters.lockfile import LockFile, open_lock_file
from runner.errors import InputError


@contextmanager
def hold_root_lock(path: str, root: str, notify: Callable[[str], None] | None) -> Iterator[None]:
    """Hold the lock file ``path`` (created when missing) while the caller changes ``root``.

    InputError when another live batchmod command holds it; a dead holder is taken over
    and ``notify`` told. The file records this process while it holds the lock and is
    emptied on a clean release.
    """
    with open_lock_file(path, create=True) as lock:
        if not lock.try_lock():
            raise InputError(f"another batchmod command{_describe(_read_holder(lock))} is changing {root}; "
                             "wait for it to finish")
        previous = _read_holder(lock)
        if previous is not None and previous.get("pid") != os.getpid() and _holder_alive(previous):
            raise InputError(f"another batchmod command{_describe(previous)} is changing {root}; wait for it to finish")
        if previous is not None and notify is not None:
            notify(f"took over .batchmod/lock from batchmod{_describe(previous)}, which is gone (killed?)")
        start, boot = process_identity(os.getpid())
        _write_holder(lock, {"pid": os.getpid(), "start": start, "boot": boot, "command": " ".join(sys.argv[1:2]), "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
        try:
            yield
        finally:
            lock.clear()  # released cleanly: nobody to take over from


def root_lock_busy(path: str) -> bool:
    """A live process is recorded as holding the lock file ``path``; False when there is none."""
    try:
        # a peek, never a lock: closing the file drops any lock this process holds on it
        with open_lock_file(path, create=False) as lock:
            holder = _read_holder(lock)
    except OSError:
        return False
    return holder is not None and _holder_alive(holder)


def _read_holder(lock: LockFile) -> dict[str, Any] | None:
    """Who the lock file says holds it (pid, start, boot, command, since); None when unreadable or empty."""
    try:
        data = lock.read()
        holder = json.loads(data) if data.strip() else None
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) and isinstance(holder.get("pid"), int) else None


def _write_holder(lock: LockFile, holder: dict[str, Any]) -> None:
    lock.write(json.dumps(holder).encode() + b"\n")


def _holder_alive(holder: dict[str, Any]) -> bool:
    start, boot = holder.get("start"), holder.get("boot")
    return process_alive(holder["pid"], start if isinstance(start, int) else None, boot if isinstance(boot, str) else None)


def _describe(holder: dict[str, Any] | None) -> str:
    """`` pid N (`batchmod run`, since T)`` for messages; "" when nobody is recorded."""
    if holder is None:
        return ""
    details = [f"`batchmod {holder['command']}`" if holder.get("command") else "", f"since {holder['since']}" if holder.get("since") else ""]
    shown = ", ".join(d for d in details if d)
    return f" pid {holder['pid']}" + (f" ({shown})" if shown else "")
