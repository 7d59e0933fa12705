"""Statements nested too deeply for libcst: found from the text, before libcst sees it.

libcst's parser is native and recursive: a statement nested a few thousand levels deep
(``x = 1 + 1 + ... + 1``, ``a and a and ...``, ``a.b.b.b...``) takes it seconds (its
time grows with the square of the depth), and some ten thousand levels overflow the C
stack: the process dies. Its visitors and code generation recurse in Python and raise
``RecursionError`` from some three hundred levels on. :func:`deep_statements` finds,
from a scan of the text (strings and comments skipped, brackets tracked), every logical
line whose depth may reach ``DEPTH_LIMIT``: per bracket level, the operators, dots,
keyword operators, trailers and adjacent strings since the last separator (``,`` ``;``
``:`` ``=``), summed over the open levels. That counts each level libcst nests at
least once (an estimate at or above libcst's depth), and code people write stays far
below the limit.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache
from dataclasses import dataclass

#: a logical line whose estimated depth reaches this is not given to libcst
DEPTH_LIMIT = 200

#: the tokens the scan looks at (names, numbers and spaces are skipped by the search);
#: compiled at the first scan (``_token``): most plans never scan, and compiling costs 0.5 ms
_TOKEN_PATTERN = (
    r"""(?P<s>[rRbBuUfF]{0,2}(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*"))"""
    r"""|(?P<c>\#[^\r\n]*)"""
    r"""|(?P<o>[(\[{])|(?P<x>[)\]}])"""
    r"""|(?P<n>\\(?:\r\n|\r|\n)|\r\n|\r|\n)"""
    r"""|(?P<sep>[,;]|:=?|->|(?<![=!<>])=(?!=))"""
    r"""|(?P<op>\*\*=?|//=?|<<=?|>>=?|[-+*/%@&|^~<>!=]=?|\.)"""
    r"""|(?P<op2>\b(?:and|or|not|if|else|lambda|await|is|in|for)\b)"""
)
_LINE_END = re.compile(r"\r\n|\r|\n")


@cache
def _token() -> re.Pattern[str]:
    return re.compile(_TOKEN_PATTERN, re.DOTALL)


@dataclass(frozen=True, slots=True)
class DeepStatement:
    """A logical line nested too deeply for libcst: lines ``first``..``last`` (1-based)."""

    first: int
    last: int
    depth: int  #: the scan's estimate (at least ``DEPTH_LIMIT``)
    start: int  #: offset of its first line's start in the text
    end: int  #: offset just past its last line's end (its line break included)


def deep_statements(text: str, limit: int = DEPTH_LIMIT) -> tuple[DeepStatement, ...]:
    """The logical lines of ``text`` whose estimated nesting depth reaches ``limit``
    (see the module docstring), in file order; () for code people write. Never raises:
    an unclosed string or bracket ends the scan where the text ends."""
    spans = _deep_spans(text, limit)
    if not spans:
        return ()
    starts = [0] + [m.end() for m in _LINE_END.finditer(text)]
    out = []
    for begin, finish, depth in spans:
        first = bisect_right(starts, begin)
        last = max(first, bisect_right(starts, max(begin, finish - 1)))
        end = starts[last] if last < len(starts) else len(text)
        out.append(DeepStatement(first, last, depth, starts[first - 1], end))
    return tuple(out)


def _deep_spans(text: str, limit: int) -> list[tuple[int, int, int]]:
    """(offset of the first token, offset past the line break, depth) of each deep logical line."""
    chains = [0]  # per open bracket level: the nesting since its last separator
    total, deepest, begin, last_string = 0, 0, -1, False
    spans = []
    for m in _token().finditer(text):
        kind = m.lastgroup
        if kind == "n":
            if len(chains) == 1 and m.group()[0] != "\\":
                if deepest >= limit:
                    spans.append((begin, m.end(), deepest))
                chains[0], total, deepest, begin, last_string = 0, 0, 0, -1, False
            continue
        if kind == "c":
            continue
        if begin < 0:
            begin = m.start()
        if kind == "s":
            if last_string:
                chains[-1] += 1
                total += 1
            last_string = True
        else:
            last_string = False
            if kind == "op" or kind == "op2":
                chains[-1] += 1
                total += 1
            elif kind == "sep":
                total -= chains[-1]
                chains[-1] = 0
            elif kind == "o":
                chains[-1] += 1
                chains.append(0)
                total += 2
            elif len(chains) > 1:
                total -= chains.pop() + 1
        if total > deepest:
            deepest = total
    if deepest >= limit and begin >= 0:
        spans.append((begin, len(text), deepest))
    return spans


#: the depth from which a logical line is masked before libcst parses the file: below
#: it libcst parses quickly, and a RecursionError of its visitors is caught
#: (``RECURSION_LIMIT`` then finds the statements to mask)
PARSE_LIMIT = 1000
#: the depth from which a logical line is masked once a transform hit RecursionError
RECURSION_LIMIT = 150


def too_deep_to_parse(text: str) -> tuple[DeepStatement, ...]:
    """The logical lines of ``text`` libcst must not parse (``PARSE_LIMIT``); the scan
    is skipped for a text too short to hold one (each level takes a character)."""
    return deep_statements(text, PARSE_LIMIT) if len(text) >= PARSE_LIMIT else ()


def may_hold_flat_chain(text: str) -> bool:
    """Whether ``text``, which Python's ``ast`` parses, may hold a statement libcst must
    not parse: the ``ast`` refuses chains it nests (``1 + 1 + ...``), not the ones it
    keeps flat and libcst nests (``a and b and ...``, ``import a.b.c...``). A count of
    substrings (at least the words) decides when the scan is needed."""
    if len(text) < PARSE_LIMIT:
        return False
    chains = text.count("and") + text.count("or") >= PARSE_LIMIT
    dotted = text.count(".") >= PARSE_LIMIT and re.search(_LONG_IMPORT, text) is not None
    return (chains or dotted) and bool(too_deep_to_parse(text))


#: an import's dotted name long enough to be nested too deeply (``import a.b.b.b...``)
_LONG_IMPORT = r"(?m)^[ \t]*(?:import|from)[ \t](?:[\w. \t]|\\(?:\r\n|\r|\n)){%d}" % PARSE_LIMIT
