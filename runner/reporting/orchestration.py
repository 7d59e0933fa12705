"""The orchestrator's part of ``status`` and ``report``: the review verdicts and the fix loop's clusters."""
from __future__ import annotations

from typing import Any

from runner.execution.records import ClusterRecord, FixOutcome, PhaseState, ReviewOutcome


def review_lines(ps: PhaseState) -> list[str]:
    """One line on the phase's model review, when there was one."""
    r = ps.review
    if r is None:
        return []
    line = f"review: {r.reviewed} reviewed, {r.approved} approved, {len(r.rejected)} rejected (not written)"
    if r.not_sampled:
        line += f", {r.not_sampled} not in the sample"
    return [line + (f"; {r.note}" if r.note else "")]


def fix_lines(ps: PhaseState) -> list[str]:
    """The fix loop: rounds, then one line per cluster (signature, count, examples, resolved or left)."""
    f = ps.fix
    if f is None:
        return []
    head = f"fix: {f.rounds} round(s), {'checks pass' if f.passed else 'failures left'}"
    if f.refused:
        head += f"; {len(f.refused)} fix(es) refused ({f.refused[0]}{', …' if len(f.refused) > 1 else ''})"
    if f.note:
        head += f"; {f.note}"
    return [head] + [f"  cluster {c.key}: {render_cluster(c)}" for c in f.clusters]


def render_cluster(c: ClusterRecord) -> str:
    """One line for a failure cluster of the fix loop: its signature, count, examples and fate."""
    state = f"resolved in round {c.resolved_in}" if c.resolved_in else "left" + (f" ({c.note})" if c.note else "")
    return f"{c.signature} — {c.count} failure(s), e.g. {', '.join(c.examples)} — {state}"


def review_json(r: ReviewOutcome | None) -> dict[str, Any] | None:
    """A phase's model review as JSON; None when the phase was not reviewed."""
    if r is None:
        return None
    return {"reviewed": r.reviewed, "approved": r.approved, "rejected": list(r.rejected), "not_sampled": r.not_sampled,
            "note": r.note, "seconds": r.seconds, "calls": r.calls, "tokens": r.tokens}


def fix_json(f: FixOutcome | None) -> dict[str, Any] | None:
    """A phase's fix loop as JSON (rounds, clusters, refused fixes); None when it did not run."""
    if f is None:
        return None
    return {
        "rounds": f.rounds, "passed": f.passed, "refused": list(f.refused), "files": list(f.files), "note": f.note,
        "calls": f.calls, "tokens": f.tokens,
        "clusters": [{"key": c.key, "signature": c.signature, "count": c.count, "examples": list(c.examples),
                      "first_round": c.round, "resolved_in": c.resolved_in or None, "note": c.note} for c in f.clusters],
    }
