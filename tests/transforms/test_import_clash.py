"""A rule that adds an import refuses the sites where the name it binds is bound to
something else: each becomes a gap naming that binding, no import is added for it, and
the sites that need no import are still rewritten. Run whole, scoped and through the
engine; the three agree. A codemod that schedules such an import leaves its file as it
was, with a gap at the binding (its sites are not known).
"""
from __future__ import annotations

import json

import libcst as cst
import pytest
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.codemod.visitors import AddImportsVisitor

from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Changed, FileContext
from runner.transforms.codemod import CodemodTransform
from runner.transforms.engine import FileJob, Step, apply_file_job
from runner.transforms.rewrite import RewriteTransform

CTX = FileContext(root="/nonexistent", path="pkg/mod.py", full_module_name="pkg.mod", full_package_name="pkg")
RULES = [
    {"match": "self.assertAlmostEqual($a, $b)", "replace": "assert $a == pytest.approx($b)", "imports": {"add": ["import pytest"]}},
    {"match": "self.assertEqual($a, $b)", "replace": "assert $a == $b"},
    {"match": "self.assertRegex($t, $r)", "replace": "assert re.search($r, $t)", "imports": {"add": ["import re"]}},
]
TEST = "class T(unittest.TestCase):\n    def test(self):\n        self.assertEqual(a, 1)\n        self.assertAlmostEqual(b, 0.3)\n"
KEPT = "class T(unittest.TestCase):\n    def test(self):\n        assert a == 1\n        self.assertAlmostEqual(b, 0.3)\n"
NEEDS = "; the rewrite needs `import pytest`"

# (the module's first lines, the line of the binding, what the reason says it is bound to)
BOUND = {
    "an assignment": ("import unittest\n\npytest = None\n", 3, "`pytest = None`"),
    "another import as the name": ("import unittest\nfrom foo import bar as pytest\n", 2, "`from foo import bar as pytest`"),
    "another module as the name": ("import unittest\nimport something as pytest\n", 2, "`import something as pytest`"),
    "a function": ("import unittest\n\n\ndef pytest(x):\n    return x\n", 4, "a function (`def pytest(x):`)"),
    "a class": ("import unittest\n\n\nclass pytest:\n    pass\n", 4, "a class (`class pytest:`)"),
    "an ImportError fallback": (
        "import unittest\n\ntry:\n    import pytest\nexcept ImportError:\n    pytest = None\n", 6, "`pytest = None`"),
    "a global of a function": ("import unittest\n\n\ndef setup():\n    global pytest\n    pytest = load()\n", 6, "`pytest = load()`"),
    "a for target": ("import unittest\n\nfor pytest in plugins:\n    pass\n", 3, "`for pytest in plugins:`"),
}


def _runs(before: str) -> tuple[str, tuple, tuple]:
    """The whole-file run's (code, gaps, tallies); asserts the scoped run and the engine give the same."""
    transform = RewriteTransform(RULES)
    whole = transform.transform_module(cst.parse_module(before), CTX)
    code = whole.code or whole.module.code
    early = transform.precheck(before.encode("utf-8"), CTX)
    if early is not None:
        assert isinstance(early, Changed) and early.after.decode("utf-8") == code
        assert early.gaps == tuple(whole.gaps) and early.rules == whole.rules
    spec = TaskTypeSpec("t", "rewrite", with_json=json.dumps({"rules": RULES}))
    job = apply_file_job(FileJob("/nonexistent", "pkg/mod.py", before.encode("utf-8"), (Step(0, spec, None),)))
    assert job.final.decode("utf-8") == code and job.outcomes[0][1].gaps == tuple(whole.gaps)
    return code, tuple(whole.gaps), whole.rules


@pytest.mark.parametrize("name", BOUND)
def test_a_name_bound_otherwise_refuses_the_sites_that_need_the_import(name: str) -> None:
    head, line, what = BOUND[name]
    before = f"{head}\n\n{TEST}"
    code, gaps, tallies = _runs(before)
    assert code == f"{head}\n\n{KEPT}"  # no `import pytest`; assertEqual converted
    site = before.splitlines().index("        self.assertAlmostEqual(b, 0.3)") + 1
    assert [(g.line, g.column, g.reason, g.source) for g in gaps] == [
        (site, 9, f"rules[0]: cannot rewrite this match: `pytest` is bound at line {line} to {what}{NEEDS}",
         "self.assertAlmostEqual(b, 0.3)")]
    assert (tallies[0].matches, tallies[0].changes, tallies[0].gaps) == (1, 0, 1)


def test_a_parameter_refuses_the_sites_of_its_function_only() -> None:
    before = ("import unittest\n\n\nclass T(unittest.TestCase):\n    def test_a(self, pytest=None):\n"
              "        self.assertAlmostEqual(b, 0.3)\n\n    def test_b(self):\n        self.assertAlmostEqual(c, 0.3)\n")
    code, gaps, _ = _runs(before)
    assert code == ("import unittest\nimport pytest\n\n\nclass T(unittest.TestCase):\n    def test_a(self, pytest=None):\n"
                    "        self.assertAlmostEqual(b, 0.3)\n\n    def test_b(self):\n        assert c == pytest.approx(0.3)\n")
    assert [(g.line, g.reason) for g in gaps] == [
        (7, "rules[0]: cannot rewrite this match: `pytest` is bound at line 6 to a parameter "
            f"(`def test_a(self, pytest=None):`){NEEDS}")]


def test_a_name_bound_in_another_function_or_a_class_body_does_not_refuse() -> None:
    before = ("import unittest\n\n\ndef helper():\n    pytest = 1\n    return pytest\n\n\n"
              "class T(unittest.TestCase):\n    pytest = 2\n\n    def test(self):\n        self.assertAlmostEqual(b, 0.3)\n")
    code, gaps, _ = _runs(before)
    assert "import pytest\n" in code and "assert b == pytest.approx(0.3)" in code and gaps == ()


def test_the_same_import_already_there_changes_nothing() -> None:
    before = f"import unittest\n\nimport pytest\n\n\n{TEST}"
    code, gaps, _ = _runs(before)
    assert code == f"import unittest\n\nimport pytest\n\n\n{KEPT.replace('self.assertAlmostEqual(b, 0.3)', 'assert b == pytest.approx(0.3)')}"
    assert gaps == ()


def test_each_added_import_is_checked_for_its_own_name() -> None:
    before = ("import unittest\n\nre = None\n\n\nclass T(unittest.TestCase):\n    def test(self):\n"
              "        self.assertRegex(s, 'a')\n        self.assertAlmostEqual(b, 0.3)\n")
    code, gaps, _ = _runs(before)
    assert code == ("import unittest\nimport pytest\n\nre = None\n\n\nclass T(unittest.TestCase):\n    def test(self):\n"
                    "        self.assertRegex(s, 'a')\n        assert b == pytest.approx(0.3)\n")
    assert [(g.line, g.reason) for g in gaps] == [
        (9, "rules[2]: cannot rewrite this match: `re` is bound at line 4 to `re = None`; the rewrite needs `import re`")]


class ApproxCommand(VisitorBasedCodemodCommand):
    """``close(x)`` -> ``pytest.approx(x)``, scheduling ``import pytest``."""

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if isinstance(updated.func, cst.Name) and updated.func.value == "close":
            AddImportsVisitor.add_needed_import(self.context, "pytest")
            return updated.with_changes(func=cst.parse_expression("pytest.approx"))
        return updated


def test_a_codemod_that_would_add_an_import_of_a_bound_name_leaves_the_file_with_a_gap() -> None:
    transform = CodemodTransform(ApproxCommand, {}, ("close(",))
    bound = "import unittest\n\ntry:\n    import pytest\nexcept ImportError:\n    pytest = None\n\n\ndef test():\n    assert close(1)\n"
    result = transform.transform_module(cst.parse_module(bound), CTX)
    assert result.module.code == bound
    assert [(g.line, g.column, g.reason) for g in result.gaps] == [
        (6, 1, f"`pytest` is bound at line 6 to `pytest = None`; the codemod needs `import pytest`: "
               "ApproxCommand left this file as it was")]
    free = "import unittest\n\n\ndef test():\n    assert close(1)\n"
    result = transform.transform_module(cst.parse_module(free), CTX)
    assert result.module.code == "import unittest\nimport pytest\n\n\ndef test():\n    assert pytest.approx(1)\n"
    assert result.gaps == ()
