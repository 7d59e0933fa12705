"""The gap worker's requests: a cached prefix shared by a task type, then the subtask.

Prefix (identical bytes for every subtask of one task type, marked for prompt caching):
the tools, the system text and the task (description, instructions, ``expect_absent``,
examples as before/after pairs). Then the first user message: the gap list with a few
numbered lines around each site, the editable regions and the subtask's files as they
are after the deterministic edits; it is marked too, so the later turns of the job read
it from the cache. Everything is built from the job alone: the same job gives the same
request, byte for byte, so a cassette replays it.
"""
from __future__ import annotations

import json
from typing import Any

from runner.model.client import ModelReply, ModelRequest, canonical
from runner.model.jobs import GapJob
from runner.model.prompts import render
from runner.model.scope import WHOLE_FILE, Region
from runner.model.tools import TOOLS
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Gap

CACHED = {"type": "ephemeral"}
AROUND = 2  #: lines shown before and after each gap site in the gap list
INLINE_LINES = 400  #: a longer file is shown as excerpts around its regions (read_file gives all)
EXCERPT_MARGIN = 20  #: lines shown before and after each region in an excerpt


def shared_prefix(spec: TaskTypeSpec) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tools, system blocks) of a task type; the last system block carries the cache marker."""
    system = render("model_system" if spec.transform == "model" else "gap_system")
    return list(TOOLS), [{"type": "text", "text": system},
                         {"type": "text", "text": task_text(spec), "cache_control": CACHED}]


def task_text(spec: TaskTypeSpec) -> str:
    """The task as the model reads it (no subtask detail in it)."""
    def section(title: str, body: str) -> str:
        return f"## {title}\n\n{body.strip()}\n\n" if body.strip() else ""

    absent = "\n".join(f"- `{entry}`" for entry in spec.expect_absent)
    examples = "\n\n".join(
        f"### Example {n}{': ' + ex.name if ex.name else ''}\n\nBefore:\n```python\n{ex.before.rstrip()}\n```\n\n"
        f"After:\n```python\n{ex.after.rstrip()}\n```" for n, ex in enumerate(spec.examples, start=1))
    return render("gap_task", name=spec.name, description=section("What it does", spec.description),
                  instructions=section("Instructions", spec.instructions),
                  expect_absent=section("Must not remain in the edited statements", absent),
                  examples=section("Examples", examples)).rstrip() + "\n"


def first_request(job: GapJob, texts: dict[str, str], regions: dict[str, list[Region]]) -> ModelRequest:
    """The opening request of ``job`` (``texts``: its files decoded; ``regions``: where it may edit)."""
    tools, system = shared_prefix(job.spec)
    user = [{"type": "text", "text": subtask_text(job, texts, regions), "cache_control": CACHED}]
    return ModelRequest(model=job.model, max_tokens=job.max_tokens, system=canonical(system),
                        messages=canonical([{"role": "user", "content": user}]), tools=canonical(tools),
                        params=job.params, role="worker")


def subtask_text(job: GapJob, texts: dict[str, str], regions: dict[str, list[Region]]) -> str:
    """The per-subtask part: the gap list (or the task for ``transform: model``), the
    editable lines, the files as they are now, and the names of the context files."""
    if job.gaps:
        work = "Gaps to fill:\n\n" + "\n\n".join(_gap_entry(n, gap, texts.get(gap.file, ""))
                                                  for n, gap in enumerate(job.gaps, start=1))
    else:
        work = "Apply the task to the files below."
    spans = ", ".join(r.render() for rs in regions.values() for r in rs) or "none"
    files = "\n\n".join(_file_block(path, text, regions.get(path, [])) for path, text in texts.items())
    context = ""
    if job.context:
        context = "\n\nRead-only context files (read them with read_file): " + ", ".join(p for p, _ in job.context)
    return render("gap_subtask", subtask_id=job.subtask_id, work=work, regions=spans,
                  files="Files of this subtask, as they are now:\n\n" + files, context=context)


def _file_block(path: str, text: str, regions: list[Region]) -> str:
    lines = text.splitlines(keepends=True)
    if len(lines) <= INLINE_LINES or not regions or any(r.end >= WHOLE_FILE for r in regions):
        return f'<file path="{path}">\n{text}</file>'
    windows: list[list[int]] = []
    for region in regions:
        low, high = max(1, region.start - EXCERPT_MARGIN), min(len(lines), region.end + EXCERPT_MARGIN)
        if windows and low <= windows[-1][1] + 1:
            windows[-1][1] = max(windows[-1][1], high)
        else:
            windows.append([low, high])
    shown = ", ".join(f"{a}-{b}" for a, b in windows)
    parts = [f'<excerpt path="{path}" lines="{a}-{b}">\n{"".join(lines[a - 1:b])}</excerpt>' for a, b in windows]
    return (f"{path} has {len(lines)} lines; shown: lines {shown} (read_file gives the whole file)\n"
            + "\n".join(parts))


def _gap_entry(n: int, gap: Gap, text: str) -> str:
    lines = text.splitlines()
    low, high = max(1, gap.line - AROUND), min(len(lines), gap.line + AROUND)
    width = len(str(high))
    shown = "\n".join(f"{'>' if i == gap.line else ' '}{i:>{width}} | {lines[i - 1]}" for i in range(low, high + 1))
    if "\n" in gap.source:
        matched = f"\n   matched:\n```\n{gap.source.rstrip()}\n```"
    else:
        matched = f"\n   matched: `{gap.source}`" if gap.source else ""
    return f"{n}. {gap.file}:{gap.line}:{gap.column}: {gap.reason}{matched}\n```\n{shown}\n```"


def continue_request(request: ModelRequest, reply: ModelReply, answer: list[dict[str, Any]]) -> ModelRequest:
    """``request`` followed by the model's ``reply`` and the user's ``answer`` blocks (the next turn).

    Empty text blocks of the reply are dropped (the API refuses them in a request).
    """
    said = [b for b in reply.blocks() if not (b.get("type") == "text" and not b.get("text"))]
    said = said or [{"type": "text", "text": "(no answer)"}]
    messages = json.loads(request.messages) + [{"role": "assistant", "content": said},
                                               {"role": "user", "content": answer}]
    return ModelRequest(request.model, request.max_tokens, request.system, canonical(messages), request.tools,
                        request.params, request.role)
