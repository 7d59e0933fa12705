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


def test_a_listing_started_ahead_is_taken_once_and_lists_the_same(tmp_path: Path) -> None:
    from runner.adapters import git

    root = _links_tree(tmp_path)
    plain = list_candidates(str(root))
    git.start_git_listing(str(root))
    assert list(git._STARTED_LISTINGS) == [os.path.abspath(root)]
    assert list_candidates(str(root)) == plain
    assert git._STARTED_LISTINGS == {}  # taken: the next listing runs git again
    git.start_git_listing(str(tmp_path / "missing"))  # not a folder: nothing started, the listing fails as before
    assert git._STARTED_LISTINGS == {}
    with pytest.raises(InputError, match="the root is not a folder"):
        list_candidates(str(tmp_path / "missing"))


def test_a_command_is_printing_once_its_first_output_is_there_and_a_listing_walks_until_then(tmp_path: Path) -> None:
    import time

    from runner.adapters import git
    from runner.adapters.shell import start_command

    started = start_command(["sleep", "30"], cwd=str(tmp_path))
    assert not started.printing()  # nothing written yet
    started.stop()
    started.result()
    started = start_command(["sh", "-c", "echo listed"], cwd=str(tmp_path))
    deadline = time.monotonic() + 30
    while not started.printing() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started.printing() and started.result().stdout == b"listed\n"
    root = git_init(write_tree(tmp_path / "repo", {"a.py": ""}))
    assert not git.git_listing_walking(str(root))  # none started
    git.start_git_listing(str(root))
    while git.git_listing_walking(str(root)) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not git.git_listing_walking(str(root)) and list_candidates(str(root)).files == ("a.py",)


def test_a_listing_started_ahead_outside_git_is_walked(tmp_path: Path) -> None:
    from runner.adapters import git

    root = _links_tree(tmp_path)
    shutil.rmtree(root / ".git")
    git.start_git_listing(str(root))
    found = list_candidates(str(root))
    assert found.source == "walk"
    assert found.files == (".gitignore", "a.py", "deep/er/b.py", "link_in.py", "real/y.py", "untracked.py")


def test_a_listing_no_one_takes_is_stopped_at_exit(tmp_path: Path) -> None:
    import sys

    root = git_init(write_tree(tmp_path / "repo", {"a.py": ""}))
    probe = ("from runner.adapters import git; git.start_git_listing('.'); "
             "print(len(git._STARTED_LISTINGS))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout == "1\n" and out.stderr == ""


def test_a_plan_that_fails_before_it_lists_leaves_no_listing_running(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from runner.adapters import git
    from runner.cli import cli

    root = git_init(write_tree(tmp_path / "repo", {"a.py": ""}))
    result = CliRunner().invoke(cli, ["plan", str(tmp_path / "pb.yaml"), "--root", str(root), "--var", "novalue"])
    assert result.exit_code == 2
    assert git._STARTED_LISTINGS == {}


def test_a_long_listing_looked_at_elsewhere_while_the_caller_goes_on_is_the_same(tmp_path: Path) -> None:
    from runner.planning.select import FORK_LISTING_FILES, start_candidates

    files = {f"pkg/m{i:04}.py": "" for i in range(FORK_LISTING_FILES)}
    root = git_init(write_tree(tmp_path / "repo", files), commit=False)
    (root / "pkg" / "out").symlink_to(tmp_path)
    (root / "pkg" / "m0003.py").unlink()  # listed by git, gone from the work tree
    ahead = start_candidates(str(root))
    assert ahead.forked
    listed = ahead.get()
    assert listed == list_candidates(str(root)) and listed.sizes == list_candidates(str(root)).sizes
    assert len(listed.files) == FORK_LISTING_FILES - 1 and "pkg/m0003.py" not in listed.files
    assert not start_candidates(str(root), fork=False).forked


def test_a_listing_no_one_wants_any_more_stops_and_is_then_looked_at_here(tmp_path: Path) -> None:
    from runner.planning.select import FORK_LISTING_FILES, start_candidates

    root = git_init(write_tree(tmp_path / "repo", {f"m{i:04}.py": "" for i in range(FORK_LISTING_FILES)}), commit=False)
    ahead = start_candidates(str(root))
    ahead.cancel()
    assert not ahead.forked and ahead.get() == list_candidates(str(root))
