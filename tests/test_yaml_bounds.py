"""Hostile YAML is bounded: an alias bomb and a deeply nested playbook are exit 2 with a
position, in well under a second, before anything expands them."""
from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli


def alias_bomb() -> str:
    """About 400 bytes: nine levels of nine aliases, 387 million strings once expanded."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "version: 1\n" + "\n".join(lines) + "\n"


NESTED_FLOW = "version: 1\nname: deep\nx: " + "[" * 10_000 + "]" * 10_000 + "\n"
NESTED_BLOCK = "version: 1\nname: deep\nx:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(1, 200))
NESTED_DASHES = "version: 1\nname: deep\nx:\n" + "- " * 10_000 + "x\n"

CASES = [
    (alias_bomb(), "pb.yaml:7:4: $: aliases expand to over 100,000 values (an alias bomb?); write the values out instead"),
    (NESTED_FLOW, "pb.yaml:3:67: $: nested deeper than 64 levels; flatten the playbook"),
    (NESTED_BLOCK, "pb.yaml:66:127: $: nested deeper than 64 levels; flatten the playbook"),
    (NESTED_DASHES, "pb.yaml:4:1: $: nested deeper than 64 levels; flatten the playbook"),
]


def _limit_memory() -> None:  # the child dies of MemoryError instead of taking the machine
    resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31))


def test_the_alias_bomb_is_small() -> None:
    assert len(alias_bomb().encode()) < 430


@pytest.mark.parametrize(("text", "message"), CASES[:2], ids=["alias-bomb", "nested-10000"])
def test_a_real_bomb_is_exit_2_fast_in_a_separate_process(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "pb.yaml").write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "runner", "validate", "pb.yaml"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, preexec_fn=_limit_memory,
    )
    assert result.returncode == 2, result.stderr[-500:]
    assert result.stderr.splitlines()[0] == message
    assert time.monotonic() - started < 10  # the interpreter's start included; in-process below


@pytest.mark.parametrize(("text", "message"), CASES, ids=["alias-bomb", "nested-flow", "nested-block", "nested-dashes"])
@pytest.mark.parametrize("command", [("validate",), ("plan",), ("run", "--yes"), ("test",)])
def test_validate_plan_run_and_test_refuse_in_well_under_a_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str, command: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pb.yaml").write_text(text, encoding="utf-8")
    CliRunner().invoke(cli, [command[0], "missing.yaml", *command[1:]])  # the command's imports, not timed
    started = time.monotonic()
    result = CliRunner().invoke(cli, [command[0], "pb.yaml", *command[1:]], catch_exceptions=False)
    elapsed = time.monotonic() - started
    assert result.exit_code == 2
    assert message in result.stderr.splitlines()[0]
    assert elapsed < 1.0  # about 0.05 s on an idle machine; CI shares its cores


def test_anchors_and_merge_keys_of_a_real_playbook_still_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pb.yaml").write_text(
        """\
version: 1
name: anchors
task_types:
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    examples: [{before: "x = 1\\n", after: "x = 1\\n"}]
phases:
  - name: one
    tasks: [&task {type: pep604, files: ["pkg/*.py"]}]
    checks: [&unit {name: unit, run: "true", timeout: 60}]
  - name: two
    tasks: [*task]
    checks: [*unit, {<<: *unit, name: again}]
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate", "pb.yaml"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("pb.yaml: valid — playbook anchors: 2 phases, 2 tasks, 1 task type")
    assert "$.phases[1].checks[1]: check `again`" in result.stderr  # the merged mapping has its position


def test_a_playbook_over_a_mebibyte_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pb.yaml").write_text("version: 1\n" + "# padding\n" * 110_000, encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "pb.yaml"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "pb.yaml:1:1: $: the playbook is 1,048,577 bytes; batchmod reads playbooks of up to 1,048,576 bytes"
