"""``str.format`` bodies: literal text and fields, with numbering resolved.

Fields refer to arguments as ``str.format`` does: ``{}`` takes the next position
(counted across the parts of an implicit concatenation and into nested specs, in the
order ``str.format`` visits them), ``{0}`` a position, ``{name}`` a keyword, then
``.attr`` / ``[key]`` accessors (``[1]`` is an int index, ``[k]`` the str key ``"k"``).
Mixing automatic and manual numbering is refused, as ``str.format`` refuses it.
"""
from __future__ import annotations

import _string
import re
from string import Formatter

from runner.transforms.fstring.pieces import Field, NotConvertible, Piece

_FORMATTER = Formatter()
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Numbering:
    """The automatic / manual numbering state shared by the parts of one format string."""

    def __init__(self) -> None:
        self.next = 0
        self.mode = ""  #: "", "auto" or "manual"

    def take(self, first: int | str) -> int | str:
        """The argument a field refers to: the next index for ``{}``, else ``first`` as written; NotConvertible when ``{}`` and ``{0}`` are mixed."""
        if first == "":
            self._set("auto")
            self.next += 1
            return self.next - 1
        if isinstance(first, int):
            self._set("manual")
        return first

    def _set(self, mode: str) -> None:
        if self.mode and self.mode != mode:
            raise NotConvertible("mixes automatic and manual field numbering")
        self.mode = mode


def parse_braces(body: str, numbering: Numbering, depth: int = 0) -> list[Piece]:
    """Pieces of a ``.format`` body (literal braces stay doubled)."""
    try:
        parsed = list(_FORMATTER.parse(body))
    except ValueError as exc:
        raise NotConvertible(f"invalid format string: {exc}") from None
    out: list[Piece] = []
    for literal, name, spec, conversion in parsed:
        if literal:
            out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if depth > 1:
            raise NotConvertible("format spec nested more than two levels")
        out.append(_field(name, spec or "", conversion or "", numbering, depth))
    return out


def _field(name: str, spec: str, conversion: str, numbering: Numbering, depth: int) -> Field:
    if conversion not in ("", "r", "s", "a"):
        raise NotConvertible(f"unknown conversion !{conversion}")
    try:
        first, rest = _string.formatter_field_name_split(name)
        accessors = tuple(rest)
    except ValueError as exc:
        raise NotConvertible(f"invalid field {name!r}: {exc}") from None
    if isinstance(first, str) and first and not _IDENTIFIER.match(first):
        raise NotConvertible(f"field {{{name}}} is not an identifier")
    for is_attr, key in accessors:
        if is_attr and not (isinstance(key, str) and _IDENTIFIER.match(key)):
            raise NotConvertible(f"field {{{name}}} has an invalid attribute")
        if not is_attr and isinstance(key, str) and not key:
            raise NotConvertible(f"field {{{name}}} has an empty index")
    ref = numbering.take(first)
    nested = tuple(parse_braces(spec, numbering, depth + 1)) if spec else ()
    return Field(ref, conversion, nested, accessors)
