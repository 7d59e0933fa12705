"""The dry run streams files: a bounded cache, re-reads checked against the first sha256."""
from __future__ import annotations

from pathlib import Path

from runner.planning.dryrun import _Workspace


def test_the_cache_stays_bounded_and_evicted_files_read_the_same(tmp_path: Path) -> None:
    for i in range(50):
        (tmp_path / f"f{i}.py").write_bytes(b"x = %d\n" % i + b"#" * 1000)
    ws = _Workspace(str(tmp_path), cache_bytes=5_000)
    first = {f"f{i}.py": ws.read(f"f{i}.py") for i in range(50)}
    assert ws._cached <= 5_000 and len(ws._cache) < 50
    assert all(ws.read(p) == data for p, data in first.items())
    assert ws.files_read == 50  # re-reads of evicted files are not new files


def test_a_file_changed_while_planning_is_an_error_not_a_silent_mix(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"a = 1\n" + b"#" * 100)
    (tmp_path / "b.py").write_bytes(b"b = 1\n" + b"#" * 100)
    ws = _Workspace(str(tmp_path), cache_bytes=150)
    digest = ws.read("a.py") and ws.sha256("a.py")
    ws.read("b.py")  # evicts a.py
    (tmp_path / "a.py").write_bytes(b"a = 2\n")
    assert ws.read("a.py") is None
    assert "changed on disk while it was being planned" in ws.errors["a.py"]
    assert ws.sha256("a.py") == digest  # the plan's record is what it saw first


def test_the_overlay_wins_over_the_disk(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"a = 1\n")
    ws = _Workspace(str(tmp_path))
    ws.overlay["a.py"] = b"a = 2\n"
    assert ws.read("a.py") == b"a = 2\n" and ws.disk("a.py") == b"a = 1\n"
