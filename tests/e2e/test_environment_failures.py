"""The machine says no (disk full, read-only folder, immutable or read-only file): one line, nothing half written, resumable.

Root ignores permission bits and no test may fill a real disk, so the OS errors are
injected where batchmod writes (``os.write`` of a tree write's temporary, ``os.replace``
of its rename); the read-only file is a real 0444 file, found by batchmod's own check.
"""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import pytest

from e2e_support import SOURCES, invoke, make_repo, tree_bytes


def run(pb: Path, repo: Path):  # type: ignore[no-untyped-def]
    return invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")


@pytest.fixture
def clean(tmp_path: Path, two_phase: Path) -> dict[str, bytes]:
    repo = make_repo(tmp_path / "clean", SOURCES)
    assert run(two_phase, repo).exit_code == 0
    return tree_bytes(repo)


def _whole_files_only(repo: Path, original: dict[str, bytes], clean: dict[str, bytes]) -> None:
    tree = tree_bytes(repo)
    assert set(tree) == set(original)
    for path, data in tree.items():
        assert data == original[path] or data == clean[path] or b"|" in data, f"{path} is half written"
    assert not [p for p in repo.rglob("*.tmp") if ".git" not in p.parts]


def test_disk_full_names_the_file_writes_nothing_half_and_resumes(repo: Path, two_phase: Path, clean: dict[str, bytes],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    original = tree_bytes(repo)
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if "/.batchmod/tmp/" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    result = run(two_phase, repo)
    assert result.exit_code == 1, result.output
    assert re.search(r"^batchmod: error: cannot write pkg/\w+\.py: No space left on device$", result.stderr, re.M), result.stderr
    assert "internal error" not in result.stderr
    assert tree_bytes(repo) == original
    _whole_files_only(repo, original, clean)
    monkeypatch.setattr(os, "write", real_write)
    again = run(two_phase, repo)
    assert again.exit_code == 0, again.output
    assert "continuing at phase unions" in again.stderr
    assert tree_bytes(repo) == clean


@pytest.mark.parametrize("code", [errno.EACCES, errno.EPERM, errno.EROFS])
def test_a_folder_or_file_that_refuses_the_rename_is_one_line_and_resumable(code: int, repo: Path, two_phase: Path,
                                                                           clean: dict[str, bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    original = tree_bytes(repo)
    real_replace = os.replace

    def refuse(src: str, dst: str) -> None:
        if dst.endswith("pkg/c.py"):
            raise OSError(code, os.strerror(code), dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    result = run(two_phase, repo)
    assert result.exit_code == 1, result.output
    assert f"batchmod: error: cannot write pkg/c.py: {os.strerror(code)}" in result.stderr
    _whole_files_only(repo, original, clean)
    assert (repo / "pkg/c.py").read_bytes() == original["pkg/c.py"]
    monkeypatch.setattr(os, "replace", real_replace)
    again = run(two_phase, repo)
    assert again.exit_code == 0, again.output
    assert tree_bytes(repo) == clean


def test_a_read_only_file_is_a_conflict_not_silently_replaced(repo: Path, two_phase: Path) -> None:
    os.chmod(repo / "pkg/b.py", 0o444)
    original = tree_bytes(repo)
    result = run(two_phase, repo)
    assert result.exit_code == 1, result.output
    assert "conflict: pkg/b.py is read-only (mode 0444)" in result.stderr
    assert tree_bytes(repo) == original  # nothing of the phase was written
    assert (os.stat(repo / "pkg/b.py").st_mode & 0o777) == 0o444
