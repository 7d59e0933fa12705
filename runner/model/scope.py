"""Where the gap worker may edit: the statements that enclose the gap sites.

For each gap, the smallest statement whose lines hold the gap's line is found with
libcst's position metadata. A simple statement is allowed whole; for a compound
statement (``if``, ``def``, ``with``...) only its header when the gap is there, and only
the gap's own line when it sits in the body between nested statements (a comment).
Decorators, ``else``/``except``/``finally`` clauses count as statements of their own.
Regions are line ranges that follow the edits: an edit inside a region moves the
regions below it by the lines it adds or removes.
"""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from runner.transforms.base import Gap

WHOLE_FILE = 10**9  #: end line of a region that covers the rest of the file

_UNITS = (cst.BaseStatement, cst.Decorator, cst.ExceptHandler, cst.ExceptStarHandler, cst.Else, cst.Finally,
          cst.MatchCase)


@dataclass
class Region:
    """Editable lines ``start..end`` (1-based, inclusive) of one file; mutable as edits land."""

    file: str
    start: int
    end: int
    touched: bool = False

    def holds(self, first: int, last: int) -> bool:
        """Lines ``first..last`` (1-based, inclusive) lie inside the region."""
        return self.start <= first and last <= self.end

    def render(self) -> str:
        """``file:start-end`` (``file:N`` for one line, ``file (the whole file)``) as the model is told."""
        if self.end >= WHOLE_FILE:
            return f"{self.file} (the whole file)"
        return f"{self.file}:{self.start}" if self.start == self.end else f"{self.file}:{self.start}-{self.end}"


def gap_regions(path: str, source: str, gaps: tuple[Gap, ...]) -> list[Region]:
    """The merged regions of ``path`` that enclose its ``gaps`` (line ranges of the statements)."""
    spans = _statement_spans(source)
    ranges = sorted(_region_for(gap.line, spans) for gap in gaps if gap.file == path)
    merged: list[Region] = []
    for start, end in ranges:
        if merged and start <= merged[-1].end + 1:
            merged[-1].end = max(merged[-1].end, end)
        else:
            merged.append(Region(path, start, end))
    return merged


def whole_file(path: str) -> list[Region]:
    """One region over all of ``path`` (``transform: model``)."""
    return [Region(path, 1, WHOLE_FILE)]


def region_of(regions: list[Region], first: int, last: int) -> Region | None:
    """The region holding lines ``first..last``, if any."""
    return next((r for r in regions if r.holds(first, last)), None)


def shift_after_edit(regions: list[Region], edited: Region, delta: int) -> None:
    """Record an edit inside ``edited`` that added ``delta`` lines (negative: removed)."""
    edited.touched = True
    for region in regions:
        if region is edited:
            region.end = max(region.start, region.end + delta) if region.end < WHOLE_FILE else region.end
        elif region.start > edited.start:
            region.start += delta
            region.end += delta


def _statement_spans(source: str) -> list[tuple[int, int, int | None]]:
    """(first line, last line, last header line or None) of every statement-like node."""
    try:
        wrapper = MetadataWrapper(cst.parse_module(source), unsafe_skip_copy=True)
    except cst.ParserSyntaxError:
        return []
    positions = wrapper.resolve(PositionProvider)
    spans = []
    for node, pos in positions.items():
        if isinstance(node, _UNITS):
            body = getattr(node, "body", None)
            header = positions[body.header].start.line if isinstance(body, cst.IndentedBlock) else None
            spans.append((pos.start.line, pos.end.line, header))
    return spans


def _region_for(line: int, spans: list[tuple[int, int, int | None]]) -> tuple[int, int]:
    holding = [s for s in spans if s[0] <= line <= s[1]]
    if not holding:
        return line, line
    start, end, header = min(holding, key=lambda s: (s[1] - s[0], -s[0]))
    if header is None:
        return start, end
    if line <= header:
        return start, header  # the header of a compound statement
    return line, line  # inside the body but in no nested statement: a comment or blank line
