"""The journal rule: an open intent's file at its post hash is done, at its pre hash is redone, else a conflict."""
from __future__ import annotations

from pathlib import Path

import pytest

from runner.adapters.workspace import sha256_bytes
from runner.execution.journal import ConflictError, Journal, TreeWriter
from runner.execution.records import FileDelta
from runner.execution.store import RunFolder


def setup(tmp_path: Path) -> tuple[Path, TreeWriter, Journal]:
    root = tmp_path / "root"
    (root / "src").mkdir(parents=True)
    folder = RunFolder(str(tmp_path / "run"), str(tmp_path / "objects"))
    journal = Journal(folder.events_path)
    (tmp_path / "run").mkdir()
    return root, TreeWriter(str(root), folder, journal), journal


def delta(writer: TreeWriter, path: str, before: bytes, after: bytes) -> FileDelta:
    writer.folder.put_blob(after)
    return FileDelta(path, sha256_bytes(before), sha256_bytes(after))


def test_apply_writes_atomically_and_journals_intent_then_done(tmp_path: Path) -> None:
    root, writer, journal = setup(tmp_path)
    (root / "src/a.py").write_bytes(b"old\r\n")
    written = writer.apply("k1", "subtask a", [delta(writer, "src/a.py", b"old\r\n", b"new\r\n")])
    assert written == ["src/a.py"]
    assert (root / "src/a.py").read_bytes() == b"new\r\n"
    kinds = [e["kind"] for e in journal.events()]
    assert kinds == ["intent", "done"]
    assert journal.written_hashes() == {"src/a.py": sha256_bytes(b"new\r\n")}
    assert not [p for p in (root / "src").iterdir() if p.name.startswith(".batchmod-")]  # no temp file left


def test_conflict_touches_no_file(tmp_path: Path) -> None:
    root, writer, journal = setup(tmp_path)
    (root / "src/a.py").write_bytes(b"a0")
    (root / "src/b.py").write_bytes(b"edited by hand")
    deltas = [delta(writer, "src/a.py", b"a0", b"a1"), delta(writer, "src/b.py", b"b0", b"b1")]
    with pytest.raises(ConflictError) as info:
        writer.apply("k", "subtask ab", deltas)
    assert info.value.paths == ["src/b.py"] and info.value.exit_code == 1
    assert (root / "src/a.py").read_bytes() == b"a0" and (root / "src/b.py").read_bytes() == b"edited by hand"
    assert journal.events() == []


@pytest.mark.parametrize(("on_disk", "expected"), [(b"a0", b"a1"), (b"a1", b"a1")])
def test_resolve_open_redoes_pre_and_keeps_post(tmp_path: Path, on_disk: bytes, expected: bytes) -> None:
    root, writer, journal = setup(tmp_path)
    (root / "src/a.py").write_bytes(on_disk)
    d = delta(writer, "src/a.py", b"a0", b"a1")
    journal.append("intent", key="k", label="subtask a", files=[{"path": d.path, "pre": d.pre, "post": d.post}])
    assert writer.resolve_open() == ["subtask a"]
    assert (root / "src/a.py").read_bytes() == expected
    assert journal.open_intents() == []


def test_resolve_open_stops_on_a_file_at_neither_hash(tmp_path: Path) -> None:
    root, writer, journal = setup(tmp_path)
    (root / "src/a.py").write_bytes(b"something else")
    d = delta(writer, "src/a.py", b"a0", b"a1")
    journal.append("intent", key="k", label="subtask a", files=[{"path": d.path, "pre": d.pre, "post": d.post}])
    with pytest.raises(ConflictError):
        writer.resolve_open()
    assert (root / "src/a.py").read_bytes() == b"something else"
    assert len(journal.open_intents()) == 1


def test_a_torn_last_line_is_skipped_and_closed(tmp_path: Path) -> None:
    _, _, journal = setup(tmp_path)
    journal.append("intent", key="k", label="x", files=[])
    with open(journal.path, "ab") as fp:
        fp.write(b'{"kind": "done", "ke')  # power loss mid-append
    journal.append("done", key="k", files=[])
    assert [e["kind"] for e in journal.events()] == ["intent", "done"]


def test_writes_outside_the_root_are_refused(tmp_path: Path) -> None:
    root, writer, _ = setup(tmp_path)
    (tmp_path / "outside.py").write_bytes(b"x")
    (root / "src/link.py").symlink_to(tmp_path / "outside.py")
    with pytest.raises(Exception, match="outside the root"):
        writer.abspath("src/link.py")


def test_tree_writes_keep_their_temporary_out_of_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno
    import os

    root, writer, journal = setup(tmp_path)
    (root / "src/a.py").write_bytes(b"a0")
    seen: list[str] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        seen.append(src)
        real_replace(src, dst)

    d = delta(writer, "src/a.py", b"a0", b"a1")
    monkeypatch.setattr(os, "replace", replace)
    writer.apply("k1", "subtask a", [d])
    assert len(seen) == 1 and seen[0].startswith(str(root / ".batchmod/tmp/"))

    def cross_device(src: str, dst: str) -> None:  # the state folder on another file system
        if "/.batchmod/tmp/" in src:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_replace(src, dst)

    d = delta(writer, "src/a.py", b"a1", b"a2")
    monkeypatch.setattr(os, "replace", cross_device)
    writer.apply("k2", "subtask a again", [d])
    assert (root / "src/a.py").read_bytes() == b"a2"
    assert sorted(p.name for p in (root / "src").iterdir()) == ["a.py"]
    (root / "src/.a.py.batchmod.tmp").write_bytes(b"half")  # as a kill before the rename leaves it
    assert writer.remove_temporaries() == ["src/.a.py.batchmod.tmp"]
