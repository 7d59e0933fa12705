"""Ending the process once its command is done, without the interpreter's teardown.

A normal exit frees every object and module the process made before it ends: some 15 ms
for a plan's 250 modules and its records, spent after the output is written. When
nothing else can still run or print, this ends the process as the interpreter would
(the exit callbacks, the standard streams flushed, the same exit status) and leaves the
memory to the kernel.
"""
from __future__ import annotations

import atexit
import os
import sys
import threading


def exit_without_teardown(code: object) -> None:
    """End the process with ``code`` (a ``SystemExit``'s: None or an int) after the exit
    callbacks and a flush of stdout and stderr. Returns, and the caller exits normally,
    whenever that could differ from a normal exit: another thread runs, a profiler,
    tracer or coverage tool watches (its report is written at the normal exit), the
    status is not a number, or a stream cannot be flushed."""
    if code is None:
        code = 0
    if type(code) is not int or threading.active_count() > 1 or sys.getprofile() is not None \
            or sys.gettrace() is not None or sys.flags.inspect:
        return
    if not _flushed():
        return
    atexit._run_exitfuncs()  # run once: the normal exit then finds none left
    if _flushed():
        os._exit(code & 0xFF)


def _flushed() -> bool:
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed pipe or stream: the normal exit reports it as it does
        return False
    return True
