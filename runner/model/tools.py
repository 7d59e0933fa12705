"""The model's edit tools over files held in memory: ``read_file``, ``replace_in_file``, ``done``.

A ``Sandbox`` holds the files a model may edit, read-only context files, and the
editable regions of each file (the statements around the gaps, or whole files).
``replace_in_file`` replaces an exact substring that occurs exactly once, inside a
region; ``done`` is answered by the caller, which validates the edits first. Every
refusal is a tool result that says why (the model reads it and tries again); paths
outside the files and edits outside the regions are counted. Nothing is written: the
driver applies the result. ``ToolBox`` is the same tools over whole files (the fix loop).
"""
from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import Any

from runner.model.scope import Region, region_of, shift_after_edit, whole_file

TOOLS: tuple[dict[str, Any], ...] = (
    {"name": "read_file",
     "description": "Read one file: a file of this subtask (as currently edited) or a read-only context file.",
     "input_schema": {"type": "object", "properties": {"path": {"type": "string", "description": "path as listed"}},
                      "required": ["path"]}},
    {"name": "replace_in_file",
     "description": ("Replace the exact text `old` with `new` in a file of this subtask. `old` must occur exactly "
                     "once in the file (copy it with enough surrounding text to be unique, whitespace included) "
                     "and lie within the editable lines. Edits are checked when you call done."),
     "input_schema": {"type": "object", "properties": {"path": {"type": "string"}, "old": {"type": "string"},
                                                       "new": {"type": "string"}},
                      "required": ["path", "old", "new"]}},
    {"name": "done",
     "description": ("Finish this subtask. Every edited file is then checked (it must parse, the task's "
                     "post-conditions must hold); problems come back to you to fix."),
     "input_schema": {"type": "object", "properties": {"summary": {"type": "string",
                                                                   "description": "what you changed, one line"}},
                      "required": ["summary"]}},
)


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool call returns to the model: its text, and whether it is an error."""

    text: str
    is_error: bool = False
    malformed: bool = False  #: the call itself was wrong (unknown tool, missing or non-text input)


class Sandbox:
    """The subtask's files as the model has edited them so far, and its editable regions."""

    def __init__(self, files: dict[str, str], context: dict[str, str], regions: dict[str, list[Region]]) -> None:
        self.original = dict(files)
        self.files = dict(files)
        self.context = dict(context)
        self.regions = regions
        self.refused_paths = 0
        self.refused_edits = 0

    def edited(self) -> dict[str, str]:
        """The files whose text differs from the original, by path."""
        return {p: t for p, t in self.files.items() if t != self.original[p]}

    def run(self, name: str, args: Any) -> ToolResult:
        """Run one tool call (not ``done``); malformed input is an error result."""
        if not isinstance(args, dict):
            return ToolResult(f"{name}: the input must be an object, got {json.dumps(args)[:80]}", True, True)
        fields = {"read_file": ("path",), "replace_in_file": ("path", "old", "new")}.get(name)
        if fields is None:
            return ToolResult(f"unknown tool {name!r}; the tools are read_file, replace_in_file and done", True, True)
        bad = [f for f in fields if not isinstance(args.get(f), str)]
        if bad:
            return ToolResult(f"{name}: {', '.join(bad)} must be given as text", True, True)
        if name == "read_file":
            return self.read(args["path"])
        return self.replace(args["path"], args["old"], args["new"])

    def read(self, path: str) -> ToolResult:
        """The text of a task file or a context file; an error result (counted as a refused path) for any other path."""
        path = _normal(path)
        if path in self.files:
            return ToolResult(self.files[path])
        if path in self.context:
            return ToolResult(self.context[path])
        self.refused_paths += 1
        return ToolResult(f"{path}: outside the files of this task; readable: {self._listing()}", True)

    def replace(self, path: str, old: str, new: str) -> ToolResult:
        """Replace the one occurrence of ``old`` in a task file with ``new``, inside its editable regions.

        Changes ``files`` and shifts the regions; an error result (counted as refused) when the
        path is not a task file, ``old`` is empty, not found exactly once, or outside the regions.
        """
        path = _normal(path)
        if path not in self.files:
            self.refused_paths += 1
            what = "a read-only context file" if path in self.context else "outside the files of this task"
            return ToolResult(f"{path}: {what}; you may edit only {', '.join(sorted(self.files))}", True)
        text = self.files[path]
        if "\r\n" in text and "\r\n" not in old:
            old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
        if not old:
            return ToolResult(f"{path}: `old` is empty; give the exact text to replace", True)
        count = text.count(old)
        if count != 1:
            why = "not found" if count == 0 else f"found {count} times"
            return ToolResult(f"{path}: `old` {why}; it must occur exactly once (copy it exactly, with more "
                              "surrounding lines to make it unique)", True)
        offset = text.index(old)
        first = text.count("\n", 0, offset) + 1
        last = first + old.rstrip("\n").count("\n") if old.rstrip("\n") else first
        regions = self.regions.get(path, [])
        region = region_of(regions, first, last)
        if region is None:
            self.refused_edits += 1
            where = f"line {first}" if first == last else f"lines {first}-{last}"
            allowed = ", ".join(r.render() for r in regions) or "none"
            return ToolResult(f"{path}: the edit touches {where}, outside the statements around the gaps; "
                              f"you may change only {allowed}", True)
        self.files[path] = text[:offset] + new + text[offset + len(old):]
        shift_after_edit(regions, region, new.count("\n") - old.count("\n"))
        return ToolResult(f"{path}: replaced (now editable: {', '.join(r.render() for r in regions)})")

    def _listing(self) -> str:
        names = sorted(self.files) + [f"{p} (read-only)" for p in sorted(self.context)]
        return ", ".join(names)


def _normal(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return posixpath.normpath(path) if path else path


class ToolBox:
    """The tools over whole files: ``writable`` ones may be edited, the others only read."""

    def __init__(self, files: dict[str, bytes], writable: frozenset[str], context: dict[str, bytes] | None = None) -> None:
        texts = {p: d.decode("utf-8", "replace") for p, d in files.items()}
        readable = {p: t for p, t in texts.items() if p not in writable}
        readable.update((p, d.decode("utf-8", "replace")) for p, d in (context or {}).items())
        self._sandbox = Sandbox({p: t for p, t in texts.items() if p in writable}, readable,
                                {p: whole_file(p) for p in writable if p in texts})

    @property
    def refused(self) -> int:
        """Calls on paths outside the files given."""
        return self._sandbox.refused_paths

    def call(self, name: str, args: dict[str, Any]) -> tuple[str, bool]:
        """Run one tool call; (result text, is_error)."""
        result = self._sandbox.run(name, args)
        return result.text, result.is_error

    def changed(self) -> tuple[tuple[str, bytes], ...]:
        """The edited files' new contents, by path."""
        return tuple((p, t.encode("utf-8")) for p, t in sorted(self._sandbox.edited().items()))

    def reset(self) -> None:
        """Drop every edit (the model starts again from the files as given)."""
        self._sandbox.files = dict(self._sandbox.original)
