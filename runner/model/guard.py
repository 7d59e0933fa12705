"""No reward hacking: a model's fix may make the tests pass, never make them say less.

Pure checks over the files before and after a proposed fix, on libcst trees (not on diff
text): a test function or class deleted, a skip or xfail added (a doctest ``+SKIP`` too),
an assert weakened to a constant; and over the check results, fewer test ids than
before. Each violation says
what was refused, so it can be explained back to the model and counted in the report.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import libcst as cst

from runner.transforms.validation import parse_python

#: dotted names that skip or expect a test to fail, wherever they appear
_SKIP_DOTTED = frozenset({
    "pytest.mark.skip", "pytest.mark.skipif", "pytest.mark.xfail", "pytest.skip", "pytest.xfail",
    "pytest.importorskip", "unittest.skip", "unittest.skipIf", "unittest.skipUnless", "unittest.expectedFailure",
    "mark.skip", "mark.skipif", "mark.xfail", "self.skipTest", "cls.skipTest",
})
#: bare names that skip when used as a decorator (``from unittest import skip``)
_SKIP_BARE = frozenset({"skip", "skipIf", "skipUnless", "expectedFailure", "xfail"})
_ASSERT_METHODS = frozenset({"assertTrue", "assert_", "failUnless"})


@dataclass(frozen=True, slots=True)
class Violation:
    """Why a fix is refused."""

    kind: str  #: tests-dropped | test-deleted | skip-added | assert-weakened | unparsable
    file: str
    detail: str

    def explain(self) -> str:
        """``file: detail`` (just the detail when no file is involved), for refusal messages."""
        return f"{self.file}: {self.detail}" if self.file else self.detail


def guard_fix(before: dict[str, bytes], after: dict[str, bytes]) -> tuple[Violation, ...]:
    """Every violation a fix commits in the files it changed (``after``: new contents by path)."""
    out: list[Violation] = []
    for path in sorted(after):
        old, new = before.get(path), after[path]
        if old is None or old == new or not path.endswith(".py"):
            continue
        try:
            new_facts = _facts(parse_python(new))
        except cst.ParserSyntaxError as exc:
            out.append(Violation("unparsable", path, f"does not parse: {exc.message}"))
            continue
        try:
            old_facts = _facts(parse_python(old))
        except cst.ParserSyntaxError:
            continue  # nothing to compare with
        out.extend(_compare(path, old_facts, new_facts))
    return tuple(out)


def guard_test_count(before: int | None, after: int | None) -> Violation | None:
    """A fix that makes the checks run fewer tests is refused (tests removed, skipped or not collected)."""
    if before is None or after is None or after >= before:
        return None
    return Violation("tests-dropped", "", f"the checks ran {after} tests, {before} before the fix; fewer tests is not a fix")


@dataclass(frozen=True, slots=True)
class _Facts:
    tests: frozenset[str]  #: qualified names of test functions and classes
    skips: Counter[str]  #: skip/xfail names used, by scope
    constant_asserts: Counter[str]  #: asserts that always pass, by scope


def _compare(path: str, old: _Facts, new: _Facts) -> list[Violation]:
    out = [Violation("test-deleted", path, f"deletes test {name}") for name in sorted(old.tests - new.tests)]
    for where, n in sorted((new.skips - old.skips).items()):
        out.append(Violation("skip-added", path, f"adds a skip or xfail ({where}){f' ×{n}' if n > 1 else ''}"))
    for where, n in sorted((new.constant_asserts - old.constant_asserts).items()):
        out.append(Violation("assert-weakened", path, f"weakens an assert to a constant in {where}{f' ×{n}' if n > 1 else ''}"))
    return out


def _facts(module: cst.Module) -> _Facts:
    collector = _Collector()
    module.visit(collector)
    return _Facts(frozenset(collector.tests), collector.skips, collector.constant_asserts)


class _Collector(cst.CSTVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = []
        self.tests: set[str] = set()
        self.skips: Counter[str] = Counter()
        self.constant_asserts: Counter[str] = Counter()

    def _where(self) -> str:
        return ".".join(self.scope) or "<module>"

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.scope.append(node.name.value)
        bases = {dotted_name(b.value) for b in node.bases}
        if node.name.value.startswith("Test") or any(b.endswith("TestCase") for b in bases):
            self.tests.add(".".join(self.scope))
        self._decorators(node.decorators)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scope.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.append(node.name.value)
        if node.name.value.startswith("test"):
            self.tests.add(".".join(self.scope))
        self._decorators(node.decorators)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scope.pop()

    def _decorators(self, decorators: tuple[cst.Decorator, ...] | list[cst.Decorator]) -> None:
        for d in decorators:
            target = d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator
            if isinstance(target, cst.Name) and target.value in _SKIP_BARE:
                self.skips[f"@{target.value} on {self._where()}"] += 1

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        name = dotted_name(node)
        if name in _SKIP_DOTTED or any(name.endswith("." + s) for s in ("mark.skip", "mark.skipif", "mark.xfail")):
            self.skips[f"{name} in {self._where()}"] += 1
            return False
        return True

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        n = node.value.count("doctest: +SKIP")  # a doctest example switched off
        if n:
            self.skips[f"doctest +SKIP in {self._where()}"] += n

    def visit_Assert(self, node: cst.Assert) -> None:
        if always_true(node.test):
            self.constant_asserts[self._where()] += 1

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _ASSERT_METHODS and node.args and always_true(node.args[0].value):
            self.constant_asserts[self._where()] += 1


def dotted_name(node: cst.BaseExpression) -> str:
    """``a.b.c`` for a chain of names and attributes, "" for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


def always_true(node: cst.BaseExpression) -> bool:
    """An expression that is true whatever the code under test does (a constant, ``x or True``, a tuple)."""
    if isinstance(node, cst.Name):
        return node.value == "True"
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value != 0
    if isinstance(node, cst.SimpleString):
        return len(node.evaluated_value) > 0
    if isinstance(node, cst.Tuple):
        return len(node.elements) > 0  # ``assert (x, "msg")`` never fails
    if isinstance(node, cst.BooleanOperation):
        if isinstance(node.operator, cst.Or):
            return always_true(node.left) or always_true(node.right)
        return always_true(node.left) and always_true(node.right)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        return always_false(node.expression)
    return False


def always_false(node: cst.BaseExpression) -> bool:
    """The expression is a literal that is always falsy (False, None, 0, 0.0, an empty string)."""
    if isinstance(node, cst.Name):
        return node.value in ("False", "None")
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value == 0
    if isinstance(node, cst.SimpleString):
        return len(node.evaluated_value) == 0
    return False
