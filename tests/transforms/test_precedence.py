"""Rewrite precedence: a bound operand that spans lines gets parentheses where it needs them."""
from __future__ import annotations

import libcst as cst
import pytest

from runner.transforms.rewrite.precedence import needs_parens, plain_text

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


@pytest.mark.parametrize("code, expected", _MULTILINE_OPERANDS)
def test_a_plain_operand_gets_the_same_answer_without_entering_its_brackets(code, expected):
    """Told the operand's text spells no ``await``/``yield``/``async`` (``plain``), the
    check skips what lies between its brackets and still answers as the full check."""
    child = cst.parse_expression(f"(\n{code}\n)").with_changes(lpar=(), rpar=())
    assert needs_parens(cst.Assert(test=child), "test", child, plain=plain_text(code)) is expected


def test_plain_text_is_false_for_each_word_that_only_compiles_in_a_function():
    assert plain_text("[x,\n  y]")
    assert not any(plain_text(f"[{word} x]") for word in ("await", "yield", "async for"))


def test_a_file_that_spells_await_keeps_the_full_check_in_the_walk():
    """The walk passes ``plain`` only when the file's text allows it: an ``await`` inside
    a bound list still gets the parentheses it needs, scoped and whole."""
    from runner.transforms.base import Changed, FileContext
    from runner.transforms.rewrite import RewriteTransform

    before = ("class T:\n    async def test_a(self):\n        self.assertEqual([await f(),\n            2], x)\n\n"
              "    def test_b(self):\n        self.assertEqual([1,\n            2], x)\n")
    after = ("class T:\n    async def test_a(self):\n        assert ([await f(),\n            2]) == x\n\n"
             "    def test_b(self):\n        assert [1,\n            2] == x\n")
    ctx = FileContext(root="/nonexistent", path="pkg/mod.py", full_module_name="pkg.mod", full_package_name="pkg")
    transform = RewriteTransform([{"match": "self.assertEqual($a, $b)", "replace": "assert $a == $b"}])
    whole = transform.transform_module(cst.parse_module(before), ctx)
    assert (whole.code or whole.module.code) == after
    early = transform.precheck(before.encode("utf-8"), ctx)
    assert isinstance(early, Changed) and early.after.decode("utf-8") == after
