"""Run a phase's checks: a shell command in the root, its output saved, JUnit read.

The command runs in its own process group; on timeout the whole group is killed
(``adapters.shell.run_command``). ``run`` and ``junit`` are Jinja templates that see
the playbook's variables, ``changed_files``, ``phase`` and the ``shquote`` filter.
"""
from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from runner.adapters.shell import run_command
from runner.errors import InputError
from runner.execution.records import CheckResult, FailedTest
from runner.execution.store import RunFolder
from runner.model.clusters import failing_cases
from runner.planning.render import RenderError, render_text
from runner.playbook.check_commands import is_pytest_command, junitxml_of, with_junitxml
from runner.playbook.spec import CheckSpec

TAIL_LINES = 15


@dataclass(frozen=True, slots=True)
class RenderedCheck:
    """A check with its command rendered for one phase (Jinja done), ready to run."""

    name: str
    command: str
    junit: str | None  #: relative to the root
    timeout: float
    auto_junit: bool = False  #: a plain pytest run without `junit:`: batchmod adds --junitxml to a file of its own
    must_pass: bool = False


def render_check(spec: CheckSpec, context: dict[str, Any], phase: str) -> RenderedCheck:
    """Render a check's templates (an error names the phase and the check)."""
    try:
        command = render_text(spec.run, context)
        junit = render_text(spec.junit, context) if spec.junit else None
    except RenderError as exc:
        raise InputError(f"phase {phase}, check {spec.name}: {exc}") from None
    named = junitxml_of(command) if junit is None else None
    if named and not os.path.isabs(named):
        junit = named  # the command writes its own report: read that one
    auto = junit is None and named is None and is_pytest_command(command)
    return RenderedCheck(spec.name, command, junit, spec.timeout, auto, spec.must_pass)


def run_check(check: RenderedCheck, root: str, folder: RunFolder, log_relpath: str) -> CheckResult:
    """Run one check to completion and return its structured result; never raises for a failing check."""
    junit_path = os.path.join(root, *check.junit.split("/")) if check.junit else None
    command = check.command
    if check.auto_junit:
        junit_path = os.path.join(folder.path, *log_relpath.split("/"))[: -len(".log")] + ".junit.xml"
        command = with_junitxml(check.command, junit_path)
    stamp_before = _stamp(junit_path)
    result = run_command(command, cwd=root, shell=True, timeout=check.timeout, die_with_parent=True)
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    if result.timed_out:
        output += f"\n[batchmod] timed out after {check.timeout:g}s; the process group was killed{describe_escaped(result.escaped)}\n"
    if result.returncode == 127 and not output.strip():
        output = f"[batchmod] cannot start: {check.command}\n"
    header = f"$ {command}\n[batchmod] exit {result.returncode}, {result.duration:.2f}s\n"
    folder.write_text(log_relpath, header + output)
    failures: tuple[FailedTest, ...] = ()
    junit_read = False
    if junit_path is not None and _stamp(junit_path) not in (None, stamp_before):
        parsed = parse_junit(junit_path)
        if parsed is not None:
            failures, junit_read = parsed, True
    return CheckResult(
        name=check.name,
        command=check.command,
        exit_code=-1 if result.timed_out else result.returncode,
        duration=round(result.duration, 3),
        timed_out=result.timed_out,
        tail=tail(output),
        log=log_relpath,
        failures=failures,
        junit_read=junit_read,
    )


def describe_escaped(pids: tuple[int, ...]) -> str:
    """The timeout note's tail naming processes that left the group and held the output open."""
    if not pids:
        return ""
    which = f"a process it started (pid {pids[0]})" if len(pids) == 1 else f"processes it started (pids {', '.join(map(str, pids))})"
    return f"; {which} left the process group and kept the output open; it was killed" if len(pids) == 1 else \
        f"; {which} left the process group and kept the output open; they were killed"


def parse_junit(path: str) -> tuple[FailedTest, ...] | None:
    """Failing and erroring test cases of a JUnit XML report; None when it does not parse."""
    try:
        tree = ET.parse(path)
    except (ET.ParseError, OSError):
        return None
    out = []
    for case, problem in failing_cases(tree.getroot()):
        classname = case.get("classname") or case.get("file") or ""
        name = case.get("name") or "?"
        message = problem.get("message") or ""
        if not message:
            lines = (problem.text or "").strip().splitlines()
            message = lines[-1] if lines else ""
        out.append(FailedTest(f"{classname}::{name}" if classname else name, message.strip()[:500]))
    return tuple(out)


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of ``text``, without its final newline."""
    kept = text.rstrip("\n").splitlines()[-lines:]
    return "\n".join(kept)


def log_name(prefix: str, check: str, n: int) -> str:
    """A check log's path in the run folder: ``prefix/NNN-slug.log`` (the check's name made file-safe)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", check).strip("-") or "check"
    return f"{prefix}/{n:03d}-{slug}.log"


def _stamp(path: str | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)
