"""The stand-ins that spare a plan libcst's import give libcst's answers.

* ``engine.module_and_package`` against ``libcst.helpers.calculate_module_and_package``
  over many (root, file) pairs: package ``__init__``/``__main__``, nested, src layouts,
  odd suffixes, relative roots, paths outside the root, and backslashes (a character of a
  name on POSIX, a separator on Windows: both sides see the same ``PurePath``).
* the result cache's salt names libcst's installed version (read without importing libcst
  nor its distribution's metadata), and changes with it.
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from libcst.helpers import calculate_module_and_package

from runner.planning import cache
from runner.transforms.engine import file_context, module_and_package

ROOT = Path(__file__).resolve().parents[2]

ROOTS = ["/repo", "/repo/", "/repo/src", "repo", ".", "/", "/a/b/c", "C:\\work\\repo", "/repo/./x", "/repo/..", "//repo", "./repo"]
RELATIVE = [
    "mod.py", "pkg/__init__.py", "pkg/__main__.py", "pkg/sub/mod.py", "pkg/sub/__init__.py",
    "src/pkg/mod.py", "a/b/c/d/e.py", "tool.pyi", "archive.tar.gz", "no_suffix", ".hidden",
    "pkg/.hidden.py", "pkg/mod.", "pkg/__init__.tar.py", "pkg/__init__", "x//y.py", "x/./y.py",
    "x/../y.py", "pkg\\win\\mod.py", "pkg/__init__.py/", "", "é/ü.py", "a b/c d.py",
]


def _libcst(root: str, filename: str) -> tuple[str, str] | str:
    try:
        names = calculate_module_and_package(root, filename)
    except ValueError as exc:
        return f"ValueError {exc}"
    return names.name, names.package


def _ours(root: str, filename: str) -> tuple[str, str] | str:
    try:
        return module_and_package(root, filename)
    except ValueError as exc:
        return f"ValueError {exc}"


def _pairs() -> list[tuple[str, str]]:
    pairs = []
    for root, rel in itertools.product(ROOTS, RELATIVE):
        sep = "" if root.endswith(("/", "\\")) or not rel else "/"
        pairs.append((root, root + sep + rel))
    pairs += [("/repo", "/elsewhere/mod.py"), ("/repo", "/repository/mod.py"), ("/repo", "mod.py"),
              ("repo", "/repo/mod.py"), ("/repo", "/repo"), ("/repo/pkg", "/repo/pkg/../mod.py")]
    return pairs


@pytest.mark.parametrize("root, filename", _pairs())
def test_module_and_package_is_libcsts_answer(root: str, filename: str) -> None:
    assert _ours(root, filename) == _libcst(root, filename)


def test_the_comparison_covers_packages_errors_and_plain_modules() -> None:
    answers = [_libcst(root, filename) for root, filename in _pairs()]
    assert ("pkg", "pkg") in answers and ("pkg.sub.mod", "pkg.sub") in answers
    assert ("mod", "") in answers
    assert any(isinstance(a, str) and a.startswith("ValueError") for a in answers)


def test_file_context_names_a_module_and_none_for_the_root_itself(tmp_path) -> None:
    ctx = file_context(str(tmp_path), "pkg/sub/__init__.py")
    assert (ctx.full_module_name, ctx.full_package_name) == ("pkg.sub", "pkg.sub")
    ctx = file_context(str(tmp_path), "")  # the root itself: no module
    assert (ctx.full_module_name, ctx.full_package_name) == (None, None)


def test_the_cache_salt_names_libcsts_installed_version() -> None:
    from importlib.metadata import version

    cache.version_salt.cache_clear()
    assert f";libcst={version('libcst')};" in cache.version_salt()
    assert "libcst=?" not in cache.version_salt()


def test_reading_libcsts_version_imports_neither_libcst_nor_its_metadata() -> None:
    code = ("import sys; from runner.planning.cache import version_salt; s = version_salt(); "
            "print(s, 'libcst' in sys.modules, 'importlib.metadata' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    assert out[1:] == ["False", "False"] and ";libcst=" in out[0]


def _key(job) -> tuple[str, str]:
    cache.version_salt.cache_clear()
    return cache.version_salt(), cache.job_key(job)


def test_the_cache_salt_and_keys_change_with_libcsts_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    from runner.planning import cache_identity
    from runner.playbook.spec import TaskTypeSpec
    from runner.transforms.engine import FileJob, Step

    job = FileJob("/r", "a.py", b"x = 1\n", (Step(0, TaskTypeSpec("t", "rename", '{"new":"a.c","old":"a.b"}'), None),))
    release = tmp_path / "_version.py"
    monkeypatch.setattr(cache_identity, "locate_module", lambda name: str(release))
    seen = []
    for fake in ("1.8.0", "1.9.0", "99.0.dev1"):
        release.write_text(f"__version__ = version = '{fake}'\n__version_tuple__ = (1,)\n", encoding="utf-8")
        seen.append(_key(job))
    release.write_text("# no release named here\n", encoding="utf-8")  # then the distribution's metadata
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "7.7" if name == "libcst" else "0")
    seen.append(_key(job))
    monkeypatch.setattr(cache_identity, "locate_module", lambda name: None)
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "7.8")
    seen.append(_key(job))
    cache.version_salt.cache_clear()
    assert [salt.split(";")[1] for salt, _ in seen] == [
        "libcst=1.8.0", "libcst=1.9.0", "libcst=99.0.dev1", "libcst=7.7", "libcst=7.8"]
    assert len({key for _, key in seen}) == 5
