"""Our codemod output is byte-identical to `python -m libcst.tool codemod --no-format`."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runner.playbook.load import load_playbook
from runner.planning.dryrun import PlanOptions, plan_playbook

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "inventory"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "src").rglob("*.py"))}


@pytest.mark.parametrize(
    "command",
    [
        "convert_format_to_fstring.ConvertFormatStringCommand",
        "convert_union_to_or.ConvertUnionToOrCommand",
        "remove_unused_imports.RemoveUnusedImportsCommand",
        "convert_percent_format_to_fstring.ConvertPercentFormatStringCommand",
    ],
)
def test_same_bytes_as_libcst_cli(tmp_path: Path, command: str) -> None:
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for target in (ours, theirs):
        shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".batchmod", "__pycache__"))
    before = _tree(theirs)
    proc = subprocess.run(
        [sys.executable, "-m", "libcst.tool", "codemod", command, "--no-format", "--jobs=1", "--hide-progress", "src"],
        cwd=theirs, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    expected = _tree(theirs)
    assert expected != before or command.startswith("remove_unused"), "the example should exercise this codemod"

    (ours / "pb.yaml").write_text(
        "version: 1\nname: parity\ntask_types:\n  t:\n"
        f"    transform: libcst.codemod.commands.{command}\n"
        "phases:\n  - name: p\n    tasks: [{type: t, files: ['src/**/*.py']}]\n"
    )
    loaded = load_playbook(str(ours / "pb.yaml"), root=str(ours))
    plan = plan_playbook(loaded, PlanOptions(root=str(ours), jobs=1, use_cache=False))
    actual = dict(before)
    for change in plan.phases[0].files:
        actual[change.path] = change.after
    assert [s.errors for s in plan.phases[0].subtasks if s.errors] == []
    assert actual == expected
