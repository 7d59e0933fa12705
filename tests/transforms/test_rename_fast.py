"""The rename's fast path (``RenameTransform.precheck``, stdlib ``ast``) against its libcst
path: wherever the fast path answers, the engine's outcome must be the one the libcst path
gives, byte for byte; where it gives up, the reason is the expected one (golden cases).

Inputs: every file of every rename golden case (``cases/rename/*/before`` and ``after``),
and made-up files in a small package (``pkg/text.py`` defines ``old_name``).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the repo is not installed into the test venv
    sys.path.insert(0, str(ROOT))

from runner.playbook.spec import TaskTypeSpec  # noqa: E402
from runner.transforms import engine  # noqa: E402
from runner.transforms.base import Changed, Unchanged  # noqa: E402
from runner.transforms.engine import FileJob, Step, apply_file_job, file_context  # noqa: E402
from runner.transforms.rename import RenameTransform  # noqa: E402
from runner.transforms.rename.fast import fast_decision  # noqa: E402

CASES_DIR = Path(__file__).parent / "cases" / "rename"
TREES = sorted(p / side for p in CASES_DIR.iterdir() if p.is_dir() for side in ("before", "after"))


def _step(old: str, new: str) -> Step:
    return Step(0, TaskTypeSpec("rename", "rename", json.dumps({"old": old, "new": new}, sort_keys=True)), None)


def _both(root: Path, rel: str, old: str, new: str, monkeypatch: pytest.MonkeyPatch):
    """The engine's result for one file with the fast path and without it."""
    job = FileJob(str(root), rel, (root / rel).read_bytes(), (_step(old, new),))
    fast = apply_file_job(job)
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_precheck", lambda *args: None)
        slow = apply_file_job(job)
    return fast, slow


@pytest.mark.parametrize("tree", TREES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_trees_agree(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = json.loads((tree.parent / "args.json").read_text())
    for path in sorted(tree.rglob("*.py")):
        rel = path.relative_to(tree).as_posix()
        fast, slow = _both(tree, rel, args["old"], args["new"], monkeypatch)
        assert fast == slow, f"{tree.parent.name}/{tree.name}/{rel}"


DEFINING = '''"""Text helpers."""


def helper():
    return 1


@decorate
def old_name(items, word="or"):
    return word.join(items)


def uses():
    return old_name([]) or helper()
'''

#: (name, file, source, expected: "changed" | "unchanged" | a substring of the give-up reason)
CASES = [
    ("from-import", "app/a.py", "from pkg.text import helper, old_name\n\nx = old_name([1])\n"
     "def f():\n    return old_name(\n        [2])\nclass C:\n    y = [old_name(i) for i in z]\n"
     "    z = f'{old_name(1)!r}'\n", "changed"),
    ("parenthesized", "app/a.py", "from pkg.text import (\n    helper,\n    old_name,  # keep\n)\n"
     "old_name()\n", "changed"),
    ("relative-import", "pkg/sub.py", "from .text import old_name\nold_name()\n", "changed"),
    ("as-alias", "app/a.py", "from pkg.text import old_name as on\non()\n", "changed"),
    ("module-alias", "app/a.py", "from pkg import text\nimport pkg.text as t\ntext.old_name()\n"
     "t.old_name\nself.old_name\n", "changed"),
    ("full-spelling", "app/a.py", "import pkg\npkg.text.old_name()\n", "changed"),
    ("full-spelling-spaced", "app/a.py", "import pkg\npkg.text . old_name()\n", "libcst may resolve"),
    ("dotted-import", "app/a.py", "import pkg.text\npkg.text.old_name()\n", "libcst may resolve"),
    ("call-in-chain", "app/a.py", "from pkg import text\ntext().old_name\n", "libcst may resolve"),
    ("outside-attribute", "app/a.py", "from datetime import datetime\nimport os.path as p\n"
     "datetime.old_name(p.old_name, datetime().old_name)\n", "unchanged"),
    ("project-attribute", "app/a.py", "from app import a as me\nme.old_name\n", "libcst may resolve"),
    ("other-module", "app/a.py", "from pkg.other import old_name\nold_name()\n", "another module"),
    ("other-module-attr", "app/a.py", "from pkg import other\nother.old_name()\n", "libcst may resolve"),
    ("unrelated-attr", "app/a.py", "def f(obj):\n    return obj.old_name\n", "changed_or_unchanged"),
    ("defining", "pkg/text.py", DEFINING, "changed"),
    ("defining-class", "pkg/text.py", "class old_name:\n    pass\nx = old_name()\n", "changed"),
    ("defining-assignment", "pkg/text.py", "old_name = len\n", "binds the name otherwise"),
    ("keyword-argument", "app/a.py", "from pkg.text import old_name\nf(old_name=old_name)\n", "not a name read"),
    ("parameter", "app/a.py", "from pkg.text import old_name\ndef f(old_name):\n    pass\n", "more than once"),
    ("assignment", "app/a.py", "from pkg.text import old_name\nold_name = 1\n", "more than once"),
    ("for-target", "app/a.py", "from pkg.text import old_name\nfor old_name in x:\n    pass\n", "more than once"),
    ("comprehension", "app/a.py", "from pkg.text import old_name\n[old_name for old_name in x]\n", "more than once"),
    ("walrus", "app/a.py", "from pkg.text import old_name\nif (old_name := 1):\n    pass\n", "more than once"),
    ("except-name", "app/a.py", "from pkg.text import old_name\ntry:\n    pass\nexcept E as old_name:\n    pass\n",
     "more than once"),
    ("global", "app/a.py", "from pkg.text import old_name\ndef f():\n    global old_name\n", "more than once"),
    ("del", "app/a.py", "from pkg.text import old_name\ndel old_name\n", "more than once"),
    ("match-capture", "app/a.py", "from pkg.text import old_name\nmatch x:\n    case [old_name]:\n        pass\n",
     "more than once"),
    ("try-import", "app/a.py", "try:\n    from pkg.text import old_name\nexcept ImportError:\n"
     "    from pkg.text import old_name\n", "more than once"),
    ("import-in-function", "app/a.py", "def f():\n    from pkg.text import old_name\n    return old_name()\n",
     "not at module level"),
    ("string", "app/a.py", "from pkg.text import old_name\npatch('pkg.text.old_name')\n", "string mentions"),
    ("escaped-string", "app/a.py", "from pkg.text import old_name\nx = '\\x6fld_name'\n", "string mentions"),
    ("docstring", "app/a.py", '"""Uses old_name (pkg:old_name)."""\nfrom pkg.text import old_name\n', "changed"),
    ("docstring-attribute", "app/a.py", '"""Uses text.old_name."""\nfrom pkg.text import old_name\n', "re-export"),
    ("docstring-no-edit", "app/a.py", '"""Uses old_name."""\n', "string mentions"),
    ("docstring-bytes", "app/a.py", 'b"""Uses old_name."""\nfrom pkg.text import old_name\n', "string mentions"),
    ("docstring-concatenated", "app/a.py", '"""Uses """ "old_name."\nfrom pkg.text import old_name\n',
     "string mentions"),
    ("docstring-shares-line", "app/a.py", '"""Uses old_name."""; from pkg.text import old_name\n',
     "string mentions"),
    ("docstring-suite", "app/a.py", 'from pkg.text import old_name\ndef f(): """old_name"""\n', "string mentions"),
    ("docstring-dotted", "app/a.py", '"""pkg:text:old_name"""\nfrom pkg.text import old_name\n', "changed"),
    ("docstring-entry-point", "app/a.py", '"""pkg.text:old_name"""\nfrom pkg.text import old_name\n', "dotted name"),
    ("doctest", "pkg/text.py", 'def old_name(x):\n    """Doc.\n\n    >>> old_name(1)\n    1\n'
     '    >>> from pkg.text import old_name as o; o(2)\n    2\n    """\n    return x\n', "changed"),
    ("doctest-lines", "pkg/text.py", 'def old_name(x):\n    """\n    >>> import pkg.text\n'
     '    >>> pkg.other.old_name(pkg.text.old_name)\n    """\n', "re-export"),
    ("doctest-gap", "pkg/text.py", 'def old_name(x):\n    """\n    >>> from pkg.text import old_name, new_name\n'
     '    >>> old_name\n    """\n', "new name occurs"),
    ("comment", "app/a.py", "from pkg.text import old_name  # old_name is nice\n#old_name\n", "changed"),
    ("comment-no-edit", "app/a.py", "x = obj.old_name  # old_name\n", "unchanged"),
    ("hash-in-string", "app/a.py", "from pkg.text import old_name\nx = '#'; old_name()\n", "changed"),
    ("hash-in-string-mention", "app/a.py", "from pkg.text import old_name\nx = '# old_name'\n", "string mentions"),
    ("comment-in-concatenation", "app/a.py", "from pkg.text import old_name\nx = ('a'  # old_name\n  'b')\n",
     "not a name read"),
    ("all-entry", "pkg/text.py", "def old_name():\n    pass\n__all__ = ['old_name', u\"helper\"] + other\n"
     "__all__ += ('old_name',)\n__all__.extend({'old_name'})\n__all__.append(r'old_name')\n", "changed"),
    ("all-entry-reexport", "app/__init__.py", "from pkg.text import old_name\n__all__: list = ['old_name']\n", "changed"),
    ("all-entry-aliased", "app/a.py", "from pkg.text import old_name as o\n__all__ = ['old_name']\n", "string mentions"),
    ("all-entry-nested", "pkg/text.py", "def old_name():\n    pass\nif x:\n    __all__ = ['old_name']\n",
     "string mentions"),
    ("all-entry-concatenated", "pkg/text.py", "def old_name():\n    pass\n__all__ = ['old_' 'name']\n",
     "string mentions"),
    ("all-entry-bytes", "pkg/text.py", "def old_name():\n    pass\n__all__ = [b'old_name']\n", "string mentions"),
    ("new-name-inside-a-word", "app/a.py", "from pkg.text import old_name\nold_name(my_new_name)\n", "changed"),
    ("new-name-present", "app/a.py", "from pkg.text import old_name\nnew_name = 1\n", "new name occurs"),
    ("star", "app/a.py", "from pkg.text import *\nold_name()\n", "a star import"),
    ("star-unrelated", "app/a.py", "from os.path import *\nx = 1\n", "unchanged"),
    ("star-concerned", "app/a.py", "from pkg.text import *\nx = 1\n", "concerned module"),
    ("no-mention", "app/a.py", "def test_old_name_works():\n    pass\n", "unchanged"),
    ("attribute-no-mention", "app/a.py", "x.old_names\n", "re-export"),
    ("unresolvable", "app/a.py", "from .... import old_name_helper\n", "unresolvable relative"),
    ("unbound-read", "app/a.py", "old_name()\n", "does not bind"),
    ("bom", "app/a.py", "\ufefffrom pkg.text import old_name\n", "UTF-8"),
    ("latin-1", "app/a.py", "# -*- coding: latin-1 -*-\nfrom pkg.text import old_name\n", "UTF-8"),
    ("latin-1-second-line", "app/a.py", "#!/usr/bin/env python\r\n# coding=latin-1\nfrom pkg.text import old_name\n",
     "UTF-8"),
    ("cookie-third-line", "app/a.py", "\n\r\n# coding: latin-1\nfrom pkg.text import old_name\nold_name()\n", "changed"),
    ("syntax-error", "app/a.py", "from pkg.text import old_name\ndef (:\n", "does not parse"),
]


def _tree(tmp_path: Path, rel: str, source: str) -> Path:
    for folder in ("pkg", "app"):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / "__init__.py").write_text("")
    if rel != "pkg/text.py":
        (tmp_path / "pkg" / "text.py").write_text(DEFINING)
    (tmp_path / rel).write_bytes(source.encode("utf-8"))
    return tmp_path


@pytest.mark.parametrize("name,rel,source,expected", CASES, ids=[c[0] for c in CASES])
def test_made_up_cases(name: str, rel: str, source: str, expected: str, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path, rel, source)
    old, new = "pkg.text.old_name", "pkg.text.new_name"
    transform = RenameTransform(old, new)
    decided = fast_decision(transform.spec, (root / rel).read_bytes(), file_context(str(root), rel),
                            transform.doctest_renamer())
    fast, slow = _both(root, rel, old, new, monkeypatch)
    assert fast == slow
    if expected == "changed":
        assert isinstance(decided, Changed), decided
    elif expected == "unchanged":
        assert isinstance(decided, Unchanged), decided
    elif expected == "changed_or_unchanged":
        assert not isinstance(decided, str), decided
    else:
        assert isinstance(decided, str) and expected in decided, decided


def test_fast_swap_is_the_libcst_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the fast path renames: the engine's result is the libcst path's, and it is
    what a person expects."""
    root = _tree(tmp_path, "app/a.py", "from pkg import text\nfrom pkg.text import old_name\n"
                 "def f(self):\n    return old_name(text.old_name, self.old_name)\n")
    fast, slow = _both(root, "app/a.py", "pkg.text.old_name", "pkg.text.new_name", monkeypatch)
    assert fast == slow
    assert fast.final == (b"from pkg import text\nfrom pkg.text import new_name\n"
                          b"def f(self):\n    return new_name(text.new_name, self.old_name)\n")
