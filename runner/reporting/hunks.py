"""Unified diffs cut into hunks, each with who made it (a transform, the model, a format run)."""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Hunk:
    """One hunk of a diff and what made it (a transform, a model attempt, the formatter)."""

    subtask: str  #: the subtask id, or "format"
    made_by: str  #: the transform, "model: attempt N, request KEY", or "format: <command>"
    path: str
    text: str  #: the hunk, starting at its @@ line


def split_hunks(subtask: str, made_by: str, diff: str) -> list[Hunk]:
    """Hunks of a unified diff, counted by their @@ ranges (a body line may look like a header)."""
    hunks: list[Hunk] = []
    lines = diff.splitlines(keepends=True)
    path, i = "", 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("+++ "):
            path = line[4:].strip().removeprefix("b/")
            continue
        match = _HUNK.match(line)
        if not match:
            continue
        old, new = int(match.group(1) or 1), int(match.group(2) or 1)
        body = [line]
        while i < len(lines) and (old > 0 or new > 0 or lines[i].startswith("\\")):
            text = lines[i]
            body.append(text)
            i += 1
            if text.startswith("-"):
                old -= 1
            elif text.startswith("+"):
                new -= 1
            elif not text.startswith("\\"):
                old, new = old - 1, new - 1
        hunks.append(Hunk(subtask, made_by, path, "".join(body)))
    return hunks


_HUNK = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
