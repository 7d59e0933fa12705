"""A re-exporting module is read without libcst when its bytes show it binds nothing the
rename renames (``reexports.may_bind``): the aliases are the ones the libcst reading finds,
for package ``__init__`` files that re-export the name and files that cannot."""
from __future__ import annotations

from pathlib import Path

import pytest

from runner.transforms.base import FileContext
from runner.transforms.rename import reexports
from runner.transforms.rename.spec import RenameSpec

SPEC = RenameSpec("pkg.sub.text.old_name", "pkg.sub.text.new_name")

#: (pkg/sub/__init__.py, pkg/__init__.py) contents
INITS = [
    ("", ""),
    ("from .text import old_name\n", ""),
    ("from .text import old_name\n", "from .sub import old_name\n"),
    ("from .text import *\n", "from pkg.sub import *\n"),
    ("from .text import old_name as on\n", "from .sub import on\n"),
    ("import pkg.sub.text\nold_name = pkg.sub.text.old_name\n", ""),
    ("from .other import helper\n", "from .sub import helper\n"),
    ('"""old_name is documented here"""\n', "VERSION = 1\n"),
    ("# -*- coding: latin-1 -*-\nfrom .text import old_name\n", ""),
    ("from .text import old_name  # café\n", "from .sub import old_name\n"),
    ("from .text import (\n    old_name,\n)\n__all__ = ['old_name']\n", "from . import sub\n"),
    ("def broken(:\n", "from .sub import old_name\n"),
]


def _tree(root: Path, sub_init: str, pkg_init: str) -> None:
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text(pkg_init, encoding="utf-8")
    (root / "pkg" / "sub" / "__init__.py").write_text(sub_init, encoding="utf-8")
    (root / "pkg" / "sub" / "text.py").write_text("def old_name():\n    pass\n", encoding="utf-8")


@pytest.mark.parametrize("sub_init, pkg_init", INITS)
def test_aliases_are_the_libcst_readings(sub_init: str, pkg_init: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, sub_init, pkg_init)
    ctx = FileContext(str(tmp_path), "app.py", "app", "")
    reexports._package_reexports.cache_clear()
    reexports._module_reexports.cache_clear()
    fast = reexports.reexported_aliases(SPEC, ctx)
    reexports._package_reexports.cache_clear()
    reexports._module_reexports.cache_clear()
    monkeypatch.setattr(reexports, "may_bind", lambda *args: True)
    assert reexports.reexported_aliases(SPEC, ctx) == fast
    reexports._package_reexports.cache_clear()
    reexports._module_reexports.cache_clear()


def test_the_inputs_hold_aliases_and_skipped_files(tmp_path: Path) -> None:
    found = []
    for i, (sub_init, pkg_init) in enumerate(INITS):
        _tree(tmp_path / str(i), sub_init, pkg_init)
        reexports._package_reexports.cache_clear()
        found.append(reexports.reexported_aliases(SPEC, FileContext(str(tmp_path / str(i)), "app.py", "app", "")))
    assert found[2] == {"pkg.sub.old_name": "pkg.sub.new_name", "pkg.old_name": "pkg.new_name"}
    assert found[0] == found[6] == found[7] == {}


@pytest.mark.parametrize("data, binds", [
    (b"", False), (b"from .b import c\n", False), (b"from .text import old_name\n", True),
    (b"from .text import *\n", True), (b"x = 2 * 3\n", True), (b"# coding: utf-8\nx = 1\n", True),
    (b"x = 1\n# -*- coding: ascii -*-\n", True), ("é = 1\n".encode(), True),
    (b"from .b import old_namesake\n", True), (b"from .b import helper\n", False),
])
def test_may_bind_from_the_bytes(data: bytes, binds: bool) -> None:
    assert reexports.may_bind(data, SPEC) is binds


def test_an_alias_last_part_counts_as_a_mention() -> None:
    assert reexports.may_bind(b"from .b import on\n", SPEC, (("pkg.b.on", "pkg.b.new_on"),))
    assert not reexports.may_bind(b"from .b import on\n", SPEC)
