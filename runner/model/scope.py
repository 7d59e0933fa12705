"""Where the gap worker may edit: the statements that enclose the gap sites.

For each gap, the smallest statement whose lines hold the gap's line is found with
libcst's position metadata. A simple statement is allowed whole; for a compound
statement (``if``, ``def``, ``with``...) only its header when the gap is there, and only
the gap's own line when it sits in the body between nested statements (a comment).
Decorators, ``else``/``except``/``finally`` clauses count as statements of their own.
Regions are line ranges that follow the edits: an edit inside a region moves the
regions below it by the lines it adds or removes.

The module's leading import block (the top-level ``import`` / ``from ... import``
statements after the docstring) is a region too, of kind ``imports``: a fill that needs
a new import (``import urllib.parse`` for a ``six.moves`` gap) may add it there, and
``import_violations`` refuses anything but import statements in it.
"""
from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from runner.transforms.base import Gap
from runner.transforms.validation import parse_python

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
    kind: str = "gap"  #: gap (statements around gaps) | imports (the module's import block: imports only)

    def holds(self, first: int, last: int) -> bool:
        """Lines ``first..last`` (1-based, inclusive) lie inside the region."""
        return self.start <= first and last <= self.end

    def render(self) -> str:
        """``file:start-end`` (``file:N`` for one line, ``file (the whole file)``) as the model is
        told; an ``imports`` region says it takes import statements only."""
        if self.end >= WHOLE_FILE:
            return f"{self.file} (the whole file)"
        lines = f"{self.file}:{self.start}" if self.start == self.end else f"{self.file}:{self.start}-{self.end}"
        return lines + (" (import statements only)" if self.kind == "imports" else "")


def gap_regions(path: str, source: str, gaps: tuple[Gap, ...]) -> list[Region]:
    """The merged regions of ``path`` that enclose its ``gaps`` (line ranges of the
    statements), and its import block as an ``imports`` region when it has gaps and the
    block does not meet a gap's region (then that region covers it as it is)."""
    module = _parse(source)
    positions = _positions(module)
    spans = _statement_spans(positions)
    ranges = sorted(_region_for(gap.line, spans) for gap in gaps if gap.file == path)
    merged: list[Region] = []
    for start, end in ranges:
        if merged and start <= merged[-1].end + 1:
            merged[-1].end = max(merged[-1].end, end)
        else:
            merged.append(Region(path, start, end))
    block = _import_block(module, positions)
    if merged and block is not None and not any(r.start <= block[1] + 1 and block[0] <= r.end + 1 for r in merged):
        merged = sorted([Region(path, block[0], block[1], kind="imports"), *merged], key=lambda r: r.start)
    return merged


def import_violations(path: str, source: str, regions: list[Region]) -> list[str]:
    """Why the edited ``source`` breaks its ``imports`` regions: a top-level statement that
    starts inside one and is not an import (empty when all is well or nothing parses)."""
    blocks = [r for r in regions if r.kind == "imports" and r.touched]
    module = _parse(source) if blocks else None
    if module is None:
        return []
    positions = _positions(module)
    errors = []
    for statement in module.body:
        line = positions[statement].start.line
        if any(r.holds(line, line) for r in blocks) and not _is_import(statement):
            errors.append(f"{path}:{line}: only import statements may be added to lines "
                          f"{', '.join(f'{r.start}-{r.end}' for r in blocks)} (the imports)")
    return errors


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


def _parse(source: str) -> cst.Module | None:
    try:
        return parse_python(source)
    except cst.ParserSyntaxError:
        return None


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


def _positions(module: cst.Module | None) -> dict[cst.CSTNode, CodeRange]:
    return {} if module is None else dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider))


def _import_block(module: cst.Module | None, positions: dict[cst.CSTNode, CodeRange]) -> tuple[int, int] | None:
    """(first, last) line of the imports that open the module (after its docstring and any
    ``from __future__`` imports); None when it opens with something else."""
    if module is None:
        return None
    body = list(module.body)
    if body and module.get_docstring() is not None:
        body = body[1:]
    count = next((n for n, s in enumerate(body) if not _is_import(s)), len(body))
    if count == 0:
        return None
    first, last = positions[body[0]], positions[body[count - 1]]
    return first.start.line, last.end.line


def _statement_spans(positions: dict[cst.CSTNode, CodeRange]) -> list[tuple[int, int, int | None]]:
    """(first line, last line, last header line or None) of every statement-like node."""
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
