"""The driver's check of a model edit: a second deterministic pass of the task is a no-op.

The gap worker calls ``check(path, content)`` on every file it edited; each string it
gets back is a problem explained back to the model (the file does not parse, the
task's transform would still change it, an ``expect_absent`` entry remains).
"""
from __future__ import annotations

from typing import Any, Callable

from runner.planning.expand import ExpandedTask
from runner.transforms.base import Changed, Failed, Outcome, Unchanged
from runner.transforms.engine import (FileJob, Step, apply_file_job, describe_parse_error, find_absent_violations,
                                      parse_python)
from runner.transforms.registry import build_transform, transform_kind

Check = Callable[[str, bytes], tuple[str, ...]]  #: (path, new content) → problems, () when it is fine


def make_check(task: ExpandedTask, root: str, variables: dict[str, Any], phase: str) -> Check:
    """The check of ``task``'s gap fills: parse, a second pass of its transform, expect_absent."""
    kind = transform_kind(task.spec)

    def check(path: str, content: bytes) -> tuple[str, ...]:
        if kind == "tree":
            step = Step(task.index, task.spec, task.needles)
            ((_, outcome),) = apply_file_job(FileJob(root, path, content, (step,), include_generated=True)).outcomes
        elif kind == "command":
            transform = build_transform(task.spec, root)
            context = {**variables, "phase": phase, "task": task.label}
            outcome = transform.apply_files(root, {path: content}, context)[path]
        else:
            outcome = Unchanged("no needle")
        return _problems(task, path, content, outcome)

    return check


def _problems(task: ExpandedTask, path: str, content: bytes, outcome: Outcome) -> tuple[str, ...]:
    if isinstance(outcome, Failed):
        return (outcome.reason,)
    if isinstance(outcome, Changed):
        return (f"{path}: a second pass of the task's transform (`{task.spec.transform}`) still changes this file; "
                "write the code the transform itself would write, or leave that code alone",)
    gaps = outcome.gaps
    if outcome.reason == "no needle" and path.endswith((".py", ".pyi")):
        try:
            gaps = find_absent_violations(task.spec, parse_python(content), content, path)
        except Exception as exc:
            return (f"{path}: {describe_parse_error(exc)}",)
    return tuple(f"{g.file}:{g.line}:{g.column}: {g.reason}" + (f" in `{g.source}`" if g.source else "") for g in gaps)
