"""``gaps --annotate``: a ``# TODO(batchmod): <reason>`` comment above each open site.

The comment goes above the innermost statement that encloses the site, at that
statement's indentation (inside a bracketed expression or a string it would change
meaning or fail to parse). The writes are journaled like a phase's; the pre-images are
kept in the run folder (``execution/annotations.py``) so ``batchmod rollback`` restores the
files byte for byte.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from runner.adapters.workspace import sha256_bytes
from runner.execution.annotations import annotation_base, load_annotations, save_annotations
from runner.execution.gap_queue import GapSite
from runner.execution.journal import TreeWriter
from runner.execution.records import FileDelta
from runner.execution.store import RunFolder
from runner.transforms.validation import parse_python

TODO = "# TODO(batchmod): "


@dataclass(frozen=True, slots=True)
class AnnotateOutcome:
    """What ``gaps --annotate`` did: the files it wrote, the comments it added, the files it left alone and why."""

    files: tuple[str, ...]  #: files written
    comments: int  #: comments added
    skipped: tuple[str, ...]  #: "file: why" for files left alone


def annotate_source(data: bytes, sites: list[tuple[int, str]]) -> bytes:
    """``data`` with a TODO comment above the statement enclosing each (line, reason); idempotent."""
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    starts = _statement_starts(data)
    inserts: dict[int, list[str]] = {}
    for line, reason in sites:
        at = max((s for s, e in starts if s <= line <= e), default=line)
        if not 1 <= at <= len(lines):
            continue
        indent = lines[at - 1][: len(lines[at - 1]) - len(lines[at - 1].lstrip(" \t"))]
        comment = f"{indent}{TODO}{' '.join(reason.split())}"
        already = lines[at - 2].rstrip("\r\n") if at >= 2 else ""
        if comment not in inserts.setdefault(at, []) and already != comment:
            inserts[at].append(comment)
    newline = "\r\n" if "\r\n" in text else "\n"
    out = []
    for n, content in enumerate(lines, start=1):
        out.extend(c + newline for c in inserts.get(n, ()))
        out.append(content)
    return "".join(out).encode("utf-8")


def _statement_starts(data: bytes) -> list[tuple[int, int]]:
    """(first line, last line) of every statement; [] when the file does not parse."""
    try:
        wrapper = MetadataWrapper(parse_python(data))
    except cst.ParserSyntaxError:
        return []
    spans: list[tuple[int, int]] = []

    class Spans(cst.CSTVisitor):
        METADATA_DEPENDENCIES = (PositionProvider,)

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                pos = self.get_metadata(PositionProvider, node)
                spans.append((pos.start.line, pos.end.line))
            return True

    wrapper.visit(Spans())
    return spans


def annotate_sites(writer: TreeWriter, folder: RunFolder, sites: tuple[GapSite, ...]) -> AnnotateOutcome:
    """Write the comments (journaled, atomic); record the pre-images for rollback."""
    by_file: dict[str, list[tuple[int, str]]] = {}
    for site in sites:
        by_file.setdefault(site.file, []).append((site.line, site.reason))
    deltas, skipped, comments = [], [], 0
    for path, items in sorted(by_file.items()):
        before = writer.read(path)
        if before is None:
            skipped.append(f"{path}: missing")
            continue
        base = annotation_base(folder, path, sha256_bytes(before))  # the lines the sites name
        try:
            after = annotate_source(folder.blob(base) if base else before, items)
            parse_python(after)
        except (UnicodeDecodeError, cst.ParserSyntaxError) as exc:
            skipped.append(f"{path}: {type(exc).__name__}")
            continue
        if after == before:
            continue
        folder.put_blob(before)
        post = folder.put_blob(after)
        added = len(after.splitlines()) - len(before.splitlines())
        comments += added
        deltas.append(FileDelta(path, sha256_bytes(before), post, added, 0))
    if deltas:
        save_annotations(folder, load_annotations(folder) + deltas)
        writer.apply(f"annotate/{uuid.uuid4().hex[:12]}", "gaps --annotate", deltas)
    return AnnotateOutcome(tuple(d.path for d in deltas), comments, tuple(skipped))


def restore_annotations(writer: TreeWriter, folder: RunFolder, paths: set[str] | None) -> list[str]:
    """Undo the annotations (of ``paths``, or all), newest first; returns the files written back."""
    kept, undo = [], []
    for d in load_annotations(folder):
        (undo if paths is None or d.path in paths else kept).append(d)
    restored: list[str] = []
    for d in reversed(undo):
        current = writer.disk_sha(d.path)
        if current == d.post:
            restored += writer.apply(f"annotate-undo/{uuid.uuid4().hex[:12]}", "undo of gaps --annotate", [FileDelta(d.path, d.post, d.pre)])
    save_annotations(folder, kept)
    return restored
