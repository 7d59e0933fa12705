"""The record of ``gaps --annotate`` writes: ``annotations.json`` in the run folder.

Each entry is one file's write (pre and post sha256, contents in the run's blobs), oldest
first, so rollback can undo them newest first and a second annotation starts from the
content the gap lines refer to.
"""
from __future__ import annotations

import json

from runner.execution.records import FileDelta
from runner.execution.store import RunFolder

ANNOTATIONS = "annotations.json"


def load_annotations(folder: RunFolder) -> list[FileDelta]:
    """The annotation writes of the run, oldest first."""
    text = folder.read_text(ANNOTATIONS)
    if not text:
        return []
    return [FileDelta(d["path"], d["pre"], d["post"], d.get("added", 0), 0) for d in json.loads(text)]


def save_annotations(folder: RunFolder, deltas: list[FileDelta]) -> None:
    """Replace the run's ``annotations.json`` with ``deltas`` (oldest first); a durable write, WriteError when refused."""
    folder.write_text(ANNOTATIONS, json.dumps([{"path": d.path, "pre": d.pre, "post": d.post, "added": d.added} for d in deltas]))


def annotation_base(folder: RunFolder, path: str, disk_sha: str) -> str | None:
    """The sha256 of ``path`` before any annotation, when the file is as the annotations left it."""
    chain = [d for d in load_annotations(folder) if d.path == path]
    if not chain or chain[-1].post != disk_sha:
        return None
    base = chain[-1].pre
    for d in reversed(chain[:-1]):
        if d.post == base:
            base = d.pre
    return base
