"""``rewrite`` on the statements that may match (``RewriteTransform.precheck``): byte for
byte what the whole-file run gives, or no answer (the engine then runs the whole file).

Golden cases (a rule in a method, an import added, a shadowed name, a gap below a
changed unit, a file that must be run whole) go through the engine, and every golden
case of ``test_rewrite`` and every ``rewrite`` example of the catalogue is run both
ways and compared.
"""
from __future__ import annotations

import json
from pathlib import Path

import libcst as cst
import pytest
import yaml

from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Changed, FileContext, Unchanged
from runner.transforms.engine import FileJob, Step, apply_file_job
from runner.transforms.rewrite import RewriteTransform
from tests.transforms.test_rewrite import CASES

CTX = FileContext(root="/nonexistent", path="pkg/mod.py", full_module_name="pkg.mod", full_package_name="pkg")
PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"

TEXT_TYPE = {"match": "six.text_type", "replace": "str", "imports": {"remove": ["import six"]}}
SIX = [
    TEXT_TYPE,
    {"match": "if six.PY2:\n    $$$a\nelse:\n    $$$b", "replace": "$$$b", "imports": {"remove": ["import six"]}},
    {"match": "six.ensure_str($x)", "flag": "by hand"},
]
ASSERTS = [
    {"match": "self.assertRegex($t, $r)", "replace": "assert re.search($r, $t)", "imports": {"add": ["import re"]}},
    {"match": "self.assertEqual($a, $b)", "replace": "assert $a == $b"},
]

GOLDEN = {
    "rule in a method of a class": (
        [TEXT_TYPE], True,
        'import six\n\n\nclass A(object):\n    """Doc."""\n\n    def f(self, x):\n        # keep me\n'
        '        return six.text_type(x)\n\n    def g(self):\n        return 1\n',
        'class A(object):\n    """Doc."""\n\n    def f(self, x):\n        # keep me\n        return str(x)\n\n'
        '    def g(self):\n        return 1\n',
        [],
    ),
    "a rule that adds an import": (
        ASSERTS, True,
        'import unittest\n\n\nclass T(unittest.TestCase):\n    def test_a(self):\n        x = 1\n'
        '        self.assertEqual(x, 1)\n        self.assertRegex("abc", "b")\n\n    def test_b(self):\n        return 2\n',
        'import unittest\nimport re\n\n\nclass T(unittest.TestCase):\n    def test_a(self):\n        x = 1\n'
        '        assert x == 1\n        assert re.search("b", "abc")\n\n    def test_b(self):\n        return 2\n',
        [],
    ),
    "a name shadowed by a parameter is not matched (run whole)": (
        [{"match": "six.text_type", "replace": "str"}], False,
        'from six import text_type\n\n\ndef f(text_type):\n    return text_type(1)\n\n\ndef g(x):\n    return text_type(x)\n',
        'from six import text_type\n\n\ndef f(text_type):\n    return text_type(1)\n\n\ndef g(x):\n    return str(x)\n',
        [],
    ),
    "a gap below a unit that lost lines": (
        SIX, True,
        'import six\n\n\ndef f(x):\n    if six.PY2:\n        y = 1\n    else:\n        y = 2\n        z = 3\n    return y\n\n\n'
        'class B:\n    def g(self, s):\n        return six.ensure_str(s)\n',
        'import six\n\n\ndef f(x):\n    y = 2\n    z = 3\n    return y\n\n\nclass B:\n    def g(self, s):\n'
        '        return six.ensure_str(s)\n',
        [(12, 16, "by hand", "six.ensure_str(s)", "rules[2]")],
    ),
    "an import removal that weighs a nested import (run whole)": (
        [TEXT_TYPE], False,
        'import six\n\n\ndef f(x):\n    import six\n    return six.text_type(x)\n',
        'def f(x):\n    return str(x)\n',
        [],
    ),
    "a statement taken out of a longer block, a block emptied": (
        [SIX[1], {"match": "if six.PY2:\n    $$$a", "replace": "", "imports": {"remove": ["import six"]}}], True,
        'import six\n\n\nclass C:\n    x = 1\n    if six.PY2:\n        y = 2\n\n    def f(self):\n        if six.PY2:\n'
        '            return 1\n\n    def g(self):\n        if six.PY2:\n            return 1\n        else:\n            return 2\n',
        'class C:\n    x = 1\n\n    def f(self):\n        pass\n\n    def g(self):\n        return 2\n',
        [],
    ),
    "a comment inside one matched call, none in the other units": (
        ASSERTS, True,
        'class T:\n    def test_a(self):\n        self.assertEqual(f(1),\n            2)\n        self.assertEqual(1, 1)\n\n'
        '    def test_b(self):\n        self.assertEqual(g(1),  # why\n            [2,  # two\n             3])\n\n'
        '    def test_c(self):\n        self.assertEqual("#", x)\n',
        'class T:\n    def test_a(self):\n        assert f(1) == 2\n        assert 1 == 1\n\n'
        '    def test_b(self):\n        # why\n        assert g(1) == [2,  # two\n             3]\n\n'
        '    def test_c(self):\n        assert "#" == x\n',
        [],
    ),
    "an if rule that would match the header around a unit (run whole)": (
        [{"match": "if $c:\n    log($m)", "replace": "if $c:\n    warn($m)"}, {"match": "log($m)", "flag": "a log call"}],
        False,
        'def f(x):\n    log(x)\n\n\ndef g(x):\n    if x:\n        log(x)\n',
        'def f(x):\n    log(x)\n\n\ndef g(x):\n    if x:\n        warn(x)\n',
        [(2, 5, "a log call", "log(x)", "rules[1]")],
    ),
}


def _gaps(gaps) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [(g.line, g.column, g.reason, g.source, g.rule) for g in gaps]


@pytest.mark.parametrize("name", GOLDEN)
def test_golden(name: str) -> None:
    rules, scoped, before, after, gaps = GOLDEN[name]
    transform = RewriteTransform(rules)
    whole = transform.transform_module(cst.parse_module(before), CTX)
    assert (whole.code or whole.module.code) == after and _gaps(whole.gaps) == gaps
    early = transform.precheck(before.encode("utf-8"), CTX)
    if not scoped:
        assert early is None
    else:
        assert isinstance(early, Changed) and early.after.decode("utf-8") == after
        assert _gaps(early.gaps) == gaps and early.rules == whole.rules
    spec = TaskTypeSpec("t", "rewrite", with_json=json.dumps({"rules": rules}))
    job = apply_file_job(FileJob("/nonexistent", "pkg/mod.py", before.encode("utf-8"), (Step(0, spec, None),)))
    assert job.final.decode("utf-8") == after
    assert _gaps(job.outcomes[0][1].gaps) == gaps


def test_on_gap_fail_fails_the_scoped_file_as_the_whole_file() -> None:
    rules, _, before, _, gaps = GOLDEN["a gap below a unit that lost lines"]
    spec = TaskTypeSpec("t", "rewrite", with_json=json.dumps({"rules": rules}), on_gap="fail")
    job = apply_file_job(FileJob("/nonexistent", "pkg/mod.py", before.encode("utf-8"), (Step(0, spec, None),)))
    outcome = job.outcomes[0][1]
    assert job.final == before.encode("utf-8")
    assert outcome.reason == "1 gap(s) remain and on_gap is fail" and _gaps(outcome.gaps) == gaps


def _both_ways(rules: list, before: str, ctx: FileContext) -> bool:
    """Asserts the scoped answer, when there is one, is the whole-file run's; whether there was one."""
    transform = RewriteTransform(rules)
    early = transform.precheck(before.encode("utf-8"), ctx)
    if early is None:
        return False
    whole = transform.transform_module(cst.parse_module(before), ctx)
    after = (whole.code or whole.module.code).encode("utf-8")
    assert isinstance(early, (Changed, Unchanged))
    assert (early.after if isinstance(early, Changed) else before.encode("utf-8")) == after
    assert early.gaps == tuple(whole.gaps) and early.rules == whole.rules
    return True


def test_every_golden_case_of_rewrite_is_the_same_scoped() -> None:
    answered = 0
    for case in CASES:
        path = case.spec.get("path", "pkg/mod.py")
        ctx = FileContext("/repo", path, path[:-3].replace("/", "."), "pkg")
        answered += _both_ways(case.spec["rules"], case.before, ctx)
    assert answered >= 30  # most cases are answered without parsing the whole file


def _examples() -> list[tuple[str, list, str]]:
    out = []
    for path in sorted(PLAYBOOKS.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for name, task_type in (doc.get("task_types") or {}).items():
            if task_type.get("transform") != "rewrite" or "{{" in json.dumps(task_type["with"]):
                continue  # (rules with variables need the playbook's values)
            for k, example in enumerate(task_type.get("examples") or ()):
                if "before" in example:
                    out.append((f"{path.stem}:{name}:{k}", task_type["with"]["rules"], example["before"]))
    return out


def test_every_rewrite_example_of_the_catalogue_is_the_same_scoped() -> None:
    examples = _examples()
    answered = sum(_both_ways(rules, before, CTX) for _, rules, before in examples)
    assert len(examples) >= 20 and answered >= len(examples) // 2


def test_without_hash_names_the_statements_of_the_units_without_a_hash() -> None:
    """``Scope.without_hash``: the statements of the scoped module standing for units
    whose text holds no ``#``, and none when the separators do not tell the units apart."""
    import ast

    from runner.transforms.statements import open_scope

    text = "def f():\n    a = 1\n    b = 2  # note\n\n\ndef g():\n    c = 3\n\n\nx = 4\n"
    scope = open_scope(text, ast.parse(text), [(2, 2), (3, 3), (7, 7), (10, 10)], merge=False)
    assert scope is not None and len(scope.units) == 4
    module = cst.parse_module(scope.scoped_text)
    codes = sorted(module.code_for_node(s).strip() for s in module.body if id(s) in scope.without_hash(module))
    assert codes == ["if 1:\n    a = 1", "if 1:\n    c = 3", "x = 4"]
    assert scope.without_hash(module.with_changes(body=module.body[:-1])) == set()
