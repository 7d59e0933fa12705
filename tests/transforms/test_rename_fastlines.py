"""The fast path's walk skips the statements on no line that matters (:mod:`.fastlines`):
the lines found are those of every spelling of the old last part (escapes, continuations,
concatenations), star imports and roots; and a decision with the skipping walk is the one
with the whole walk, and the libcst path's (facts placed far from the mentions)."""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the repo is not installed into the test venv
    sys.path.insert(0, str(ROOT))

from runner.transforms.base import Changed  # noqa: E402
from runner.transforms.engine import file_context  # noqa: E402
from runner.transforms.rename import RenameTransform  # noqa: E402
from runner.transforms.rename import fast as fast_module  # noqa: E402
from runner.transforms.rename.astfacts import collect, line_starts  # noqa: E402
from runner.transforms.rename.fast import fast_decision  # noqa: E402
from runner.transforms.rename.fastlines import fact_lines  # noqa: E402

from tests.transforms.test_rename_fast import _both, _tree  # noqa: E402


def _lines(source: str, dotted: tuple[str, ...] = ()) -> list[int] | None:
    data = source.encode("utf-8")
    return fact_lines(data, line_starts(data), "old_name", list(dotted))


@pytest.mark.parametrize("source,expected", [
    ("a = 1\nold_name()\nb = 2\n", [2]),
    ("a = 1\nxold_names = 2\n", [2]),  # glued: a string's escape may still make it a word
    ("x = '\\x6fld_name'\n", [1]),
    ("x = '\\157ld\\x5Fn\\u0061\\U0000006de'\n", [1]),
    ("x = 'o\\N{LATIN SMALL LETTER L}d_name'\n", [1]),
    ("x = 'old_\\\nname'\n", [1]),
    ("a = 1\nx = ('old_'  # it's split\n\n     r'na' \"\"\"me\"\"\")\n", [2]),
    ("a = 1\nx = 'old_' \\\n    'name'\n", [2]),
    ("a = 1\nfrom m import \\\n  *\n", [2]),
    ("'old_' + 'name'\nold_nam = 1\n", []),
], ids=["plain", "glued", "hex", "octal-unicode", "named", "continued", "concatenated", "continued-concat",
        "star", "none"])
def test_fact_lines_find_every_spelling(source: str, expected: list[int]) -> None:
    assert _lines(source) == expected


def test_fact_lines_read_all_when_identifiers_may_be_spelled_otherwise() -> None:
    assert _lines("x = 'caf\u00e9'\nold_name()\n") == [2]  # NFKC-normalized: spelled as read
    assert _lines("def f():\n    \uff4fld_name = 1\n") is None  # fullwidth o: ast reads old_name
    assert _lines("old_name()\n", ("pkg.text.old_name", "pkg:other")) is None
    assert _lines("old_name()\n", ("pkg.text.old_name", "pkg.text:old_name")) == [1]


def test_collect_skips_the_statements_on_no_line() -> None:
    tree = ast.parse("import a\n\n@deco\ndef f(x):\n    y = a.old_name\n    return x\n\nclass C:\n    z = 1\n")
    facts = collect(tree, [5])
    assert sorted(facts.bindings) == ["f", "x", "y"]  # the def (its lines hold 5) and its line 5
    assert [n.attr for n in facts.attributes] == ["old_name"]
    whole = collect(tree)
    assert sorted(whole.bindings) == ["C", "a", "f", "x", "y", "z"]
    assert collect(tree, [3]).defs == [tree.body[1]]  # a decorator's line is the def's


PAD = "".join(f"def pad{i}(a, b):\n    return [a.x, b.y, {i}]\n\n" for i in range(30))

#: (name, source with mentions far from the fact that decides, expected)
FAR = [
    ("escaped-string", "from pkg.text import old_name\nold_name()\n" + PAD + "def g():\n    return '\\x6fld_name'\n",
     "string mentions"),
    ("concatenated-string", "from pkg.text import old_name\nold_name()\n" + PAD
     + "def g():\n    return ('old_'  # split\n            'name')\n", "string mentions"),
    ("continued-string", "from pkg.text import old_name\nold_name()\n" + PAD + "X = 'old_\\\nname'\n",
     "string mentions"),
    ("escaped-docstring", "from pkg.text import old_name\nold_name()\n" + PAD + "def g():\n    '''\\x6fld_name'''\n",
     "string mentions"),
    ("root-bound-again", "from pkg import text\ntext.old_name()\n" + PAD + "def g():\n    text = 1\n",
     "libcst may resolve"),
    ("root-bound-once", "from pkg import text\n" + PAD + "def g():\n    return text.old_name()\n", "changed"),
    ("fullwidth-binding", "from pkg.text import old_name\nold_name()\n" + PAD + "def g():\n    \uff4fld_name = 1\n",
     "more than once"),
    ("star-far", "x = 1\n" + PAD + "from pkg.text import *\n", "concerned module"),
    ("far-changed", "from pkg.text import old_name\n" + PAD + "def g():\n    return old_name()  # old_name\n",
     "changed"),
]


@pytest.mark.parametrize("name,source,expected", FAR, ids=[c[0] for c in FAR])
def test_skipping_walk_decides_as_the_whole_walk(name: str, source: str, expected: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path, "app/a.py", source)
    old, new = "pkg.text.old_name", "pkg.text.new_name"
    transform = RenameTransform(old, new)
    data, ctx = (root / "app/a.py").read_bytes(), file_context(str(root), "app/a.py")
    decided = fast_decision(transform.spec, data, ctx, transform.doctest_renamer())
    with monkeypatch.context() as patch:
        patch.setattr(fast_module, "fact_lines", lambda *args: None)
        whole = fast_decision(transform.spec, data, ctx, transform.doctest_renamer())
    assert decided == whole
    fast, slow = _both(root, "app/a.py", old, new, monkeypatch)
    assert fast == slow
    if expected == "changed":
        assert isinstance(decided, Changed), decided
    else:
        assert isinstance(decided, str) and expected in decided, decided
