"""Needles that keep a file's gaps visible: what ``expect_absent`` looks for.

A file with none of a transform's needles is never parsed. After a run has changed a
file, the transform's needles may be gone while an ``expect_absent`` site it left (a
gap) is still there; planning again must still report that gap. So each
``expect_absent`` entry adds a needle: the entry itself for text, the longest literal
run of a pattern (``compat.ensure_text($x)`` → ``compat.ensure_text``).
"""
from __future__ import annotations

import re

_LITERAL = re.compile(r"[A-Za-z0-9_.]+")


def with_gap_needles(needles: tuple[str, ...], expect_absent: tuple[str, ...]) -> tuple[str, ...]:
    """``needles`` plus one per ``expect_absent`` entry; no needles (parse every file) stays so."""
    if not needles:
        return needles
    extra = []
    for entry in expect_absent:
        if "$" not in entry:
            extra.append(entry)
            continue
        runs = [r for r in _LITERAL.findall(re.sub(r"\$\$?\$?[A-Za-z_][A-Za-z0-9_]*", " ", entry)) if r.strip(".")]
        if not runs:
            return ()  # a pattern with no literal part: every file may hold it
        extra.append(max(runs, key=len))
    return tuple(dict.fromkeys([*needles, *extra]))
