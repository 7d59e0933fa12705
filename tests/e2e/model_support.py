"""Helpers for the model end-to-end tests: a repo whose gaps only the model can close,
its playbook (kept outside the repo, with the cassette and lock beside it), and a
scripted answer for the local Messages API server."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from e2e_support import make_repo
from tests.model_server import Step, tool_use

#: each file: one call the rewrite rule fixes, one reference it cannot (the gap)
FILES = {
    "pkg/__init__.py": "",
    "pkg/compat.py": "def ensure_text(x):\n    return x.decode() if isinstance(x, bytes) else str(x)\n",
    "pkg/alpha.py": "from pkg import compat\n\nname = compat.ensure_text(b'a')\nconvert = compat.ensure_text\n",
    "pkg/beta.py": "from pkg import compat\n\nlabel = compat.ensure_text(b'b')\nto_text = compat.ensure_text\n",
    "pkg/gamma.py": "from pkg import compat\n\ntitle = compat.ensure_text(b'c')\nas_text = compat.ensure_text\n",
}

#: the scripted answer per file: (old, new) for replace_in_file
EDITS = {
    "pkg/alpha.py": ("convert = compat.ensure_text", "convert = str"),
    "pkg/beta.py": ("to_text = compat.ensure_text", "to_text = str"),
    "pkg/gamma.py": ("as_text = compat.ensure_text", "as_text = str"),
}


def model_playbook(folder: Path, *, budget: str = "", model_extra: str = "", files: str = "pkg/[abg]*.py",
                   provider: str = "anthropic") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "playbook.yaml"
    path.write_text(f"""\
version: 1
name: drop-ensure-text
model:
  provider: {provider}
  name: claude-haiku-4-5
  cassette: drop.cassette.jsonl
  concurrency: 1
{model_extra}{budget}task_types:
  drop-ensure-text:
    transform: rewrite
    with:
      rules:
        - match: "compat.ensure_text($x)"
          replace: "str($x)"
    expect_absent: ["compat.ensure_text"]
    on_gap: model
    context: ["pkg/compat.py"]
    instructions: Replace the remaining references to compat.ensure_text with str.
    examples:
      - before: "name = compat.ensure_text(raw)\\n"
        after: "name = str(raw)\\n"
phases:
  - name: text
    tasks:
      - type: drop-ensure-text
        files: ["{files}"]
""", encoding="utf-8")
    return path


def model_repo(path: Path) -> Path:
    return make_repo(path, FILES)


def job_file(body: dict[str, Any]) -> str:
    """The subtask file a worker request is about (its path is in the first user message)."""
    first = json.dumps(body["messages"][0])
    return next(p for p in EDITS if p in first)


def answers(edits: dict[str, tuple[str, str]] | None = None, *, extra_turns: dict[str, int] | None = None,
            delay: dict[str, float] | None = None) -> Callable[[dict[str, Any]], Step]:
    """A responder: the first turn of a job replaces the gap's line, the next says done.

    ``extra_turns[path]`` repeats a harmless read_file first (more calls for that job);
    ``delay[path]`` makes the first answer for that file wait (a process to kill).
    """
    edits = edits or EDITS
    extra_turns = extra_turns or {}
    delay = delay or {}

    def respond(body: dict[str, Any]) -> Step:
        path = job_file(body)
        turn = sum(1 for m in body["messages"] if m["role"] == "assistant")
        wait = delay.get(path, 0.0) if turn == 0 else 0.0
        if turn < extra_turns.get(path, 0):
            return tool_use("read_file", {"path": path}, delay=wait)
        if turn == extra_turns.get(path, 0):
            old, new = edits[path]
            return tool_use("replace_in_file", {"path": path, "old": old, "new": new}, delay=wait)
        return tool_use("done", {"summary": "replaced the reference with str"})

    return respond
