"""Build a replacement: substitute bound nodes into the template tree.

Single metavariables are replaced by the bound node itself (its own comments and
parentheses included) and parenthesised where the template slot requires it;
``$$$`` metavariables are spliced into the template's sequence, keeping the captured
elements' own separators (so comments after them survive) except on the last element,
which takes the template's. When ``$$$args`` took all arguments of a call and is again
all arguments of a call, the original layout after ``(`` is kept too.
"""
from __future__ import annotations

import ast
from typing import Mapping

import libcst as cst

from .fields import field_names, is_node_type
from .match import SeqBinding
from .names import NOT_EXPRESSION_FIELDS
from .pattern import Template
from .placeholders import mv_name, params_mv_name, seq_mv_name
from .precedence import fix_children


class ReplacementError(Exception):
    """The bound code does not fit the template at this site (the site is left as is)."""


_NAME_SLOTS = NOT_EXPRESSION_FIELDS  # name slots: a substituted node there must be a Name
_DICT_ENTRIES = (cst.DictElement, cst.StarredDictElement)


def _clone(value: object) -> object:
    if isinstance(value, SeqBinding):
        whole = value.whole_of.deep_clone() if value.whole_of is not None else None
        return SeqBinding([n.deep_clone() for n in value], whole_of=whole, entries=value.entries)
    if isinstance(value, cst.CSTNode):
        return value.deep_clone()
    return value


def _separator_field(slot: cst.CSTNode) -> str | None:
    for name in ("comma", "semicolon"):
        if name in field_names(type(slot)):
            return name
    return None


def _keeps_layout(sep: object) -> bool:
    """A separator followed by a line break or a comment: keep it where it is."""
    return isinstance(sep, (cst.Comma, cst.Semicolon)) and isinstance(sep.whitespace_after, cst.ParenthesizedWhitespace)


def _convert(item: cst.CSTNode, slot: cst.CSTNode) -> list[cst.CSTNode]:
    """``item`` (a bound element) adapted to the kind of sequence ``slot`` belongs to."""
    if isinstance(slot, cst.Arg):
        if isinstance(item, cst.Arg):
            return [item]
        if isinstance(item, cst.Element):
            return [cst.Arg(value=item.value, comma=item.comma)]
        if isinstance(item, cst.StarredElement):
            return [cst.Arg(value=item.value, star="*", comma=item.comma)]
    elif isinstance(slot, cst.Element):
        if isinstance(item, (cst.Element, cst.StarredElement)):
            return [item]
        if isinstance(item, cst.Arg) and item.keyword is None and item.star in ("", "*"):
            cls = cst.StarredElement if item.star else cst.Element
            return [cls(value=item.value, comma=item.comma)]
    elif isinstance(slot, cst.StarredDictElement):  # ``$$$items`` among a dict's entries
        if isinstance(item, _DICT_ENTRIES):
            return [item]
        if isinstance(item, (cst.Element, cst.StarredElement)):
            raise ReplacementError("set elements and dict entries cannot be mixed in one display")
    elif isinstance(slot, cst.SimpleStatementLine):
        if isinstance(item, cst.BaseStatement):
            return [item]
        if isinstance(item, cst.BaseSmallStatement):
            return [cst.SimpleStatementLine(body=[item])]
    elif isinstance(slot, cst.Expr):
        if isinstance(item, cst.BaseSmallStatement):
            return [item]
        if isinstance(item, cst.SimpleStatementLine):
            return list(item.body)
    elif isinstance(slot, cst.Param):
        if isinstance(item, cst.Param) and item.star in ("", cst.MaybeSentinel.DEFAULT):
            return [item]
    elif type(item) is type(slot):
        return [item]
    code = cst.Module(body=[]).code_for_node(item).strip().rstrip(",;").strip()
    raise ReplacementError(f"`{code}` ({type(item).__name__}) does not fit where the template has a {type(slot).__name__}")


class _Substituter(cst.CSTTransformer):
    def __init__(self, bindings: Mapping[str, object], plain: bool = False) -> None:
        super().__init__()
        self.bindings = bindings
        self.plain = plain  # (``precedence.needs_parens``)
        self.used: set[str] = set()
        self.fresh: set[int] = set()

    def _take(self, name: str) -> object:
        value = self.bindings[name]
        if name in self.used:
            value = _clone(value)
        self.used.add(name)
        return value

    def on_visit(self, node: cst.CSTNode) -> bool:
        """True: every node is entered (the default looks up ``visit_<Node>`` on each)."""
        return True

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        """Nothing (the default looks up ``visit_<Node>_<attribute>`` on every field)."""

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        """Nothing (the default looks up ``leave_<Node>_<attribute>`` on every field)."""

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        node = updated_node
        tp = type(node)
        name = mv_name(node) if tp is cst.Name else None
        if name is not None:
            value = self._take(name)
            if not isinstance(value, cst.CSTNode):
                raise ReplacementError(f"${name} is not bound to a single node")
            self.fresh.add(id(value))
            return value
        if tp is cst.Parameters:
            name = params_mv_name(node)  # type: ignore[arg-type]
            if name is not None and isinstance(getattr(self.bindings[name], "whole_of", None), cst.Parameters):
                return self._take(name).whole_of  # type: ignore[attr-defined]
        if tp is cst.Call and len(node.args) == 1:  # type: ignore[attr-defined]
            name = seq_mv_name(node.args[0])
            whole = getattr(self.bindings.get(name or ""), "whole_of", None)
            if name is not None and isinstance(whole, cst.Call):
                args = tuple(self._take(name))  # type: ignore[arg-type]
                node = node.with_changes(args=args, whitespace_before_args=whole.whitespace_before_args)
                return fix_children(node, self.fresh, self.plain)
        if tp is cst.Set:
            node = self._set_or_dict(node)  # type: ignore[arg-type]
        node = self._check_name_slots(self._expand(node))
        return fix_children(node, self.fresh, self.plain)

    def _set_or_dict(self, node: cst.Set) -> cst.CSTNode:
        """A template's ``{$$$items}`` whose ``$$$`` bind dict entries is a dict display."""
        entries = False
        for elem in node.elements:
            name = seq_mv_name(elem)
            value = self.bindings.get(name) if name is not None else None
            if isinstance(value, SeqBinding):
                entries = entries or value.entries
        if not entries:
            return node
        if any(seq_mv_name(elem) is None for elem in node.elements):
            raise ReplacementError("set elements and dict entries cannot be mixed in one display")
        slots = [cst.StarredDictElement(value=e.value, comma=e.comma) for e in node.elements]  # type: ignore[attr-defined]
        return cst.Dict(elements=slots, lbrace=node.lbrace, rbrace=node.rbrace, lpar=node.lpar, rpar=node.rpar)

    def _check_name_slots(self, node: cst.CSTNode) -> cst.CSTNode:
        for field in _NAME_SLOTS.get(type(node), ()):
            child = getattr(node, field)
            if id(child) not in self.fresh:
                continue
            if not isinstance(child, cst.Name):
                raise ReplacementError(f"a {type(child).__name__} cannot be used as a name here")
            self.fresh.discard(id(child))
            if child.lpar:
                node = node.with_changes(**{field: child.with_changes(lpar=(), rpar=())})
        return node

    def _expand(self, node: cst.CSTNode) -> cst.CSTNode:
        if isinstance(node, cst.SimpleStatementLine) and seq_mv_name(node) is not None:
            return node  # a line that is only ``$$$stmts``: expanded by its block
        changes = {}
        for field in field_names(type(node)):
            value = getattr(node, field)
            if not isinstance(value, (tuple, list)):
                continue
            if not any(is_node_type(type(e)) and seq_mv_name(e) is not None for e in value):
                continue
            out: list[cst.CSTNode] = []
            for elem in value:
                name = seq_mv_name(elem) if is_node_type(type(elem)) else None
                if name is None:
                    out.append(elem)
                    continue
                items = [c for item in self._take(name) for c in _convert(item, elem)]  # type: ignore[union-attr]
                out.extend(_separate(items, elem))
            sep_field = _separator_field(value[-1])
            if out and sep_field is not None and type(out[-1]) is type(value[-1]):
                if not _keeps_layout(getattr(out[-1], sep_field)):  # the template decides the trailing separator
                    out[-1] = out[-1].with_changes(**{sep_field: getattr(value[-1], sep_field)})
            changes[field] = _finish(node, field, out)
        return node.with_changes(**changes) if changes else node


def _separate(items: list[cst.CSTNode], slot: cst.CSTNode) -> list[cst.CSTNode]:
    sep_field = _separator_field(slot)
    if sep_field is None or not items:
        return items
    out = []
    for k, item in enumerate(items):
        own = getattr(item, sep_field)
        if k == len(items) - 1 and not _keeps_layout(own):
            item = item.with_changes(**{sep_field: getattr(slot, sep_field)})
        out.append(item)
    return out


def _finish(node: cst.CSTNode, field: str, out: list[cst.CSTNode]) -> list[cst.CSTNode]:
    if isinstance(node, cst.Tuple) and field == "elements" and len(out) == 1:
        if not isinstance(out[0].comma, cst.Comma):  # type: ignore[attr-defined]
            out[0] = out[0].with_changes(comma=cst.Comma())
    elif isinstance(node, cst.Tuple) and field == "elements" and out:  # ``($$$xs,)``: no trailing comma once 2+
        last = out[-1].comma  # type: ignore[attr-defined]
        if isinstance(last, cst.Comma) and not _keeps_layout(last):
            out[-1] = out[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if isinstance(node, cst.Set) and field == "elements" and not out:
        raise ReplacementError("an empty set has no display (`{}` is a dict)")
    if isinstance(node, cst.Subscript) and field == "slice" and not out:
        raise ReplacementError("a subscript needs at least one element")
    if isinstance(node, cst.SimpleStatementLine) and field == "body" and not out:
        out = [cst.Pass()]
    return out


def build_expression(template: Template, bindings: Mapping[str, object], matched: cst.BaseExpression,
                     plain: bool = False) -> cst.BaseExpression:
    """The replacement expression for ``matched`` (``bindings``: its match's), keeping the
    parentheses around it. Raises ReplacementError when the bound code does not fit the
    template (a node where a name must stand, an element of the wrong kind, an f-string
    it would break). ``bindings`` are not changed: a value used twice is cloned.
    ``plain``: neither the template nor the bound code holds ``await``, ``yield`` or
    ``async`` (``precedence.plain_text``; the operands' checks are cheaper)."""
    assert template.expression is not None
    new = template.expression.visit(_Substituter(bindings, plain))
    if not isinstance(new, cst.BaseExpression):
        raise ReplacementError("the replacement is not an expression")
    if matched.lpar:
        new = new.with_changes(lpar=[*matched.lpar, *new.lpar], rpar=[*new.rpar, *matched.rpar])
    if template.has_fstring:
        _verify(new)
    return new


def _verify(node: cst.CSTNode) -> None:
    """A template with an f-string may get quotes it cannot hold from the bound code."""
    code = cst.Module(body=[]).code_for_node(node)
    try:  # Python's parser: the running Python must accept it (f-string quoting changed in 3.12)
        if isinstance(node, cst.BaseExpression):
            ast.parse(f"(\n{code}\n)", mode="eval")
        else:
            ast.parse(code)
    except SyntaxError:
        raise ReplacementError("the bound code does not fit in the template's f-string") from None


def build_statements(template: Template, bindings: Mapping[str, object], plain: bool = False) -> list[cst.BaseStatement]:
    """The replacement statements (a template expression becomes an expression statement;
    ``[]`` for an empty template). Raises ReplacementError as :func:`build_expression`;
    ``plain`` as there."""
    if template.expression is not None:
        statements: tuple[cst.BaseStatement, ...] = (cst.SimpleStatementLine([cst.Expr(template.expression)]),)
    else:
        statements = template.statements
    module = cst.Module(body=statements).visit(_Substituter(bindings, plain))
    if template.has_fstring:
        _verify(module)
    return list(module.body)  # type: ignore[attr-defined]
