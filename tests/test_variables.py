"""`--var` values take the type of the declared default; a value that does not fit is exit 2."""
from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.errors import InputError
from runner.playbook.variables import type_override
from tests.conftest import write_tree

PLAYBOOK = """\
version: 1
name: demo
vars: {flag: true, n: 1, ratio: 0.5, name: a, free: null}
task_types:
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    examples: [{before: "x = 1\\n", after: "x = 1\\n"}]
phases:
  - name: one
    tasks:
      - type: pep604
        files: ["{{ 'pkg/yes.py' if flag else 'pkg/no.py' }}", "pkg/n{{ n + 1 }}.py", "pkg/{{ free }}.py"]
"""


@pytest.fixture(autouse=True)
def _repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path, {f"pkg/{n}.py": "x = 1\n" for n in ("yes", "no", "n2", "n6", "five", "5", "True")})
    (tmp_path / "pb.yaml").write_text(textwrap.dedent(PLAYBOOK), encoding="utf-8")


def plan_files(*variables: str) -> tuple[int, list[str], str]:
    args = ["plan", "pb.yaml", "--json", "--no-cache"]
    for v in variables:
        args += ["--var", v]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    if result.exit_code != 0:
        return result.exit_code, [], result.stderr
    plan = json.loads(result.stdout)
    return 0, [f for s in plan["phases"][0]["subtasks"] for f in s["files"]], result.stderr


def test_a_false_boolean_is_false_and_a_number_is_a_number() -> None:
    code, files, err = plan_files("flag=false", "n=5", "free=five")
    assert code == 0, err
    assert files == ["pkg/five.py", "pkg/n6.py", "pkg/no.py"]


def test_defaults_and_yaml_typing_of_a_null_default() -> None:
    code, files, err = plan_files("free=5")
    assert code == 0, err
    assert files == ["pkg/5.py", "pkg/n2.py", "pkg/yes.py"]
    code, files, err = plan_files("free=true", "flag=TRUE")
    assert code == 0, err
    assert files == ["pkg/True.py", "pkg/n2.py", "pkg/yes.py"]  # YAML's true, rendered by Jinja


@pytest.mark.parametrize(
    ("var", "message"),
    [
        ("flag=maybe", "--var flag=maybe: flag is a boolean (true/false)"),
        ("flag=1", "--var flag=1: flag is a boolean (true/false)"),
        ("n=abc", "--var n=abc: n is a whole number (like its default, 1)"),
        ("n=2.5", "--var n=2.5: n is a whole number (like its default, 1)"),
        ("ratio=half", "--var ratio=half: ratio is a number (like its default, 0.5)"),
        ("ratio=nan", "--var ratio=nan: ratio is a number (like its default, 0.5)"),
    ],
)
@pytest.mark.parametrize("command", ["plan", "validate", "run"])
def test_a_value_that_does_not_fit_is_exit_2_naming_the_type(command: str, var: str, message: str) -> None:
    extra = ["--yes"] if command == "run" else []
    result = CliRunner().invoke(cli, [command, "pb.yaml", "--var", var, "--var", "free=x", *extra], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert result.stderr == f"batchmod: error: {message}\n"


def test_type_override_keeps_strings_and_recorded_values() -> None:
    assert type_override("name", "a", "5") == "5"
    assert type_override("ratio", 0.5, "2") == 2.0 and isinstance(type_override("ratio", 0.5, "2"), float)
    assert type_override("n", 1, 7) == 7  # a saved plan's value
    assert type_override("flag", True, False) is False
    assert type_override("free", None, "1e3") == 1000.0
    assert type_override("free", None, "[a, b]") == "[a, b]"  # scalars only
    assert type_override("free", None, "2024-01-01") == "2024-01-01"
    assert type_override("free", None, "'quoted'") == "'quoted'"
    assert type_override("free", None, "") == ""  # given, and empty
    assert type_override("free", None, "null") is None
    with pytest.raises(InputError):
        type_override("n", 1, True)


def test_a_saved_plan_accepts_its_own_typed_values_again() -> None:
    runner = CliRunner()
    vars_ = ["--var", "flag=false", "--var", "n=5", "--var", "free=x"]
    planned = runner.invoke(cli, ["plan", "pb.yaml", "--out", "plan.json", *vars_], catch_exceptions=False)
    assert planned.exit_code == 0, planned.output
    assert json.loads(Path("plan.json").read_text())["vars"] == {"flag": False, "n": 5, "ratio": 0.5, "name": "a", "free": "x"}
    result = runner.invoke(cli, ["run", "pb.yaml", "--plan", "plan.json", "--yes", *vars_], catch_exceptions=False)
    assert "differs from the saved plan" not in result.stderr
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["run", "pb.yaml", "--plan", "plan.json", "--yes", "--var", "n=6"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "--var n=6 differs from the saved plan's n=5" in result.stderr
