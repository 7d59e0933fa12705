"""A command's process ends without the interpreter's teardown only when that is the
same as a normal exit: status, output, exit callbacks (runner.adapters.process_exit)."""
from __future__ import annotations

import subprocess
import sys
import textwrap


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)


def test_the_process_ends_with_the_status_its_whole_output_and_each_exit_callback_once() -> None:
    proc = _python("""\
        import atexit, sys
        from runner.adapters.process_exit import exit_without_teardown
        atexit.register(print, "callback")
        print("x" * 200000)
        sys.stderr.write("told")
        exit_without_teardown(3)
        print("not reached")
    """)
    assert proc.returncode == 3
    assert proc.stdout == "x" * 200000 + "\ncallback\n" and proc.stderr == "told"


def test_it_leaves_the_exit_to_the_interpreter_while_a_thread_runs_or_a_tracer_watches() -> None:
    proc = _python("""\
        import sys, threading
        from runner.adapters.process_exit import exit_without_teardown
        stop = threading.Event()
        worker = threading.Thread(target=stop.wait)
        worker.start()
        exit_without_teardown(0)
        print("went on with a thread")
        stop.set(); worker.join()
        sys.settrace(lambda *a: None)
        exit_without_teardown(0)
        sys.settrace(None)
        print("went on with a tracer")
        exit_without_teardown("a message")
        print("went on with a message")
        exit_without_teardown(None)
    """)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["went on with a thread", "went on with a tracer", "went on with a message"]


def test_the_batchmod_command_line_keeps_its_exit_codes_and_error_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("bad: [\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "runner", "plan", str(bad), "--root", str(tmp_path), "--no-cache"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith(f"batchmod: error: {bad}:2:1:") and proc.stderr.count("\n") == 1
    proc = subprocess.run([sys.executable, "-m", "runner", "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "batchmod" in proc.stdout
