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
_passes: dict[str, int] = {}


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
