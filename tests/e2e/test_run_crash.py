"""Interrupted runs (kill -9 after N writes, SIGKILL or Ctrl-C during a check) resume to the clean run's tree.

Phase 2 uses a codemod that is *not* idempotent (it appends ``_v2`` to function
names), so an edit applied twice would show as ``_v2_v2``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from e2e_support import PY, SOURCES, invoke, make_repo, spawn, tree_bytes

SUFFIX = '''\
import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand


class Suffix(VisitorBasedCodemodCommand):
    DESCRIPTION = "append _v2 to every function name (not idempotent on purpose)"

    def leave_FunctionDef(self, original_node, updated_node):
        return updated_node.with_changes(name=cst.Name(updated_node.name.value + "_v2"))
'''


def crash_playbook(path: Path, flag: Path, pidfile: Path) -> Path:
    slow = f'if grep -q "int | str" pkg/a.py && [ -f {flag} ]; then echo $$ > {pidfile}; sleep 30; fi'
    path.write_text(f"""\
version: 1
name: crashy
task_types:
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    needles: ["Union["]
  suffix:
    transform: python:tools/suffix.py:Suffix
    needles: ["def "]
phases:
  - name: unions
    tasks:
      - type: pep604
        files: ["pkg/**/*.py"]
    checks:
      - name: slow when flagged
        run: '{slow}'
      - name: imports
        run: {PY} -c "import pkg.a, pkg.b, pkg.c, pkg.d"
  - name: suffix
    tasks:
      - type: suffix
        files: ["pkg/**/*.py"]
    checks:
      - name: renamed
        run: {PY} -c "import pkg.a, pkg.b; pkg.a.parse_v2; pkg.b.greet_v2"
""", encoding="utf-8")
    return path


FILES = {**SOURCES, "tools/suffix.py": SUFFIX}


def make_crash_repo(path: Path, clean: tuple[dict[str, bytes], bytes]) -> Path:
    """A fresh repository whose plan cache is warm (the clean run's): the tests time resumes, not libcst."""
    repo = make_repo(path, FILES)
    (repo / ".batchmod/cache").mkdir(parents=True)
    (repo / ".batchmod/.gitignore").write_text("*\n")
    (repo / ".batchmod/cache/results.sqlite").write_bytes(clean[1])
    return repo


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], bytes]:
    """The tree an uninterrupted run leaves, and its plan cache."""
    base = tmp_path_factory.mktemp("clean")
    with pytest.MonkeyPatch.context() as mp:
        for key in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
            mp.setenv(key, "Test")
        for key in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
            mp.setenv(key, "t@example.com")
        mp.chdir(base)
        repo = make_repo(base / "repo", FILES)
        pb = crash_playbook(base / "pb.yaml", base / "no-flag", base / "pid")
        result = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")
        assert result.exit_code == 0, result.output
        tree = tree_bytes(repo)
    assert b"def parse_v2(x: int | str)" in tree["pkg/a.py"]
    return tree, (repo / ".batchmod/cache/results.sqlite").read_bytes()


def resume(pb: Path, repo: Path):  # type: ignore[no-untyped-def]
    return invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")


@pytest.mark.parametrize("writes", [1, 4, 6])
def test_kill_after_n_writes_then_rerun_matches_clean_run(writes: int, tmp_path: Path, clean: tuple[dict[str, bytes], bytes]) -> None:
    repo = make_crash_repo(tmp_path / "repo", clean)
    pb = crash_playbook(tmp_path / "pb.yaml", tmp_path / "no-flag", tmp_path / "pid")
    proc = spawn("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1",
                 env={"BATCHMOD_TEST_CRASH_AFTER_WRITES": str(writes)})
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 137, err.decode()
    assert tree_bytes(repo) != clean[0]
    status = invoke("status", "--root", str(repo)).stdout
    assert "interrupted" in status and "next: batchmod run" in status

    result = resume(pb, repo)
    assert result.exit_code == 0, result.output
    assert "continuing at phase" in result.stderr
    assert tree_bytes(repo) == clean[0]
    events = (next((repo / ".batchmod/runs").glob("*-crashy")) / "events.jsonl").read_text()
    assert events.count('"kind": "run_started"') == 1


def _wait_for(path: Path, seconds: float = 20) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return int(path.read_text())
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


def _alive(pgid: int) -> bool:
    """A process of the group is alive (zombies waiting for their reaper do not count)."""
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", "rb") as fp:
                fields = fp.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != b"Z":
            return True
    return False


def test_sigkill_during_a_slow_check_then_rerun(tmp_path: Path, clean: tuple[dict[str, bytes], bytes]) -> None:
    repo = make_crash_repo(tmp_path / "repo", clean)
    flag, pidfile = tmp_path / "flag", tmp_path / "pid"
    flag.write_text("slow")
    pb = crash_playbook(tmp_path / "pb.yaml", flag, pidfile)
    proc = spawn("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")
    check_pgid = os.getpgid(_wait_for(pidfile))
    busy = resume(pb, repo)
    assert busy.exit_code == 2 and f"another batchmod command pid {proc.pid} (`batchmod run`, since " in busy.stderr
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 5
    while _alive(check_pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(check_pgid), "the check outlived batchmod's kill -9"
    flag.unlink()

    result = resume(pb, repo)
    assert result.exit_code == 0, result.output
    assert tree_bytes(repo) == clean[0]


def test_ctrl_c_during_a_check_kills_its_group_and_exits_130(tmp_path: Path, clean: tuple[dict[str, bytes], bytes]) -> None:
    repo = make_crash_repo(tmp_path / "repo", clean)
    flag, pidfile = tmp_path / "flag", tmp_path / "pid"
    flag.write_text("slow")
    pb = crash_playbook(tmp_path / "pb.yaml", flag, pidfile)
    proc = spawn("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")
    check_pgid = os.getpgid(_wait_for(pidfile))
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.decode().strip().endswith("batchmod: interrupted")
    assert "Traceback" not in err.decode()
    deadline = time.monotonic() + 5
    while _alive(check_pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(check_pgid)
    flag.unlink()

    result = resume(pb, repo)
    assert result.exit_code == 0, result.output
    assert tree_bytes(repo) == clean[0]


def test_hand_edit_of_a_pending_file_after_a_crash_is_a_conflict(tmp_path: Path, clean: tuple[dict[str, bytes], bytes]) -> None:
    repo = make_crash_repo(tmp_path / "repo", clean)
    pb = crash_playbook(tmp_path / "pb.yaml", tmp_path / "no-flag", tmp_path / "pid")
    proc = spawn("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1", env={"BATCHMOD_TEST_CRASH_AFTER_WRITES": "1"})
    proc.communicate(timeout=60)
    assert proc.returncode == 137
    edited = (repo / "pkg/d.py").read_bytes() + b"EXTRA = 1\n"
    (repo / "pkg/d.py").write_bytes(edited)  # d.py has not been written yet: its write is pending

    result = resume(pb, repo)
    assert result.exit_code == 1
    assert "conflict: pkg/d.py" in result.stderr
    assert (repo / "pkg/d.py").read_bytes() == edited
    assert "pkg/d.py" in subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout


def failing_playbook(path: Path, on_failure: str) -> Path:
    """pep604 on pkg/, with a check that fails once pkg/c.py is converted."""
    path.write_text(f"""\
version: 1
name: crashy
task_types:
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    needles: ["Union["]
phases:
  - name: unions
    tasks:
      - type: pep604
        files: ["pkg/**/*.py"]
    on_failure: {on_failure}
    checks:
      - name: c stays
        run: {PY} -c "import sys; sys.exit('int | None' in open('pkg/c.py').read())"
""", encoding="utf-8")
    return path


@pytest.mark.parametrize(("on_failure", "writes"), [("rollback", 6), ("bisect", 7), ("bisect", 10)])
def test_kill_during_rollback_or_bisect_then_rerun_finishes_it(on_failure: str, writes: int, tmp_path: Path,
                                                                 clean: tuple[dict[str, bytes], bytes]) -> None:
    repo = make_crash_repo(tmp_path / "repo", clean)
    original = tree_bytes(repo)
    pb = failing_playbook(tmp_path / "pb.yaml", on_failure)
    proc = spawn("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1", env={"BATCHMOD_TEST_CRASH_AFTER_WRITES": str(writes)})
    proc.communicate(timeout=60)
    assert proc.returncode == 137
    assert "interrupted" in invoke("status", "--root", str(repo)).stdout

    result = resume(pb, repo)
    tree = tree_bytes(repo)
    if on_failure == "rollback":
        assert result.exit_code == 1 and "its edits were rolled back" in result.stderr
        assert tree == original
    else:
        assert result.exit_code == 0, result.output
        assert tree["pkg/c.py"] == original["pkg/c.py"]
        for name in ("a", "b", "d"):
            assert b"Union[" not in tree[f"pkg/{name}.py"]
        assert "reverted: unions/pep604/pkg/c.py" in result.stdout
