"""batchmod's RemoveUnusedImportsCommand: libcst's, minus the imports that exist for
someone else (seen on WebOb 1.8.7, python-dateutil 2.9.0.post0 and Pygments 2.17.2, where
per-file tools remove them)."""
from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.helpers import calculate_module_and_package

from runner.transforms.base import FileContext
from runner.transforms.codemod import CodemodTransform
from runner.transforms.library.unused_imports import RemoveUnusedImportsCommand

COMPAT = (
    "import os\n"
    "try:\n"
    "    from queue import Queue, Empty\n"
    "except ImportError:\n"
    "    from Queue import Queue, Empty\n"
    "from collections.abc import Iterable, Sized\n"
    "\n\n"
    "def text_(s):\n"
    "    return str(s)\n"
)
TEXT_ = "\n\ndef text_(s):\n    return str(s)\n"


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def _run(root: Path, rel: str) -> str:
    names = calculate_module_and_package(str(root), str(root / rel))
    ctx = FileContext(str(root), rel, names.name, names.package)
    module = cst.parse_module((root / rel).read_text())
    return CodemodTransform(RemoveUnusedImportsCommand, {}).transform_module(module, ctx).module.code


def test_names_other_modules_import_from_this_one_are_kept(tmp_path: Path) -> None:
    _tree(tmp_path, {
        "src/pkg/__init__.py": "",
        "src/pkg/compat.py": COMPAT,
        "src/pkg/client.py": "from .compat import (\n    Queue,  # a comment\n)\n\nq = Queue()\n",
        "tests/test_compat.py": "import pkg.compat\n\n\ndef test_iterable():\n    assert pkg.compat.Iterable\n",
    })
    after = _run(tmp_path, "src/pkg/compat.py")
    assert after == (
        "try:\n"
        "    from queue import Queue\n"
        "except ImportError:\n"
        "    from Queue import Queue\n"
        "from collections.abc import Iterable\n" + TEXT_
    )


def test_an_import_only_module_is_kept_whole(tmp_path: Path) -> None:
    source = '"""Old import path: the lexers moved."""\n\nfrom pkg.sql import SqlLexer\nfrom pkg.shell import BashLexer\n\n__all__ = []\n'
    _tree(tmp_path, {"pkg/other.py": source})
    assert _run(tmp_path, "pkg/other.py") == source


def test_an_import_only_function_keeps_its_imports(tmp_path: Path) -> None:
    source = (
        "import sys\n\n\n"
        "def test_import_parser():\n"
        '    """The parser can be imported."""\n'
        "    from dateutil import parser\n\n\n"
        "def test_other():\n"
        "    from dateutil import tz\n"
        "    assert True\n"
    )
    _tree(tmp_path, {"tests/test_imports.py": source})
    assert _run(tmp_path, "tests/test_imports.py") == (
        "\n\n"
        "def test_import_parser():\n"
        '    """The parser can be imported."""\n'
        "    from dateutil import parser\n\n\n"
        "def test_other():\n"
        "    assert True\n"
    )


def test_without_other_users_it_removes_what_libcst_removes(tmp_path: Path) -> None:
    _tree(tmp_path, {"pkg/compat.py": COMPAT})
    assert _run(tmp_path, "pkg/compat.py") == "try:\n    pass\nexcept ImportError:\n    pass\n" + TEXT_


def test_a_function_that_reads_its_locals_by_name_keeps_its_imports(tmp_path: Path) -> None:
    source = (
        "def test_import_tz_all():\n"
        "    from dateutil.tz import tzutc\n"
        "    from dateutil.tz import gettz\n"
        "    for name in [\"tzutc\", \"gettz\"]:\n"
        "        assert locals()[name] is not None\n"
    )
    _tree(tmp_path, {"tests/test_imports.py": source})
    assert _run(tmp_path, "tests/test_imports.py") == source
