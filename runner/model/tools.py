"""The model's edit tools over files held in memory: ``read_file``, ``replace_in_file``, ``done``.

A ``ToolBox`` holds the files a model may read (the subtask's or the phase's, plus
read-only context) and the ones it may edit; a path outside them is refused, counted,
and the refusal says which paths are allowed. Edits are exact, unique substring
replacements on the in-memory copy: nothing is written, the driver applies the result.
``done`` is answered by the caller, which validates the edits first.
"""
from __future__ import annotations

from typing import Any

TOOLS: list[dict[str, Any]] = [
    {"name": "read_file", "description": "Read one of the files you were given (its whole current content).",
     "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]}},
    {"name": "replace_in_file",
     "description": "Replace an exact substring of a file, which must occur exactly once, with new text.",
     "input_schema": {"type": "object", "properties": {
         "path": {"type": "string"}, "old": {"type": "string"}, "new": {"type": "string"}},
         "required": ["path", "old", "new"]}},
    {"name": "done", "description": "Finish: your edits are checked, then proposed.",
     "input_schema": {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}},
]


class ToolBox:
    """In-memory files and the tool calls on them (one conversation; not thread-safe)."""

    def __init__(self, files: dict[str, bytes], writable: frozenset[str], context: dict[str, bytes] | None = None) -> None:
        self._original = dict(files)
        self._files = dict(files)
        self._context = dict(context or {})
        self.writable = writable
        self.refused = 0  #: calls on paths outside the files given

    def call(self, name: str, args: dict[str, Any]) -> tuple[str, bool]:
        """Run one tool call; (result text, is_error)."""
        if name == "read_file":
            return self.read_file(str(args.get("path", "")))
        if name == "replace_in_file":
            return self.replace_in_file(str(args.get("path", "")), str(args.get("old", "")), str(args.get("new", "")))
        return f"unknown tool {name!r}; use read_file, replace_in_file or done", True

    def read_file(self, path: str) -> tuple[str, bool]:
        data = self._files.get(path, self._context.get(path))
        if data is None:
            return self._refuse(path, self.readable())
        return data.decode("utf-8", "replace"), False

    def replace_in_file(self, path: str, old: str, new: str) -> tuple[str, bool]:
        if path not in self.writable or path not in self._files:
            return self._refuse(path, sorted(self.writable))
        text = self._files[path].decode("utf-8", "replace")
        count = text.count(old) if old else 0
        if count != 1:
            why = "old is empty" if not old else "old text is not in the file" if count == 0 else f"old text occurs {count} times"
            return f"{path}: {why}; copy an exact substring that occurs once (read_file shows the current content)", True
        self._files[path] = text.replace(old, new, 1).encode("utf-8")
        return f"{path}: replaced 1 occurrence", False

    def readable(self) -> list[str]:
        return sorted(set(self._files) | set(self._context))

    def changed(self) -> tuple[tuple[str, bytes], ...]:
        """The edited files' new contents, by path."""
        return tuple((p, d) for p, d in sorted(self._files.items()) if d != self._original.get(p))

    def reset(self) -> None:
        """Drop every edit (after refused edits, the model starts again from the files as given)."""
        self._files = dict(self._original)

    def _refuse(self, path: str, allowed: list[str]) -> tuple[str, bool]:
        self.refused += 1
        return f"{path!r} is outside the files of this task; allowed: {', '.join(allowed)}", True
