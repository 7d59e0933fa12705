"""Test hook: a real SIGKILL of this process at a named point (only the tests set the variable).

``BATCHMOD_TEST_KILL_AT=name`` kills at the first pass through ``kill_point("name")``;
``name@N`` at the N-th. Fault tests use it to hit an exact moment (between a temporary
file's write and its rename, while the planning pool is busy) with the signal a user's
``kill -9`` or an OOM killer sends.
"""
from __future__ import annotations

import os
import signal

KILL_AT_ENV = "BATCHMOD_TEST_KILL_AT"
#: exit abruptly (like kill -9) after this many tree writes in one process
CRASH_AFTER_WRITES_ENV = "BATCHMOD_TEST_CRASH_AFTER_WRITES"
_passes: dict[str, int] = {}
_writes_done = 0


def kill_point(name: str) -> None:
    """SIGKILL this process here when ``BATCHMOD_TEST_KILL_AT`` names this point (and pass)."""
    wanted = os.environ.get(KILL_AT_ENV)
    if not wanted or not wanted.startswith(name):
        return
    point, _, nth = wanted.partition("@")
    if point != name:
        return
    _passes[name] = _passes.get(name, 0) + 1
    if _passes[name] >= (int(nth) if nth.isdigit() else 1):
        os.kill(os.getpid(), signal.SIGKILL)


def count_tree_write() -> None:
    """Count one finished tree write; exit the process at once (status 137, no cleanup, like
    ``kill -9``) when ``BATCHMOD_TEST_CRASH_AFTER_WRITES`` writes are done."""
    global _writes_done
    _writes_done += 1
    limit = os.environ.get(CRASH_AFTER_WRITES_ENV)
    if limit and limit.isdigit() and _writes_done >= int(limit):
        os._exit(137)
