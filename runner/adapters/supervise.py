"""The leader of a check's process group: runs the command, and kills the group when batchmod dies.

Run as ``python -I -S supervise.py PARENT_PID ARGV...`` (standard library only, no
imports from batchmod: it must start fast). It arms PR_SET_PDEATHSIG (SIGTERM) on
Linux, or watches the parent's pid elsewhere; when batchmod goes away (kill -9), the
whole process group of the command is killed. It exits as the command did (same code,
or the same signal), so callers see the command's own status.
"""
import os
import signal
import sys
import threading
import time


def _stop(*_args: object) -> None:
    os.killpg(0, signal.SIGKILL)  # the command's whole group, this process included


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    _stop()


def main() -> None:
    """Run ``argv[2:]`` as a child and exit as it did (same code, or the same signal).

    Kills the whole process group (this process included) when the parent ``argv[1]``
    dies, or on SIGTERM/SIGHUP; exits 127 when the program cannot be executed.
    """
    parent = int(sys.argv[1])
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            armed = ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if not armed:
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:
        _stop()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        try:
            os.execvp(sys.argv[2], sys.argv[2:])
        finally:
            os._exit(127)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


if __name__ == "__main__":
    main()
