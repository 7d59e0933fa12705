"""Gitignore-style globs without importing pathspec for the plain ones.

A list of plain globs (letters, digits, ``_ . - + = @ , ~ %``, ``*``, ``?`` and ``**``
segments; no negation, escapes, brackets, spaces or empty segments) is translated here,
step for step as pathspec's ``GitIgnoreSpecPattern.pattern_to_regex`` does, and the
translations are joined into one regular expression: with include patterns only,
``GitIgnoreSpec.match_file`` is true exactly when one of them matches. Any other list is
compiled by pathspec itself (imported then).
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Protocol

#: a plain glob: segments of the safe characters, an optional slash at the end
_PLAIN = re.compile(r"[A-Za-z0-9_.*?+=@,~%-]+(?:/[A-Za-z0-9_.*?+=@,~%-]+)*/?")
#: a glob whose matches are the paths with a segment ending in its literal tail
_SUFFIX = re.compile(r"(?:\*\*/)?\*([A-Za-z0-9_.+=@,~%-]+)")


class GlobMatcher(Protocol):
    """What a compiled list of globs answers (pathspec's PathSpec does too)."""

    def match_file(self, file: str) -> bool:
        """Whether the relative posix path ``file`` is selected."""


class PlainGlobs:
    """Plain include globs as one regular expression (``pattern_to_regex`` of each, joined)."""

    __slots__ = ("patterns", "_search")

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = tuple(patterns)
        self._search = re.compile("|".join(f"(?:{plain_regex(p)})" for p in patterns)).search

    def match_file(self, file: str) -> bool:
        """Whether one of the globs matches ``file`` (a relative posix path; a leading ``/`` or
        ``./`` is dropped first, as pathspec's ``normalize_file`` does)."""
        if file.startswith(("/", "./")):
            file = file[1:] if file[0] == "/" else file[2:]
        return self._search(file) is not None

    def select(self, files: Iterable[str]) -> list[str]:
        """``[f for f in files if self.match_file(f)]``, sooner: a list of suffix globs
        (``**/*.py``) is ``str.endswith`` tests, not a search of every path."""
        match = self.match_file
        suffixes = _suffixes(self.patterns)
        if suffixes is None:
            return [f for f in files if match(f)]
        inside = re.compile("|".join(re.escape(s + "/") for s in suffixes)).search  # a folder so named: all under it
        return [f for f in files
                if (match(f) if f[:1] == "/" or f[:2] == "./" else f.endswith(suffixes) or inside(f) is not None)]


def _suffixes(patterns: tuple[str, ...]) -> tuple[str, ...] | None:
    """``(".py",)`` for ``("**/*.py",)``: the literal tails when every pattern is ``**/*TAIL``
    or ``*TAIL`` (a name ending in TAIL at any depth, or a folder so named and all under it), else None."""
    out = []
    for pattern in patterns:
        found = _SUFFIX.fullmatch(pattern)
        if found is None:
            return None
        out.append(found.group(1))
    return tuple(out)


def is_plain(pattern: str) -> bool:
    """Whether ``pattern`` is translated here (see the module's docstring)."""
    return _PLAIN.fullmatch(pattern) is not None


def compile_gitignore(patterns: list[str]) -> GlobMatcher:
    """The globs as gitignore patterns: here when all are plain, else by pathspec (its errors raise)."""
    if patterns and all(is_plain(p) for p in patterns):
        return PlainGlobs(patterns)
    import pathspec

    spec: Any = pathspec.GitIgnoreSpec.from_lines(patterns)
    return spec


def plain_regex(pattern: str) -> str:
    """A plain glob's regular expression, as ``GitIgnoreSpecPattern.pattern_to_regex`` gives it
    with its directory-marker group ``(?P<ps_d>/)`` written as ``/`` (the group only ranks
    matches between include and exclude patterns)."""
    segs = pattern.split("/")
    is_dir = not segs[-1]
    if len(segs) == 1 or (len(segs) == 2 and not segs[1]):
        if segs[0] != "**":
            segs.insert(0, "**")
    if not segs[-1]:
        segs[-1] = "**"
    for i in range(len(segs) - 1, 0, -1):
        if segs[i - 1] == "**" and segs[i] == "**":
            del segs[i]
    if segs == ["**"]:
        return "/" if is_dir else "."
    if segs == ["**", "*"]:
        return "."
    if segs == ["**", "*", "**"]:
        return "/"
    return "".join(_translate(segs))


def _translate(segs: list[str]) -> list[str]:
    """``GitIgnoreSpecPattern.__translate_segments`` for plain segments."""
    out: list[str] = []
    need_slash = False
    end = len(segs) - 1
    for i, seg in enumerate(segs):
        if seg == "**":
            out.append("^(?:.+/)?" if i == 0 else "(?:/.+)?" if i < end else "/")
            need_slash = need_slash or 0 < i < end
            continue
        if i == 0:
            out.append("^")
        if need_slash:
            out.append("/")
        out.append("[^/]+" if seg == "*" else "".join(_CHAR.get(c) or re.escape(c) for c in seg))
        if i == end:
            out.append("(?:/|$)")
        need_slash = True
    return out


_CHAR = {"*": "[^/]*", "?": "[^/]"}
