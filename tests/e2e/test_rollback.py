"""`batchmod rollback`: exact bytes back (CRLF, UTF-8 BOM, file mode), refusals, one phase at a time."""
from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from e2e_support import SOURCES, git, invoke, make_repo, playbook, tree_bytes

EXOTIC = {
    "pkg/crlf.py": b"from typing import Union\r\n\r\n\r\ndef f(x: Union[int, str]) -> str:\r\n    return \"{}\".format(x)\r\n",
    "pkg/bom.py": "\ufefffrom typing import Union\n\nNAME: Union[str, None] = \"\u00e9t\u00e9\"\n".encode("utf-8"),
    "pkg/tool.py": b"#!/usr/bin/env python\nfrom typing import Union\n\nX: Union[int, str] = 1\n",
}
BOTH = (
    '  - name: unions\n    tasks:\n      - type: pep604\n        files: ["pkg/**/*.py"]\n'
    '  - name: fstrings\n    tasks:\n      - type: fstring\n        files: ["pkg/**/*.py"]\n'
)


def make(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", {**SOURCES, **EXOTIC}, commit=False)
    os.chmod(repo / "pkg/tool.py", 0o755)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "initial")
    return repo


def run(pb: Path, repo: Path):  # type: ignore[no-untyped-def]
    return invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")


def test_run_keeps_line_endings_bom_and_mode_and_rollback_restores_bytes(tmp_path: Path) -> None:
    repo = make(tmp_path)
    before = tree_bytes(repo)
    pb = playbook(tmp_path / "pb.yaml", BOTH)
    assert run(pb, repo).exit_code == 0
    crlf = (repo / "pkg/crlf.py").read_bytes()
    assert b"def f(x: int | str) -> str:\r\n" in crlf and b'f"{x}"' in crlf and b"\n" not in crlf.replace(b"\r\n", b"")
    assert (repo / "pkg/bom.py").read_bytes().startswith(b"\xef\xbb\xbf") and b"str | None" in (repo / "pkg/bom.py").read_bytes()
    assert stat.S_IMODE(os.stat(repo / "pkg/tool.py").st_mode) == 0o755

    result = invoke("rollback", "--root", str(repo))
    assert result.exit_code == 0, result.output
    assert "rolled back phases fstrings, unions" in result.stdout
    assert tree_bytes(repo) == before
    assert stat.S_IMODE(os.stat(repo / "pkg/tool.py").st_mode) == 0o755
    assert git(repo, "status", "--porcelain") == ""
    status = json.loads(invoke("status", "--root", str(repo), "--json").stdout)
    assert status["status"] == "rolled_back"


def test_rollback_refuses_files_changed_since_unless_forced(tmp_path: Path) -> None:
    repo = make(tmp_path)
    before = tree_bytes(repo)
    assert run(playbook(tmp_path / "pb.yaml", BOTH), repo).exit_code == 0
    (repo / "pkg/a.py").write_text((repo / "pkg/a.py").read_text() + "# mine\n")
    after_run = tree_bytes(repo)
    result = invoke("rollback", "--root", str(repo))
    assert result.exit_code == 2
    assert "pkg/a.py changed since batchmod wrote it" in result.stderr and "--force" in result.stderr
    assert tree_bytes(repo) == after_run
    assert invoke("rollback", "--root", str(repo), "--force").exit_code == 0
    assert tree_bytes(repo) == before


def test_rollback_one_phase_newest_first(tmp_path: Path) -> None:
    repo = make(tmp_path)
    before = tree_bytes(repo)
    assert run(playbook(tmp_path / "pb.yaml", BOTH), repo).exit_code == 0
    result = invoke("rollback", "--root", str(repo), "--phase", "unions")
    assert result.exit_code == 2
    assert "shares files with later phases (phase fstrings: pkg/b.py, pkg/c.py, pkg/crlf.py)" in result.stderr

    assert invoke("rollback", "--root", str(repo), "--phase", "fstrings").exit_code == 0
    assert "int | str" in (repo / "pkg/a.py").read_text() and ".format(name)" in (repo / "pkg/b.py").read_text()
    status = json.loads(invoke("status", "--root", str(repo), "--json").stdout)
    assert [p["state"] for p in status["phases"]] == ["done", "rolled_back"]
    assert invoke("rollback", "--root", str(repo), "--phase", "unions").exit_code == 0
    assert tree_bytes(repo) == before
