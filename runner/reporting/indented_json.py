"""``json.dumps(value, indent=2)``, the same text about twice as fast for plain data.

With ``indent`` the standard library encodes in Python through generators; a plan of
10^4 subtasks spends more there than in reading its cache. Strings still go through the
C escaper; any value not of a plain JSON type (a subclass, a non-string key...) makes the
whole value go to ``json.dumps`` instead, so the text never differs.

A :class:`Verbatim` is text encoded beforehand for one indent (a plan writes its most
common subtask from a template): written as it is there, and as its plain value anywhere
else, so the result is still ``json.dumps`` of the plain document.
"""
from __future__ import annotations

import json
from json.encoder import encode_basestring_ascii
from typing import Any, Callable

_INFINITY = float("inf")


class Verbatim:
    """``text``: the JSON of ``plain()`` as ``dumps_indented`` writes it where the current line
    break and indent are ``newline``; ``plain`` gives the value for any other place."""

    __slots__ = ("text", "newline", "plain")

    def __init__(self, text: str, newline: str, plain: Callable[[], Any]) -> None:
        self.text = text
        self.newline = newline
        self.plain = plain


class _NotPlain(Exception):
    """A value the fast encoder leaves to ``json.dumps``."""


def dumps_indented(value: Any) -> str:
    """Exactly ``json.dumps(value, indent=2)`` (ASCII, ``", "`` and ``": "`` as json puts them)."""
    parts: list[str] = []
    try:
        _writer(parts.append)(value, "\n")
    except (_NotPlain, RecursionError):
        return json.dumps(value, indent=2, default=_plain_value)
    return "".join(parts)


def _plain_value(value: Any) -> Any:
    """``json.dumps``' ``default``: a Verbatim's plain value; anything else refused as json refuses it."""
    if type(value) is Verbatim:
        return value.plain()
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _writer(out: Callable[[str], None]) -> Callable[[Any, str], None]:
    """The recursive encoder writing to ``out``; ``newline`` is "\\n" plus the current indent."""
    escape = encode_basestring_ascii

    def write(value: Any, newline: str) -> None:
        kind = type(value)
        if kind is str:
            out(escape(value))
        elif value is None or value is True or value is False:
            out("null" if value is None else "true" if value else "false")
        elif kind is int:
            out(int.__repr__(value))
        elif kind is float:
            out(_float(value))
        elif kind is dict:
            if not value:
                out("{}")
                return
            inner = newline + "  "
            opener = "{" + inner
            for key, item in value.items():
                if type(key) is not str:
                    raise _NotPlain
                out(opener + escape(key) + ": ")
                write(item, inner)
                opener = "," + inner
            out(newline + "}")
        elif kind is list or kind is tuple:
            if not value:
                out("[]")
                return
            inner = newline + "  "
            opener = "[" + inner
            for item in value:
                out(opener)
                write(item, inner)
                opener = "," + inner
            out(newline + "]")
        elif kind is Verbatim:
            if value.newline == newline:
                out(value.text)
            else:
                write(value.plain(), newline)
        else:
            raise _NotPlain

    return write
