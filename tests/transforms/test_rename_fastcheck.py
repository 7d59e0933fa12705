"""The fast path's last check re-parses only the statements holding an edit
(``fastcheck._regions_same``); it must never say "same" where parsing the whole edited
file says otherwise, and it must answer for the plain cases (else it saves nothing).

Inputs: made-up sources with right and wrong edits, and random edits (right, shifted,
splitting a token, inside a string) of the names in the rename golden cases' files.
"""
from __future__ import annotations

import ast
import copy
import random
from pathlib import Path

import pytest

from runner.transforms.rename import fastcheck
from runner.transforms.rename.astfacts import collect, line_starts, span

SOURCE = b'''"""Module."""
import os


@decorate(1)
def old():
    return os.sep  # old sep


class C:
    """About old."""

    def method(self):
        x = old()
        return [x, "old"]

a = 1; b = old
'''


def _check(source: bytes, edits, subs) -> tuple[bool, bool]:
    """(the region check's verdict, the whole file's parse compared) on fresh trees;
    ``subs``: (a function finding the node in a tree, field, value)."""
    after = b"".join(_pieces(source, edits))
    verdicts = []
    for regions in (True, False):
        tree = ast.parse(source)
        resolved = [(find(tree), field, value) for find, field, value in subs]
        for node, field, value in resolved:
            setattr(node, field, value)
        if regions:
            verdicts.append(fastcheck._regions_same(tree, source, edits, resolved, collect(tree).literals))
            continue
        try:
            verdicts.append(fastcheck.equal(tree, ast.parse(after)))
        except SyntaxError:
            verdicts.append(False)
    return verdicts[0], verdicts[1]


def _pieces(source: bytes, edits):
    last = 0
    for start, end, new in edits:
        yield source[last:start]
        yield new
        last = end
    yield source[last:]


def _name_at(source: bytes, at: int):
    """A finder of the ``Name`` node that starts at byte ``at`` of ``source``."""
    starts = line_starts(source)
    return lambda tree: next(n for n in ast.walk(tree) if isinstance(n, ast.Name) and span(starts, n)[0] == at)


def _def(tree: ast.Module, name: str) -> ast.AST:
    return next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name)


def test_a_name_in_a_method_is_checked_in_its_statement() -> None:
    at = SOURCE.index(b"x = old()") + 4
    edits = [(at, at + 3, b"new")]
    assert _check(SOURCE, edits, [(_name_at(SOURCE, at), "id", "new")]) == (True, True)


def test_a_decorated_definition_and_a_comment() -> None:
    start = SOURCE.index(b"def old") + 4
    comment = SOURCE.index(b"# old sep")
    edits = [(start, start + 3, b"new"), (comment, comment + len(b"# old sep"), b"# new sep")]
    assert _check(SOURCE, edits, [(lambda t: _def(t, "old"), "name", "new")]) == (True, True)


def test_a_docstring_edit() -> None:
    at = SOURCE.index(b"About old.")
    edits = [(at, at + len(b"About old."), b"About new.")]
    doc = lambda t: next(n for n in ast.walk(t) if isinstance(n, ast.Constant) and n.value == "About old.")  # noqa: E731
    assert _check(SOURCE, edits, [(doc, "value", "About new.")]) == (True, True)


def test_a_statement_sharing_its_line_is_left_to_the_whole_check() -> None:
    at = SOURCE.index(b"b = old") + 4
    assert _check(SOURCE, [(at, at + 3, b"new")], [(_name_at(SOURCE, at), "id", "new")]) == (False, True)


@pytest.mark.parametrize("what, new, shift", [
    ("splits the token", b"ne w", 0), ("shifted", b"new", 1), ("glues a bracket", b"new(", 0),
])
def test_a_wrong_edit_is_never_the_same(what: str, new: bytes, shift: int) -> None:
    at = SOURCE.index(b"x = old()") + 4
    region, whole = _check(SOURCE, [(at + shift, at + shift + 3, new)], [(_name_at(SOURCE, at), "id", "new")])
    assert (region, whole) == (False, False), what


def test_an_edit_inside_a_string_said_to_be_a_name_is_not_the_same() -> None:
    at = SOURCE.index(b'"old"') + 1
    name = SOURCE.index(b"x = old()") + 4
    assert _check(SOURCE, [(at, at + 3, b"new")], [(_name_at(SOURCE, name), "id", "new")]) == (False, False)


def test_a_comment_edit_that_is_not_a_comment() -> None:
    source = b'x = """\n# old\n"""\n'
    at = source.index(b"# old")
    assert _check(source, [(at, at + 5, b"# new")], []) == (False, False)  # inside a string
    source = b"x = 1  # old\n"
    at = source.index(b"# old")
    assert _check(source, [(at, at + 5, b"# new\ny = 2")], []) == (False, False)  # a new line


def test_a_substitution_without_an_edit_is_not_the_same() -> None:
    assert _check(SOURCE, [], [(_name_at(SOURCE, SOURCE.index(b"x = old()") + 4), "id", "new")]) == (False, False)


def test_tabs_are_left_to_the_whole_check() -> None:
    source = b"if 1:\n\tx = old\n"
    at = source.index(b"old")
    assert _check(source, [(at, at + 3, b"new")], [(_name_at(source, at), "id", "new")]) == (False, True)


CASES = Path(__file__).parent / "cases" / "rename"


def test_random_edits_of_the_golden_files_region_same_only_where_the_whole_check_agrees() -> None:
    rng = random.Random(7)
    region_same = 0
    for path in sorted(CASES.rglob("*.py")):
        source = path.read_bytes()
        try:
            original = ast.parse(source)
        except SyntaxError:
            continue
        starts = line_starts(source)
        for _ in range(8):
            tree = copy.deepcopy(original)
            names = [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
            if not names:
                break
            node = rng.choice(names)
            start, end = span(starts, node)
            mode = rng.choice(["right", "right", "shift", "split"])
            new = b"zz_new" if mode != "split" else b"zz new"
            if mode == "shift":
                start = max(0, start + rng.choice((-1, 1)))
                end = start + len(node.id)
            node.id = "zz_new"
            edits = [(start, end, new)]
            after = source[:start] + new + source[end:]
            region = fastcheck._regions_same(tree, source, edits, [(node, "id", "zz_new")], collect(tree).literals)
            try:
                whole = fastcheck.equal(tree, ast.parse(after))
            except SyntaxError:
                whole = False
            assert whole or not region, (path, mode, start)
            region_same += region
    assert region_same > 20
