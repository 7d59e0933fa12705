"""Statement scope: parse and transform only the statements that hold a candidate site.

A transform that is local by construction (what it does to a statement depends on that
statement alone) need not see the whole file. :func:`transform_statements` finds, with
CPython's ``ast``, the smallest statements that hold a needle and whose lines can be
parsed alone (a method inside a class is one), parses only those with libcst — in one
*scoped module*, each indented unit under an ``if 1:`` header so its lines keep their
columns —, runs the transform once on that module, and splices each unit's new text
back into the file. Whatever it cannot do exactly as a whole-file run would, it
declines (returns None) and the caller processes the whole file.

A unit is a statement (decorators included) with the comment and blank lines directly
above it; the scoped module reads::

    if 1:            # probe: makes libcst detect the file's indentation and newline
        pass
    pass
    <top-level unit, as in the file>
    pass             # separator: ends the unit (no block footer takes the next lines)
    if 1:
    <indented unit, its lines exactly as in the file>
    pass
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
import warnings
from bisect import bisect_right
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator

import libcst as cst

from runner.transforms.base import Gap, TreeResult

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_BLOCKS = ("body", "orelse", "finalbody")
_SEPARATOR = "pass"
_HEADER = "if 1:"


@dataclass(frozen=True, slots=True)
class Unit:
    """Lines ``first``..``end`` (0-based, end exclusive) of the file: a statement from line
    ``stmt`` on, and above it its own comment and blank lines."""

    first: int
    stmt: int
    end: int
    indent: str  #: leading whitespace of the statement's first line ("" at top level)


@dataclass(frozen=True, slots=True)
class StatementResult:
    """The file after a statement-scoped transform, positions in the file's own lines."""

    after: bytes
    warnings: tuple[str, ...]
    gaps: tuple[Gap, ...]  #: positioned in ``after``
    scoped_before: bytes  #: the scoped module's text before/after: a whitespace-only check
    scoped_after: bytes  #: of these two is one of the whole file (the rest is unchanged)


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` with their ends, as Python counts lines (``\\r\\n``, ``\\r``, ``\\n``)."""
    return _LINE.findall(text)


def statement_units(text: str, tree: ast.Module, needles: tuple[str, ...],
                    sites: Iterable[tuple[int, int]] | None = None) -> tuple[Unit, ...] | None:
    """The units holding every occurrence of ``needles`` in ``text`` (``tree`` is its ast),
    or, when ``sites`` is given, every span of 1-based lines (first, last) it lists; in
    file order. None when an occurrence lies outside every statement or in a statement
    that cannot stand alone, or when there is neither a needle nor ``sites``."""
    if not needles and sites is None:
        return None
    lines = split_lines(text)
    units: dict[int, Unit] = {}
    spans = _needle_spans(text, needles, _line_starts(lines)) if sites is None else sites
    for first, last in spans:
        unit = _unit_for(tree.body, first, last, lines, None)
        if unit is None:
            return None
        units.setdefault(unit.stmt, unit)
    ordered = sorted(units.values(), key=lambda u: u.first)
    kept: list[Unit] = []
    for unit in ordered:  # a unit inside an earlier one (a method of a class that is a unit too)
        if kept and unit.first < kept[-1].end:
            continue
        kept.append(unit)
    return tuple(kept)


def transform_statements(source: bytes, needles: tuple[str, ...],
                         transform: Callable[[cst.Module], TreeResult], *,
                         sites: Iterable[tuple[int, int]] | None = None) -> StatementResult | None:
    """Run ``transform`` on the statements of ``source`` that hold one of ``needles``
    (or, given ``sites``, the 1-based line spans (first, last) it lists, e.g. the
    sites a whole-file run could not handle).

    ``transform`` gets the scoped module (see the module docstring) and must return a
    TreeResult whose gaps are positioned in the module it returns. The result is the
    whole file's bytes with each unit replaced by its new text, byte for byte what a
    run on the whole file gives for a transform local to statements. None (process
    the whole file instead) when: the file is not UTF-8 without a BOM or does not parse
    with ``ast``; a needle lies outside a unit; the transform raises (SkipFile
    included), touches the probe, a header or a separator, drops a unit's leading
    lines, or leaves a gap on lines that are not the file's; the new units do not parse
    with libcst or the new file does not compile.
    """
    prepared = _prepare(source, needles, sites)
    if prepared is None:
        return None
    text, lines, units = prepared
    if not units:
        return StatementResult(source, (), (), b"", b"")
    scoped_text, layout = _scoped_text(text, lines, units)
    try:
        module = cst.parse_module(scoped_text)
        result = transform(module)
        new_code = result.module.code
    except Exception:  # the whole-file run reports it as it would
        return None
    if new_code == scoped_text:
        gaps = _file_gaps(result.gaps, _identity_map(layout, units))
        return None if gaps is None else StatementResult(source, tuple(result.warnings), gaps, b"", b"")
    pieces = _unit_texts(result.module, layout, units, lines)
    if pieces is None:
        return None
    after_text, line_map = _splice(lines, units, pieces, layout)
    gaps = _file_gaps(result.gaps, line_map)
    if gaps is None or not _valid(new_code, after_text):
        return None
    return StatementResult(after_text.encode("utf-8"), tuple(result.warnings), gaps,
                           scoped_text.encode("utf-8"), new_code.encode("utf-8"))


# --------------------------------------------------------------------------- units


def _prepare(source: bytes, needles: tuple[str, ...], sites: Iterable[tuple[int, int]] | None
             ) -> tuple[str, list[str], tuple[Unit, ...]] | None:
    if source.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        text = source.decode("utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (UnicodeDecodeError, SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if _declared_encoding(text) not in ("utf-8", None):
        return None
    units = statement_units(text, tree, needles, sites)
    if units is None or any(n in f"{_HEADER}\n    {_SEPARATOR}\n" for n in needles):
        return None
    lines = split_lines(text)
    if any(not u.indent and "".join(lines[u.first: u.end]).rstrip("\r\n") == _SEPARATOR for u in units):
        return None  # a unit that reads as a separator
    return text, lines, units


_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _declared_encoding(text: str) -> str | None:
    for line in text.splitlines()[:2]:
        match = _COOKIE.match(line)
        if match:
            name = match.group(1).lower().replace("_", "-")
            return "utf-8" if name in ("utf-8", "utf8") or name.startswith("utf-8-") else name
    return None


def _line_starts(lines: list[str]) -> list[int]:
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line)
    return starts


def _needle_spans(text: str, needles: tuple[str, ...], starts: list[int]) -> Iterator[tuple[int, int]]:
    """(first, last) 1-based lines of every occurrence of every needle."""
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            yield bisect_right(starts, at), bisect_right(starts, at + len(needle) - 1)
            at = text.find(needle, at + 1)


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None)
    return min([node.lineno, *(d.lineno for d in decorators)]) if decorators else node.lineno


def _children(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    for name in _BLOCKS:
        block = getattr(node, name, None)
        if block and isinstance(block[0], ast.stmt):
            yield block
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def _unit_for(body: list[ast.stmt], first: int, last: int, lines: list[str], parent: ast.stmt | None) -> Unit | None:
    """The smallest statement of ``body`` (or below) holding lines first..last that can
    stand alone; None when no statement of ``body`` holds them or the one that does cannot."""
    for i, node in enumerate(body):
        start = _first_line(node)
        if start <= first and last <= node.end_lineno:  # type: ignore[operator]
            for block in _children(node):
                inner = _unit_for(block, first, last, lines, node)
                if inner is not None:
                    return inner
            bound = body[i - 1].end_lineno if i else (parent.lineno if parent is not None else 0)
            return _unit(node, start, bound, lines)
    return None


def _unit(node: ast.stmt, start: int, bound: int | None, lines: list[str]) -> Unit | None:
    """The statement as a unit, or None when its lines hold anything else (``a; b``,
    ``if x: b``, an ``elif``)."""
    line = lines[start - 1]
    indent = line[: len(line) - len(line.lstrip(" \t\f"))]
    head = line[len(indent):]
    if start == node.lineno and (len(indent) != node.col_offset or head.startswith("elif")):
        return None
    if start != node.lineno and not head.startswith("@"):
        return None
    end_line = lines[node.end_lineno - 1]  # type: ignore[operator]
    rest = end_line.encode("utf-8")[node.end_col_offset:].decode("utf-8", "replace").strip()
    if rest and not rest.startswith("#"):
        return None
    if "\f" in indent:
        return None
    first = start
    while first - 1 > (bound or 0) and _is_blank_or_comment(lines[first - 2]):
        first -= 1
    return Unit(first - 1, start - 1, node.end_lineno, indent)  # type: ignore[arg-type]


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


# --------------------------------------------------------------------------- scoped module


@dataclass(frozen=True, slots=True)
class _Layout:
    newline: str  #: the file's first line end (libcst's default newline)
    probe: str  #: the first element's text
    starts: tuple[int, ...]  #: 0-based line of each unit's first line in the scoped text
    added_newline: bool  #: the last unit ends the file without a newline; one was added


def _scoped_text(text: str, lines: list[str], units: tuple[Unit, ...]) -> tuple[str, _Layout]:
    match = _NEWLINE.search(text)
    newline = match.group(0) if match else "\n"
    probe = f"{_HEADER}{newline}{_default_indent(text)}pass{newline}"
    parts, starts, at = [probe, _SEPARATOR + newline], [], 3
    added = False
    for unit in units:
        if unit.indent:
            parts.append(_HEADER + newline)
            at += 1
        starts.append(at)
        body = "".join(lines[unit.first: unit.end])
        if not body.endswith(("\n", "\r")):
            body += newline
            added = True
        parts.append(body)
        parts.append(_SEPARATOR + newline)
        at += unit.end - unit.first + 1
    return "".join(parts), _Layout(newline, probe, tuple(starts), added)


def _default_indent(text: str) -> str:
    """The whitespace of the file's first indented line, as libcst detects the default
    indentation ("    " when nothing is indented)."""
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.INDENT:
                return tok.string
    except (tokenize.TokenError, SyntaxError):
        pass
    return "    "


def _unit_texts(module: cst.Module, layout: _Layout, units: tuple[Unit, ...], lines: list[str]) -> list[str] | None:
    """Each unit's new text, or None when the transform changed the scaffolding or
    dropped a unit's leading lines."""
    body = module.body
    separator = _SEPARATOR + layout.newline
    if module.header or module.footer or len(body) < 2 or module.code_for_node(body[0]) != layout.probe \
            or module.code_for_node(body[1]) != separator:
        return None
    texts: list[str] = []
    i = 2
    for unit in units:
        chunk = []
        while i < len(body) and module.code_for_node(body[i]) != separator:
            chunk.append(module.code_for_node(body[i]))
            i += 1
        if i >= len(body):
            return None
        i += 1
        text = "".join(chunk)
        if unit.indent:
            if len(chunk) != 1 or not text.startswith(_HEADER + layout.newline):
                return None
            text = text[len(_HEADER + layout.newline):]
        if not text.startswith("".join(lines[unit.first: unit.stmt])):
            return None
        texts.append(text)
    if i != len(body):
        return None
    if layout.added_newline:
        if not texts[-1].endswith(layout.newline):
            return None
        texts[-1] = texts[-1][: -len(layout.newline)]
    return texts


def _splice(lines: list[str], units: tuple[Unit, ...], texts: list[str], layout: _Layout
            ) -> tuple[str, list[tuple[int, int, int]]]:
    """The file with each unit's lines replaced by its text, and the line map
    [(scoped output line, file output line, line count)] of the units (1-based)."""
    out: list[str] = []
    line_map = []
    at, file_line, scoped_line = 0, 1, 1 + 3
    for unit, text in zip(units, texts):
        out.extend(lines[at: unit.first])
        file_line += unit.first - at
        scoped_line += 1 if unit.indent else 0
        count = len(split_lines(text)) or 0
        line_map.append((scoped_line, file_line, count))
        out.append(text)
        file_line += count
        scoped_line += count + 1
        at = unit.end
    out.extend(lines[at:])
    return "".join(out), line_map


def _identity_map(layout: _Layout, units: tuple[Unit, ...]) -> list[tuple[int, int, int]]:
    return [(s + 1, u.first + 1, u.end - u.first) for s, u in zip(layout.starts, units)]


def _file_gaps(gaps: tuple[Gap, ...], line_map: list[tuple[int, int, int]]) -> tuple[Gap, ...] | None:
    out = []
    for gap in gaps:
        for scoped, file_line, count in line_map:
            if scoped <= gap.line < scoped + count:
                out.append(replace(gap, line=file_line + gap.line - scoped))
                break
        else:
            return None
    return tuple(out)


def _valid(scoped_after: str, after: str) -> bool:
    """libcst reads the new units and Python compiles the whole new file (cheaper than
    ``ast.parse``, which builds the tree's Python objects, and stricter)."""
    try:
        cst.parse_module(scoped_after)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(after, "<statement scope>", "exec", dont_inherit=True)
    except Exception:
        return False
    return True
