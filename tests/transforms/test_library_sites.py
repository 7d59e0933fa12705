"""batchmod's own codemods (runner/transforms/library/): each site stands alone.

A site whose replacement cannot be built, would drop a comment or does not parse is left
as it was and reported as a gap (file:line:col, rule, reason, matched source); the other
sites of the file are still converted.
"""
from __future__ import annotations

import libcst as cst
import pytest

from runner.transforms.base import FileContext, Gap
from runner.transforms.codemod import CodemodTransform
from runner.transforms.library import optional_to_or
from runner.transforms.library.builtin_generics import BuiltinGenericsCommand
from runner.transforms.library.optional_to_or import OptionalToOrCommand
from runner.transforms.library.union_to_or import UnionToOrCommand

CTX = FileContext("/nonexistent-root", "pkg/mod.py", "pkg.mod", "pkg")


def _run(cls: type, before: str) -> tuple[str, tuple[Gap, ...], tuple[str, ...]]:
    result = CodemodTransform(cls, {}).transform_module(cst.parse_module(before), CTX)
    return result.module.code, result.gaps, result.warnings


def test_union_with_a_comment_inside_is_a_gap_and_the_other_sites_convert() -> None:
    before = (
        "from typing import Union\n\n"
        "a: Union[int, str] = 1\n"
        "b: Union[\n"
        "    int,  # the count\n"
        "    str,\n"
        "] = 1\n"
        "c: Union[bytes, None] = None\n"
    )
    after, gaps, warnings = _run(UnionToOrCommand, before)
    assert after == (
        "from typing import Union\n\n"
        "a: int | str = 1\n"
        "b: Union[\n"
        "    int,  # the count\n"
        "    str,\n"
        "] = 1\n"
        "c: bytes | None = None\n"
    )
    assert gaps == (Gap("pkg/mod.py", 4, 4, "the replacement would drop the comment '# the count'; left unchanged",
                        "Union[\n    int,  # the count\n    str,\n]", "UnionToOrCommand"),)
    assert warnings == ()  # the gap says it; the warning is not repeated


def test_optional_with_a_comment_inside_is_a_gap_and_the_other_sites_convert() -> None:
    before = (
        "from typing import Optional\n\n\n"
        "def f(a: Optional[int], b: Optional[  # why\n"
        "        str], c: Optional[bytes]) -> None:\n"
        "    ...\n"
    )
    after, gaps, _ = _run(OptionalToOrCommand, before)
    assert after == (
        "from typing import Optional\n\n\n"
        "def f(a: int | None, b: Optional[  # why\n"
        "        str], c: bytes | None) -> None:\n"
        "    ...\n"
    )
    assert [(g.line, g.column, g.rule, g.source) for g in gaps] == [
        (4, 28, "OptionalToOrCommand", "Optional[  # why\n        str]")]
    assert "drop the comment '# why'" in gaps[0].reason


def test_builtin_generics_with_a_comment_inside_is_a_gap_and_the_other_sites_convert() -> None:
    before = (
        "import typing\n\n"
        "a: typing.List[int] = []\n"
        "b: (typing  # the module\n"
        "    .Dict)[str, int] = {}\n"
        "c: typing.Set[int] = set()\n"
    )
    after, gaps, _ = _run(BuiltinGenericsCommand, before)
    assert after == (
        "import typing\n\n"
        "a: list[int] = []\n"
        "b: (typing  # the module\n"
        "    .Dict)[str, int] = {}\n"
        "c: set[int] = set()\n"
    )
    assert [(g.line, g.column, g.rule) for g in gaps] == [(4, 5, "BuiltinGenericsCommand")]
    assert gaps[0].reason == "the replacement would drop the comment '# the module'; left unchanged"


def test_a_replacement_that_raises_is_a_gap_and_the_other_sites_convert(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong while one replacement is built costs that site only."""
    real = optional_to_or._or_none

    def fragile(inner: cst.BaseExpression) -> cst.BaseExpression:
        if isinstance(inner, cst.Name) and inner.value == "bad":
            raise cst.CSTValidationError("cannot hold this")
        return real(inner)

    monkeypatch.setattr(optional_to_or, "_or_none", fragile)
    after, gaps, _ = _run(OptionalToOrCommand, "from typing import Optional\n\nx: Optional[bad]\ny: Optional[int]\n")
    assert after == "from typing import Optional\n\nx: Optional[bad]\ny: int | None\n"
    assert [(g.line, g.column, g.source) for g in gaps] == [(3, 4, "Optional[bad]")]
    assert gaps[0].reason == "the replacement cannot be built (CSTValidationError: cannot hold this); left unchanged"


@pytest.mark.parametrize(("before", "expected"), [
    ("x = Optional[int].__args__\n", "x = (int | None).__args__\n"),
    ("x = Optional[int][0]\n", "x = (int | None)[0]\n"),
    ("x = Optional[int] & y\n", "x = (int | None) & y\n"),
    ("x = (Optional[int])\n", "x = (int | None)\n"),
    ("x = y | Optional[int]\n", "x = y | int | None\n"),
])
def test_a_union_where_its_parent_binds_tighter_is_parenthesised(before: str, expected: str) -> None:
    after, gaps, _ = _run(OptionalToOrCommand, "from typing import Optional\n" + before)
    assert after == expected and gaps == ()  # the import, now unused, goes


def test_left_sites_are_gaps_with_their_reason() -> None:
    """What the codemods leave on purpose (a rebound builtin, a runtime forward
    reference) is reported per site, as a gap."""
    before = ("from typing import List, Optional\n\n\n"
              "class Store:\n    def list(self) -> List[int]:\n        ...\n\n\nParent = Optional[\"Node\"]\n")
    _, gaps, warnings = _run(BuiltinGenericsCommand, before)
    assert [(g.line, g.column, g.source) for g in gaps] == [(5, 23, "List")]
    assert gaps[0].reason == "`list` is rebound where this annotation is evaluated; left unchanged" and warnings == ()
    _, gaps, _ = _run(OptionalToOrCommand, before)
    assert [(g.line, g.column, g.source, g.reason) for g in gaps] == [
        (9, 10, 'Optional["Node"]', "Optional[...] with a string forward reference left unchanged")]
