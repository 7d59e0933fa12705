"""kill -9 leaves nothing behind: no pool worker, no lock held, no temporary file in the tree, no check."""
from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from e2e_support import invoke, spawn, tree_bytes


def marked_processes(mark: str) -> list[int]:
    """Pids of live processes whose environment carries ``mark`` (Linux /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as fp:
                environ = fp.read()
            with open(f"/proc/{entry}/stat", "rb") as fp:
                zombie = fp.read().rsplit(b")", 1)[1].split()[0] == b"Z"
        except OSError:
            continue
        if f"BATCHMOD_TEST_MARK={mark}".encode() in environ and not zombie:
            out.append(int(entry))
    return out


def wait_gone(mark: str, seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = marked_processes(mark)
        if not left:
            return []
        time.sleep(0.1)
    return marked_processes(mark)


def killed_run(pb: Path, repo: Path, point: str, *extra: str) -> str:
    """Run with a SIGKILL at ``point``; returns the mark its processes carry."""
    mark = uuid.uuid4().hex
    proc = spawn("run", str(pb), "--root", str(repo), "--yes", *extra,
                 env={"BATCHMOD_TEST_KILL_AT": point, "BATCHMOD_TEST_MARK": mark})
    proc.wait(timeout=120)  # not communicate(): a leftover holding the pipes would block it
    for pipe in (proc.stdout, proc.stderr):
        if pipe:
            pipe.close()
    assert proc.returncode == -9, f"not killed at {point}"
    return mark


def test_kill_during_planning_leaves_no_worker_and_no_held_lock(repo: Path, two_phase: Path) -> None:
    mark = killed_run(two_phase, repo, "planning", "--jobs", "2")
    leftover = wait_gone(mark)
    for pid in leftover:  # clean up before failing
        os.kill(pid, 9)
    assert leftover == [], "pool workers outlived their parent"
    result = invoke("run", str(two_phase), "--root", str(repo), "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "took over .batchmod/lock from batchmod pid" in result.stderr and "which is gone" in result.stderr


def temp_files(root: Path) -> list[str]:
    """Temporary files anywhere under the root, the state folder included (not git's)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and ".git" not in p.parts and (p.name.endswith(".tmp") or ".batchmod-" in p.name))


@pytest.mark.parametrize(("run_kill", "rollback_kill"), [(1, 1), (3, 2), (6, 4)])
def test_kill_between_a_temp_write_and_its_rename_leaves_no_temp_after_resume(run_kill: int, rollback_kill: int, tmp_path: Path,
                                                                             repo: Path, two_phase: Path) -> None:
    from e2e_support import SOURCES, make_repo

    clean = make_repo(tmp_path / "clean", SOURCES)
    assert invoke("run", str(two_phase), "--root", str(clean), "--yes", "--jobs", "1").exit_code == 0
    original = tree_bytes(repo)
    killed_run(two_phase, repo, f"tree-rename@{run_kill}", "--jobs", "1")
    assert [t for t in temp_files(repo) if not t.startswith(".batchmod/")] == []  # the tree never sees a temp
    result = invoke("run", str(two_phase), "--root", str(repo), "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert tree_bytes(repo) == tree_bytes(clean)
    assert temp_files(repo) == []

    proc = spawn("rollback", "--root", str(repo), env={"BATCHMOD_TEST_KILL_AT": f"tree-rename@{rollback_kill}"})
    proc.wait(timeout=60)
    assert proc.returncode == -9
    assert [t for t in temp_files(repo) if not t.startswith(".batchmod/")] == []
    result = invoke("rollback", "--root", str(repo))
    assert result.exit_code == 0, result.output
    assert tree_bytes(repo) == original
    assert temp_files(repo) == []
