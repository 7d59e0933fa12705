"""The one choke point for subprocesses."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandResult:
    argv: tuple[str, ...] | str
    returncode: int  #: -1 when it timed out, 127 when the program was not found
    stdout: bytes
    stderr: bytes
    duration: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out


def run_command(
    argv: list[str] | str,
    cwd: str,
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    shell: bool = False,
    stdin: bytes | None = None,
) -> CommandResult:
    """Run a command to completion; on timeout kill its whole process group."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            shell=shell,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        return CommandResult(_key(argv), 127, b"", str(exc).encode(), time.monotonic() - start)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        return CommandResult(_key(argv), -1, out, err, time.monotonic() - start, timed_out=True)
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    return CommandResult(_key(argv), proc.returncode, out, err, time.monotonic() - start)


def _key(argv: list[str] | str) -> tuple[str, ...] | str:
    return argv if isinstance(argv, str) else tuple(argv)
