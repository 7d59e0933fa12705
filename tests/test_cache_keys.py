"""The result cache is keyed on what a task's result depends on, not on the whole playbook."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli

BASE = """\
version: 1
name: cachey
description: first words
vars: {unused: one, src: pkg}
task_types:
  swap:
    description: swaps old for new
    transform: rewrite
    with: {rules: [{match: "old($x)", replace: "new($x)"}]}
    expect_absent: ["old"]
    instructions: Replace what is left.
phases:
  - name: one
    tasks:
      - {type: swap, files: ["{{ src }}/*.py"]}
    budget: {max_files: 10}
    checks:
      - {name: t, run: "true"}
"""

EDITS = {
    "an unused var": ("unused: one", "unused: two"),
    "a check": ('run: "true"', 'run: "true --really"'),
    "on_gap report to model": ("    instructions:", "    on_gap: model\n    instructions:"),
    "descriptions": ("first words", "other words"),
    "a task type's description and instructions": ("Replace what is left.", "Replace it all."),
    "a phase's budget": ("max_files: 10", "max_files: 9"),
}


def _plan(root: Path) -> tuple[int, int]:
    result = CliRunner().invoke(cli, ["plan", str(root / "pb.yaml"), "--root", str(root), "--jobs", "1"], catch_exceptions=False)
    m = re.search(r"parsed (\d+), cached (\d+)", result.stdout)
    assert m, result.output
    return int(m.group(1)), int(m.group(2))


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_edit_the_results_do_not_depend_on_keeps_the_cache(tmp_path: Path, edit: str) -> None:
    for n in range(4):
        (tmp_path / "pkg").mkdir(exist_ok=True)
        (tmp_path / "pkg" / f"m{n}.py").write_text(f"old({n})\nold = {n}\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "pb.yaml").write_text(BASE)
    assert _plan(tmp_path) == (4, 0)
    old, new = EDITS[edit]
    (tmp_path / "pb.yaml").write_text(BASE.replace(old, new))
    assert _plan(tmp_path) == (0, 4)


def test_an_edit_the_results_depend_on_misses(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("old(1)\n")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "pb.yaml").write_text(BASE)
    assert _plan(tmp_path) == (1, 0)
    (tmp_path / "pb.yaml").write_text(BASE.replace('replace: "new($x)"', 'replace: "newer($x)"'))
    assert _plan(tmp_path) == (1, 0)
