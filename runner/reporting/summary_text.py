"""The last line of ``run`` and ``plan``: what failed, by subtask id, shortened sensibly."""
from __future__ import annotations

from runner.reporting.shorten import list_some
from runner.reporting.summary import RunSummary


def render_failed_line(summary: RunSummary, verb: str) -> str:
    """``done with 2 failed subtasks: a, b`` (``verb`` is run or plan); "" when none failed."""
    if not summary.failed:
        return ""
    n = len(summary.failed)
    noun = "subtask" if n == 1 else "subtasks"
    if verb == "plan":
        head = f"plan has {n} failed {noun}"
    else:
        head = f"{'stopped' if summary.stopped is not None else 'done'} with {n} failed {noun}"
    return f"{head}: {list_some(summary.failed)}\n"
