"""Child processes that die with batchmod: PR_SET_PDEATHSIG on Linux, a parent-pid watchdog elsewhere.

A ``kill -9`` of batchmod gives it no chance to stop its pool workers or a running
check; the kernel (or, off Linux, a thread watching the parent's pid) does it instead.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int, sig: int = signal.SIGKILL) -> None:
    """Make this process receive ``sig`` when ``parent_pid`` (the process that started it) dies.

    Called first thing in a child. When the parent is already gone, exits at once.
    """
    if not _set_pdeathsig(sig):
        threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="batchmod-parent-watch").start()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def _set_pdeathsig(sig: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:  # the process's own symbols hold libc's: find_library would run ldconfig in every worker
        import ctypes  # here, in the child: the parent that forks it need not import it

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(0.5)
    os._exit(1)


def process_identity(pid: int) -> tuple[int | None, str | None]:
    """(start time in clock ticks since boot, boot id) of a live process; (None, None) off Linux or when gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fp:
            fields = fp.read().rsplit(b")", 1)[1].split()
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as fp:
            boot = fp.read().strip()
    except (OSError, IndexError):
        return None, None
    return int(fields[19]), boot


def process_alive(pid: int, start: int | None, boot: str | None) -> bool:
    """The process ``pid`` that had this start time and boot id still runs (not a reused pid)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    if start is None or boot is None:
        return True
    now_start, now_boot = process_identity(pid)
    if now_start is None:
        return not sys.platform.startswith("linux")
    return (now_start, now_boot) == (start, boot)
