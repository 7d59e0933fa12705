"""Spell the pieces of one string literal as an f-string for the target Python.

Before 3.12 an expression inside an f-string may not contain a backslash, a ``#``, a
newline, or the string's own quote; index keys are quoted with the other quote, and
so are the expression's own string literals when their text allows it (``'|'.join(x)``
in a ``'...'`` f-string becomes ``"|".join(x)``). When the string's quote is still in
the way and the body allows it, the other quote is used for the whole literal
(unescaped occurrences escaped; a raw body only when it holds no such quote). From
3.12 (PEP 701) quotes and backslashes may be reused; expressions are still kept on one
line.
"""
from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass

from runner.transforms.fstring.pieces import Expr, Field, NotConvertible, Piece


@dataclass(frozen=True, slots=True)
class Literal:
    """One string literal as written: prefix (lowercase letters kept as written), quote, body."""

    prefix: str
    quote: str  #: ', ", ''' or \"\"\"
    body: str

    @property
    def raw(self) -> bool:
        """The literal is a raw string (``r`` in its prefix)."""
        return "r" in self.prefix.lower()


def render_fstring(lit: Literal, pieces: list[Piece], target: tuple[int, int]) -> str:
    """The f-string source for ``pieces`` (fields resolved to Expr), or NotConvertible."""
    prefix = "".join(c for c in lit.prefix if c.lower() != "u") + "f"
    quotes = [lit.quote]
    other = "'" if lit.quote == '"' else '"'
    if len(lit.quote) == 1 and (not lit.raw or other not in lit.body):  # a raw body cannot escape it
        quotes.append(other)
    reason = ""
    for quote in quotes:
        try:
            body = "".join(_piece(p, quote, target, quote != lit.quote) for p in pieces)
        except NotConvertible as exc:
            reason = reason or str(exc)
            continue
        return f"{prefix}{quote}{body}{quote}"
    raise NotConvertible(reason)


def _piece(piece: Piece, quote: str, target: tuple[int, int], requote: bool) -> str:
    if isinstance(piece, str):
        return _requote(piece, quote) if requote else piece
    return _field(piece, quote, target, requote)


def _field(field: Field, quote: str, target: tuple[int, int], requote: bool) -> str:
    expr = field.ref
    assert isinstance(expr, Expr), "fields are resolved before rendering"
    inline = inline_text(field)
    if inline is not None:
        return inline
    key_quote = "'" if quote[0] == '"' else '"'
    for _, key in expr.accessors:
        if isinstance(key, str) and (key_quote in key or "\\" in key) and target < (3, 12):
            raise NotConvertible(f"index key {key!r} cannot be quoted inside the f-string for Python {_v(target)}")
    code = expr.render(key_quote)
    if target < (3, 12):
        code = _requote_strings(code, quote[0])
    _check_expression(code, quote, target)
    text = "{" + code
    if code.endswith(("!", ":", "=")) or code.startswith("{"):
        text = "{(" + code + ")"
    if field.conversion:
        text += "!" + field.conversion
    if field.spec:
        text += ":" + "".join(_piece(p, quote, target, requote) for p in field.spec)
    return text + "}"


def inline_text(field: Field) -> str | None:
    """The field's text (braces doubled) when its value is a literal written inline."""
    expr = field.ref
    if not isinstance(expr, Expr) or expr.literal is None or expr.accessors or field.spec:
        return None
    if field.conversion not in ("", "s"):
        return None
    return expr.literal.replace("{", "{{").replace("}", "}}")


def _check_expression(code: str, quote: str, target: tuple[int, int]) -> None:
    if "\n" in code:
        raise NotConvertible("expression spans lines")
    if target >= (3, 12):
        return
    if "\\" in code:
        raise NotConvertible(f"backslash inside an expression (not allowed before Python 3.12; target {_v(target)})")
    if "#" in code:
        raise NotConvertible(f"`#` inside an expression (not allowed before Python 3.12; target {_v(target)})")
    if (len(quote) == 1 and quote in code) or (len(quote) == 3 and (quote in code or code.endswith(quote[0]))):
        raise NotConvertible(f"the string's quote {quote[0]} inside an expression (not allowed before Python 3.12; target {_v(target)})")


def _requote_strings(code: str, quote: str) -> str:
    """``'|'.join(x)`` inside a ``'...'`` f-string → ``"|".join(x)``: string literals of the
    expression delimited by the f-string's quote take the other one, when their body holds
    neither quote nor a backslash (the value is the same); anything else is kept."""
    if quote not in code:
        return code
    other = "'" if quote == '"' else '"'
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return code
    out, last = [], 0
    for tok in tokens:
        if tok.type != tokenize.STRING or tok.start[0] != 1 or tok.end[0] != 1:
            continue
        text = tok.string
        prefix = text[: len(text) - len(text.lstrip("rRbBuUfF"))]
        body = text[len(prefix) + 1: -1]
        triple = text[len(prefix):len(prefix) + 3] in ("'''", '"""')
        if triple or text[len(prefix)] != quote or any(c in body for c in ("'", '"', "\\")):
            continue
        out.append(code[last: tok.start[1]] + prefix + other + body + other)
        last = tok.end[1]
    return "".join(out) + code[last:]


def _requote(body: str, quote: str) -> str:
    """Escape unescaped ``quote`` characters of a non-raw, single-quoted body."""
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            out.append(body[i:i + 2])
            i += 2
            continue
        out.append("\\" + ch if ch == quote else ch)
        i += 1
    return "".join(out)


def _v(target: tuple[int, int]) -> str:
    return f"{target[0]}.{target[1]}"
