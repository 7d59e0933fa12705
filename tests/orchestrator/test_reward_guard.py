"""A fix may not make the tests say less: deleted tests, skips, constant asserts, fewer test ids."""
from __future__ import annotations

import pytest

from runner.model.guard import guard_fix, guard_test_count

BEFORE = b'''import pytest
import unittest


def test_add():
    assert add(1, 2) == 3


class TestThing(unittest.TestCase):
    def test_one(self):
        self.assertEqual(one(), 1)
'''


def _kinds(after: bytes) -> list[tuple[str, str]]:
    return [(v.kind, v.detail) for v in guard_fix({"tests/test_a.py": BEFORE}, {"tests/test_a.py": after})]


def test_an_honest_fix_passes() -> None:
    assert _kinds(BEFORE.replace(b"add(1, 2) == 3", b"add(1, 2) == 3  # fixed call")) == []
    assert _kinds(BEFORE + b"\n\ndef test_new():\n    assert add(0, 0) == 0\n") == []


def test_deleting_a_test_function_or_class_is_refused() -> None:
    assert _kinds(BEFORE.replace(b"def test_add():\n    assert add(1, 2) == 3\n", b"")) == [("test-deleted", "deletes test test_add")]
    only_func = BEFORE[: BEFORE.index(b"class TestThing")]
    assert _kinds(only_func) == [("test-deleted", "deletes test TestThing"), ("test-deleted", "deletes test TestThing.test_one")]


@pytest.mark.parametrize("decorated", [
    b"@pytest.mark.skip(reason='later')\ndef test_add():",
    b"@pytest.mark.skipif(True, reason='x')\ndef test_add():",
    b"@pytest.mark.xfail\ndef test_add():",
    b"@unittest.skip('x')\ndef test_add():",
    b"@unittest.expectedFailure\ndef test_add():",
    b"def test_add():\n    pytest.skip('flaky')",
])
def test_adding_a_skip_or_xfail_is_refused(decorated: bytes) -> None:
    kinds = _kinds(BEFORE.replace(b"def test_add():", decorated))
    assert [k for k, _ in kinds] == ["skip-added"], kinds


def test_a_module_level_pytestmark_skip_is_refused() -> None:
    assert [k for k, _ in _kinds(BEFORE + b"\npytestmark = pytest.mark.skip\n")] == ["skip-added"]


@pytest.mark.parametrize("weak", [b"assert True", b"assert add(1, 2) == 3 or True", b"assert 1", b"assert (add(1, 2) == 4, 'x')",
                                  b"assert not False"])
def test_weakening_an_assert_to_a_constant_is_refused(weak: bytes) -> None:
    assert _kinds(BEFORE.replace(b"assert add(1, 2) == 3", weak)) == [("assert-weakened", "weakens an assert to a constant in test_add")]


def test_assert_true_of_a_constant_is_refused() -> None:
    kinds = _kinds(BEFORE.replace(b"self.assertEqual(one(), 1)", b"self.assertTrue(True)"))
    assert kinds == [("assert-weakened", "weakens an assert to a constant in TestThing.test_one")]


def test_a_skip_that_was_there_already_is_not_blamed() -> None:
    skipped = BEFORE.replace(b"def test_add():", b"@pytest.mark.skip\ndef test_add():")
    assert guard_fix({"t.py": skipped}, {"t.py": skipped.replace(b"== 3", b"== 4")}) == ()


def test_a_non_parsing_fix_is_refused() -> None:
    (v,) = guard_fix({"t.py": BEFORE}, {"t.py": b"def test_add(:\n"})
    assert v.kind == "unparsable"


def test_fewer_test_ids_is_refused() -> None:
    v = guard_test_count(25, 24)
    assert v is not None and v.kind == "tests-dropped" and "24 tests, 25 before" in v.explain()
    assert guard_test_count(25, 25) is None and guard_test_count(None, 3) is None


def test_switching_a_doctest_off_is_refused() -> None:
    before = b'def add(a, b):\n    """\n    >>> add(1, 2)\n    3\n    """\n    return a + b\n'
    after = before.replace(b">>> add(1, 2)", b">>> add(1, 2)  # doctest: +SKIP")
    assert [(v.kind, v.detail) for v in guard_fix({"m.py": before}, {"m.py": after})] == [("skip-added", "adds a skip or xfail (doctest +SKIP in add)")]
