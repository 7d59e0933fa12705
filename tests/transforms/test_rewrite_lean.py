"""The rewrite walk visits only where a rule matches the input (``candidates.scan``):
differential tests against the walk over every node, on every golden case, on the
playbooks' own rules and on inputs made for the edges (comments beside and inside
matches, nested matches, attribute renames, f-strings, statements that stop parsing)."""
from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from pathlib import Path

import libcst as cst
import pytest
import yaml

from runner.transforms.base import FileContext
from runner.transforms.rewrite import RewriteTransform
from runner.transforms.rewrite.candidates import TRIVIAL_FIELDS, structural_fields

from tests.transforms.test_rewrite import CASES

PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"


def _ctx(path: str = "pkg/mod.py") -> FileContext:
    return FileContext(root="/repo", path=path, full_module_name="pkg.mod", full_package_name="pkg")


def _both(rules: list[dict], source: str, path: str = "pkg/mod.py") -> tuple[object, object]:
    transform = RewriteTransform(rules)
    module = cst.parse_module(source)
    lean = transform.apply(module, _ctx(path))
    full = transform.apply(module, _ctx(path), everywhere=True)
    return lean, full


def _same(lean, full) -> None:  # type: ignore[no-untyped-def]
    assert lean.result.module.code == full.result.module.code
    assert lean.result.code == lean.result.module.code  # the text kept from the input is libcst's rendering
    assert lean.result.code == full.result.code
    assert lean.result.gaps == full.result.gaps
    assert lean.result.rules == full.result.rules
    assert lean.result.checked == full.result.checked
    assert {k: dataclasses.astuple(v) for k, v in lean.counts.items()} == {k: dataclasses.astuple(v) for k, v in full.counts.items()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_cases_lean_and_full_agree(case) -> None:  # type: ignore[no-untyped-def]
    _same(*_both(case.spec["rules"], case.before, case.spec.get("path", "pkg/mod.py")))


def _task_rules(playbook: str) -> list[list[dict]]:
    text = re.sub(r"\{\{[^}]*\}\}", "", (PLAYBOOKS / playbook).read_text(encoding="utf-8"))  # (variables: their default is empty here)
    spec = yaml.safe_load(text)
    return [t["with"]["rules"] for t in spec["task_types"].values() if t.get("transform") == "rewrite"]


_UNITTEST_SOURCE = '''\
import unittest


class T(unittest.TestCase):
    def test_a(self):
        # a comment above
        self.assertEquals(f(x), 1)  # after
        self.assertEqual(g(  # inside the call
            y), [1, 2])
        self.assertTrue(a and
                        b)
        self.assertEqual(self.assertEquals, 2); self.assertIn(a, b)
        with self.assertRaises(ValueError) as cm:
            int("x")
        self.assertEqual(str(cm.exception), "bad")
        if x:
            self.assertIsNone(y)
        elif z:
            self.assertFalse(w, "msg")
        else:
            pass
        x = f"{self.assertEqual}"
        self.helper(1)
        self.assertCountEqual(a, b)
        self.assertAlmostEqual(a, b, places=3)
        return self.assertEqual(1, 2)

    def test_b(self):
        self.assertRaises(ValueError, int, "x")
        self.assertRaisesRegex(ValueError, "x", int, "x")
'''

_SIX_SOURCE = '''\
import six
from six.moves import range, urllib
from six import text_type as tt


@six.add_metaclass(Meta)
class A(object):
    def f(self, x):
        if six.PY2:
            return unicode(x)
        else:
            return str(x)  # keep
        for k, v in six.iteritems(d):
            yield six.text_type(k), tt(v)
        s = six.b("x") + six.u("y")
        return isinstance(x, six.string_types) and six.PY3


def g(six):
    return six.PY2
'''


@pytest.mark.parametrize(
    ("playbook", "source"),
    [("unittest-to-assert.yaml", _UNITTEST_SOURCE), ("drop-six.yaml", _SIX_SOURCE), ("deprecated-apis.yaml", _UNITTEST_SOURCE)],
)
def test_playbook_rules_lean_and_full_agree(playbook: str, source: str) -> None:
    changed = 0
    for rules in _task_rules(playbook):
        lean, full = _both(rules, source)
        _same(lean, full)
        changed += lean.result.module.code != source
    assert changed  # the input exercises the rules


@pytest.mark.parametrize(
    ("rules", "source"),
    [
        # nested matches: the inner one is rewritten first, the outer sees its output
        ([{"match": "f($x)", "replace": "g($x)"}, {"match": "g(g($x))", "replace": "h($x)"}], "y = f(f(1))  # c\nz = 2\n"),
        # a comment inside the match, outside every metavariable, goes above the statement
        ([{"match": "f($x, $y)", "replace": "g($y)"}], "a = 1\nb = f(1,  # one\n      2)\nc = [f(3, 4), 5]  # end\n"),
        # a statement rule next to untouched lines that hold comments
        ([{"match": "print($x)", "replace": "log($x)"}], "# head\nif a:  # why\n    print(1)\n    # tail\nelse:\n    x = 2  # no\n"),
        # the rewritten statement does not parse: left as it was, as a gap
        ([{"match": "f($x)", "replace": "$x = 1"}], "def h():\n    f(g())\n    f(y)\n    z = 3\n"),
        # f-string: a replacement whose quotes would end it is refused
        ([{"match": "f($x)", "replace": "g('a', $x)"}], "x = f'{f(1)}'\ny = f(2)\n"),
        # a block the rules empty gets a pass; compound statements replaced
        ([{"match": "del $x", "replace": ""}], "def h():\n    del a\n\nclass C:\n    del b\n    x = 1\n"),
        ([{"match": "if PY2:\n    $$$a\nelse:\n    $$$b", "replace": "$$$b"}], "if PY2:\n    x = 1\nelse:\n    x = 2  # keep\ny = 3\n"),
        # targets: a replacement that is not assignable, where the match is assigned to
        ([{"match": "$x.old", "replace": "$x.new()"}], "a.old = 1\n(a.old, b) = c\nd = a.old\nfor a.old in y:\n    pass\n"),
    ],
)
def test_edges_lean_and_full_agree(rules: list[dict], source: str) -> None:
    lean, full = _both(rules, source)
    _same(lean, full)
    assert lean.counts  # a rule matched


def test_trivial_fields_hold_no_expression_or_statement() -> None:
    """Every field ``structural_fields`` leaves out holds, by libcst's annotations, only
    whitespace, comments, tokens or plain values, in every node class."""
    allowed_modules = {"libcst._nodes.whitespace", "libcst._nodes.op", "libcst._maybe_sentinel", "builtins", "typing"}
    allowed = {cst.LeftParen, cst.RightParen, cst.LeftSquareBracket, cst.RightSquareBracket,
               cst.LeftCurlyBrace, cst.RightCurlyBrace, cst.Asynchronous}
    classes = [c for c in vars(cst).values() if inspect.isclass(c) and issubclass(c, cst.CSTNode) and dataclasses.is_dataclass(c)]
    checked = 0
    for cls in classes:
        hints = typing.get_type_hints(cls)
        kept = structural_fields(cls)
        for field in dataclasses.fields(cls):
            if field.name in kept:
                continue
            assert field.name in TRIVIAL_FIELDS or field.name.startswith("whitespace")
            for leaf in _leaves(hints[field.name]):
                assert leaf in allowed or getattr(leaf, "__module__", "builtins") in allowed_modules, (cls, field.name, leaf)
                checked += 1
    assert checked > 200


def _leaves(hint: object) -> list[object]:
    args = typing.get_args(hint)
    if typing.get_origin(hint) is typing.Literal:
        return [str]
    if not args:
        return [hint]
    return [leaf for a in args for leaf in _leaves(a)]


def _lean_without_searching_the_output(monkeypatch, rules: list[dict], source: str):  # type: ignore[no-untyped-def]
    """The lean result, failing if the flags are searched for in the whole output."""
    from runner.transforms.rewrite import candidates

    transform = RewriteTransform(rules)
    module = cst.parse_module(source)
    full = transform.apply(module, _ctx(), everywhere=True)

    def whole_output(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the output was searched as a whole")

    with monkeypatch.context() as m:
        m.setattr(candidates, "find_sites", whole_output)
        lean = transform.apply(module, _ctx())
    return lean, full


def test_flags_keep_the_scan_sites_only_in_their_input_context(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # ``a`` moves from an expression into an attribute name: no longer a site there
    rules = [{"match": "f($x)", "replace": "o.$x"}, {"match": "a", "flag": "an a", "where": {"a": {"binding": "any"}}}]
    lean, full = _lean_without_searching_the_output(monkeypatch, rules, "f(a)\nb = a\nf(c)  # a\n")
    _same(lean, full)
    assert [(g.line, g.column) for g in lean.result.gaps] == [(2, 5)]


def test_flags_of_the_unittest_playbook_reuse_the_scan(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for rules in _task_rules("unittest-to-assert.yaml"):
        lean, full = _lean_without_searching_the_output(monkeypatch, rules, _UNITTEST_SOURCE)
        _same(lean, full)
        assert lean.result.gaps


@pytest.mark.parametrize(
    "source",
    [
        "import six\nx = f(six.PY2)\n",  # a bare name: scope analysis decides
        "import self\nself.g(f(1))\n",  # the head of ``self.$m`` is imported: bindings decide
    ],
)
def test_flags_search_the_output_when_bindings_decide(source: str) -> None:
    rules = [{"match": "f($x)", "replace": "g($x)"}, {"match": "six", "flag": "six"}, {"match": "self.$m($$$_)", "flag": "call"}]
    _same(*_both(rules, source))


@pytest.mark.parametrize(
    "source",
    [
        "if a:\n    f(1)\nelif b:\n    g(2)\nelse:\n    f(3)\n",
        "try:\n    x = 1\n    f(2)\nexcept E as e:\n    f(e)\nelse:\n    y = 2\nfinally:\n    z = 3\n",
        "class C:\n\tdef m(self):\n\t\tf(1)\n\t\treturn 2\n\n\tdef n(self):\n\t\treturn 3\n",  # tabs
        "def h():\r\n    f(1)\r\n    return 2\r\n",  # Windows line ends
        "x = 1\nf(2)",  # no newline at the end
        "match x:\n    case 1:\n        f(1)\n    case _:\n        pass\n",
        "# head\n\nwhile a:\n    f(1)\nelse:\n    b = 2\n# foot\n",
        "if PY2:\n    x = 1\n    f(0)\nelse:\n    y = 2\n    if z:\n        w = 3\n",  # statements move out of their block
    ],
)
def test_the_text_kept_from_the_input_is_libcsts_rendering(source: str) -> None:
    rules = [{"match": "f($x)", "replace": "g($x)"}, {"match": "if PY2:\n    $$$a\nelse:\n    $$$b", "replace": "$$$b"}]
    lean, full = _both(rules, source)
    _same(lean, full)
    assert lean.counts


def test_a_next_task_on_the_output_tree_gets_the_same_result_as_on_a_fresh_parse() -> None:
    """The text of an output tree is kept for the next task that gets that tree."""
    first = RewriteTransform([{"match": "f($x)", "replace": "g($x)"}])
    second = RewriteTransform([{"match": "g($x)", "replace": "h($x)"}, {"match": "h", "flag": "an h"}])
    source = "def k():\n    f(1)\n    return 2\n\n\nx = f(3)\n"
    out = first.apply(cst.parse_module(source), _ctx()).result
    chained = second.apply(out.module, _ctx()).result
    fresh = second.apply(cst.parse_module(out.code), _ctx()).result
    assert chained.code == fresh.code == chained.module.code == "def k():\n    h(1)\n    return 2\n\n\nx = h(3)\n"
    assert chained.gaps == fresh.gaps and len(chained.gaps) == 2
