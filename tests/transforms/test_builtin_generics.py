"""BuiltinGenericsCommand in runtime type expressions: ``cast``'s type, ``TypeVar``'s bound
and constraints, ``NewType``'s type and module-level aliases, where ``list[int]`` means
exactly what ``List[int]`` did (Python 3.9+); other runtime uses, strings and rebound
builtins stay."""
from __future__ import annotations

import typing

import libcst as cst

from runner.transforms.base import FileContext
from runner.transforms.codemod import CodemodTransform
from runner.transforms.library.builtin_generics import BuiltinGenericsCommand

CTX = FileContext("/nonexistent-root", "pkg/mod.py", "pkg.mod", "pkg")

BEFORE = '''import typing as t
from typing import Dict, List, NewType, Optional, TypeAlias, TypeVar, cast

Rows = List[int]
Maybe = Optional[Dict[str, int]]
Bare = List
Pair: TypeAlias = t.Tuple[int, str]
T = TypeVar("T", bound=t.Type[int])
U = TypeVar("U", List[int], Dict[str, int])
Uid = NewType("Uid", List[int])


def first(rows: List[int]) -> int:
    Local = List[int]
    assert isinstance(rows, list) and Local
    return cast(List[int], rows)[0] + cast("List[int]", rows)[0] + t.cast(typ=t.Type[int], val=1)
'''

AFTER = '''import typing as t
from typing import List, NewType, Optional, TypeAlias, TypeVar, cast

Rows = list[int]
Maybe = Optional[dict[str, int]]
Bare = List
Pair: TypeAlias = tuple[int, str]
T = TypeVar("T", bound=type[int])
U = TypeVar("U", list[int], dict[str, int])
Uid = NewType("Uid", list[int])


def first(rows: list[int]) -> int:
    Local = List[int]
    assert isinstance(rows, list) and Local
    return cast(list[int], rows)[0] + cast("List[int]", rows)[0] + t.cast(typ=type[int], val=1)
'''


def _run(before: str, **args: object) -> tuple[str, list[tuple[int, int, str]]]:
    result = CodemodTransform(BuiltinGenericsCommand, dict(args)).transform_module(cst.parse_module(before), CTX)
    return result.module.code, [(g.line, g.column, g.source) for g in result.gaps]


def test_runtime_type_expressions_are_converted_and_other_runtime_uses_stay() -> None:
    after, gaps = _run(BEFORE)
    assert after == AFTER
    assert gaps == []


def test_the_converted_module_runs_and_means_the_same() -> None:
    before_ns: dict[str, object] = {}
    after_ns: dict[str, object] = {}
    exec(compile(BEFORE, "<before>", "exec", dont_inherit=True), before_ns)
    exec(compile(AFTER, "<after>", "exec", dont_inherit=True), after_ns)
    assert after_ns["first"]([3]) == before_ns["first"]([3]) == 7  # type: ignore[operator]
    for name in ("Rows", "Maybe", "Pair"):
        assert _shape(after_ns[name]) == _shape(before_ns[name])
    assert after_ns["T"].__bound__ == type[int]  # type: ignore[attr-defined]
    assert after_ns["Uid"].__supertype__ == list[int]  # type: ignore[attr-defined]


def test_runtime_false_keeps_to_annotations() -> None:
    after, _ = _run(BEFORE, runtime=False)
    expected = BEFORE.replace("def first(rows: List[int])", "def first(rows: list[int])")
    assert after == expected


def test_a_module_that_rebinds_the_builtin_keeps_its_aliases_as_gaps() -> None:
    before = ("from typing import List, cast\n\nRows = List[int]\n\n\ndef list():\n    return cast(List[int], [])\n")
    after, gaps = _run(before)
    assert after == before
    assert gaps == [(3, 8, "List"), (7, 17, "List")]


def _shape(tp: object) -> object:
    """A type's origin and arguments, recursively (``List[int]`` and ``list[int]`` agree)."""
    return (typing.get_origin(tp) or tp, tuple(_shape(a) for a in typing.get_args(tp)))
