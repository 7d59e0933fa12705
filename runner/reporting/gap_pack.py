"""The people's queue rendered: a Markdown pack to hand over, or JSON for tools."""
from __future__ import annotations

from typing import Any

from runner.execution.gap_queue import GapQueue, GapSite


def gaps_json(queue: GapQueue) -> dict[str, Any]:
    """The queue as plain JSON values (one object per site)."""
    return {
        "source": queue.source,
        "playbook": queue.playbook,
        "count": len(queue.sites),
        "gaps": [
            {"phase": s.phase, "subtask": s.subtask, "task": s.task, "file": s.file, "line": s.line, "column": s.column,
             "reason": s.reason, "instructions": s.instructions, "attempts": list(s.attempts), "context": s.context}
            for s in queue.sites
        ],
    }


def render_gaps_md(queue: GapQueue) -> str:
    """One section per site, grouped by file: where, why, what the task asks, what the model tried."""
    if not queue.sites:
        return f"# Gaps left: none\n\nNothing is left open by the {queue.source}.\n"
    files = sorted({s.file for s in queue.sites})
    out = [f"# Gaps left: {len(queue.sites)} in {len(files)} file{'s' if len(files) != 1 else ''}", "",
           f"From the {queue.source}. Each site below is self-contained.", ""]
    for n, site in enumerate(queue.sites, start=1):
        out += _site(n, site)
    return "\n".join(out).rstrip("\n") + "\n"


def _site(n: int, site: GapSite) -> list[str]:
    out = [f"## {n}. `{site.file}:{site.line}:{site.column}`", "",
           f"- reason: {site.reason}", f"- task: `{site.task}` (phase {site.phase}, subtask `{site.subtask}`)"]
    for k, error in enumerate(site.attempts, start=1):
        out.append(f"- model attempt {k}: {error}")
    if site.instructions:
        out += ["", "Instructions:", "", *[f"> {line}" if line else ">" for line in site.instructions.splitlines()]]
    if site.context:
        out += ["", "```", site.context, "```"]
    return out + [""]
