"""The intermediate form of a format string: literal text and replacement fields.

Both parsers (``percent``, ``braces``) turn the body of one string literal into a
tuple of pieces: ``str`` (literal text already spelled for an f-string: braces
doubled, escapes as written) or :class:`Field`. A field refers to an argument by
``ArgRef`` (index into the site's arguments, or keyword); the site resolves the
reference into an :class:`Expr` before rendering.
"""
from __future__ import annotations

from dataclasses import dataclass


class NotConvertible(Exception):
    """This site cannot be converted safely; the message is the gap's reason."""


@dataclass(frozen=True, slots=True)
class Expr:
    """Python source of a field's expression (one line), plus attribute / index accessors."""

    code: str
    atomic: bool = True  #: may take ``.attr`` / ``[key]`` without parentheses
    accessors: tuple[tuple[bool, int | str], ...] = ()  #: (is_attribute, name or key)
    literal: str | None = None  #: the value's text when it can be written inline (``1000``, ``"ab"``)

    def render(self, key_quote: str) -> str:
        """The expression with its accessors, parenthesised when needed; string keys quoted with ``key_quote``."""
        text = self.code if self.atomic or not self.accessors else f"({self.code})"
        for is_attr, key in self.accessors:
            if is_attr:
                text += f".{key}"
            elif isinstance(key, int):
                text += f"[{key}]"
            else:
                text += f"[{key_quote}{key}{key_quote}]"
        return text


@dataclass(frozen=True, slots=True)
class Field:
    """``{expr!conversion:spec}``; ``ref`` is an argument position, a keyword or an Expr."""

    ref: int | str | Expr
    conversion: str = ""  #: "", "r", "s" or "a"
    spec: tuple[str | Field, ...] = ()  #: nested fields allowed (``{x:{width}}``)
    accessors: tuple[tuple[bool, int | str], ...] = ()


Piece = str | Field
