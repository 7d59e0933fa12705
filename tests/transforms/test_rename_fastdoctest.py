"""Doctest code renamed with ``ast`` (``fastdoctest.fast_doctest``) against the libcst path
(``libcst_doctest``): wherever the ast answers, it is the libcst path's answer; where it
gives up the libcst path is asked (``rename_doctest``), and the cases it must answer do
get an answer.

Inputs: made-up examples (calls, literals, assignments, and every kind of code it must
leave to libcst), each in the old module's own file and in a file that imports the name,
and the examples of the rename golden cases' docstrings.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from runner.transforms.base import FileContext
from runner.transforms.rename import libcst_doctest, rename_doctest
from runner.transforms.rename.docs import _PROMPT
from runner.transforms.rename.fastdoctest import fast_doctest
from runner.transforms.rename.spec import RenameSpec

SPEC = RenameSpec("pkg.text.old_name", "pkg.text.new_name")
CONTEXTS = {
    "own module": FileContext("/nowhere", "pkg/text.py", "pkg.text", "pkg"),
    "importer": FileContext("/nowhere", "app/views.py", "app.views", "app"),
}
RENAMES = [{"old_name": "new_name"}, {"old_name": "new_name", "helper": "helper2"}, {}, {"list": "seq"},
           {"__name__": "name"}]
ALIASES = [{}, {"pkg.old_name": "pkg.new_name"}]

#: (code, the ast must answer it)
SNIPPETS = [
    ("old_name(['a', 'b'])\n", True),
    ("old_name(['a', 'b'], 'and')\nx = old_name([])\nprint(x, old_name)\n", True),
    ("old_name(\n['a'],\nword='or')\n", True),
    ("assert old_name([]) == ''\n", True),
    ("d = {old_name: [old_name(i) for i in 'ab'][0]}\n", False),  # a comprehension (a scope)
    ("x = 1\ny = x + 2\n", True),  # no mention at all
    ("old_name(1); old_name(2)\n", True),
    ("helper(old_name)\n", True),
    ("old_name.attr\n", True),
    ("a[old_name] = old_name[1:2]\n", True),
    ("f(*old_name, **{'k': old_name})\n", True),
    ("old_name() if old_name else not old_name\n", True),
    ("old_name  # old_name is renamed\n", False),  # a comment mention
    ("x.old_name()\n", False),  # an attribute
    ("f(old_name=1)\n", False),  # a keyword
    ("old_name = 1\nold_name\n", False),  # bound here
    ("'old_name'\n", False),  # a string
    ("b'pkg.text.old_name'\n", False),
    ("new_name(1)\nold_name(1)\n", False),  # the new name is used already
    ("from pkg.text import old_name\nold_name()\n", False),  # an import
    ("import pkg.text\npkg.text.old_name()\n", False),
    ("def f():\n    return old_name()\n", False),  # a scope
    ("lambda: old_name\n", False),
    ("f'{old_name}'\n", False),  # an f-string
    ("(y := old_name)\n", False),
    ("for i in old_name(): pass\n", False),
    ("old_name(1) +\n", False),  # does not parse
    ("print 'x'\n", False),
    ("café(old_name)\n", False),  # not ASCII
    ("x = old_name\\\n  (1)\n", False),  # a backslash
    ("helper(1)\nold_name(helper)\n", True),
    ("old_namex(1)\nx_old_name\n", True),  # not whole words
    ("    old_name(1)\n", False),  # indented: ast does not parse it
    ("list(old_name)\n", True),
    ("__name__\n", True),
]


def _cases() -> list[tuple[str, str, dict[str, str], dict[str, str]]]:
    return [(code, ctx, renames, aliases) for code, _ in SNIPPETS for ctx in CONTEXTS
            for renames in RENAMES for aliases in ALIASES]


@pytest.mark.parametrize("code, ctx, renames, aliases", _cases())
def test_an_ast_answer_is_the_libcst_answer(code: str, ctx: str, renames: dict[str, str],
                                            aliases: dict[str, str]) -> None:
    fast = fast_doctest(code, SPEC, aliases, renames)
    slow = libcst_doctest(code, CONTEXTS[ctx], SPEC, aliases, renames)
    if fast is not None:
        assert fast == slow
    assert rename_doctest(code, CONTEXTS[ctx], SPEC, aliases, renames) == slow


@pytest.mark.parametrize("code, answered", SNIPPETS)
def test_the_plain_examples_are_answered_by_ast(code: str, answered: bool) -> None:
    assert (fast_doctest(code, SPEC, {}, {"old_name": "new_name"}) is not None) == answered


def test_renamed_reads_change_and_nothing_else() -> None:
    code = "x = old_name(['a'])\nhelper(old_name, x)\n"
    assert fast_doctest(code, SPEC, {}, {"old_name": "new_name"}) == "x = new_name(['a'])\nhelper(new_name, x)\n"
    assert fast_doctest(code, SPEC, {}, {"helper": "aid"}) is None  # old_name read, but not renamed here
    assert fast_doctest("list(x)\n", SPEC, {}, {"list": "seq"}) is None  # libcst reads the builtin


def _golden_examples() -> list[tuple[str, RenameSpec, str]]:
    out = []
    cases = Path(__file__).parent / "cases" / "rename"
    for case in sorted(p for p in cases.iterdir() if p.is_dir()):
        args = json.loads((case / "args.json").read_text())
        spec = RenameSpec(args["old"], args["new"])
        for path in sorted((case / "before").rglob("*.py")):
            try:
                tree = ast.parse(path.read_bytes())
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                doc = ast.get_docstring(node, clean=False) if isinstance(
                    node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None
                lines = [m.string[m.end():] for m in map(_PROMPT.match, (doc or "").split("\n")) if m]
                if lines:
                    out.append(("\n".join(lines) + "\n", spec, f"{case.name}/{path.name}"))
    return out


@pytest.mark.parametrize("code, spec, where", _golden_examples(), ids=lambda v: v if isinstance(v, str) and "/" in v else "")
def test_golden_case_examples_agree(code: str, spec: RenameSpec, where: str) -> None:
    ctx = FileContext("/nowhere", "m.py", spec.old_mod, spec.old_mod)
    for renames in ({spec.old_last: spec.new_last}, {}):
        fast = fast_doctest(code, spec, {}, renames)
        if fast is not None:
            assert fast == libcst_doctest(code, ctx, spec, {}, renames), where
