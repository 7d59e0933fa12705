"""The ``command`` transform: a shell command per subtask, run on a scratch copy.

The subtask's files are copied into a fresh temporary folder at the same relative
paths; ``run`` is rendered with Jinja (the playbook's vars, ``phase``, ``task`` and
``files``: the relative paths) and run by the shell with that folder as its working
directory. ``BATCHMOD_ROOT`` names the real root so a tool can read its configuration
there (``ruff --config "$BATCHMOD_ROOT/pyproject.toml" ...``); it is read-only by
convention: batchmod only ever reads the scratch copy back. The result of each file
is validated in its language (libcst for Python; TOML, YAML, ini parsers; none for
text: see :mod:`runner.transforms.validation`) and whitespace-only changes of Python
files are dropped, as for any transform.
"""
from __future__ import annotations

import os
from dataclasses import replace

from runner.adapters.scratch import scratch_folder, write_scratch_file
from runner.adapters.shell import CommandResult, run_command
from runner.adapters.workspace import read_bytes
from runner.playbook.spec import TaskTypeSpec
from runner.planning.render import RenderError, render_text
from runner.transforms.base import Changed, Failed, Outcome, Unchanged
from runner.transforms.validation import find_absent_violations, language_of, parse_python, validation_error, whitespace_only

TAIL_LINES = 20


class CommandTransform:
    """Runs ``run`` on a scratch copy of each subtask's files; never touches the root."""

    kind = "command"

    def __init__(self, run: str, timeout: float = 600.0, ok_exit_codes: tuple[int, ...] = (0,),
                 language: str | None = None) -> None:
        self.run = run
        self.language = language  #: the task type's ``language``; None: each file's extension
        self.timeout = timeout
        self.ok_exit_codes = tuple(ok_exit_codes)

    def needles(self) -> tuple[str, ...]:
        """No needles (``()``): a command may change any file it is given."""
        return ()

    def apply_files(self, root: str, sources: dict[str, bytes], context: dict[str, object]) -> dict[str, Outcome]:
        """One outcome per file of ``sources`` (relative path → content); never raises
        for a failing command: a bad exit or a timeout fails every file of the subtask."""
        files = sorted(sources)
        if not files:
            return {}
        bad = [f for f in files if not _is_confined(f)]
        if bad:
            return _fail_all(files, f"path {bad[0]!r} leaves the root; refusing to run the command")
        try:
            command = render_text(self.run, {**context, "files": files})
        except RenderError as exc:
            return _fail_all(files, f"`run` does not render: {exc}")
        with scratch_folder("batchmod-command-") as scratch:
            try:
                _write_scratch(scratch, sources)
            except OSError as exc:
                return _fail_all(files, f"cannot prepare the scratch copy: {exc.strerror or exc}")
            env = {**os.environ, "BATCHMOD_ROOT": os.path.abspath(root)}
            result = run_command(command, scratch, env=env, timeout=self.timeout, shell=True)
            failure = self._describe_failure(command, result)
            if failure:
                return _fail_all(files, failure)
            outcomes = {f: _read_back(scratch, f, sources[f], language_of(f, self.language)) for f in files}
            created = _created_files(scratch, set(files))
        if created:
            note = f"the command created {', '.join(created[:5])}{' …' if len(created) > 5 else ''}; new files are ignored"
            first = files[0]
            outcomes[first] = _with_warning(outcomes[first], note)
        return outcomes

    def _describe_failure(self, command: str, result: CommandResult) -> str | None:
        shown = _clip(command)
        if result.timed_out:
            return f"`{shown}` timed out after {self.timeout:g} s (its process group was killed){_tail(result)}"
        if result.returncode not in self.ok_exit_codes:
            allowed = ", ".join(str(c) for c in self.ok_exit_codes)
            return f"`{shown}` exited with status {result.returncode} (ok: {allowed}){_tail(result)}"
        return None


def apply_expect_absent(spec: TaskTypeSpec, sources: dict[str, bytes], outcomes: dict[str, Outcome]) -> dict[str, Outcome]:
    """Add the task type's ``expect_absent`` gaps to a command's outcomes (and fail the
    file when ``on_gap`` is fail), as the engine does for tree transforms."""
    if not spec.expect_absent:
        return outcomes
    out: dict[str, Outcome] = {}
    for path, outcome in outcomes.items():
        if isinstance(outcome, Failed):
            out[path] = outcome
            continue
        text = outcome.after if isinstance(outcome, Changed) else sources[path]
        tree = None
        if language_of(path, spec.language) == "python":
            try:
                tree = parse_python(text)
            except Exception:
                out[path] = outcome  # an unparseable file the command left alone: nothing to check
                continue
        gaps = outcome.gaps + find_absent_violations(spec, tree, text, path)
        if gaps and spec.on_gap == "fail":
            out[path] = Failed(f"{len(gaps)} gap(s) remain and on_gap is fail", outcome.warnings, gaps)
        else:
            out[path] = replace(outcome, gaps=gaps)
    return out


def _is_confined(path: str) -> bool:
    parts = path.split("/")
    return bool(path) and not path.startswith("/") and ".." not in parts and not os.path.isabs(path)


def _write_scratch(scratch: str, sources: dict[str, bytes]) -> None:
    for rel, data in sources.items():
        write_scratch_file(os.path.join(scratch, *rel.split("/")), data)


def _read_back(scratch: str, rel: str, before: bytes, language: str) -> Outcome:
    target = os.path.join(scratch, *rel.split("/"))
    if os.path.islink(target):
        return Unchanged("", ("the command replaced the file with a symlink; ignored",))
    if not os.path.isfile(target):
        return Unchanged("", ("the command deleted the file; deletions are ignored",))
    after = read_bytes(target)
    if after == before:
        return Unchanged()
    error = validation_error(language, after)
    if error:
        return Failed(f"the command's result does not re-parse: {error}")
    if language == "python" and whitespace_only(before, after):
        return Unchanged("whitespace-only change dropped")
    return Changed(before, after)


def _created_files(scratch: str, known: set[str]) -> list[str]:
    """Files the command added, except in caches (``__pycache__``, dot-folders)."""
    created = []
    for folder, dirs, names in os.walk(scratch):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        for name in sorted(names):
            rel = os.path.relpath(os.path.join(folder, name), scratch).replace(os.sep, "/")
            if rel not in known:
                created.append(rel)
    return created


def _with_warning(outcome: Outcome, warning: str) -> Outcome:
    return replace(outcome, warnings=(*outcome.warnings, warning))


def _fail_all(files: list[str], reason: str) -> dict[str, Outcome]:
    return {f: Failed(reason) for f in files}


def _tail(result: CommandResult) -> str:
    text = b"\n".join((result.stdout, result.stderr)).decode("utf-8", "replace")
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()][-TAIL_LINES:]
    if not lines:
        return "; it printed nothing"
    return "; output (last lines):\n" + "\n".join("      | " + ln for ln in lines)


def _clip(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
