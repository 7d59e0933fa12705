"""Pool workers arm the kernel's parent-death signal without searching for libc (no ldconfig run)."""
from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_parent_death_signal_is_armed_from_the_process_own_symbols() -> None:
    probe = ("import ctypes, signal, sys; from runner.adapters.lifetime import _set_pdeathsig; "
             "armed = _set_pdeathsig(signal.SIGTERM); got = ctypes.c_int(); "
             "ctypes.CDLL(None).prctl(2, ctypes.byref(got), 0, 0, 0); "  # PR_GET_PDEATHSIG
             "print(armed, got.value == signal.SIGTERM, 'ctypes.util' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out == "True True False\n"
