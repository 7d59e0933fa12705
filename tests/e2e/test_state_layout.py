"""Contents under .batchmod/ are content-addressed objects that grep, linters and coverage never see."""
from __future__ import annotations

import json
import shutil
import zlib
from pathlib import Path

from e2e_support import invoke, tree_bytes


def run(pb: Path, repo: Path):  # type: ignore[no-untyped-def]
    return invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")


def test_no_copy_of_the_code_under_the_state_folder(repo: Path, two_phase: Path) -> None:
    original = tree_bytes(repo)
    assert run(two_phase, repo).exit_code == 0
    state = repo / ".batchmod"
    files = [p for p in state.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".py", ".pyi")]
    readable = [p for p in files if "diffs" not in p.parts]  # diffs are for people: hunks, not files
    for path, content in original.items():
        if len(content) > 40:
            assert not [p for p in readable if content in p.read_bytes()], f"a copy of {path} under .batchmod"
    objects = [p for p in (state / "objects").rglob("*") if p.is_file()]
    assert objects and all(len(p.parent.name) == 2 and len(p.name) == 62 for p in objects)
    assert invoke("rollback", "--root", str(repo)).exit_code == 0
    assert tree_bytes(repo) == original


def test_a_run_of_the_older_layout_is_still_rolled_back(repo: Path, two_phase: Path) -> None:
    """Runs made before objects/ kept contents in their own blobs/<sha256>, uncompressed."""
    original = tree_bytes(repo)
    assert run(two_phase, repo).exit_code == 0
    run_dir = next(p for p in (repo / ".batchmod/runs").iterdir() if p.is_dir())
    (run_dir / "blobs").mkdir()
    for obj in (repo / ".batchmod/objects").rglob("*"):
        if obj.is_file():
            (run_dir / "blobs" / (obj.parent.name + obj.name)).write_bytes(zlib.decompress(obj.read_bytes()))
    shutil.rmtree(repo / ".batchmod/objects")
    state = json.loads((run_dir / "state.json").read_text())
    (run_dir / "state.json").write_text(json.dumps({**state, "version": 1}))
    result = invoke("rollback", "--root", str(repo))
    assert result.exit_code == 0, result.output
    assert tree_bytes(repo) == original


def test_a_missing_object_is_named_and_nothing_is_restored(repo: Path, two_phase: Path) -> None:
    assert run(two_phase, repo).exit_code == 0
    after = tree_bytes(repo)
    shutil.rmtree(repo / ".batchmod/objects")
    result = invoke("rollback", "--root", str(repo))
    assert result.exit_code == 2
    assert result.stderr.startswith("batchmod: error: run state damaged: .batchmod/objects/")
    assert "is missing" in result.stderr
    assert tree_bytes(repo) == after
