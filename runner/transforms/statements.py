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
above it (a form feed in the leading whitespace of its first line is left out of the
scoped module, where libcst cannot take it, and put back with the file's text: such a
unit is kept as the file has it unless the transform changes it, ``lossy_units``); the
scoped module reads::

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
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator

from runner.lazy import lazy_module
from runner.transforms.base import Gap, TreeResult
from runner.transforms.depth import may_hold_flat_chain

cst = lazy_module("libcst")

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
                    sites: Iterable[tuple[int, int]] | None = None, merge: bool = False) -> tuple[Unit, ...] | None:
    """The units holding every occurrence of ``needles`` in ``text`` (``tree`` is its ast),
    or, when ``sites`` is given, every span of 1-based lines (first, last) it lists; in
    file order. None when an occurrence lies outside every statement or in a statement
    that cannot stand alone, or when there is neither a needle nor ``sites``. ``merge``:
    units that follow each other in one block (the same indentation, no line between
    them) are one unit (fewer ``if 1:`` headers and separators to parse)."""
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
    feeds = "\f" in text
    kept: list[Unit] = []
    for unit in ordered:  # a unit inside an earlier one (a method of a class that is a unit too)
        if kept and unit.first < kept[-1].end:
            continue
        if merge and kept and unit.first == kept[-1].end and unit.indent == kept[-1].indent \
                and not (feeds and any("\f" in line for line in lines[kept[-1].first: unit.end])):
            kept[-1] = replace(kept[-1], end=unit.end)  # (a form feed may make a unit lossy: not both)
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
    lines, changes a unit libcst does not write back as written (``lossy_units``: a
    form feed in an indentation; such a unit the transform left keeps the file's text),
    or leaves a gap on lines that are not the file's; the new units do not parse
    with libcst or the new file does not compile.
    """
    prepared = _prepare(source, needles, sites)
    if prepared is None:
        return None
    text, lines, units = prepared
    if not units:
        return StatementResult(source, (), (), b"", b"")
    scoped_text, layout = _scoped_text(text, lines, units)
    if may_hold_flat_chain(scoped_text):
        return None  # (a statement too deep for libcst: the engine masks it)
    try:
        module = cst.parse_module(scoped_text)
        lossy = lossy_units(module, layout, units)
        result = transform(module)
        new_code = result.module.code
    except Exception:  # the whole-file run reports it as it would
        return None
    columns = _columns(layout, units, lines)
    if new_code == scoped_text:
        gaps = _file_gaps(result.gaps, _identity_map(layout, units), columns)
        return None if gaps is None else StatementResult(source, tuple(result.warnings), gaps, b"", b"")
    pieces = _unit_texts(result.module, layout, units, lines, lossy=lossy)
    if pieces is None:
        return None
    after_text, line_map = _splice(lines, units, pieces, layout)
    gaps = _file_gaps(result.gaps, line_map, columns)
    if gaps is None or not _valid(new_code, after_text):
        return None
    return StatementResult(after_text.encode("utf-8"), tuple(result.warnings), gaps,
                           scoped_text.encode("utf-8"), new_code.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class Scope:
    """A file's units and the text of their scoped module (see the module docstring),
    for a caller that runs its own steps between parsing and splicing."""

    text: str  #: the whole file
    tree: ast.Module  #: its ast
    lines: list[str]
    units: tuple[Unit, ...]
    scoped_text: str
    layout: "_Layout"

    def splice(self, module: cst.Module, before: cst.Module | None = None) -> tuple[str, LineMap, list[str]] | None:
        """The whole file with each unit replaced by its text in ``module`` (the scoped
        module after a transform), the line map of the units in it and each unit's new
        text; None when the transform changed the scaffolding or dropped a unit's
        leading lines. ``before``: the scoped module as parsed (its statements that
        ``module`` still holds are not rendered again)."""
        pieces = _unit_texts(module, self.layout, self.units, self.lines, before)
        if pieces is None:
            return None
        after, line_map = _splice(self.lines, self.units, pieces, self.layout)
        return after, line_map, pieces

    def respliced(self, pieces: list[str]) -> tuple[str, LineMap]:
        """The whole file with each unit replaced by its text in ``pieces``, and the line map."""
        return _splice(self.lines, self.units, pieces, self.layout)

    def block_of(self, unit: Unit) -> list[ast.stmt] | None:
        """The statement list (a block of the file) that holds ``unit``'s first statement."""
        body, line = self.tree.body, unit.stmt + 1
        while body:
            starts = _starts_of(body)
            k = bisect_right(starts, line) - 1
            if k < 0:
                return None
            if starts[k] == line:
                return body
            body = next((b for b in _children(body[k]) if _starts_of(b)[0] <= line), [])
        return None

    def without_hash(self, module: cst.Module) -> set[int]:
        """The ids of the statements of ``module`` (the scoped module as parsed) whose
        unit's text holds no ``#`` (so no comment); none when the separators cannot tell
        which statements are whose."""
        body = module.body
        seps = [k for k, stmt in enumerate(body) if _is_separator(stmt)]
        if len(seps) != len(self.units) + 1 or seps[0] != 1:
            return set()
        return {id(stmt) for j, text in enumerate(self.layout.bodies) if "#" not in text
                for stmt in body[seps[j] + 1: seps[j + 1]]}

    def input_map(self) -> LineMap:
        """The line map of the units in the scoped module as parsed (before any change)."""
        return _identity_map(self.layout, self.units)

    @property
    def columns(self) -> dict[int, tuple[int, int]]:
        """The columns the scoped module's lines lack (``file_gaps``)."""
        return _columns(self.layout, self.units, self.lines)

    def frozen(self, module: cst.Module) -> dict[int, str]:
        """The statements of ``module`` (the scoped module as parsed) that libcst would
        not write back as they are (``lossy_units``): id -> why a rewrite of them is left
        as it was. The splice keeps them only as they were (the same objects)."""
        lossy = lossy_units(module, self.layout, self.units)
        if not lossy:
            return {}
        body = module.body
        seps = [k for k, stmt in enumerate(body) if _is_separator(stmt)]
        if len(seps) != len(self.units) + 1:
            return {id(stmt): lossy_reason(min(line for _, line in lossy.values())) for stmt in body}
        return {id(stmt): lossy_reason(line) for j, (_, line) in lossy.items() for stmt in body[seps[j] + 1: seps[j + 1]]}


def lossy_reason(line: int) -> str:
    """Why a statement holding line ``line`` (1-based, of the file) is left as it was."""
    return (f"libcst would not write back the form feed in the indentation of line {line}, so the statement is "
            f"left as it was; put the form feed on a line of its own")


def lossy_units(module: cst.Module, layout: "_Layout", units: tuple[Unit, ...]) -> dict[int, tuple[str, int]]:
    """The units libcst does not write back as they are written, by index: (libcst's
    text of the unit, the header aside, as ``module`` parsed it; the 1-based file line
    where it first differs). libcst's parser moves a form feed of a line's indentation
    (it drops it, or writes it on every line of the block); nothing else is checked, and
    only the units holding one are written again to tell."""
    if not any("\f" in body for body in layout.bodies):
        return {}
    chunks = _chunks_by_text(module, layout, len(units))
    out: dict[int, tuple[str, int]] = {}
    for j, (unit, body) in enumerate(zip(units, layout.bodies)):
        if "\f" not in body:
            continue
        text = "".join(chunks[j]) if chunks is not None else ""
        if unit.indent and text.startswith(_HEADER + layout.newline):
            text = text[len(_HEADER + layout.newline):]
        if j in layout.placed:
            out[j] = (text, unit.stmt + 1)
        elif text != body:
            old, new = split_lines(body), split_lines(text)
            k = next((k for k, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            out[j] = (text, unit.first + k + 1)
    return out


#: [(first line in the scoped module, first line in the file, line count)] per unit, 1-based
LineMap = list[tuple[int, int, int]]


def open_scope(text: str, tree: ast.Module, sites: Iterable[tuple[int, int]], merge: bool = True) -> Scope | None:
    """The scope of the units holding the 1-based line spans ``sites`` of ``text`` (``tree``
    its ast, e.g. from ``read_source``); None where ``transform_statements`` declines."""
    prepared = _prepare(b"", (), sites, (text, tree), merge)
    if prepared is None:
        return None
    text, lines, units = prepared
    scoped_text, layout = _scoped_text(text, lines, units)
    return Scope(text, tree, lines, units, scoped_text, layout)


def file_gaps(gaps: Iterable[Gap], line_map: LineMap, columns: dict[int, tuple[int, int]] | None = None
              ) -> tuple[Gap, ...] | None:
    """``gaps`` positioned in the scoped module, moved to the file's lines by ``line_map``
    (and, given ``Scope.columns``, to the file's columns on a line whose form feeds the
    scoped module left out); None when one lies outside every unit."""
    return _file_gaps(tuple(gaps), line_map, columns)


# --------------------------------------------------------------------------- units


def _prepare(source: bytes, needles: tuple[str, ...], sites: Iterable[tuple[int, int]] | None,
             parsed: tuple[str, ast.Module] | None = None, merge: bool = False
             ) -> tuple[str, list[str], tuple[Unit, ...]] | None:
    if parsed is not None:
        text, tree = parsed
    else:
        parsed = read_source(source)
        if parsed is None:
            return None
        text, tree = parsed
    units = statement_units(text, tree, needles, sites, merge)
    if units is None or any(n in f"{_HEADER}\n    {_SEPARATOR}\n" for n in needles):
        return None
    lines = split_lines(text)
    if any(not u.indent and "".join(lines[u.first: u.end]).rstrip("\r\n") == _SEPARATOR for u in units):
        return None  # a unit that reads as a separator
    return text, lines, units


def read_source(source: bytes, known: Callable[[str], ast.Module | None] | None = None
                ) -> tuple[str, ast.Module] | None:
    """The text of ``source`` and its ``ast`` (``known(text)`` when it has it); None when
    it is not UTF-8 (no BOM, no other declared encoding) or Python cannot parse it."""
    if source.startswith(b"\xef\xbb\xbf"):
        return None
    try:
        text = source.decode("utf-8")
        tree = known(text) if known is not None else None
        if tree is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tree = ast.parse(text)
    except (UnicodeDecodeError, SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    if _declared_encoding(text) not in ("utf-8", None):
        return None
    return text, tree


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
    starts = _starts_of(body)
    k = bisect_right(starts, first) - 1
    found = None
    while k >= 0 and body[k].end_lineno >= first:  # type: ignore[operator]
        if last <= body[k].end_lineno:  # type: ignore[operator]
            found = k  # the first statement of ``body`` that holds them
        k -= 1
    if found is None:
        return None
    node = body[found]
    # (inside ``async def``, libcst reads ``await`` and ``async for`` only in its context)
    for block in () if type(node) is ast.AsyncFunctionDef else _children(node):
        inner = _unit_for(block, first, last, lines, node)
        if inner is not None:
            return inner
    bound = body[found - 1].end_lineno if found else (parent.lineno if parent is not None else 0)
    return _unit(node, starts[found], bound, lines)


_STARTS: dict[int, tuple[list[ast.stmt], list[int]]] = {}


def _starts_of(body: list[ast.stmt]) -> list[int]:
    """The first line of each statement of ``body`` (decorators included), kept per list."""
    entry = _STARTS.get(id(body))
    if entry is None or entry[0] is not body:
        if len(_STARTS) > 4096:
            _STARTS.clear()
        entry = _STARTS[id(body)] = (body, [_first_line(node) for node in body])
    return entry[1]


def _unit(node: ast.stmt, start: int, bound: int | None, lines: list[str]) -> Unit | None:
    """The statement as a unit, or None when its lines hold anything else (``a; b``,
    ``if x: b``, an ``elif``). Its indent is what Python counts: a form feed in the
    leading whitespace starts it again (``lossy_units`` then tells whether libcst writes
    the unit back as it is)."""
    line = lines[start - 1]
    leading = line[: len(line) - len(line.lstrip(" \t\f"))]
    indent = leading[leading.rfind("\f") + 1:]
    head = line[len(leading):]
    if start == node.lineno and (len(leading) != node.col_offset or head.startswith("elif")):
        return None
    if start != node.lineno and not head.startswith("@"):
        return None
    end_line = lines[node.end_lineno - 1]  # type: ignore[operator]
    rest = end_line.encode("utf-8")[node.end_col_offset:].decode("utf-8", "replace").strip()
    if rest and not rest.startswith("#"):
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
    bodies: tuple[str, ...] = ()  #: each unit's text as the file holds it (its header aside)
    #: the units the scoped module holds otherwise, by index: a form feed in the leading
    #: whitespace of the statement's first line is left out (libcst cannot take it there)
    placed: dict[int, str] = field(default_factory=dict)


def _scoped_text(text: str, lines: list[str], units: tuple[Unit, ...]) -> tuple[str, _Layout]:
    match = _NEWLINE.search(text)
    newline = match.group(0) if match else "\n"
    probe = f"{_HEADER}{newline}{_default_indent(text)}pass{newline}"
    parts, starts, at = [probe, _SEPARATOR + newline], [], 3
    added, bodies, placed = False, [], {}
    for j, unit in enumerate(units):
        if unit.indent:
            parts.append(_HEADER + newline)
            at += 1
        starts.append(at)
        body = "".join(lines[unit.first: unit.end])
        if not body.endswith(("\n", "\r")):
            body += newline
            added = True
        bodies.append(body)
        line = lines[unit.stmt]
        if "\f" in line[: len(line) - len(line.lstrip(" \t\f"))]:
            head = "".join(lines[unit.first: unit.stmt])
            body = placed[j] = head + unit.indent + body[len(head):].lstrip(" \t\f")
        parts.append(body)
        parts.append(_SEPARATOR + newline)
        at += unit.end - unit.first + 1
    return "".join(parts), _Layout(newline, probe, tuple(starts), added, tuple(bodies), placed)


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


def _unit_texts(module: cst.Module, layout: _Layout, units: tuple[Unit, ...], lines: list[str],
                before: cst.Module | None = None, lossy: dict[int, tuple[str, int]] | None = None) -> list[str] | None:
    """Each unit's new text, or None when the transform changed the scaffolding or
    dropped a unit's leading lines, or changed a unit that ``lossy`` (``lossy_units``
    of the module as parsed; by default of ``before``) lists, which libcst cannot
    write back as it was; a unit it lists that the transform left keeps its text.
    ``before``: the scoped module as parsed, whose statements ``module`` still holds
    (the same objects) need not be rendered."""
    if lossy is None:
        lossy = lossy_units(before, layout, units) if before is not None else {}
    chunks = _chunks_by_identity(module, before, layout, units) if before is not None else None
    if chunks is None:
        chunks = _chunks_by_text(module, layout, len(units))
    if chunks is None:
        return None
    texts: list[str] = []
    for unit, chunk in zip(units, chunks):
        text = "".join(chunk)
        if unit.indent:
            if len(chunk) != 1 or not text.startswith(_HEADER + layout.newline):
                return None
            text = text[len(_HEADER + layout.newline):]
        if not text.startswith("".join(lines[unit.first: unit.stmt])):
            return None
        texts.append(text)
    for j, (rendered, _) in lossy.items():
        if texts[j] == rendered:
            texts[j] = layout.bodies[j]  # (left as it was; libcst would write it otherwise)
        elif texts[j] != layout.bodies[j]:
            return None
    if layout.added_newline:
        if not texts[-1].endswith(layout.newline):
            return None
        texts[-1] = texts[-1][: -len(layout.newline)]
    return texts


def _chunks_by_text(module: cst.Module, layout: _Layout, count: int) -> list[list[str]] | None:
    """The texts of the statements between the separators of ``module``, per unit."""
    body = module.body
    separator = _SEPARATOR + layout.newline
    if module.header or module.footer or len(body) < 2 or module.code_for_node(body[0]) != layout.probe \
            or module.code_for_node(body[1]) != separator:
        return None
    chunks: list[list[str]] = []
    i = 2
    for _ in range(count):
        chunk = []
        while i < len(body) and module.code_for_node(body[i]) != separator:
            chunk.append(module.code_for_node(body[i]))
            i += 1
        if i >= len(body):
            return None
        i += 1
        chunks.append(chunk)
    return chunks if i == len(body) else None


def _chunks_by_identity(module: cst.Module, before: cst.Module, layout: _Layout, units: tuple[Unit, ...]
                        ) -> list[list[str]] | None:
    """``_chunks_by_text`` where the separators of ``before`` are still in ``module`` (the
    same objects) and the statements a transform left alone keep their known text; None
    when that cannot be told (the caller reads the text instead)."""
    old, new = before.body, module.body
    seps = [k for k, stmt in enumerate(old) if _is_separator(stmt)]
    if module.header or module.footer or len(seps) != len(layout.bodies) + 1 or seps[0] != 1 or not new \
            or new[0] is not old[0]:
        return None
    at = {id(stmt): k for k, stmt in enumerate(new)}
    places = [at.get(id(old[k]), -1) for k in seps]
    if places[0] != 1 or places[-1] != len(new) - 1 or any(b <= a for a, b in zip(places, places[1:])):
        return None
    chunks: list[list[str]] = []
    for j, (unit, body) in enumerate(zip(units, layout.bodies)):
        was, now = old[seps[j] + 1: seps[j + 1]], new[places[j] + 1: places[j + 1]]
        if len(was) == len(now) and all(a is b for a, b in zip(was, now)):
            chunks.append([(_HEADER + layout.newline if unit.indent else "") + body])
        else:
            chunks.append([module.code_for_node(stmt) for stmt in now])
    return chunks


def _is_separator(stmt: cst.CSTNode) -> bool:
    """A ``pass`` line with nothing else on it or above it (what ``_SEPARATOR`` parses to)."""
    if type(stmt) is not cst.SimpleStatementLine or stmt.leading_lines or len(stmt.body) != 1:
        return False
    small, trailing = stmt.body[0], stmt.trailing_whitespace
    return (type(small) is cst.Pass and small.semicolon is cst.MaybeSentinel.DEFAULT and trailing.comment is None
            and not trailing.whitespace.value and trailing.newline.value is None)


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


def _file_gaps(gaps: tuple[Gap, ...], line_map: list[tuple[int, int, int]],
               columns: dict[int, tuple[int, int]] | None = None) -> tuple[Gap, ...] | None:
    out = []
    for gap in gaps:
        for j, (scoped, file_line, count) in enumerate(line_map):
            if scoped <= gap.line < scoped + count:
                shift = columns.get(j) if columns else None
                column = gap.column + shift[1] if shift is not None and gap.line - scoped == shift[0] else gap.column
                out.append(replace(gap, line=file_line + gap.line - scoped, column=column))
                break
        else:
            return None
    return tuple(out)


def _columns(layout: _Layout, units: tuple[Unit, ...], lines: list[str]) -> dict[int, tuple[int, int]]:
    """Per unit whose first statement line the scoped module holds without its form
    feeds (``_Layout.placed``): (that line within the unit, the characters left out)."""
    out = {}
    for j in layout.placed:
        unit = units[j]
        line = lines[unit.stmt]
        out[j] = (unit.stmt - unit.first, len(line) - len(line.lstrip(" \t\f")) - len(unit.indent))
    return out


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
