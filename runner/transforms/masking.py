"""Statements too deep for libcst, masked so the rest of their file can still be transformed.

:func:`mask_statements` replaces each such logical line (``depth.deep_statements``) by
a placeholder on as many lines, binding and using the same names (so bindings and
import uses read the same elsewhere) inside a tuple that holds a marker name; the
transform runs on the masked text, and :func:`unmask` puts the statements back where
their placeholders are. A transform that changed a placeholder would change the
statement (its names), which cannot be done: the file is then left as it was.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from runner.transforms.base import Gap
from runner.transforms.depth import DeepStatement

_WORD = re.compile(
    r"""[rRbBuUfF]{0,2}(?:'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\""""
    r"""|'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")|\#[^\r\n]*"""
    r"""|(?P<dot>\.\s*)?(?P<name>[^\W\d]\w*)(?P<call>(?=\s*[.(\[]))?|(?P<o>[(\[{])|(?P<x>[)\]}])"""
    r"""|(?P<colon>:(?!=))|(?P<bind>:=|(?<![=!<>])=(?!=)|(?:\*\*|//|<<|>>|[-+*/%@&|^])=)""",
    re.DOTALL,
)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
#: first words of a statement whose placeholder could not keep what it means
_UNMASKABLE = frozenset({"if", "elif", "else", "while", "for", "async", "with", "def", "class", "try", "except",
                         "finally", "match", "case", "import", "from", "global", "nonlocal", "del", "lambda"})
_KEPT_WORDS = ("return", "raise", "assert", "yield", "await")
MARKER = "__batchmod_deep_{}__"


@dataclass(frozen=True, slots=True)
class Masked:
    """A text with its deep statements replaced by placeholders."""

    text: str
    statements: tuple[DeepStatement, ...]
    originals: tuple[str, ...]  #: each statement's lines, as in the file
    placeholders: tuple[str, ...]  #: the lines that stand for it, as many


def mask_statements(text: str, deep: tuple[DeepStatement, ...]) -> Masked | None:
    """``text`` with each of ``deep`` replaced by its placeholder; None when one cannot
    be (a compound statement's header, an import, a ``del``, a decorator...)."""
    pieces, originals, placeholders, at = [], [], [], 0
    for k, stmt in enumerate(deep):
        original = text[stmt.start: stmt.end]
        placeholder = _placeholder(original, MARKER.format(k))
        if placeholder is None:
            return None
        pieces += [text[at: stmt.start], placeholder]
        originals.append(original)
        placeholders.append(placeholder)
        at = stmt.end
    pieces.append(text[at:])
    return Masked("".join(pieces), deep, tuple(originals), tuple(placeholders))


def _placeholder(original: str, marker: str) -> str | None:
    """Lines standing for the statement ``original``: ``targets = (marker, names...,)``."""
    lines = _LINE.findall(original)
    body = original.lstrip(" \t\f")
    indent = original[: len(original) - len(body)]
    first = re.match(r"[^\W\d]\w*|@", body)
    word = first.group() if first is not None else ""
    if word in _UNMASKABLE or word == "@" or body.rstrip().endswith(":"):
        return None
    head = f"{word} " if word in _KEPT_WORDS else ""
    bound, used = _names(body[len(word):] if head else body)
    if head and bound:
        return None  # (a walrus in a return: its placeholder could not bind the name)
    targets = "".join(f"{name} = " for name in bound)
    tuple_text = ", ".join([marker, *used]) + ","
    ends = [line[len(line.rstrip("\r\n")):] for line in lines]
    if len(lines) == 1:
        return f"{indent}{head}{targets}({tuple_text}){ends[0]}"
    middle = "".join(ends[1:-1])
    return f"{indent}{head}{targets}({tuple_text}{ends[0]}{middle}){ends[-1] or ''}"


def _names(body: str) -> tuple[list[str], list[str]]:
    """(names the statement binds, names it reads), each once in order of appearance:
    a plain name before a top-level ``=`` (or an augmented assignment, or before
    ``:=``) is bound; every other name that is not an attribute, a keyword argument or
    a keyword is read (an annotation's names too)."""
    bound: dict[str, None] = {}
    used: dict[str, None] = {}
    pending: list[tuple[str, int]] = []  # plain names since the last binding operator
    depth, annotation = 0, False
    for m in _WORD.finditer(body):
        if m.group("o") or m.group("x"):
            depth = depth + 1 if m.group("o") else max(0, depth - 1)
        elif m.group("colon"):
            annotation = annotation or depth == 0
        elif m.group("bind"):
            _bind(m.group(), depth, pending, bound, used)
            pending, annotation = [], False
        elif m.group("name") and not m.group("dot") and not keyword.iskeyword(m.group("name")):
            if m.group("call") is not None or annotation:
                used.setdefault(m.group("name"))
            else:
                pending.append((m.group("name"), depth))
    used.update(dict.fromkeys(name for name, _ in pending))
    return list(bound), list(used)


def _bind(op: str, depth: int, pending: list[tuple[str, int]], bound: dict[str, None], used: dict[str, None]) -> None:
    """The pending names at a binding operator: bound (``:=``: the last one; a top-level
    ``=`` or augmented one: those of the top level), a keyword argument's name dropped,
    the others read."""
    if op == ":=" and pending:
        *pending, (name, _) = pending
        bound.setdefault(name)
    elif op == "=" and depth > 0 and pending:
        pending = pending[:-1]
    elif depth == 0:
        for name, level in pending:
            if level == 0:
                bound.setdefault(name)
        if op != "=":
            used.update(dict.fromkeys(name for name, level in pending if level == 0))
        pending = [(name, level) for name, level in pending if level > 0]
    used.update(dict.fromkeys(name for name, _ in pending))


def unmask(text: str, masked: Masked) -> tuple[str, list[tuple[int, int]]] | None:
    """``text`` (the masked text after a transform) with the statements back in place of
    their placeholders, and the (first, last) 1-based lines of each in the result; None
    when a placeholder is not there exactly once (the transform changed it)."""
    spans = []
    for placeholder in masked.placeholders:
        if text.count(placeholder) != 1:
            return None
    out, at, line = [], 0, 1
    order = sorted(range(len(masked.placeholders)), key=lambda k: text.find(masked.placeholders[k]))
    for k in order:
        where = text.find(masked.placeholders[k])
        out.append(text[at: where])
        line += len(_LINE.findall(text[at: where]))
        out.append(masked.originals[k])
        spans.append((line, line + len(_LINE.findall(masked.originals[k])) - 1))
        line = spans[-1][1] + 1
        at = where + len(masked.placeholders[k])
    out.append(text[at:])
    return "".join(out), [spans[order.index(k)] for k in range(len(order))]


def deep_gaps(path: str, masked: Masked, spans: list[tuple[int, int]]) -> list[Gap]:
    """One gap per masked statement, at its first line (``spans``: its lines in the file
    the gaps point into)."""
    gaps = []
    for stmt, original, (first, _) in zip(masked.statements, masked.originals, spans):
        body = original.lstrip(" \t\f")
        reason = (f"expression nested too deeply for the parser/transform: line {first} "
                  f"(about {stmt.depth} levels); the statement is left as it was")
        source = body.split("\n", 1)[0].rstrip()
        gaps.append(Gap(path, first, len(original) - len(body) + 1, reason, _clip(source)))
    return gaps


def outside(gaps: tuple[Gap, ...], spans: list[tuple[int, int]]) -> list[Gap]:
    """The gaps that lie on none of the lines ``spans`` hold (a placeholder's own are not the file's)."""
    return [g for g in gaps if not any(first <= g.line <= last for first, last in spans)]


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
