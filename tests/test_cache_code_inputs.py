"""Besides batchmod's code, what else a cached result depends on is in its keys: the
Python that plans, and the helper modules a codemod imports from beside it.
Results kept under another code or Python are dropped, not kept growing.
"""
from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.planning import cache, cache_identity
from tests.conftest import git_init, write_tree
from tests.test_cache_code import REPO, playbook_text

REWRITE = playbook_text('    transform: rewrite\n    with: {rules: [{match: "old($x)", replace: "new($x)"}]}\n')


def _forget_versions() -> None:
    """Drop what this process computed once: the next key reads the code and the interpreter again."""
    for once in (cache.version_salt, cache_identity.versions, cache_identity.runner_code):
        getattr(once, "cache_clear", lambda: None)()  # a stand-in set by a test has none


@pytest.fixture
def fresh_versions() -> object:
    _forget_versions()
    yield
    _forget_versions()


def _counts(root: Path, playbook: Path) -> tuple[int, int]:
    """(parsed, cached) of a text plan made in this process."""
    result = CliRunner().invoke(cli, ["plan", str(playbook), "--root", str(root), "--jobs", "1"], catch_exceptions=False)
    found = re.search(r"parsed (\d+), cached (\d+)", result.stdout)
    assert found, result.output
    return int(found.group(1)), int(found.group(2))


def test_a_plan_under_another_python_plans_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 fresh_versions: object) -> None:
    root = git_init(write_tree(tmp_path / "repo", {"pkg/a.py": "old(1)\n"}))
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(REWRITE, encoding="utf-8")
    assert _counts(root, playbook) == (1, 0)
    assert _counts(root, playbook) == (0, 1)
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    _forget_versions()
    assert _counts(root, playbook) == (1, 0)  # its grammar decides what parses


def test_the_code_identity_follows_every_runner_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       fresh_versions: object) -> None:
    import runner

    code = tmp_path / "runner"
    write_tree(code, {"__init__.py": "", "a.py": "A = 1\n", "sub/b.py": "B = 2\n", "sub/__pycache__/b.py": "x\n",
                      "notes.txt": "not code\n"})
    monkeypatch.setattr(runner, "__file__", str(code / "__init__.py"))

    def identity() -> str:
        cache_identity.runner_code.cache_clear()
        return cache_identity.runner_code()

    first = identity()
    assert identity() == first
    (code / "notes.txt").write_text("other words\n")
    (code / "sub" / "__pycache__" / "b.py").write_text("y\n")
    assert identity() == first
    (code / "sub" / "b.py").write_text("B = 3\n")  # same size, other bytes
    second = identity()
    assert second != first
    (code / "sub" / "c.py").write_text("")
    assert identity() != second


def test_results_kept_under_another_version_are_dropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        fresh_versions: object) -> None:
    folder = str(tmp_path / "cache")
    store = cache.ResultCache(folder)
    store.put_needles("k", ("old",))
    store.close()
    assert cache.ResultCache(folder).needles("k") == ("old",)
    monkeypatch.setattr(cache_identity, "runner_code", lambda: "other code")
    _forget_versions()
    assert cache.ResultCache(folder).needles("k") is None
    with sqlite3.connect(str(tmp_path / "cache" / "results.sqlite")) as db:
        assert db.execute("SELECT COUNT(*) FROM results").fetchone() == (0,)


HELPED = textwrap.dedent("""\
    import os
    import sys

    from libcst.codemod import VisitorBasedCodemodCommand

    sys.path.insert(0, os.path.dirname(__file__))
    from {helper} import WORD


    class Helped(VisitorBasedCodemodCommand):
        def leave_Name(self, original_node, updated_node):
            return updated_node.with_changes(value=WORD) if updated_node.value == "x" else updated_node
""")
#: where the codemod and its helper live, and how the playbook names it
HELPED_AS = {
    "python:": ("repo/tools", "helper", "python:tools/helped.py:Helped"),
    "dotted": ("mods/helpedmods", "helpedmods.helper", "helpedmods.helped.Helped"),
}


def _batchmod(root: Path, *args: str) -> str:
    """A plan's stdout from a fresh interpreter of this checkout (an imported codemod stays
    imported), with ``mods/`` beside the root on its path."""
    path = f"{root.parent / 'mods'}:{REPO}"
    proc = subprocess.run([sys.executable, "-m", "runner", "plan", *args, "--root", str(root), "--jobs", "1"],
                          capture_output=True, text=True, timeout=300, cwd=root.parent,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": path, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 0, proc.stderr
    return re.sub(r"read \d+ files, parsed .*\n", "", proc.stdout)


@pytest.mark.parametrize("as_json", [False, True], ids=["results", "kept plan"])
@pytest.mark.parametrize("kind", sorted(HELPED_AS))
def test_a_codemod_follows_the_helper_it_imports_from_beside_it(tmp_path: Path, kind: str, as_json: bool) -> None:
    folder, helper, transform = HELPED_AS[kind]
    write_tree(tmp_path / folder, {"__init__.py": "", "helped.py": HELPED.format(helper=helper), "helper.py": 'WORD = "y"\n'})
    root = git_init(write_tree(tmp_path / "repo", {"pkg/a.py": "x = 1\n"}))
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(playbook_text(f"    transform: {transform}\n"), encoding="utf-8")
    args = (str(playbook), "--json") if as_json else (str(playbook), "--diff")
    assert "+y = 1" in _batchmod(root, str(playbook), "--diff")
    _batchmod(root, *args)
    (tmp_path / folder / "helper.py").write_text('WORD = "zz"\n', encoding="utf-8")
    fresh = _batchmod(root, *args, "--no-cache")
    assert _batchmod(root, *args) == fresh
    assert "+zz = 1" in _batchmod(root, str(playbook), "--diff")
