"""Pattern text preparation: dedent, metavariables -> placeholder identifiers.

``$x`` becomes ``__bm_mv_x`` and ``$$$xs`` becomes ``__bm_mvs_xs`` so that the text can be
parsed by libcst; every character of the prepared text remembers the index of the
character it came from, so parse errors are reported at positions inside the text the
playbook author wrote. ``$`` inside ordinary string literals and comments is literal;
inside f-strings it is a metavariable (``f"{$x}"``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import PatternError

MV_PREFIX = "__bm_mv_"
MVS_PREFIX = "__bm_mvs_"
ANONYMOUS = "_"

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRING_START = re.compile(r"(?<![A-Za-z0-9_])([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One metavariable as written: ``$name`` (seq=False) or ``$$$name`` (seq=True)."""

    name: str
    seq: bool
    offset: int  #: index of the first ``$`` in the original text

    @property
    def spelling(self) -> str:
        """The metavariable as written in the pattern: ``$name`` or ``$$$name``."""
        return ("$$$" if self.seq else "$") + self.name


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A pattern or replacement text made ready to parse (see :func:`prepare`): ``text``
    is ``original`` dedented with placeholders for its metavariables, each of which
    ``occurrences`` lists in order; ``origin`` maps every character back."""

    original: str
    text: str  #: dedented, with placeholders
    origin: tuple[int, ...]  #: origin[i] = index in ``original`` of text[i]; one extra entry for the end
    occurrences: tuple[Occurrence, ...]

    def original_position(self, line: int, column: int) -> tuple[int, int]:
        """Map a 1-based (line, column) in ``text`` to a 1-based one in ``original`` (a position
    out of range is clamped to the text)."""
        starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = min(max(line, 1), len(starts))
        index = min(max(starts[line - 1] + column - 1, 0), len(self.text))
        return offset_to_position(self.original, self.origin[index])


def offset_to_position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a 0-based character offset."""
    offset = min(max(offset, 0), len(text))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def placeholder(name: str, seq: bool) -> str:
    """The identifier that stands for metavariable ``name`` (``$$$name`` when ``seq``) while the pattern is parsed."""
    return (MVS_PREFIX if seq else MV_PREFIX) + name


def _dedent(original: str) -> tuple[str, list[int]]:
    """Drop leading blank lines, common indentation and trailing whitespace."""
    lines = original.splitlines(keepends=True)
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln)
    nonblank = [ln for ln in lines if ln.strip()]
    if not nonblank:
        return "", [len(original)]
    indents = [ln[: len(ln) - len(ln.lstrip(" \t"))] for ln in nonblank]
    common = indents[0]
    for ind in indents[1:]:
        while not ind.startswith(common):
            common = common[:-1]
    out: list[str] = []
    origin: list[int] = []
    for ln, start in zip(lines, starts):
        if not ln.strip():
            if out:  # keep the line break of inner blank lines
                body = ln.lstrip(" \t")
                skip = len(ln) - len(body)
                out.extend(body)
                origin.extend(range(start + skip, start + len(ln)))
            continue
        out.extend(ln[len(common):])
        origin.extend(range(start + len(common), start + len(ln)))
    while out and out[-1].isspace():
        out.pop()
        origin.pop()
    end = origin[-1] + 1 if origin else len(original)
    origin.append(end)
    return "".join(out), origin


def prepare(original: str) -> PreparedText:
    """Dedent ``original`` and replace metavariables by placeholder identifiers.

    Raises :class:`PatternError` (no rule/field attached yet) for a stray ``$``.
    """
    src, src_origin = _dedent(original)
    out: list[str] = []
    origin: list[int] = []
    occurrences: list[Occurrence] = []
    i, n = 0, len(src)
    while i < n:
        j = _literal_end(src, i)
        if j is not None:  # a comment or a string literal: copied as it is
            out.extend(src[i:j])
            origin.extend(src_origin[i:j])
            i = j
        elif src[i] == "$":
            occurrence, j = _metavariable(original, src, src_origin, i)
            occurrences.append(occurrence)
            name = occurrence.name
            ph = placeholder(name, occurrence.seq)
            out.extend(ph)
            origin.extend([src_origin[i]] * (len(ph) - len(name)))
            origin.extend(src_origin[j - len(name) : j])
            i = j
        else:
            out.append(src[i])
            origin.append(src_origin[i])
            i += 1
    origin.append(src_origin[n])
    return PreparedText(original, "".join(out), tuple(origin), tuple(occurrences))


def _literal_end(src: str, i: int) -> int | None:
    """Where the comment or the string literal starting at ``src[i]`` ends (its ``$`` are
    text); None when neither starts there. An f-string is not such a literal: its ``$``
    are metavariables."""
    c = src[i]
    if c == "#":
        j = src.find("\n", i)
        return len(src) if j < 0 else j
    if c in "'\"rRbBuUfF":
        m = _STRING_START.match(src, i)
        if m and "f" not in m.group(1).lower():
            return _string_end(src, m.end(), m.group(2))
    return None


def _metavariable(original: str, src: str, src_origin: list[int], i: int) -> tuple[Occurrence, int]:
    """The metavariable whose first ``$`` is ``src[i]``, and the index in ``src`` where its
    name ends. Raises PatternError, at that ``$`` in ``original``, when the ``$`` starts
    no metavariable (``$1``, ``$$x``)."""
    seq = src.startswith("$$$", i)
    m = _IDENT.match(src, i + (3 if seq else 1))
    if m is None or (not seq and src.startswith("$$", i)):
        line, column = offset_to_position(original, src_origin[i])
        raise PatternError(
            "'$' must start a metavariable: $name for one node, $$$name for a sequence",
            headline="invalid pattern",
            line=line,
            column=column,
        )
    return Occurrence(m.group(0), seq, src_origin[i]), m.end()


def _string_end(src: str, j: int, quote: str) -> int:
    n = len(src)
    while j < n:
        if src[j] == "\\":
            j += 2
            continue
        if src.startswith(quote, j):
            return j + len(quote)
        if src[j] == "\n" and len(quote) == 1:
            return j
        j += 1
    return n
