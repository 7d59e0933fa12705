"""Options the schema accepts but batchmod does not honour yet are refused by `validate`,
`plan`, `run` and `test`, with a message that says what to do instead."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.playbook import unimplemented
from runner.playbook.unimplemented import ANY, UNIMPLEMENTED, Unimplemented

HEAD = """\
version: 1
name: demo
"""
TASK_TYPES = """\
task_types:
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    examples: [{before: "x = 1\\n", after: "x = 1\\n"}]
"""
PHASES = """\
phases:
  - name: one
    tasks: [{type: pep604, files: ["pkg/*.py"]}]
"""

EVERY_OPTION = """\
version: 1
name: demo
model:
  provider: anthropic
  name: claude-sonnet-4-5
  cassette: demo.cassette.jsonl
  max_tokens: 100
  max_attempts: 2
task_types:
  fill:
    transform: model
    instructions: Do it.
    examples: [{before: "a\\n", after: "b\\n"}]
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    on_gap: model
    examples: [{before: "x = 1\\n", after: "x = 1\\n"}]
phases:
  - name: one
    tasks:
      - {type: pep604, files: ["pkg/*.py"]}
      - {type: fill, files: ["pkg/*.py"]}
    gate: {review: {on: model-edits, sample: 0.5}, on_reject: continue}
    on_failure: [fix, bisect]
  - name: two
    tasks: [{type: pep604, files: ["pkg/*.py"]}]
    gate: {review: model}
    on_failure: fix
"""


def invoke(tmp_path: Path, text: str, *args: str) -> tuple[int, str, str]:
    (tmp_path / "pb.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "a.py").write_text("from typing import Union\nx: Union[int, str]\n")
    result = CliRunner().invoke(cli, [args[0], "pb.yaml", *args[1:]], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_every_option_is_accepted(tmp_path: Path) -> None:
    code, out, err = invoke(tmp_path, EVERY_OPTION, "validate")
    assert code == 0, err


@pytest.fixture
def refused_bisect(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table is empty today; an entry put in it is refused everywhere, as the next one will be."""
    monkeypatch.setattr(unimplemented, "UNIMPLEMENTED", (Unimplemented(("phases", "*", "on_failure"), "bisect", "use stop or rollback"),))


@pytest.mark.parametrize("entry", UNIMPLEMENTED, ids=lambda e: ".".join(e.path) + "=" + ("*" if e.value is ANY else str(e.value)))
def test_each_table_entry_is_refused(tmp_path: Path, entry) -> None:  # type: ignore[no-untyped-def]
    """Deleting an entry without implementing it (or implementing it without deleting
    the entry) makes this fail: the option must reach a real playbook and be refused."""
    text = EVERY_OPTION.replace("provider: anthropic", f"provider: {entry.value}") if entry.path == ("model", "provider") else EVERY_OPTION
    code, _, err = invoke(tmp_path, text, "validate")
    leaf = entry.path[-1]
    assert code == 2
    wanted = f"`{leaf}`" if entry.value is ANY else f"`{leaf}: {entry.value}`"
    assert any(f"{wanted} is not supported yet; {entry.instead}" in line for line in err.splitlines()), err


def test_provider_none_is_accepted(tmp_path: Path) -> None:
    code, out, err = invoke(tmp_path, HEAD + "model: {provider: none}\n" + TASK_TYPES + PHASES, "validate")
    assert code == 0, err


@pytest.mark.parametrize("command", [("plan",), ("run", "--yes"), ("test",)])
def test_plan_run_and_test_refuse_before_doing_anything(tmp_path: Path, command: tuple[str, ...], refused_bisect: None) -> None:
    text = HEAD + TASK_TYPES + PHASES.replace("    tasks:", "    on_failure: bisect\n    tasks:")
    code, out, err = invoke(tmp_path, text, *command)
    assert code == 2, out + err
    assert err.splitlines()[0] == "batchmod: error: pb.yaml:9:17: $.phases[0].on_failure: `on_failure: bisect` is not supported yet; use stop or rollback"
    runs = tmp_path / ".batchmod" / "runs"
    assert not runs.exists() or list(runs.iterdir()) == []
    assert (tmp_path / "pkg" / "a.py").read_text() == "from typing import Union\nx: Union[int, str]\n"


def test_unimplemented_errors_come_with_schema_errors(tmp_path: Path, refused_bisect: None) -> None:
    text = HEAD + TASK_TYPES + PHASES.replace("    tasks:", "    on_failure: bisect\n    tpye: x\n    tasks:")
    code, _, err = invoke(tmp_path, text, "validate")
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "pb.yaml:9:17: $.phases[0].on_failure: `on_failure: bisect` is not supported yet; use stop or rollback"
    assert lines[1].startswith("pb.yaml:10:5: $.phases[0].tpye: unknown key `tpye`; allowed: ")


def test_no_message_points_outside_the_repository() -> None:
    """Messages, docs and comments never send a user to a developers' file or an issue."""
    checkout = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"DESIGN\.md|STYLE\.md|COMMON\.md|the \w+ issue\b|\bissue \d+")
    offenders = []
    for folder in ("runner", "schemas", "docs", "playbooks", "examples"):
        for path in (checkout / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".json", ".md", ".yaml", ".sh"):
                for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                    if pattern.search(line):
                        offenders.append(f"{path.relative_to(checkout)}:{number}: {line.strip()}")
    assert (checkout / "README.md").read_text(encoding="utf-8").count("DESIGN.md") == 0
    assert offenders == []
