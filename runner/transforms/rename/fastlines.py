"""The lines of a file whose statements hold every fact the fast path reads, so that its
walk (:func:`.astfacts.collect`) can skip the rest of a large file.

Every fact :mod:`.fast` reads is about the old last part, or the root of an attribute
``<root>...<old last>``: the bindings, reads and attributes that spell them, the imports
and strings that mention the old last part, the star imports, and the comments and
literals on the lines of those mentions. Each is on a line where the bytes spell one of:

* the old last part, even glued to other characters (a string's escapes can make it a
  whole word: ``"\\x20name"``);
* the old last part assembled by a string's escapes, a backslash-newline inside it or
  the implicit concatenation of literals (``"na" "me"``), which :data:`_ASSEMBLED`
  matches for each spelling of each character and each gap between two of them;
* ``import *`` (whitespace and continuations between);
* a root's name, for its bindings (:func:`root_lines`).

Identifiers must be spelled as they are read: the source is ASCII or NFKC-normalized
(``ast`` normalizes identifiers, ``ｎａｍｅ`` is ``name``), else every line is read. So
must the dotted names the docs step compares docstrings with: each holds the old last
part (re-export aliases do), else every line is read.
"""
from __future__ import annotations

import ast
import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

from runner.transforms.rename.astfacts import attribute_chain

_STAR = re.compile(rb"import(?:\s|\\)*\*")
#: one character of a string's value spelled by an escape
_ESCAPE = rb"\\(?:x[0-9A-Fa-f]{2}|[0-7]{1,3}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}\r\n]*\})"
#: what may come between two characters of a string's value: a backslash-newline, or the
#: end of one literal and the start of the next (blanks, continuations, comments, prefix)
_GAP = rb"(?:\\(?:\r\n|\r|\n)|[\"']+(?:[ \t\f\r\n\\]|#[^\r\n]*)*[A-Za-z]{0,2}[\"']+)*"


@lru_cache(maxsize=64)
def _assembled(word: str) -> re.Pattern[bytes]:
    """The spellings of ``word`` (ASCII) inside string literals, plain ones included."""
    return re.compile(_GAP.join(b"(?:%s|%s)" % (re.escape(char.encode()), _ESCAPE) for char in word))


def compile_spellings(word: str) -> None:
    """Compile the pattern :func:`fact_lines` searches for ``word`` (2 ms for a name of a
    dozen characters) now, where the caller has time to spare: pool workers forked later
    inherit it."""
    _assembled(word)


def fact_lines(source: bytes, starts: list[int], word: str, dotted: list[str]) -> list[int] | None:
    """The sorted line numbers (1-based) that hold every mention of ``word`` (the old last
    part) the fast path reads, and every star import; None when every line must be read
    (identifiers not spelled as read, or a name of ``dotted`` without ``word``).
    ``starts``: the source's line starts (:func:`.astfacts.line_starts`)."""
    if not source.isascii() and not unicodedata.is_normalized("NFKC", source.decode("utf-8")):
        return None
    if any(word not in name for name in dotted):
        return None
    offsets = _starts(_assembled(word), source) + _starts(_STAR, source)
    return _lines_of(starts, offsets)


def _starts(pattern: re.Pattern[bytes], source: bytes) -> list[int]:
    """Where a match of ``pattern`` starts, overlapping matches included."""
    found, match = [], pattern.search(source)
    while match is not None:
        found.append(match.start())
        match = pattern.search(source, match.start() + 1)
    return found


def root_lines(source: bytes, starts: list[int], word: str, attributes: list[ast.Attribute],
               lines: list[int]) -> list[int]:
    """``lines`` and the lines spelling the root name of an attribute ``<root>...<word>``
    among ``attributes`` (where the root's bindings are)."""
    roots = set()
    for node in attributes:
        if node.attr == word:
            value = attribute_chain(node)[1]
            if isinstance(value, ast.Name):
                roots.add(value.id.encode())
    offsets = []
    for root in roots:
        at = source.find(root)
        while at != -1:
            offsets.append(at)
            at = source.find(root, at + 1)
    return sorted({*lines, *_lines_of(starts, offsets)}) if offsets else lines


def _lines_of(starts: list[int], offsets: list[int]) -> list[int]:
    return sorted({bisect_right(starts, at) for at in offsets})
