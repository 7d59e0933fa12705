"""``batchmod test`` for people: one line per task type, a diff per failed example."""
from __future__ import annotations

from runner.testing.examples import TaskTypeReport


def render_test_report(reports: tuple[TaskTypeReport, ...]) -> str:
    """The report of ``batchmod test``: one line per task type, each failure with its gaps and diff, then the totals."""
    out: list[str] = []
    for r in reports:
        if r.status == "skip":
            out.append(f"skip {r.name}: {r.note}")
        elif r.status == "ok":
            out.append(f"ok  {r.name}: {_examples(r.examples)}")
        elif r.note:
            out.append(f"FAIL {r.name}: {r.note}")
        else:
            out.append(f"FAIL {r.name}: {len(r.failures)} of {_examples(r.examples)} failed")
        for f in r.failures:
            out.append(f"  {r.name}: {f.example} ({f.path}): {f.message}")
            out.extend(f"    {g.file}:{g.line}:{g.column}: {g.reason}" for g in f.gaps)
            if f.diff:
                out.append(f.diff.rstrip("\n"))
    counts = {s: sum(1 for r in reports if r.status == s) for s in ("ok", "fail", "skip")}
    examples = sum(r.examples for r in reports if r.status != "skip")
    out.append(f"{counts['ok']} ok, {counts['fail']} failed, {counts['skip']} skipped ({_examples(examples)} run)")
    return "\n".join(out) + "\n"


def _examples(n: int) -> str:
    return f"{n} example{'s' if n != 1 else ''}"
