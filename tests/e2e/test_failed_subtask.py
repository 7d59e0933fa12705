"""A failed subtask's edits are never written, and nothing planned on top of them is either.

The first task of the phase is ``per: directory`` and raises on ``pkg/b.py``: its whole
subtask fails, so its edits to ``pkg/a.py`` and ``pkg/c.py`` are dropped. The second
task must be planned on the bytes really written (the originals), its pre-images must
be the bytes on disk, and ``rollback`` must put exactly the original tree back.
"""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import SOURCES, invoke, make_repo, tree_bytes

BOOM = '''\
import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand


class SuffixOrBoom(VisitorBasedCodemodCommand):
    DESCRIPTION = "append _v2 to function names; raise on b.py"

    def visit_Module(self, node):
        if self.context.filename.endswith("b.py"):
            raise RuntimeError("boom on b.py")
        return True

    def leave_FunctionDef(self, original_node, updated_node):
        return updated_node.with_changes(name=cst.Name(updated_node.name.value + "_v2"))
'''


def make(tmp_path: Path, per: str) -> tuple[Path, Path]:
    repo = make_repo(tmp_path / "repo", {**SOURCES, "tools/suffix_or_boom.py": BOOM})
    pb = tmp_path / "pb.yaml"
    pb.write_text(f"""\
version: 1
name: dropped
task_types:
  suffix:
    transform: python:tools/suffix_or_boom.py:SuffixOrBoom
    needles: ["def "]
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    needles: ["Union["]
phases:
  - name: one
    tasks:
      - type: suffix
        files: ["pkg/*.py"]
        per: {per}
      - type: pep604
        files: ["pkg/*.py"]
""", encoding="utf-8")
    return repo, pb


def test_later_task_is_planned_on_the_bytes_really_written(tmp_path: Path) -> None:
    repo, pb = make(tmp_path, "directory")
    plan = json.loads(invoke("plan", str(pb), "--root", str(repo), "--json", "--jobs", "1").stdout)
    by_id = {s["id"]: s for s in plan["phases"][0]["subtasks"]}
    assert by_id["one/suffix/pkg/"]["status"] == "error"
    assert by_id["one/pep604/pkg/a.py"]["status"] == "change"
    diff = invoke("plan", str(pb), "--root", str(repo), "--diff", "--jobs", "1").stdout
    assert "+def parse(x: int | str) -> Optional[int]:" in diff  # not parse_v2: that edit is never written


def _check_run_and_rollback(tmp_path: Path, per: str) -> None:
    repo, pb = make(tmp_path, per)
    original = tree_bytes(repo)
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")
    assert "conflict" not in result.output, result.output
    assert result.exit_code in (0, 1), result.output  # 1 once failed subtasks stop the run
    tree = tree_bytes(repo)
    for name in "abcd":
        assert b"_v2" not in tree[f"pkg/{name}.py"]  # the failed subtask's edits are nowhere
        assert b"Union[" not in tree[f"pkg/{name}.py"]  # the later task's edits are everywhere
    assert b"def parse(x: int | str)" in tree["pkg/a.py"]

    run_dir = next(p for p in (repo / ".batchmod/runs").iterdir() if p.is_dir())
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    for event in events:
        if event["kind"] == "intent":
            for f in event["files"]:
                from runner.adapters.workspace import sha256_bytes

                assert f["pre"] == sha256_bytes(original[f["path"]])  # pre-images are the bytes on disk

    rolled = invoke("rollback", "--root", str(repo))
    assert rolled.exit_code == 0, rolled.output
    assert tree_bytes(repo) == original


def test_per_directory_failure_then_rollback_restores_the_original_tree(tmp_path: Path) -> None:
    _check_run_and_rollback(tmp_path, "directory")


def test_per_task_failure_then_rollback_restores_the_original_tree(tmp_path: Path) -> None:
    _check_run_and_rollback(tmp_path, "task")


def test_rollback_restores_only_what_the_journal_says_was_written(tmp_path: Path) -> None:
    """A phase record that names a pre-image the run never wrote: rollback refuses, writes nothing."""
    repo, pb = make(tmp_path, "file")
    original = tree_bytes(repo)
    assert invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1").exit_code in (0, 1)
    run_dir = next(p for p in (repo / ".batchmod/runs").iterdir() if p.is_dir())
    record_path = run_dir / "phases/one.json"
    record = json.loads(record_path.read_text())
    from runner.adapters.workspace import sha256_bytes

    bogus = b"never on disk\n"
    record["preimages"] = [[p, sha256_bytes(bogus) if p == "pkg/a.py" else h] for p, h in record["preimages"]]
    record_path.write_text(json.dumps(record))
    after_run = tree_bytes(repo)
    result = invoke("rollback", "--root", str(repo))
    assert result.exit_code == 2
    assert "run state damaged" in result.stderr and "pkg/a.py" in result.stderr
    assert tree_bytes(repo) == after_run != original
