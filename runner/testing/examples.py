"""Check a task type against its examples: before → after, then a second pass is a no-op.

Each example is applied exactly as a plan applies a task: tree transforms through
``apply_file_job`` (one FileJob, one Step), ``command`` transforms through
``apply_files``, both followed by the task type's ``expect_absent``. The example is a
file at ``example.path`` in a fresh temporary root, so module and package names are
what they would be in a repository. YAML makes a trailing newline incidental
(``"x = 1"`` versus a ``|`` block), so ``before`` and ``after`` each get one if missing.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, replace
from typing import Any

from runner.adapters.scratch import copy_scratch_file, scratch_folder, write_scratch_file
from runner.playbook.spec import Example, Playbook, TaskTypeSpec, canonical_json
from runner.planning.render import RenderError, render_value
from runner.transforms.base import Changed, Failed, Gap, Outcome
from runner.transforms.engine import FileJob, Step, apply_file_job
from runner.transforms.registry import transform_kind


@dataclass(frozen=True, slots=True)
class ExampleFailure:
    """Why one example failed: its name, the file it pretends to be, one line, and the diff."""

    example: str  #: the example's name ("example 2" when it has none)
    path: str  #: the file the example pretends to be
    message: str  #: one line: what went wrong
    diff: str = ""  #: unified diff (expected vs actual, or first vs second pass)
    gaps: tuple[Gap, ...] = ()


@dataclass(frozen=True, slots=True)
class TaskTypeReport:
    """One task type's result: ok, fail or skip, how many examples, the failures."""

    name: str
    status: str  #: ok | fail | skip
    examples: int
    failures: tuple[ExampleFailure, ...] = ()
    note: str = ""  #: why it was skipped, or why it failed as a whole


def check_playbook_examples(playbook: Playbook, variables: dict[str, Any], root: str,
                            names: tuple[str, ...] = ()) -> tuple[TaskTypeReport, ...]:
    """One report per task type (only ``names`` when given), in declared order."""
    return tuple(
        check_task_type(spec, variables, root, phase=_first_phase(playbook, spec.name),
                        include_generated=playbook.select.include_generated)
        for spec in playbook.task_types
        if not names or spec.name in names
    )


def check_task_type(spec: TaskTypeSpec, variables: dict[str, Any], root: str, *, phase: str = "",
                    include_generated: bool = False) -> TaskTypeReport:
    """Run the task type's transform on each of its examples; never raises for a bad one."""
    count = len(spec.examples)
    kind = transform_kind(spec)
    if kind == "model":
        return TaskTypeReport(spec.name, "skip", count, note="needs model")
    if not count:
        return TaskTypeReport(spec.name, "skip", 0, note="no examples")
    if kind == "tree":
        try:
            spec = replace(spec, with_json=canonical_json(render_value(spec.args(), variables)))
        except RenderError as exc:
            return TaskTypeReport(spec.name, "fail", count, note=f"`with:` does not render: {exc}")
    runner = _ExampleRunner(spec, root, {**variables, "phase": phase, "task": spec.name}, include_generated)
    failures = tuple(f for i, ex in enumerate(spec.examples) if (f := runner.check(ex, i)) is not None)
    return TaskTypeReport(spec.name, "fail" if failures else "ok", count, failures)


class _ExampleRunner:
    def __init__(self, spec: TaskTypeSpec, root: str, context: dict[str, Any], include_generated: bool) -> None:
        self.spec = spec
        self.root = root
        self.context = context
        self.include_generated = include_generated

    def check(self, example: Example, index: int) -> ExampleFailure | None:
        """Why example ``index`` fails (wrong output, gaps, second pass not a no-op), None when it passes."""
        name = example.name or f"example {index + 1}"
        path = example.path.replace(os.sep, "/")
        if not _is_confined(path):
            return ExampleFailure(name, path, f"path `{example.path}` must be relative and stay inside the root")
        before, expected = _as_file(example.before), _as_file(example.after)
        first = self.apply(path, before)
        if isinstance(first, Failed):
            return ExampleFailure(name, path, f"the transform failed: {first.reason}", gaps=first.gaps)
        actual = first.after if isinstance(first, Changed) else before
        if actual != expected:
            why = f" ({first.reason})" if not isinstance(first, Changed) and first.reason else ""
            diff = render_diff(expected, actual, f"expected/{path}", f"actual/{path}")
            return ExampleFailure(name, path, f"the output differs from `after`{why}", diff, first.gaps)
        unexpected = _gap_mismatch(example, first.gaps)
        if unexpected:
            return ExampleFailure(name, path, unexpected, gaps=first.gaps)
        if actual == before:
            return None  # the first pass was already a no-op
        second = self.apply(path, actual)
        if isinstance(second, Failed):
            return ExampleFailure(name, path, f"the second pass failed: {second.reason}", gaps=second.gaps)
        if isinstance(second, Changed):
            diff = render_diff(actual, second.after, f"first-pass/{path}", f"second-pass/{path}")
            return ExampleFailure(name, path, "a second pass is not a no-op", diff)
        return None

    def apply(self, path: str, source: bytes) -> Outcome:
        """The task's outcome on one file in a fresh temporary root."""
        with scratch_folder("batchmod-test-") as tmp:
            write_scratch_file(os.path.join(tmp, *path.split("/")), source)
            if transform_kind(self.spec) == "command":
                return self._apply_command(path, source)
            self._copy_local_codemod(tmp)
            job = FileJob(tmp, path, source, (Step(0, self.spec, None),), self.include_generated)
            return apply_file_job(job).outcomes[0][1]

    def _apply_command(self, path: str, source: bytes) -> Outcome:
        from runner.transforms.command import apply_expect_absent
        from runner.transforms.registry import build_transform

        try:
            transform = build_transform(self.spec, self.root)
        except Exception as exc:
            return Failed(f"transform does not load: {exc}")
        sources = {path: source}
        return apply_expect_absent(self.spec, sources, transform.apply_files(self.root, sources, self.context))[path]

    def _copy_local_codemod(self, tmp: str) -> None:
        """A ``python:file.py:Class`` codemod is found relative to the root it runs in."""
        if not self.spec.transform.startswith("python:"):
            return
        rel = self.spec.transform.split(":", 2)[1]
        source = os.path.join(self.root, rel)
        if os.path.isfile(source) and _is_confined(rel):
            copy_scratch_file(source, os.path.join(tmp, rel))


def _gap_mismatch(example: Example, gaps: tuple[Gap, ...]) -> str:
    """Why the gaps left differ from those the example declares ('' when they agree)."""
    if example.gaps is None:
        return f"{len(gaps)} gap(s) remain in the output" if gaps else ""
    got = [(g.line, g.reason) for g in sorted(gaps, key=lambda g: (g.line, g.column))]
    want = list(example.gaps)
    if len(got) != len(want):
        found = ", ".join(f"line {line}" for line, _ in got) or "none"
        return f"expected {len(want)} gap(s), found {len(got)} ({found})"
    for (line, reason), (want_line, contains) in zip(got, want):
        if line != want_line or contains not in reason:
            return f"expected a gap at line {want_line} with `{contains}`, found line {line}: {reason}"
    return ""


def render_diff(a: bytes, b: bytes, a_name: str, b_name: str) -> str:
    """A unified diff of ``a`` and ``b`` (decoded as UTF-8), marking a last line without newline as git does."""
    lines = difflib.unified_diff(
        a.decode("utf-8", "replace").splitlines(keepends=True),
        b.decode("utf-8", "replace").splitlines(keepends=True),
        a_name,
        b_name,
    )
    return "".join(ln if ln.endswith("\n") else ln + "\n\\ No newline at end of file\n" for ln in lines)


def _as_file(text: str) -> bytes:
    return (text if text.endswith("\n") or not text else text + "\n").encode("utf-8")


def _is_confined(path: str) -> bool:
    return bool(path) and not os.path.isabs(path) and ".." not in path.split("/")


def _first_phase(playbook: Playbook, type_name: str) -> str:
    return next((p.name for p in playbook.phases for t in p.tasks if t.type == type_name), "")
