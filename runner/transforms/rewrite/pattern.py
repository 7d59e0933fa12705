"""Compile pattern and replacement texts into libcst trees with placeholders.

A *pattern* is one Python expression or one statement (a small statement such as
``assert $x`` or a compound one such as ``with $cm: $$$body``); a *template* (the
``replace:`` text) is an expression or any number of statements (``""`` deletes).
"""
from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
from dataclasses import dataclass, field
from typing import Mapping

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .errors import PatternError
from .placeholders import Placeholders, mv_name, mvs_name
from .text import ANONYMOUS, MVS_PREFIX, Occurrence, PreparedText, prepare, offset_to_position

EXPRESSION = "expression"  #: matches any expression node
STATEMENT = "statement"  #: matches small statements (assert, del, x = y, expression statements, ...)
COMPOUND = "compound"  #: matches compound statements (if, with, def, ...)


@dataclass(frozen=True, eq=False)
class Pattern:
    """A compiled ``match`` / ``expect_absent`` pattern."""

    text: str
    kind: str  #: EXPRESSION | STATEMENT | COMPOUND
    node: cst.CSTNode  #: the pattern tree (placeholders are Name nodes)
    metavars: Mapping[str, bool]  #: name -> True for $$$name, False for $name
    needles: tuple[str, ...]  #: identifiers a file must contain for a match
    prepared: PreparedText = field(repr=False)


@dataclass(frozen=True, eq=False)
class Template:
    """A compiled ``replace`` text: an expression, or a list of statements."""

    text: str
    expression: cst.BaseExpression | None
    statements: tuple[cst.BaseStatement, ...]
    metavars: Mapping[str, bool]
    prepared: PreparedText = field(repr=False)
    has_fstring: bool = False  #: replacements are then checked to parse (quotes may clash)


# Parsing ---------------------------------------------------------------------------


def _syntax_error(prepared: PreparedText, err: cst.ParserSyntaxError) -> PatternError:
    try:
        ast.parse(prepared.text)
    except SyntaxError as e:
        line, column, detail = e.lineno or 1, e.offset or 1, e.msg
    else:  # only libcst rejects it: use its message
        m = re.search(r"error at (\d+):(\d+): (.*)", err.message)
        if m:
            line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3)
        else:
            line, column, detail = err.raw_line, err.raw_column + 1, err.message
    line, column = prepared.original_position(line, column)
    return PatternError(detail, headline="invalid pattern", line=line, column=column)


@dataclass
class _Bracket:
    """An open bracket while scanning a pattern's tokens (see ``_dict_entry_offsets``)."""

    brace: bool
    is_dict: bool = False
    lambdas: int = 0  #: ``lambda`` keywords of the current element whose ``:`` is still to come
    element: list = field(default_factory=list)  #: the tokens of the current element
    sequences: list = field(default_factory=list)  #: (line, col) of elements that are a lone ``$$$``

    def close_element(self) -> None:
        el = self.element
        if len(el) == 1 and el[0].type == tokenize.NAME and el[0].string.startswith(MVS_PREFIX):
            self.sequences.append(el[0].start)
        self.element, self.lambdas = [], 0

    def add(self, tok: tokenize.TokenInfo) -> None:
        if tok.type == tokenize.NAME and tok.string == "lambda":
            self.lambdas += 1
        elif tok.type == tokenize.OP and tok.string == ":":
            if self.lambdas:
                self.lambdas -= 1
            else:
                self.is_dict = True
        elif tok.type == tokenize.OP and tok.string == "**" and not self.element:
            self.is_dict = True
        self.element.append(tok)


_LAYOUT_TOKENS = (tokenize.NL, tokenize.COMMENT, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT)


def _dict_entry_offsets(text: str) -> list[int]:
    """Offsets of the ``$$$`` placeholders that are whole entries of a dict display."""
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    found: list[int] = []
    stack: list[_Bracket] = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in _LAYOUT_TOKENS:
            continue
        top = stack[-1] if stack else None
        if tok.type == tokenize.OP and tok.string in "([{":
            if top is not None:
                top.element.append(tok)
            stack.append(_Bracket(brace=tok.string == "{"))
        elif top is not None and tok.type == tokenize.OP and tok.string in ")]},":
            top.close_element()
            if tok.string != ",":
                stack.pop()
                if top.brace and top.is_dict:
                    found.extend(starts[line - 1] + col for line, col in top.sequences)
                if stack:
                    stack[-1].element.append(tok)
        elif top is not None:
            top.add(tok)
    return found


def _dict_entries(prepared: PreparedText) -> PreparedText:
    """``$$$rest`` as an entry of a dict display (``{$k: $v, $$$rest}``) becomes
    ``**$$$rest`` so that the text parses: a StarredDictElement slot that matching and
    substitution treat as the sequence. ``{$$$items}`` alone stays a set display (which
    matches dicts too). Positions still map to the text as written."""
    if MVS_PREFIX not in prepared.text:
        return prepared
    text = prepared.text
    try:
        offsets = sorted(_dict_entry_offsets(text))
    except (tokenize.TokenError, SyntaxError):
        return prepared  # the parser reports what is wrong
    if not offsets:
        return prepared
    out: list[str] = []
    origin: list[int] = []
    last = 0
    for at in offsets:
        out.append(text[last:at] + "**")
        origin.extend(prepared.origin[last:at] + (prepared.origin[at],) * 2)
        last = at
    out.append(text[last:])
    origin.extend(prepared.origin[last:])  # (its extra end entry included)
    return PreparedText(prepared.original, "".join(out), tuple(origin), prepared.occurrences)


def _parse(prepared: PreparedText) -> cst.BaseExpression | cst.Module:
    text = prepared.text
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        pass
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as err:
        raise _syntax_error(prepared, err) from None
    body = module.body
    if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine):
        small = body[0].body
        if len(small) == 1 and isinstance(small[0], cst.Expr):
            return small[0].value  # an expression with a trailing comment
    return module


def _position_in(prepared: PreparedText, module: cst.Module, node: cst.CSTNode) -> tuple[int, int]:
    pos = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)[node].start
    return prepared.original_position(pos.line, pos.column + 1)


def _occurrence_of(prepared: PreparedText, names: list[cst.Name], node: cst.Name) -> Occurrence:
    occ = prepared.occurrences
    for i, n in enumerate(names):
        if n is node and i < len(occ):
            return occ[i]
    key = mv_name(node) or mvs_name(node)
    return next((o for o in occ if o.name == key), Occurrence(key or "?", False, 0))


def _error_at(prepared: PreparedText, occ: Occurrence, headline: str, detail: str) -> PatternError:
    line, column = offset_to_position(prepared.original, occ.offset)
    return PatternError(detail, headline=headline, line=line, column=column)


def _metavars(prepared: PreparedText, tree: cst.CSTNode) -> tuple[dict[str, bool], list[cst.Name]]:
    finder = Placeholders()
    tree.visit(finder)
    kinds: dict[str, bool] = {}
    for node in finder.names:
        occ = _occurrence_of(prepared, finder.names, node)
        seq_name = mvs_name(node)
        if seq_name is not None and id(node) not in finder.in_sequence:
            raise _error_at(
                prepared,
                occ,
                "invalid pattern",
                f"{occ.spelling} stands for a sequence and can only be used as call arguments, "
                "elements, dict entries, parameters, decorators, with-items or statements",
            )
        name = seq_name if seq_name is not None else mv_name(node)
        assert name is not None
        seq = seq_name is not None
        if name in kinds and kinds[name] != seq and name != ANONYMOUS:
            raise _error_at(prepared, occ, "invalid pattern", f"${name} is used both as ${name} and as $$${name}")
        kinds.setdefault(name, seq)
    return kinds, finder.names


def needles_of(tree: cst.CSTNode) -> tuple[str, ...]:
    """Identifiers and attribute names of a pattern (no metavariables, no keywords)."""
    found: dict[str, None] = {}

    class _Names(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            v = node.value
            if mv_name(node) is None and mvs_name(node) is None and not keyword.iskeyword(v):
                found.setdefault(v)

        def on_leave(self, original_node: cst.CSTNode) -> None:
            """Nothing (the default looks up ``leave_<Node>`` on every node)."""

        def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
            """Nothing (the default looks up ``visit_<Node>_<attribute>`` on every field)."""

        def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
            """Nothing (the default looks up ``leave_<Node>_<attribute>`` on every field)."""

    tree.visit(_Names())
    return tuple(found)


def compile_match(text: str) -> Pattern:
    """Compile a pattern: one expression, one small statement or one compound statement.
    Raises PatternError for an empty text, a text that does not parse, more than one
    statement, a stray ``$`` and a misplaced or twice-kinded metavariable; errors carry
    no rule index/field (see PatternError.located)."""
    prepared = _dict_entries(prepare(text))
    if not prepared.text.strip():
        raise PatternError("empty pattern", headline="invalid pattern", line=1, column=1)
    tree = _parse(prepared)
    if isinstance(tree, cst.Module):
        if not tree.body:
            raise PatternError("empty pattern", headline="invalid pattern", line=1, column=1)
        extra: cst.CSTNode | None = tree.body[1] if len(tree.body) > 1 else None
        first = tree.body[0]
        if extra is None and isinstance(first, cst.SimpleStatementLine) and len(first.body) > 1:
            extra = first.body[1]
        if extra is not None:
            line, column = _position_in(prepared, tree, extra)
            raise PatternError(
                "a pattern must be a single expression or statement",
                headline="invalid pattern",
                line=line,
                column=column,
            )
        if isinstance(first, cst.SimpleStatementLine):
            kind, node = STATEMENT, first.body[0]
        else:
            kind, node = COMPOUND, first
    else:
        kind, node = EXPRESSION, tree
    metavars, _ = _metavars(prepared, node)
    return Pattern(text, kind, node, metavars, needles_of(node), prepared)


def compile_pattern(text: str) -> Pattern:
    """Compile a pattern (e.g. an ``expect_absent`` entry). Raises PatternError."""
    return compile_match(text)


def compile_template(text: str, bound: Mapping[str, bool]) -> Template:
    """Compile a ``replace`` text against the metavariables ``bound`` by its match (name ->
    True for ``$$$name``); ``""`` compiles to a template of no statements. Raises
    PatternError as :func:`compile_match` does, and for ``$_``, a metavariable the match
    does not bind and one used with the other kind than the match's."""
    prepared = _dict_entries(prepare(text))
    if not prepared.text.strip():
        return Template(text, None, (), {}, prepared)
    tree = _parse(prepared)
    if mvs_name(tree) is not None:  # ``$$$body`` alone: the statements it binds
        tree = cst.Module(body=[cst.SimpleStatementLine([cst.Expr(tree)])])  # type: ignore[arg-type]
    metavars, names = _metavars(prepared, tree)
    for node in names:
        occ = _occurrence_of(prepared, names, node)
        if occ.name == ANONYMOUS:
            raise _error_at(prepared, occ, "invalid replacement", f"{occ.spelling} matches anything and cannot be used in a replacement")
        if occ.name not in bound:
            known = ", ".join(("$$$" if s else "$") + n for n, s in bound.items() if n != ANONYMOUS) or "nothing"
            raise _error_at(
                prepared, occ, "unbound metavariable", f"{occ.spelling} is not bound by the match (it binds {known})"
            )
        if bound[occ.name] != occ.seq:
            want = ("$$$" if bound[occ.name] else "$") + occ.name
            raise _error_at(
                prepared, occ, "invalid replacement", f"{occ.spelling} does not fit the match, which binds {want}"
            )
    has_fstring = "f" in prepared.text.lower() and _contains(tree, cst.FormattedString)
    if isinstance(tree, cst.Module):
        return Template(text, None, tuple(tree.body), metavars, prepared, has_fstring)
    return Template(text, tree, (), metavars, prepared, has_fstring)


def _contains(tree: cst.CSTNode, kind: type) -> bool:
    found = False

    class _Has(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            nonlocal found
            found = found or isinstance(node, kind)
            return not found

    tree.visit(_Has())
    return found


def looks_like_pattern(text: str) -> bool:
    """Whether an ``expect_absent`` entry is a structural pattern rather than plain text.

    It is a pattern when it contains a metavariable (``$name`` or ``$$$name``), or when it
    parses as one Python expression containing a call, an attribute access or a
    subscript (``six.moves``, ``compat.ensure_text(x)``). Anything else (a bare name such
    as ``six``, prose, a fragment that does not parse) is plain text, searched as a
    substring.
    """
    if re.search(r"\$(\$\$)?[A-Za-z_]", text):
        return True
    try:
        tree = cst.parse_expression(text.strip())
    except (cst.ParserSyntaxError, ValueError):
        return False
    return _contains(tree, (cst.Call, cst.Attribute, cst.Subscript))  # type: ignore[arg-type]
