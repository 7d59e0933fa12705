"""Rewrite precedence: a bound operand that spans lines gets parentheses where it needs them."""
from __future__ import annotations

import libcst as cst
import pytest

from runner.transforms.rewrite.precedence import needs_parens

_MULTILINE_OPERANDS = [
    ("[\n    1,\n    2,\n]", False),  # line breaks between its own brackets
    ("f(a,\n  b)", False),
    ("x[\n  1]", False),
    ("f(a)(\n  b)", False),
    ("{1: [\n  2]}", False),
    ("a and\n  b", True),  # legal only inside the matched call's parentheses
    ("f\n  (a)", True),
    ("[await x,\n  y]", True),  # compiles only in a coroutine: parenthesised as before
    ("[\n  (yield x)]", True),
    ("'''a\nb'''", False),  # a newline inside a string needs no parentheses
    ("'a' \\\n  'b'", False),
]


@pytest.mark.parametrize("code, expected", _MULTILINE_OPERANDS)
def test_multiline_operand_parenthesised_only_where_its_breaks_need_brackets(code, expected):
    """A bound operand that spans lines is wrapped in parentheses in ``assert`` exactly
    when its source does not compile on its own."""
    child = cst.parse_expression(f"(\n{code}\n)").with_changes(lpar=(), rpar=())
    rendered = cst.Module([]).code_for_node(child)
    try:
        compile(rendered, "<operand>", "eval")
        compiles = True
    except SyntaxError:
        compiles = False
    assert needs_parens(cst.Assert(test=child), "test", child) is expected
    assert expected is (not compiles)
