"""The one choke point for subprocesses.

A command runs in its own session and process group. Its timeout holds on the wall
clock whatever its pipes do: when it expires the group is killed and reading stops,
even if a process that left the group (``setsid``, a daemon) still holds the output
open; such processes are found through their open pipes (Linux) and killed too, and
the result names them. With ``die_with_parent`` the group's leader is a small
supervisor that kills the group when batchmod itself dies (``kill -9``).
"""
from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from runner.adapters import supervise

#: after the group is killed, how long to drain what is left in the pipes
_DRAIN_SECONDS = 0.3


def program_on_path(program: str) -> bool:
    """Whether ``program`` (a bare name) is an executable on PATH; runs nothing."""
    import shutil

    return shutil.which(program) is not None


@dataclass(frozen=True, slots=True)
class CommandResult:
    """How a command ended: its exit code, its whole output, how long it took, whether it timed out."""

    argv: tuple[str, ...] | str
    returncode: int  #: -1 when it timed out, 127 when the program was not found
    stdout: bytes
    stderr: bytes
    duration: float
    timed_out: bool = False
    escaped: tuple[int, ...] = ()  #: pids that left the process group holding the output open (killed)

    @property
    def ok(self) -> bool:
        """Exit 0 within its deadline."""
        return self.returncode == 0 and not self.timed_out


def run_command(
    argv: list[str] | str,
    cwd: str,
    *,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    shell: bool = False,
    stdin: bytes | None = None,
    die_with_parent: bool = False,
) -> CommandResult:
    """Run a command to completion or to its deadline; on timeout kill its whole process group.

    The command's own failure is a result, never an exception: a program not found is
    returncode 127, a timeout is returncode -1 with ``timed_out`` (and the pids that escaped
    the group, killed, in ``escaped``). When anything interrupts the wait (Ctrl-C, a bug) the
    group is killed before the exception goes on. The process is reaped before returning.
    """
    return _start(argv, cwd, env, timeout, shell, stdin, die_with_parent).result()


class StartedCommand:
    """A command ``start_command`` started: it runs while the caller goes on; ``result()`` waits for it."""

    def __init__(self, key: tuple[str, ...] | str, proc: subprocess.Popen[bytes] | None, stdin: bytes | None,
                 start: float, deadline: float | None, failed: CommandResult | None = None) -> None:
        self._key, self._proc, self._stdin, self._start, self._deadline = key, proc, stdin, start, deadline
        self._failed = failed  #: the result when the program could not be started

    def result(self) -> CommandResult:
        """Wait for the command as ``run_command`` does and return how it ended (once)."""
        proc = self._proc
        if proc is None:
            assert self._failed is not None
            return self._failed
        try:
            return _collect(proc, self._key, self._stdin, self._start, self._deadline)
        except BaseException:
            self.stop()
            raise
        finally:
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    pipe.close()
            if proc.poll() is None:
                proc.wait()

    def printing(self) -> bool:
        """The command has written to its stdout, or closed it (ended): ``result`` would not
        wait for it to start printing."""
        out = self._proc.stdout if self._proc is not None else None
        if out is None:
            return True
        with selectors.DefaultSelector() as sel:
            sel.register(out, selectors.EVENT_READ)
            return bool(sel.select(0))

    def stop(self) -> None:
        """Kill the command's group and whoever still holds its output (a command no longer wanted)."""
        if self._proc is not None and self._proc.poll() is None:
            _kill_group(self._proc)
            _kill_holders(self._proc)


def start_command(argv: list[str], cwd: str) -> StartedCommand:
    """Start a command as ``run_command`` runs it (its own session and group, no deadline, no
    stdin) without waiting for it; a program not found gives a command whose result is its 127."""
    return _start(argv, cwd, None, None, False, None, False)


def _start(argv: list[str] | str, cwd: str, env: dict[str, str] | None, timeout: float | None, shell: bool,
           stdin: bytes | None, die_with_parent: bool) -> StartedCommand:
    start = time.monotonic()
    args, shell = _supervised(argv, shell) if die_with_parent else (argv, shell)
    try:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            shell=shell,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except FileNotFoundError as exc:
        failed = CommandResult(_key(argv), 127, b"", str(exc).encode(), time.monotonic() - start)
        return StartedCommand(_key(argv), None, stdin, start, None, failed)
    return StartedCommand(_key(argv), proc, stdin, start, start + timeout if timeout is not None else None)


def _supervised(argv: list[str] | str, shell: bool) -> tuple[list[str], bool]:
    """The command run under ``supervise.py``, which kills the group when this process dies."""
    command = ["/bin/sh", "-c", argv] if shell and isinstance(argv, str) else list(argv) if not isinstance(argv, str) else [argv]
    return [sys.executable, "-I", "-S", supervise.__file__, str(os.getpid()), *command], False


def _collect(proc: subprocess.Popen[bytes], key: tuple[str, ...] | str, stdin: bytes | None, start: float,
             deadline: float | None) -> CommandResult:
    """Feed stdin and read both pipes until they close and the process exits, or until the deadline:
    then kill the group and whoever still holds the pipes, and keep what a short drain reads."""
    if stdin is not None:
        threading.Thread(target=_feed, args=(proc, stdin), daemon=True).start()
    out, err, finished = _read_until(proc, deadline)
    if finished:
        code = proc.wait() if deadline is None else _wait(proc, deadline)
        if code is not None:
            return CommandResult(key, code, out, err, time.monotonic() - start)
    _kill_group(proc)
    escaped = _kill_holders(proc)
    more_out, more_err, _ = _read_until(proc, time.monotonic() + _DRAIN_SECONDS)
    return CommandResult(key, -1, out + more_out, err + more_err, time.monotonic() - start, True, escaped)


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    try:
        assert proc.stdin is not None
        proc.stdin.write(data)
        proc.stdin.close()
    except (BrokenPipeError, OSError, ValueError):
        pass


def _read_until(proc: subprocess.Popen[bytes], deadline: float | None) -> tuple[bytes, bytes, bool]:
    """Read stdout and stderr until both close (True) or the deadline passes (False)."""
    chunks: dict[int, list[bytes]] = {}
    with selectors.DefaultSelector() as sel:
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None and not pipe.closed:
                sel.register(pipe.fileno(), selectors.EVENT_READ)
                chunks[pipe.fileno()] = []
        while sel.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                break
            for key, _ in sel.select(left):
                data = os.read(key.fd, 65536)
                if data:
                    chunks[key.fd].append(data)
                else:
                    sel.unregister(key.fd)
        finished = not sel.get_map()
    out = b"".join(chunks.get(proc.stdout.fileno(), [])) if proc.stdout is not None and not proc.stdout.closed else b""
    err = b"".join(chunks.get(proc.stderr.fileno(), [])) if proc.stderr is not None and not proc.stderr.closed else b""
    return out, err, finished


def _wait(proc: subprocess.Popen[bytes], deadline: float) -> int | None:
    try:
        return proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(2)
    except subprocess.TimeoutExpired:
        pass


def _kill_holders(proc: subprocess.Popen[bytes]) -> tuple[int, ...]:
    """Kill the processes outside this one that still hold the command's output pipes (Linux /proc)."""
    pipes = set()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None and not pipe.closed:
            pipes.add(f"pipe:[{os.fstat(pipe.fileno()).st_ino}]")
    holders = sorted(pid for pid in _pipe_holders(pipes) if pid != os.getpid()) if pipes else []
    for pid in holders:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    return tuple(holders)


def _pipe_holders(pipes: set[str]) -> set[int]:
    found: set[int] = set()
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return found
    for entry in entries:
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
            if any(os.readlink(f"/proc/{entry}/fd/{fd}") in pipes for fd in fds):
                found.add(int(entry))
        except OSError:
            continue
    return found


def _key(argv: list[str] | str) -> tuple[str, ...] | str:
    return argv if isinstance(argv, str) else tuple(argv)
