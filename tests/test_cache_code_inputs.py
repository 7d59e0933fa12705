"""Besides batchmod's code, the Python that plans is in every cache key; results kept
under another code or Python are dropped, not kept growing.
"""
from __future__ import annotations

import re
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.planning import cache, cache_identity
from tests.conftest import git_init, write_tree
from tests.test_cache_code import playbook_text

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
