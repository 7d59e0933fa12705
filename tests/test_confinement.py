"""A python: codemod path stays in the root like every other path; files over
select.max_file_bytes are skipped (listed in the plan), never parsed."""
from __future__ import annotations

import json
import os
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from tests.conftest import write_tree

CODEMOD = """\
import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand


class Noop(VisitorBasedCodemodCommand):
    pass
"""


def playbook(transform: str, select: str = "") -> str:
    return textwrap.dedent(f"""\
        version: 1
        name: demo
        {select}
        task_types:
          t:
            transform: {transform}
            examples: [{{before: "x = 1\\n", after: "x = 1\\n"}}]
        phases:
          - name: one
            tasks: [{{type: t, files: ["pkg/*.py"]}}]
        """)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    write_tree(root, {"pkg/a.py": "x = 1\n", "tools/mod.py": CODEMOD})
    write_tree(tmp_path, {"outside.py": CODEMOD})
    os.symlink(tmp_path / "outside.py", root / "tools" / "link.py")
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("rel", ["../outside.py", "tools/../../outside.py", "ABS", "tools/link.py"])
def test_a_python_codemod_outside_the_root_is_a_validate_error(repo: Path, rel: str) -> None:
    rel = str(repo.parent / "outside.py") if rel == "ABS" else rel
    (repo / "pb.yaml").write_text(playbook(f"python:{rel}:Noop"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "pb.yaml"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"pb.yaml:6:16: $.task_types.t.transform: `{rel}` is outside the root {repo}; "
        "a python: codemod is a file in the migrated repository, its path relative to the root",
        "pb.yaml: 1 error",
    ]


def test_a_python_codemod_inside_the_root_still_loads(repo: Path) -> None:
    (repo / "pb.yaml").write_text(playbook("python:tools/mod.py:Noop"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "pb.yaml"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr


UNION = "libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand"
LINK = {"file": "tools/link.py", "reason": "symlink leaves the root"}  #: the fixture's symlink out
BIG_LINE = "from typing import Union\nx: Union[int, str] = 1\n"


def plan_json(root: Path, text: str) -> dict:
    (root / "pb.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["plan", "pb.yaml", "--json", "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_file_over_the_default_2_mib_is_skipped_with_its_reason(repo: Path) -> None:
    big = BIG_LINE * (2 * 1024 * 1024 // len(BIG_LINE) + 1)
    write_tree(repo, {"pkg/generated.py": big, "pkg/small.py": BIG_LINE})
    started = time.monotonic()
    plan = plan_json(repo, playbook(UNION))
    assert time.monotonic() - started < 20  # parsing it takes libcst minutes
    ids = [s["id"] for s in plan["phases"][0]["subtasks"]]
    assert ids == ["one/t/pkg/a.py", "one/t/pkg/small.py"]
    assert plan["skipped"] == [
        LINK,
        {"file": "pkg/generated.py", "reason": f"{len(big):,} bytes, over select.max_file_bytes (2,097,152); never parsed"}
    ]


def test_max_file_bytes_sets_the_limit(repo: Path) -> None:
    write_tree(repo, {"pkg/b.py": BIG_LINE * 3})
    plan = plan_json(repo, playbook(UNION, "select: {max_file_bytes: 100}"))
    assert [s["id"] for s in plan["phases"][0]["subtasks"]] == ["one/t/pkg/a.py"]
    assert plan["skipped"] == [LINK, {"file": "pkg/b.py", "reason": "144 bytes, over select.max_file_bytes (100); never parsed"}]
    plan = plan_json(repo, playbook(UNION, "select: {max_file_bytes: 1000}"))
    assert [(s["id"], s["status"]) for s in plan["phases"][0]["subtasks"]] == [("one/t/pkg/a.py", "no-change"), ("one/t/pkg/b.py", "change")]
    assert plan["skipped"] == [LINK]
