"""`scope: statement`: validate refuses it where it cannot be exact; a plan with it equals one without."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.engine import FileJob, Step, apply_file_job
from tests.conftest import git_init, write_tree

FORMAT = "libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand"
PLAYBOOK = """\
version: 1
name: scoped
task_types:
  fmt:
    transform: {transform}
{extra}
phases:
  - name: one
    tasks:
      - type: fmt
        files: ["**/*.py"]
"""
SOURCES = {
    "pkg/__init__.py": "",
    "pkg/a.py": 'import os\n\n\nclass A:\n    def f(self):\n        return "{}".format(os.sep)\n\n'
                '    def g(self):\n        # keep\n        return "{} {}".format(1, 2)\n',
    "pkg/b.py": 'x = 1\r\nmsg = "{}".format(x)\r\n',
    "pkg/c.py": 'a = 1; b = "{}".format(a)\n',  # processed whole: a top-level line of two statements
    "pkg/d.py": "y = 2\n",
}


def _write(root: Path, transform: str, extra: str) -> Path:
    path = root / "playbook.yaml"
    path.write_text(PLAYBOOK.format(transform=transform, extra=textwrap.indent(extra, "    ")), encoding="utf-8")
    return path


def _validate(root: Path, transform: str, extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", str(_write(root, transform, extra)), "--root", str(root)],
                                catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("transform, extra, message", [
    ("rewrite", 'needles: ["x"]\nscope: statement\nwith: {rules: [{match: "a.b()", replace: "a.c()"}]}',
     "`scope: statement` is for libcst codemods; rewrite already parses only the statements where its rules"),
    (FORMAT, "scope: statement", "`scope: statement` needs `needles`"),
    (FORMAT, 'needles: [".format("]\nexpect_absent: [".format("]\nscope: statement', "cannot check `expect_absent`"),
    ("libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand", 'needles: ["Union"]\nscope: statement',
     "ConvertUnionToOrCommand asks for metadata (QualifiedNameProvider), which depends on more than the statement"),
])
def test_validate_refuses_scope_statement_where_it_cannot_be_exact(tmp_path: Path, transform: str, extra: str,
                                                                   message: str) -> None:
    code, out = _validate(tmp_path, transform, extra)
    assert code == 2, out
    line = 6 + extra.splitlines().index("scope: statement")
    assert f"playbook.yaml:{line}:12: $.task_types.fmt.scope: " in out and message in out


def test_validate_accepts_a_local_codemod_with_needles(tmp_path: Path) -> None:
    code, out = _validate(tmp_path, FORMAT, 'needles: [".format("]\nscope: statement')
    assert code == 0, out


def test_a_plan_with_scope_statement_equals_the_whole_file_plan(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "repo", SOURCES))
    plans = []
    for extra in ('needles: [".format("]', 'needles: [".format("]\nscope: statement'):
        playbook = _write(tmp_path, FORMAT, extra)
        result = CliRunner().invoke(cli, ["plan", str(playbook), "--root", str(root), "--json", "--jobs", "1", "--no-cache"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        plans.append(json.loads(result.stdout)["phases"])
    assert plans[0] == plans[1]
    changed = {f for s in plans[1][0]["subtasks"] if s["status"] == "change" for f in s["files"]}
    assert changed == {"pkg/a.py", "pkg/b.py", "pkg/c.py"}


def test_the_engine_falls_back_to_the_whole_file_with_the_same_outcome() -> None:
    spec = TaskTypeSpec("fmt", FORMAT, needles=(".format(",), scope="statement")
    source = SOURCES["pkg/c.py"].encode()
    scoped = apply_file_job(FileJob("/nonexistent", "pkg/c.py", source, (Step(0, spec, None),)))
    whole = apply_file_job(FileJob("/nonexistent", "pkg/c.py", source, (Step(0, TaskTypeSpec("fmt", FORMAT, needles=(".format(",)), None),)))
    assert scoped == whole and scoped.final == b'a = 1; b = f"{a}"\n'
