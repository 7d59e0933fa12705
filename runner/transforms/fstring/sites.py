"""Convert one site — ``"..." % operand`` or ``"...".format(...)`` — into f-string nodes.

Each function returns the replacement node or raises NotConvertible with the reason;
facts come from the original nodes (qualified-name metadata), code from the updated
ones (inner sites already converted).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
import libcst as cst

from runner.transforms.fstring.braces import Numbering, parse_braces
from runner.transforms.fstring.exprs import Operand, Oracle, is_pure, operand_of
from runner.transforms.fstring.percent import INTEGER, NUMERIC, Directive, directive_field, parse_percent
from runner.transforms.fstring.pieces import Expr, Field, NotConvertible, Piece
from runner.transforms.fstring.render import Literal, inline_text, render_fstring


@dataclass(frozen=True, slots=True)
class SiteContext:
    """What converting one site needs: the module, the type oracle, the site's position, and the assumptions allowed."""

    module: cst.Module
    oracle: Oracle
    target: tuple[int, int]
    assume_not_tuple: bool = False  #: ``"%s" % x`` for any x (x a tuple would format differently)
    assume_numbers: bool = False  #: a ``%d %x %f``... operand of unknown type is an int (a float)
    assumed: list[str] = field(default_factory=list)  #: what each converted site took for granted, for warnings


def convert_percent(original: cst.BinaryOperation, updated: cst.BinaryOperation, sc: SiteContext) -> cst.BaseExpression:
    """``"..." % operand`` → f-string (see :mod:`.percent` for the semantics kept)."""
    parts = _parts(updated.left, "%")
    parsed = [parse_percent(lit.body) for _, lit in parts]
    directives = [p for pieces in parsed for p in pieces if isinstance(p, Directive)]
    if not directives:
        raise NotConvertible("no %-directive: nothing to convert")
    operands = _percent_operands(original.right, updated.right, directives, sc)
    uses: list[int | str] = []

    def resolve(d: Directive) -> Field:
        ref = d.key if d.key is not None else len(uses)
        operand = operands[ref]
        uses.append(ref)
        kind = operand.kind
        if not kind and sc.assume_numbers and d.conv in NUMERIC:
            kind = "assumed int" if d.conv in INTEGER else "assumed float"
            wanted = "an int" if d.conv in INTEGER else "an int or a float"
            sc.assumed.append(f"`{operand.expr.code}` is {wanted} (assume_numbers)")
        field = directive_field(d, ref, kind, operand.standard or sc.target >= (3, 11))
        return replace(field, ref=operand.expr)

    resolved = [[resolve(p) if isinstance(p, Directive) else p for p in pieces] for pieces in parsed]
    _check_uses(list(operands.items()), uses)
    return _rebuild(updated.left, parts, resolved, "%", sc, updated)


def _percent_operands(node: cst.BaseExpression, updated: cst.BaseExpression, directives: list[Directive],
                      sc: SiteContext) -> dict[int | str, Operand]:
    keyed = [d.key is not None for d in directives]
    if any(keyed):
        if not all(keyed):
            raise NotConvertible("mixes %(name)s and positional directives")
        return _mapping_operands(node, updated, {d.key for d in directives if d.key is not None}, sc)
    if isinstance(node, cst.Tuple) and isinstance(updated, cst.Tuple):
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            raise NotConvertible("*args in the operand tuple")
        values = [(e.value, u.value) for e, u in zip(node.elements, updated.elements)]
    elif isinstance(node, cst.Name) and sc.oracle.tuple_length(node) == len(directives) > 1:
        # a name every binding of which is a tuple of that length: ``"%s=%s" % pair`` → pair[0], pair[1]
        base = operand_of(node, updated, sc.module, sc.oracle)
        return {i: Operand(replace(base.expr, accessors=((False, i),)), "", True, False, True)
                for i in range(len(directives))}
    elif operand_of(node, updated, sc.module, sc.oracle).not_tuple:
        values = [(node, updated)]
    elif sc.assume_numbers and len(directives) == 1 and directives[0].conv in NUMERIC:
        values = [(node, updated)]  # taken for a number, so not a tuple (the number is recorded)
    elif sc.assume_not_tuple and len(directives) == 1:
        values = [(node, updated)]
        sc.assumed.append(f"`{sc.module.code_for_node(node).strip()}` is never a tuple (assume_not_tuple)")
    else:
        raise NotConvertible("the operand is not a tuple literal and not provably a single non-tuple value")
    if len(values) != len(directives):
        raise NotConvertible(f"{len(directives)} directive(s) for {len(values)} value(s)")
    return {i: operand_of(o, u, sc.module, sc.oracle) for i, (o, u) in enumerate(values)}


def _mapping_operands(node: cst.BaseExpression, updated: cst.BaseExpression, keys: set[str],
                      sc: SiteContext) -> dict[int | str, Operand]:
    pairs: list[tuple[str, cst.BaseExpression, cst.BaseExpression]] = []
    if isinstance(node, cst.Dict) and isinstance(updated, cst.Dict):
        for e, u in zip(node.elements, updated.elements):
            if not isinstance(e, cst.DictElement) or not isinstance(u, cst.DictElement):
                raise NotConvertible("**mapping inside the operand dict")
            key = _str_value(e.key)
            if key is None:
                raise NotConvertible("a key of the operand dict is not a string literal")
            pairs.append((key, e.value, u.value))
    elif isinstance(node, cst.Call) and isinstance(updated, cst.Call) and sc.oracle.builtin(node.func) == "dict":
        for a, u in zip(node.args, updated.args):
            if a.keyword is None or a.star:
                raise NotConvertible("dict(...) operand with positional or ** arguments")
            pairs.append((a.keyword.value, a.value, u.value))
    elif isinstance(node, (cst.Name, cst.Attribute)) and is_pure(node):
        base = operand_of(node, updated, sc.module, sc.oracle)
        return {k: Operand(replace(base.expr, accessors=((False, k),)), "", True, False, True) for k in keys}
    else:
        raise NotConvertible("%(name)s operand is not a dict literal, dict(...) or a name")
    operands: dict[int | str, Operand] = {}
    for key, o, u in pairs:
        if key in operands:
            raise NotConvertible(f"key {key!r} repeated in the operand dict")
        operands[key] = operand_of(o, u, sc.module, sc.oracle)
    missing = sorted(keys - set(operands))
    if missing:
        raise NotConvertible(f"no value for %({missing[0]})s in the operand dict")
    return operands


def convert_format(original: cst.Call, updated: cst.Call, sc: SiteContext) -> cst.BaseExpression:
    """``"...".format(...)`` → f-string."""
    func = updated.func
    assert isinstance(func, cst.Attribute)
    if any(a.star for a in original.args):
        raise NotConvertible("*args or **kwargs in the call")
    if _has_comment(updated, sc.module):
        raise NotConvertible("a comment inside the call would be lost")
    operands: dict[int | str, Operand] = {}
    position = 0
    for a, u in zip(original.args, updated.args):
        key: int | str = a.keyword.value if a.keyword is not None else position
        position += a.keyword is None
        operands[key] = operand_of(a.value, u.value, sc.module, sc.oracle)
    parts = _parts(func.value, "{}")
    numbering = Numbering()
    parsed = [parse_braces(lit.body, numbering) for _, lit in parts]
    uses: list[int | str] = []

    def resolve(piece: Piece) -> Piece:
        if isinstance(piece, str):
            return piece
        ref = piece.ref
        assert not isinstance(ref, Expr)
        if ref not in operands:
            raise NotConvertible(f"no argument for field {{{ref}}}")
        uses.append(ref)
        expr = replace(operands[ref].expr, accessors=piece.accessors)
        return replace(piece, ref=expr, spec=tuple(resolve(p) for p in piece.spec))

    resolved = [[resolve(p) for p in pieces] for pieces in parsed]
    if not uses:
        raise NotConvertible("no replacement field: nothing to convert")
    _check_uses(list(operands.items()), uses)
    return _rebuild(func.value, parts, resolved, "{}", sc, updated)


def _check_uses(operands: list[tuple[int | str, Operand]], uses: list[int | str]) -> None:
    """Arguments are evaluated once, in call order; the f-string evaluates fields in
    text order. Refuse when that difference is observable."""
    impure_order = [k for k, o in operands if not o.pure]
    for key, operand in operands:
        if operand.pure:
            continue
        count = uses.count(key)
        if count > 1:
            raise NotConvertible(f"argument `{operand.expr.code}` may have side effects and is used {count} times")
        if count == 0:
            raise NotConvertible(f"argument `{operand.expr.code}` may have side effects and is not used")
    seen = [k for k in uses if k in impure_order]
    if seen != impure_order:
        raise NotConvertible("the fields use arguments with side effects in another order than the call evaluates them")


def _parts(node: cst.BaseExpression, specials: str) -> list[tuple[cst.SimpleString, Literal]]:
    """The literals of a (possibly implicitly concatenated) format string."""
    flat: list[cst.BaseExpression] = []
    _flatten(node, flat)
    out = []
    for part in flat:
        if not isinstance(part, cst.SimpleString):
            raise NotConvertible("the format string contains an f-string part")
        prefix, quote = part.prefix, part.quote
        if "b" in prefix.lower():
            raise NotConvertible("bytes have no f-string form")
        body = part.value[len(prefix) + len(quote): -len(quote)]
        lit = Literal(prefix, quote, body)
        if not lit.raw:
            _check_escapes(part, body, specials)
        out.append((part, lit))
    return out


def _flatten(node: cst.BaseExpression, out: list[cst.BaseExpression]) -> None:
    if isinstance(node, cst.ConcatenatedString):
        _flatten(node.left, out)
        _flatten(node.right, out)
    else:
        out.append(node)


def _check_escapes(part: cst.SimpleString, body: str, specials: str) -> None:
    if "\\N{" in body:
        raise NotConvertible("a \\N{...} escape in the format string")
    value = part.evaluated_value
    chars = specials if specials == "%" else "{}"
    if any(value.count(c) != body.count(c) for c in chars):
        raise NotConvertible("an escape sequence spells a format character")


def _rebuild(node: cst.BaseExpression, parts: list[tuple[cst.SimpleString, Literal]],
             resolved: list[list[Piece]], specials: str, sc: SiteContext,
             outer: cst.BaseExpression) -> cst.BaseExpression:
    mapping: dict[int, cst.BaseExpression] = {}
    for (part, lit), pieces in zip(parts, resolved):
        if not any(c in lit.body for c in specials):
            continue
        mapping[id(part)] = _part_node(lit, pieces, sc)
    new = _replace_parts(node, mapping)
    lpar = list(outer.lpar) + list(new.lpar)
    rpar = list(new.rpar) + list(outer.rpar)
    return new.with_changes(lpar=lpar, rpar=rpar)


def _part_node(lit: Literal, pieces: list[Piece], sc: SiteContext) -> cst.BaseExpression:
    if all(isinstance(p, str) or inline_text(p) is not None for p in pieces):
        text = "".join(p if isinstance(p, str) else inline_text(p) or "" for p in pieces)
        text = text.replace("{{", "{").replace("}}", "}")
        return cst.SimpleString(f"{lit.prefix}{lit.quote}{text}{lit.quote}")
    code = render_fstring(lit, pieces, sc.target)
    try:
        new = cst.parse_expression(code)
        if sc.target < (3, 12):
            ast.parse(code, mode="eval")
    except Exception as exc:
        raise NotConvertible(f"the f-string does not parse ({type(exc).__name__}): {code}") from None
    return new


def _replace_parts(node: cst.BaseExpression, mapping: dict[int, cst.BaseExpression]) -> cst.BaseExpression:
    if isinstance(node, cst.ConcatenatedString):
        left = _replace_parts(node.left, mapping)
        right = _replace_parts(node.right, mapping)
        return node.with_changes(left=left, right=right)
    new = mapping.get(id(node), node)
    if new is not node:
        return new.with_changes(lpar=node.lpar, rpar=node.rpar)
    return node


def _has_comment(node: cst.CSTNode, module: cst.Module) -> bool:
    found: list[bool] = []

    class _Finder(cst.CSTVisitor):
        def visit_Comment(self, comment: cst.Comment) -> None:
            found.append(True)

    node.visit(_Finder())
    return bool(found)



def _str_value(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None
