"""``transform: fstring``: ``"..." % x`` and ``"...".format(...)`` → f-strings, safe cases only.

A site is converted only when the f-string provably behaves the same; every other
site is left exactly as written and reported as a gap with the reason, and one site
that cannot be converted never costs the rest of the file.

Converted: ``%`` with ``s r a d i u f F e E g G x X o c``, flags, width and precision,
``%%``, a tuple operand, ``%(name)s`` with a dict literal, ``dict(...)`` or a name
(``d["name"]``), or one operand provably not a tuple (a literal, an f-string, a call
to ``str``/``repr``/``len``/``int``...); ``.format`` with automatic, numbered and
keyword fields, ``.attr`` / ``[key]`` accessors, conversions, specs (nested too),
``{{``/``}}``, implicit concatenation and multi-line calls.

Semantics kept (:mod:`.percent`): ``%d`` only for provable ints (a float would be
truncated), ``%s`` with a width or precision keeps ``!s`` unless the operand is
provably a str, alignment is spelled out. ``.format`` evaluates its arguments once
and in call order, an f-string evaluates its fields in text order: an argument with
side effects (anything but names, attributes and literals) used twice, not used, or
out of order is a gap. Not converted either: ``*args``/``**kwargs``, a format string
that is not a literal, bytes, comments inside the call, expressions the target
Python cannot hold in an f-string (:mod:`.render`), results longer than
``max_line_length``.

Layout: :mod:`.pieces` (the intermediate form), :mod:`.percent` and :mod:`.braces`
(the two parsers), :mod:`.exprs` (facts about operands), :mod:`.render` (spelling for
the target), :mod:`.sites` (one site), :mod:`.transform` (the visitor).
"""
from runner.transforms.fstring.transform import FstringTransform, parse_target

__all__ = ["FstringTransform", "parse_target"]
