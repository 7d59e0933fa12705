"""Lints of globs and check commands against the root: globs that leave it or match no
file, checks whose program is not on PATH, checks judged as a whole. A value that depends on a variable left
unset says so ("depends on --var pkg"), never shows ``None``."""
from __future__ import annotations

import os
import re
from typing import Any, Callable, Union

from runner.adapters.shell import program_on_path
from runner.errors import Diagnostic
from runner.playbook.check_commands import is_pytest_command, whole_check_warning
from runner.playbook.prune import entries
from runner.playbook.read import PathKey, RawPlaybook, format_json_path
from runner.playbook.shellwords import first_program
from runner.planning.render import render_text
from runner.planning.select import compile_globs

_MARK = "__batchmod_unset_{}__"
_MARKED = re.compile(r"__batchmod_unset_([A-Za-z0-9_]+?)__", re.IGNORECASE)


#: the root's selectable files for the coverage warnings, or a function that gives them
#: when they are needed (a listing still being looked at elsewhere); None: no coverage
CandidateFiles = Union[tuple[str, ...], Callable[[], tuple[str, ...]], None]


def check_globs_and_commands(
    raw: RawPlaybook, variables: dict[str, Any], root: str, candidates: tuple[str, ...] | None
) -> list[Diagnostic]:
    """Glob errors and coverage warnings (``candidates`` None: no coverage), program warnings."""
    out = []
    lint_vars = {k: _MARK.format(k) if v is None else v for k, v in variables.items()}
    names = {k.lower(): k for k in variables}

    def unset_in(text: str) -> str:
        """``--var a, --var b`` for the unset variables ``text`` was rendered from, or ""."""
        found = dict.fromkeys(names.get(m.lower(), m) for m in _MARKED.findall(text))
        return ", ".join(f"--var {name}" for name in found)

    def note(path: PathKey, message: str, severity: str) -> None:
        line, col = raw.source_map.position(path)
        out.append(Diagnostic(raw.path, line, col, message, format_json_path(path), severity))

    for i, phase in entries(raw.data.get("phases")):
        for j, task in entries(phase.get("tasks")):
            for field in ("files", "exclude"):
                for k, glob in entries(task.get(field)):
                    path = ("phases", i, "tasks", j, field, k)
                    try:
                        rendered = render_text(glob, lint_vars)
                        spec = compile_globs([rendered])
                    except ValueError as exc:  # a template error is reported with the template checks
                        if not str(exc).startswith("template error") and "is undefined" not in str(exc):
                            note(path, _unmark(str(exc)), "error")
                        continue
                    unset = unset_in(rendered)
                    if field != "files" or candidates is None:
                        continue
                    if unset:
                        note(path, f"glob `{glob}` depends on {unset}; pass it to check which files the glob matches", "warning")
                    elif not any(spec.match_file(f) for f in candidates):
                        note(path, f"glob `{rendered}` matches no file under the root {root}", "warning")
        for k, check in entries(phase.get("checks")):
            try:
                command = render_text(check["run"], {**lint_vars, "changed_files": [], "phase": phase["name"]})
            except ValueError:
                continue
            program = first_program(command)
            if program and unset_in(program):
                note(("phases", i, "checks", k, "run"), f"the check's program depends on {unset_in(program)}; not checked", "warning")
            elif program and not _program_exists(program, root):
                note(("phases", i, "checks", k, "run"), f"program `{program}` is not on PATH (the check would fail to start)", "warning")
            if not check.get("junit") and not check.get("must_pass") and not is_pytest_command(command):
                note(("phases", i, "checks", k), whole_check_warning(check["name"]), "warning")
    return out


def _unmark(text: str) -> str:
    return _MARKED.sub(lambda m: "{{ " + m.group(1) + " }}", text)


def _program_exists(program: str, root: str) -> bool:
    if "/" in program:
        return os.path.exists(os.path.join(root, program))
    return program_on_path(program)
