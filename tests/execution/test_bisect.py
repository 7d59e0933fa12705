"""Bisect over units of subtasks with a fake check: culprits found, the rest kept."""
from __future__ import annotations

from pathlib import Path

from runner.adapters.workspace import sha256_bytes
from runner.execution.bisect import bisect_phase, group_units
from runner.execution.journal import Journal, TreeWriter
from runner.execution.records import CheckResult, CheckVerdict, FileDelta, PhasePlanRecord, SubtaskRecord
from runner.execution.store import RunFolder


def build(tmp_path: Path, n: int, shared: bool = False) -> tuple[TreeWriter, PhasePlanRecord, dict[str, str]]:
    root = tmp_path / "root"
    root.mkdir()
    folder = RunFolder(str(tmp_path / "run"), str(tmp_path / "objects"))
    writer = TreeWriter(str(root), folder, Journal(str(tmp_path / "events.jsonl")))
    subtasks, pre, final = [], {}, {}
    for i in range(n):
        path = f"f{i}.py"
        old, new = f"old {i}\n".encode(), f"new {i}\n".encode()
        (root / path).write_bytes(new)
        pre[path] = folder.put_blob(old)
        final[path] = folder.put_blob(new)
        subtasks.append(SubtaskRecord(f"p/t/{path}", "t", "t", "x", "change", (path,), (FileDelta(path, pre[path], final[path]),)))
    if shared:  # a second task on f0.py: the same unit as p/t/f0.py
        mid = sha256_bytes(b"new 0\n")
        subtasks.append(SubtaskRecord("p/u/f0.py", "u", "u", "y", "change", ("f0.py",), (FileDelta("f0.py", mid, mid),)))
    record = PhasePlanRecord("p", 0, tuple(subtasks), tuple(sorted(pre.items())), (), tuple(sorted(pre)))
    return writer, record, final


def checker(writer: TreeWriter, bad: set[str], runs: list[str]):  # type: ignore[no-untyped-def]
    def run(why: str) -> tuple[CheckVerdict, ...]:
        runs.append(why)
        broken = [p for p in sorted(bad) if (writer.read(p) or b"").startswith(b"new")]
        res = CheckResult("c", "c", 1 if broken else 0, 0.0, False, "", "")
        return (CheckVerdict(res, True, ("c",) if broken else (), ()),)
    return run


def test_finds_two_culprits_among_eight_and_keeps_the_rest(tmp_path: Path) -> None:
    writer, record, final = build(tmp_path, 8)
    runs: list[str] = []
    run = checker(writer, {"f2.py", "f6.py"}, runs)
    result = bisect_phase(writer, record, final, run, run("initial"))
    assert result.passed
    assert [c.subtasks for c in result.culprits] == [("p/t/f2.py",), ("p/t/f6.py",)]
    for i in range(8):
        expected = b"old" if i in (2, 6) else b"new"
        assert (writer.read(f"f{i}.py") or b"").startswith(expected)
    assert result.check_runs <= 9


def test_subtasks_sharing_a_file_are_one_unit(tmp_path: Path) -> None:
    writer, record, final = build(tmp_path, 3, shared=True)
    units = group_units(record)
    assert [u.subtasks for u in units] == [("p/t/f0.py", "p/u/f0.py"), ("p/t/f1.py",), ("p/t/f2.py",)]


def test_failure_without_the_phase_blames_nobody(tmp_path: Path) -> None:
    writer, record, final = build(tmp_path, 4)

    def always_red(why: str) -> tuple[CheckVerdict, ...]:
        return (CheckVerdict(CheckResult("c", "c", 1, 0.0, False, "", ""), True, ("c",), ()),)

    result = bisect_phase(writer, record, final, always_red, always_red(""))
    assert not result.passed and result.culprits == ()
    assert all((writer.read(f"f{i}.py") or b"").startswith(b"new") for i in range(4))  # edits kept
