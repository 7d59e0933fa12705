"""`batchmod gaps`: the people's queue, its context pack, and `--annotate` undone byte for byte by rollback."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

from click.testing import CliRunner

from runner.cli import cli
from runner.execution.annotate import annotate_source

A = '''from pkg import compat


def name(raw):
    return compat.ensure_text(raw)


def other(raw, enc):
    if raw:
        value = helper(
            compat.ensure_text(raw, enc),
        )
        return value
    return None
'''
#: no rule applies here, the file is not written by the phase: only --annotate touches it
B = "from pkg import compat\r\n\r\nreader = compat.ensure_text\r\n"

PLAYBOOK = """\
version: 1
name: drop-compat
task_types:
  drop-ensure-text:
    transform: rewrite
    with:
      rules:
        - match: "compat.ensure_text($x)"
          replace: "str($x)"
    expect_absent: ["compat.ensure_text"]
    instructions: |
      Replace the remaining uses of compat.ensure_text with str(), same behaviour.
phases:
  - name: lib
    tasks:
      - type: drop-ensure-text
        files: ["pkg/a.py", "pkg/b.py"]
"""


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "a.py").write_text(A)
    (root / "pkg" / "b.py").write_bytes(B.encode())
    (root / "pkg" / "compat.py").write_text("def ensure_text(x, enc='utf-8'):\n    return x\n")
    (tmp_path / "pb.yaml").write_text(PLAYBOOK)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "initial"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def _cli(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_gaps_of_a_plan_without_a_run(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = _cli("gaps", str(tmp_path / "pb.yaml"), "--root", str(root))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Gaps left: 2 in 2 files\n")
    assert "## 1. `pkg/a.py:11:13`" in result.stdout
    assert "> Replace the remaining uses of compat.ensure_text with str(), same behaviour." in result.stdout
    assert "> 11 |             compat.ensure_text(raw, enc)," in result.stdout
    assert not (root / ".batchmod" / "runs").exists()  # listing a plan starts no run


def test_gaps_after_a_run_as_json(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert _cli("run", str(tmp_path / "pb.yaml"), "--root", str(root), "--yes").exit_code == 0
    out = tmp_path / "gaps.json"
    result = _cli("gaps", "--root", str(root), "--format", "json", "--out", str(out))
    assert result.exit_code == 0 and result.stdout == f"2 gap(s) written to {out}\n"
    data = json.loads(out.read_text())
    assert data["count"] == 2 and data["source"].startswith("run ")
    first = data["gaps"][0]
    assert {k: first[k] for k in ("phase", "task", "file", "line", "column", "attempts")} == {
        "phase": "lib", "task": "drop-ensure-text", "file": "pkg/a.py", "line": 11, "column": 13, "attempts": []}
    assert first["reason"] == "`compat.ensure_text` remains (expect_absent)"
    assert first["instructions"].startswith("Replace the remaining uses")
    assert "    return str(raw)" not in first["context"] and "> 11 |" in first["context"]


def test_annotate_then_rollback_is_byte_exact(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    assert _cli("run", str(tmp_path / "pb.yaml"), "--root", str(root), "--yes").exit_code == 0
    after_run = {p: (root / p).read_bytes() for p in ("pkg/a.py", "pkg/b.py")}
    result = _cli("gaps", "--root", str(root), "--annotate")
    assert result.exit_code == 0
    assert "annotated 2 site(s) in 2 file(s)" in result.stderr
    a = (root / "pkg" / "a.py").read_text()
    assert "    if raw:\n        # TODO(batchmod): `compat.ensure_text` remains (expect_absent)\n        value = helper(\n" in a
    assert (root / "pkg" / "b.py").read_bytes() == b"from pkg import compat\r\n\r\n# TODO(batchmod): `compat.ensure_text` remains (expect_absent)\r\nreader = compat.ensure_text\r\n"
    again = _cli("gaps", "--root", str(root), "--annotate")  # idempotent: no second comment
    assert "annotated 0 site(s)" in again.stderr and (root / "pkg" / "a.py").read_text() == a
    assert after_run["pkg/a.py"] != A.encode()  # the phase did write a.py
    rolled = _cli("rollback", "--root", str(root))
    assert rolled.exit_code == 0, rolled.output
    assert (root / "pkg" / "a.py").read_bytes() == A.encode()
    assert (root / "pkg" / "b.py").read_bytes() == B.encode()
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True).stdout
    assert status == ""


def test_annotate_without_a_run_is_refused(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = _cli("gaps", str(tmp_path / "pb.yaml"), "--root", str(root), "--annotate")
    assert result.exit_code == 2
    assert "run the playbook first" in result.stderr and (root / "pkg" / "a.py").read_text() == A
    assert _cli("gaps", "--root", str(root)).exit_code == 2


def test_annotate_source_goes_above_the_enclosing_statement() -> None:
    src = b"x = f(\n    a,\n    b)\n\n\ndef g():\n    return h(\n        c)\n"
    out = annotate_source(src, [(2, "a stays"), (8, "c   stays\nhere")])
    assert out == b"# TODO(batchmod): a stays\nx = f(\n    a,\n    b)\n\n\ndef g():\n    # TODO(batchmod): c stays here\n    return h(\n        c)\n"
