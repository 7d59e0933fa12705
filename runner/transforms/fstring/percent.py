"""``%``-format bodies: parse the directives, and map each to an f-string field.

The mapping keeps ``printf``-style semantics exactly or refuses:

* ``%s``/``%r``/``%a`` → ``{x}`` / ``{x!r}`` / ``{x!a}``; with a width the alignment is
  spelled out (``%5s`` right-aligns, ``%-5s`` left-aligns: ``{x!s:>5}`` / ``{x!s:<5}``),
  ``!s`` kept unless the operand is provably a str (``format(3, ".2")`` is not
  ``"%.2s" % 3``); ``0``, ``+``, `` `` and ``#`` have no effect on them and are dropped.
  A plain ``%s`` of an operand of unknown type is ``{x!s}`` for a target before 3.11:
  there ``format(x, "")`` of an enum with a mixed-in type (``class C(str, Enum)``) is
  its value, ``str(x)`` its name; from 3.11 the two agree for every standard type.
* ``%d``/``%i``/``%u`` only for a provably int operand (``"%d" % 2.5`` truncates, an
  f-string would raise); a precision on an integer conversion is refused (``%.3d``
  pads with zeros, ``format`` refuses it).
* ``%x``/``%o``/``%X`` only for a provably int operand, ``%e %f %g %E %F %G`` for a
  provable int or float (``"%.2f" % Decimal("1.115")`` rounds the float ``1.11``,
  ``format`` the decimal ``1.12``): the same spec (flags, width, precision); ``%.f`` is
  precision 0.
* ``%c`` of a provable int → ``{x:c}``; of a str → ``{x}``; otherwise refused.
* ``*`` widths or precisions are refused; ``%%`` is a literal ``%``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from runner.transforms.fstring.pieces import Field, NotConvertible

_DIRECTIVE = re.compile(
    r"%(?:\((?P<key>[^()]*)\))?(?P<flags>[-+ #0]*)(?P<width>\*|\d+)?"
    r"(?:\.(?P<precision>\*|\d*))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])"
)
INTEGER = "diuxXo"  #: conversions of an int only
NUMERIC = INTEGER + "eEfFgG"  #: conversions of an int or a float


@dataclass(frozen=True, slots=True)
class Directive:
    """One ``%`` directive of a format string: mapping key, flags, width, precision and conversion."""

    key: str | None
    flags: str
    width: str
    precision: str | None  #: None: absent; "" (as in ``%.f``) means 0
    conv: str


def parse_percent(body: str) -> list[str | Directive]:
    """Literal text (braces doubled for an f-string) and directives of a ``%`` body."""
    out: list[str | Directive] = []
    pos = 0
    while True:
        found = body.find("%", pos)
        if found < 0:
            _append_text(out, body[pos:])
            return out
        _append_text(out, body[pos:found])
        match = _DIRECTIVE.match(body, found)
        if match is None:
            raise NotConvertible(f"unsupported or invalid %-directive {body[found:found + 6]!r}")
        if "*" in (match["width"] or "") + (match["precision"] or ""):
            raise NotConvertible(f"`*` width or precision in {match.group(0)!r}")
        if match["conv"] == "%":
            if match.group(0) != "%%":
                raise NotConvertible(f"unusual %-directive {match.group(0)!r}")
            _append_text(out, "%")
        else:
            out.append(Directive(match["key"], match["flags"], match["width"] or "",
                                 match["precision"], match["conv"]))
        pos = match.end()


def _append_text(out: list[str | Directive], text: str) -> None:
    if not text:
        return
    text = text.replace("{", "{{").replace("}", "}}")
    if out and isinstance(out[-1], str):
        out[-1] += text
    else:
        out.append(text)


def directive_field(d: Directive, ref: object, kind: str, plain_str: bool) -> Field:
    """The field for one directive; ``kind`` is what the operand provably is:
    "str", "int", "float", "" (unknown), or "assumed int" / "assumed float" (the type
    letter is then kept: ``{x:d}`` raises for a float, ``%d`` would truncate); ``plain_str``: ``format(x, "")`` is ``str(x)``
    for it (a standard type, or a target from 3.11). Raises NotConvertible when no exact
    field exists."""
    if d.conv in "sra":
        return _text_field(d, ref, kind, plain_str)
    if d.conv == "c":
        if kind == "int":
            return Field(ref, "", _spec(_align(d, ">"), "", d.width, None, "c"))
        if kind == "str":
            return _text_field(d, ref, kind, plain_str)
        raise NotConvertible("%c of an operand not provably an int or a str")
    if d.conv in "diu":
        if kind not in ("int", "assumed int"):
            raise NotConvertible(f"%{d.conv} of an operand not provably an int (a float would be truncated)")
        if d.precision is not None:
            raise NotConvertible(f"precision on %{d.conv} (zero padding) has no format-spec equivalent")
        spec = _number_spec(d, "d")
        return Field(ref, "", () if spec == ("d",) and kind == "int" else spec)
    if kind not in ("int", "assumed int") and (d.conv in "xXo" or kind not in ("float", "assumed float")):
        wanted = "an int" if d.conv in "xXo" else "an int or a float"
        raise NotConvertible(f"%{d.conv} of an operand not provably {wanted} (format() would use the type's own rules)")
    return Field(ref, "", _number_spec(d, d.conv))


def _text_field(d: Directive, ref: object, kind: str, plain_str: bool) -> Field:
    conversion = {"s": "s", "r": "r", "a": "a", "c": "s"}[d.conv]
    if d.conv in "sc" and (kind == "str" or plain_str and not (d.width or d.precision is not None)):
        conversion = ""
    precision = None if d.precision is None else (d.precision or "0")
    return Field(ref, conversion, _spec(_align(d, ">"), "", d.width, precision, ""))


def _number_spec(d: Directive, type_: str) -> tuple[str, ...]:
    align = "<" if "-" in d.flags else ""
    sign = "+" if "+" in d.flags else (" " if " " in d.flags else "")
    alt = "#" if "#" in d.flags and type_ != "d" else ""
    zero = "0" if "0" in d.flags and not align and d.width else ""
    precision = None if d.precision is None else (d.precision or "0")
    return _spec(align, sign + alt + zero, d.width, precision, type_)


def _align(d: Directive, default: str) -> str:
    if not d.width:
        return ""
    return "<" if "-" in d.flags else default


def _spec(align: str, flags: str, width: str, precision: str | None, type_: str) -> tuple[str, ...]:
    text = align + flags + width + ("" if precision is None else "." + precision) + type_
    return (text,) if text else ()
