"""list_candidates: the files a task may see, symlinks confined to the root (golden cases)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from runner.errors import InputError
from runner.planning.select import list_candidates
from tests.conftest import git_init, write_tree


def _links_tree(tmp_path: Path) -> Path:
    """A repository whose index and work tree disagree through symlinks (every case of the loop)."""
    outside = write_tree(tmp_path / "outside", {"x.py": "", "evil.py": ""})
    root = write_tree(tmp_path / "repo", {
        "a.py": "", "gone.py": "", "deep/er/b.py": "", "d/x.py": "", "e/y.py": "", "real/y.py": "",
    })
    git_init(root)
    (root / "gone.py").unlink()  # still in the index
    shutil.rmtree(root / "d")
    os.symlink(outside, root / "d")  # a folder of the index became a symlink out of the root
    shutil.rmtree(root / "e")
    os.symlink(root / "real", root / "e")  # ... and one to a folder inside it
    os.symlink(root / "a.py", root / "link_in.py")
    os.symlink(outside / "evil.py", root / "link_out.py")
    os.symlink(root / "missing.py", root / "broken_in.py")
    os.symlink(outside / "missing.py", root / "broken_out.py")
    (root / "untracked.py").write_text("", encoding="utf-8")
    (root / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    (root / "ignored.py").write_text("", encoding="utf-8")
    return root


def test_symlinks_and_stale_index_entries(tmp_path: Path) -> None:
    found = list_candidates(str(_links_tree(tmp_path)))
    assert found.source == "git"
    assert found.files == (".gitignore", "a.py", "deep/er/b.py", "e/y.py", "link_in.py", "real/y.py", "untracked.py")
    assert sorted(found.skipped) == [(n, "symlink leaves the root") for n in ("broken_out.py", "d", "d/x.py", "link_out.py")]


def test_the_same_tree_without_git_is_walked(tmp_path: Path) -> None:
    root = _links_tree(tmp_path)
    shutil.rmtree(root / ".git")
    found = list_candidates(str(root))
    assert found.source == "walk"
    assert found.files == (".gitignore", "a.py", "deep/er/b.py", "link_in.py", "real/y.py", "untracked.py")
    assert sorted(found.skipped) == [(n, "symlink leaves the root") for n in ("broken_out.py", "link_out.py")]


def test_a_failing_git_ls_files_inside_a_work_tree_is_bad_input(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "repo", {"a.py": ""}))
    (root / ".git" / "index").write_bytes(b"not an index")
    with pytest.raises(InputError, match="git ls-files failed"):
        list_candidates(str(root))
    assert subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True).returncode == 0
