"""Checks: JUnit parsing, the baseline judgement, timeouts that kill the whole group."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

from runner.execution.baseline import judge_check
from runner.execution.checks import RenderedCheck, parse_junit, run_check
from runner.execution.records import CheckResult, FailedTest
from runner.execution.store import RunFolder


def result(name: str = "t", exit_code: int = 0, failures: tuple[str, ...] = (), junit: bool = False) -> CheckResult:
    return CheckResult(name, "cmd", exit_code, 0.1, False, "", "log", tuple(FailedTest(f, "") for f in failures), junit)


def test_parse_junit_reads_failures_and_errors(tmp_path: Path) -> None:
    xml = tmp_path / "j.xml"
    xml.write_text(
        '<testsuites><testsuite name="s">'
        '<testcase classname="t.m" name="ok"/>'
        '<testcase classname="t.m" name="bad"><failure message="assert 1 == 2">long trace</failure></testcase>'
        '<testcase classname="t.m" name="boom"><error>Traceback\nValueError: x</error></testcase>'
        '<testcase classname="t.m" name="skip"><skipped/></testcase>'
        "</testsuite></testsuites>"
    )
    assert parse_junit(str(xml)) == (FailedTest("t.m::bad", "assert 1 == 2"), FailedTest("t.m::boom", "ValueError: x"))
    xml.write_text("<not xml")
    assert parse_junit(str(xml)) is None


def test_judge_by_test_id_when_junit_on_both_sides() -> None:
    before = result(exit_code=1, failures=("a", "b"), junit=True)
    now = result(exit_code=1, failures=("b", "c"), junit=True)
    verdict = judge_check(now, before)
    assert verdict.new_failures == ("c",) and verdict.preexisting == ("b",) and verdict.blocking
    assert not judge_check(result(exit_code=1, failures=("a",), junit=True), before).blocking


def test_judge_whole_check_without_junit() -> None:
    assert judge_check(result(exit_code=1), result(exit_code=0)).new_failures == ("t",)
    old = judge_check(result(exit_code=2), result(exit_code=1))
    assert not old.blocking and old.preexisting == ("t",)
    assert judge_check(result(exit_code=1), None).blocking
    assert not judge_check(result(), result(exit_code=1)).blocking


def test_timeout_kills_the_process_group_and_saves_output(tmp_path: Path) -> None:
    folder = RunFolder(str(tmp_path / "run"), str(tmp_path / "objects"))
    pidfile = tmp_path / "child.pid"
    command = f"echo started; (sleep 30 & echo $! > {pidfile}; wait)"
    started = time.monotonic()
    outcome = run_check(RenderedCheck("slow", command, None, 0.5), str(tmp_path), folder, "checks/p/001-slow.log")
    assert time.monotonic() - started < 5
    assert outcome.timed_out and outcome.exit_code == -1 and not outcome.passed
    assert "timed out after 0.5s" in outcome.tail and "started" in outcome.tail
    assert "started" in (tmp_path / "run/checks/p/001-slow.log").read_text()
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the check's grandchild survived the timeout")


def test_a_stale_junit_report_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "r.xml").write_text('<testsuite><testcase classname="x" name="old"><failure message="m"/></testcase></testsuite>')
    folder = RunFolder(str(tmp_path / "run"), str(tmp_path / "objects"))
    outcome = run_check(RenderedCheck("t", "exit 1", "r.xml", 10), str(tmp_path), folder, "checks/p/001-t.log")
    assert outcome.failures == () and not outcome.junit_read


def _gone(pid: int, seconds: float = 3) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with open(f"/proc/{pid}/stat", "rb") as fp:
            if fp.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                return True
        time.sleep(0.05)
    return False


def test_timeout_holds_when_a_child_escapes_the_group_and_keeps_the_output_open(tmp_path: Path) -> None:
    folder = RunFolder(str(tmp_path / "run"), str(tmp_path / "objects"))
    pidfile = tmp_path / "escaped.pid"
    command = f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 20' & echo started; sleep 30"
    started = time.monotonic()
    outcome = run_check(RenderedCheck("escapes", command, None, 1), str(tmp_path), folder, "checks/p/001-escapes.log")
    took = time.monotonic() - started
    assert took < 4, f"a 1 s timeout took {took:.1f} s"
    assert outcome.timed_out and not outcome.passed
    escaped = int(pidfile.read_text())
    # one pid as a rule; two when `setsid` forked before exec-ing (seen once under load): both are named
    named = re.search(r"(?:a process|processes) it started \(pids? ([\d, ]+)\) left the process group and kept the output open", outcome.tail)
    assert named and escaped in {int(p) for p in named.group(1).split(", ")}, outcome.tail
    assert "started" in outcome.tail
    assert _gone(escaped)
