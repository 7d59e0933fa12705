"""The matcher's early refusal (``match._probe_of``): a node whose called attribute is
not the pattern's is refused before the full match, and every answer is the full
match's (other attributes, other shapes, aliases of a dotted reference, ``where``
regexes on the attribute's metavariable)."""
from __future__ import annotations

import libcst as cst
import pytest

from runner.transforms.rewrite.bindings import Resolver
from runner.transforms.rewrite.match import Matcher
from runner.transforms.rewrite.rules import compile_rules


def _matchers(rule: dict) -> tuple[Matcher, Matcher]:
    """The rule's matcher (with its probe) and the same matcher without the probe."""
    matcher = compile_rules([rule])[0].matcher
    full = Matcher(matcher.pattern, matcher.check, matcher.any_binding)
    full._probe = None
    return matcher, full


def _targets(module: cst.Module) -> list[cst.CSTNode]:
    """Every small statement and every expression node of ``module``."""
    found: list[cst.CSTNode] = []

    class _All(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.BaseSmallStatement, cst.BaseExpression)):
                found.append(node)
            return True

    module.visit(_All())
    return found


_CODE = (
    "import six\nfrom six import text_type as tt\n\n\nclass T:\n    def test(self):\n"
    "        self.assertEqual(a, b)\n        self.assertNotEqual(a, b)\n        other.assertEqual(a, b)\n"
    "        assertEqual(a, b)\n        self.assertEqual(a)\n        self.assertFoo(1)\n        self.check(1)\n"
    "        x = six.text_type(1) + tt(2) + six.binary_type(3) + f().text_type(4)\n"
)
_RULES = {
    "a written attribute": ({"match": "self.assertEqual($a, $b)", "replace": "assert $a == $b"}, 1),
    "a dotted reference, aliased too": ({"match": "six.text_type($x)", "replace": "str($x)"}, 2),
    "a metavariable with a regex": (
        {"match": "self.$m($$$_)", "flag": "helper", "where": {"m": {"regex": "^assert(?!Equal$|NotEqual$)"}}}, 1),
}


@pytest.mark.parametrize("name", _RULES)
def test_the_probe_refuses_only_what_the_full_match_refuses(name: str) -> None:
    rule, expected = _RULES[name]
    matcher, full = _matchers(rule)
    assert matcher._probe is not None
    module = cst.parse_module(_CODE)
    resolver = Resolver(module, _CODE)
    hits = 0
    for node in _targets(module):
        with_probe, without = matcher.match(node, resolver), full.match(node, resolver)
        assert (with_probe is None) == (without is None), cst.Module([]).code_for_node(node)
        hits += with_probe is not None
    assert hits == expected


def test_no_probe_where_the_attribute_is_not_known_ahead() -> None:
    assert _matchers({"match": "self.$m($$$_)", "flag": "any"})[0]._probe is None
    assert _matchers({"match": "$f($x)", "replace": "g($x)"})[0]._probe is None
    assert _matchers({"match": "self.$m($x)", "replace": "g($x)", "where": {"m": {"text": ["a"]}}})[0]._probe is None
