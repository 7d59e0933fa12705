"""Operator precedence: parenthesise a substituted expression where its slot requires.

``precedence(node)`` ranks how tightly an expression binds (atoms highest); each slot
(parent node type + field) requires a minimum rank, computed from the parent (e.g. its
operator). A child ranked below its slot's minimum is wrapped in parentheses.
"""
from __future__ import annotations

import libcst as cst

from .fields import IS_NODE, field_names, is_node_type

NAMED_EXPR = -1  # ``x := y`` always needs parentheses when substituted
LOW = 0  # yield, unparenthesised tuples: only in statement-level slots
LAMBDA, IFEXP, OR, AND, NOT, COMPARISON = 1, 2, 3, 4, 5, 6
UNARY, POWER, AWAIT, PRIMARY, ATOM = 13, 14, 15, 16, 17

_BINARY = {
    cst.BitOr: 7,
    cst.BitXor: 8,
    cst.BitAnd: 9,
    cst.LeftShift: 10,
    cst.RightShift: 10,
    cst.Add: 11,
    cst.Subtract: 11,
    cst.Multiply: 12,
    cst.Divide: 12,
    cst.FloorDivide: 12,
    cst.Modulo: 12,
    cst.MatrixMultiply: 12,
    cst.Power: POWER,
}
_FIXED = {
    cst.NamedExpr: NAMED_EXPR,
    cst.Yield: LOW,
    cst.GeneratorExp: LOW,  # only reached without its own parentheses
    cst.Lambda: LAMBDA,
    cst.IfExp: IFEXP,
    cst.Comparison: COMPARISON,
    cst.Await: AWAIT,
    cst.ConcatenatedString: AWAIT,  # "a" "b".x binds to "b": not a primary
    cst.Attribute: PRIMARY,
    cst.Call: PRIMARY,
    cst.Subscript: PRIMARY,
}
# Slots where a yield expression or a bare tuple may stand without parentheses.
_STATEMENT_SLOTS = {
    (cst.Expr, "value"),
    (cst.Assign, "value"),
    (cst.AugAssign, "value"),
    (cst.AnnAssign, "value"),
}
_TUPLE_SLOTS = _STATEMENT_SLOTS | {
    (cst.Return, "value"),
    (cst.For, "iter"),
    (cst.For, "target"),
    (cst.AssignTarget, "target"),
    (cst.Yield, "value"),
}
_FIELD_MIN = {
    (cst.Comparison, "left"): COMPARISON + 1,
    (cst.ComparisonTarget, "comparator"): COMPARISON + 1,
    (cst.Await, "expression"): PRIMARY,
    (cst.Attribute, "value"): PRIMARY,
    (cst.Call, "func"): PRIMARY,
    (cst.Subscript, "value"): PRIMARY,
    (cst.IfExp, "test"): OR,
    (cst.IfExp, "body"): OR,
    (cst.IfExp, "orelse"): LAMBDA,
    (cst.Lambda, "body"): LAMBDA,
    (cst.StarredElement, "value"): 7,
    (cst.StarredDictElement, "value"): 7,
    (cst.CompFor, "iter"): OR,
    (cst.CompIf, "test"): OR,
    (cst.FormattedStringExpression, "expression"): IFEXP,
}


def precedence(node: cst.CSTNode) -> int:
    """How tightly ``node`` binds, as it stands: ``NAMED_EXPR`` (lowest) to ``ATOM``
    (highest); a node with its own parentheses, and any node not ranked here (a name, a
    literal, a display), is an ``ATOM``; an unparenthesised tuple is ``LOW``."""
    if getattr(node, "lpar", None):
        return ATOM
    tp = type(node)
    if tp is cst.BinaryOperation:
        return _BINARY[type(node.operator)]  # type: ignore[attr-defined]
    if tp is cst.BooleanOperation:
        return AND if isinstance(node.operator, cst.And) else OR  # type: ignore[attr-defined]
    if tp is cst.UnaryOperation:
        return NOT if isinstance(node.operator, cst.Not) else UNARY  # type: ignore[attr-defined]
    if tp is cst.Tuple:
        return LOW  # without parentheses (checked above)
    return _FIXED.get(tp, ATOM)


def required(parent: cst.CSTNode, field: str, child: cst.CSTNode) -> int:
    """The minimum precedence ``child`` needs to stand unparenthesised in ``parent.field``:
    from the parent's operator (a right operand one rank above its left one, but ``**``
    binds to the right), from the slot (``_FIELD_MIN``), ``LOW`` where a bare tuple or a
    yield may stand, else ``LAMBDA``."""
    tp = type(parent)
    if tp is cst.BinaryOperation:
        p = _BINARY[type(parent.operator)]  # type: ignore[attr-defined]
        if p == POWER:
            return AWAIT if field == "left" else UNARY
        return p if field == "left" else p + 1
    if tp is cst.BooleanOperation:
        p = AND if isinstance(parent.operator, cst.And) else OR  # type: ignore[attr-defined]
        return p if field == "left" else p + 1
    if tp is cst.UnaryOperation:
        return NOT if isinstance(parent.operator, cst.Not) else UNARY  # type: ignore[attr-defined]
    if tp is cst.Arg and field == "value" and parent.star:  # type: ignore[attr-defined]
        return 7
    key = (tp, field)
    if key in _FIELD_MIN:
        return _FIELD_MIN[key]
    if isinstance(child, cst.Tuple) and key in _TUPLE_SLOTS:
        return LOW
    if isinstance(child, cst.Yield) and key in _STATEMENT_SLOTS:
        return LOW
    return LAMBDA


def needs_parens(parent: cst.CSTNode, field: str, child: cst.CSTNode, plain: bool = False) -> bool:
    """Whether ``child``, put in ``parent.field``, must be wrapped in parentheses: it ranks
    below what the slot requires, or it is an integer before ``.``, or (without its own
    parentheses) its source breaks lines only brackets allow. Never for a child that is
    not an expression, nor for a starred element. ``plain``: ``child`` surely holds no
    ``await``, ``yield`` nor ``async for`` (``plain_text`` of every text it comes from)."""
    if not isinstance(child, cst.BaseExpression) or isinstance(child, cst.StarredElement):
        return False
    if (type(parent), field) in ((cst.Attribute, "value"),) and isinstance(child, cst.Integer) and not child.lpar:
        return True  # ``1.real`` does not tokenize
    if not child.lpar and _breaks_lines_outside_brackets(child, plain):
        return True  # ``a and\n b`` was fine inside the matched call's parentheses, not in ``assert``
    return precedence(child) < required(parent, field, child)


def _breaks_lines_outside_brackets(node: cst.BaseExpression, plain: bool = False) -> bool:
    """Whether the node's source spans lines in a way only brackets make legal (rendered
    and compiled only when the structural pass below cannot tell it does not)."""
    if not _may_break_outside_brackets(node, plain):
        return False
    code = cst.Module([]).code_for_node(node)
    if "\n" not in code:
        return False
    try:
        compile(code, "<operand>", "eval")
    except SyntaxError:
        return True
    return False


# Node types whose fields all render between their own brackets.
_ENCLOSING = (cst.List, cst.Set, cst.Dict, cst.ListComp, cst.SetComp, cst.DictComp)
# Fields that render after a node's opening bracket (the rest inherit where they stand).
_INSIDE = {
    cst.Call: frozenset({"whitespace_before_args", "args"}),
    cst.Subscript: frozenset({"lbracket", "slice", "rbracket"}),
}
# Leaves whose text may hold a newline, and nodes that do not compile alone (``eval``).
_LINE_LEAVES = (cst.Newline, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine)
_CONTEXTUAL = (cst.Await, cst.Yield)


def plain_text(text: str) -> bool:
    """Whether ``text`` spells none of ``await``, ``yield``, ``async``: then no node parsed
    from it holds what compiles only in a function."""
    return "await" not in text and "yield" not in text and "async" not in text


def _may_break_outside_brackets(node: cst.CSTNode, plain: bool = False) -> bool:
    """``False`` only when ``node`` surely renders either on one line or with every line
    break between brackets of its own, and holds nothing that compiles only in a function
    (``await``, ``yield``, ``async for``): then its rendered code has no newline or
    compiles alone. ``True`` (undecided) otherwise. Reads fields; renders nothing.
    ``plain`` (it holds none of those): what lies between its brackets is not entered."""
    stack: list[tuple[object, bool]] = [(node, False)]
    nodes = IS_NODE
    while stack:
        current, inside = stack.pop()
        tp = type(current)
        if tp in _CONTEXTUAL or (tp is cst.CompFor and current.asynchronous):  # type: ignore[attr-defined]
            return True
        if not inside and (tp in _LINE_LEAVES or _multiline_text(current)):
            return True
        inner = inside or bool(getattr(current, "lpar", None)) or tp in _ENCLOSING
        within = _INSIDE.get(tp, ())
        for name in field_names(tp):
            value = getattr(current, name)
            vt = type(value)
            if vt is tuple or vt is list:
                flag = inner or name in within
                if not (flag and plain):
                    stack.extend((v, flag) for v in value if nodes.get(type(v)) or is_node_type(type(v)))
            elif nodes.get(vt) or is_node_type(vt):
                flag = inner or name in within
                if not (flag and plain):
                    stack.append((value, flag))
    return False


def _multiline_text(node: object) -> bool:
    text = getattr(node, "value", None)
    return type(text) is str and "\n" in text


def parenthesize(node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` inside one more pair of parentheses (outside those it has)."""
    return node.with_changes(lpar=[cst.LeftParen(), *node.lpar], rpar=[*node.rpar, cst.RightParen()])


def fix_children(parent: cst.CSTNode, fresh: set[int], plain: bool = False) -> cst.CSTNode:
    """Parenthesise the children of ``parent`` whose id is in ``fresh`` where needed.

    Only direct node fields are looked at (not sequences). The ids handled are removed
    from ``fresh`` (each fresh node has one parent). Returns ``parent`` itself when no
    child needed parentheses, else a copy with the wrapped children. ``plain``: as for
    ``needs_parens``.
    """
    changes = {}
    for field in field_names(type(parent)):
        child = getattr(parent, field)
        if id(child) in fresh and is_node_type(type(child)):
            fresh.discard(id(child))
            if needs_parens(parent, field, child, plain):
                changes[field] = parenthesize(child)  # type: ignore[arg-type]
    return parent.with_changes(**changes) if changes else parent
