"""batchmod's own code is part of every cache key: a checkout whose runner sources changed
(same version string) plans as ``--no-cache`` does, not from what the old code kept.

Each plan runs in a fresh interpreter on a copy of the ``runner`` package, as someone
editing a checkout runs one plan after another.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import git_init, write_tree

REPO = Path(__file__).resolve().parents[1]


def playbook_text(task_type: str) -> str:
    """A playbook of one phase whose task type ``t`` (``task_type``: its indented lines) runs on ``pkg/*.py``."""
    return ("version: 1\nname: code\ntask_types:\n  t:\n" + task_type
            + 'phases:\n  - name: main\n    tasks:\n      - {type: t, files: ["pkg/*.py"]}\n')


PLAYBOOK = playbook_text("    transform: replace\n    with: {literal: foo, to: bar}\n")


#: an edit of the replace transform: a file it replaced in gets a line more, `z = 2`
SUBN = "new, n = self.pattern.subn(self.to, text, count=self.count)\n"
Z = SUBN + '        new = new + "z = 2\\n" if n else new\n'
#: an edit that makes every `replace` task type fail its transform check
COUNT_CHECK = "if count < 0:"
COUNT_REFUSED = "if count >= 0:"


def _copy_of_runner(tmp_path: Path) -> Path:
    """A copy of this checkout's ``runner`` package in its own folder (for PYTHONPATH)."""
    code = tmp_path / "code"
    shutil.copytree(REPO / "runner", code / "runner", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "schemas", code / "schemas")
    return code


def _edit(code: Path, rel: str, old: str, new: str) -> None:
    path = code / "runner" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{rel} no longer has {old!r}: update this test"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _tree(tmp_path: Path) -> tuple[Path, Path]:
    root = git_init(write_tree(tmp_path / "repo", {"pkg/a.py": "x = 'foo'\n", "pkg/b.py": "y = 1\n"}))
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    return root, playbook


def _batchmod(code: Path, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m runner ARGS --root ROOT`` in a fresh interpreter of the code in ``code``."""
    return subprocess.run([sys.executable, "-m", "runner", *args, "--root", str(root), "--jobs", "1"],
                          capture_output=True, text=True, timeout=300, cwd=root.parent,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(code), "PYTHONDONTWRITEBYTECODE": "1"})


def _outcome(proc: subprocess.CompletedProcess[str]) -> tuple[int, str, str]:
    """What a plan told: exit code, stdout without the line of what planning cost, stderr."""
    return proc.returncode, re.sub(r"read \d+ files, parsed .*\n", "", proc.stdout), proc.stderr


def _cached_and_fresh(code: Path, root: Path, playbook: Path, edit: tuple[str, str], *flags: str):  # type: ignore[no-untyped-def]
    """After ``edit`` (old, new text) of the copied transforms/replace.py: the plan with the
    cache on and the plan with ``--no-cache``, both run with ``flags``."""
    _edit(code, "transforms/replace.py", *edit)
    cached = _batchmod(code, root, "plan", str(playbook), *flags)
    return cached, _batchmod(code, root, "plan", str(playbook), *flags, "--no-cache")


def test_a_kept_json_plan_follows_an_edit_of_batchmods_code(tmp_path: Path) -> None:
    code = _copy_of_runner(tmp_path)
    root, playbook = _tree(tmp_path)
    before = _batchmod(code, root, "plan", str(playbook), "--json")
    assert before.returncode == 0 and '"lines_added": 1,' in before.stdout, before.stderr
    cached, fresh = _cached_and_fresh(code, root, playbook, (SUBN, Z), "--json")
    assert '"lines_added": 2,' in fresh.stdout
    assert _outcome(cached) == _outcome(fresh)


def test_cached_results_and_diffs_follow_an_edit_of_batchmods_code(tmp_path: Path) -> None:
    code = _copy_of_runner(tmp_path)
    root, playbook = _tree(tmp_path)
    assert "+x = 'bar'" in _batchmod(code, root, "plan", str(playbook), "--diff").stdout
    cached, fresh = _cached_and_fresh(code, root, playbook, (SUBN, Z), "--diff")
    assert "+z = 2" in fresh.stdout
    assert _outcome(cached) == _outcome(fresh)


def test_a_remembered_transform_check_follows_an_edit_of_batchmods_code(tmp_path: Path) -> None:
    code = _copy_of_runner(tmp_path)
    root, playbook = _tree(tmp_path)
    assert _batchmod(code, root, "plan", str(playbook)).returncode == 0  # the checks' pass is remembered
    cached, fresh = _cached_and_fresh(code, root, playbook, (COUNT_CHECK, COUNT_REFUSED))
    assert fresh.returncode == 2 and "count" in fresh.stderr, fresh.stderr
    assert _outcome(cached) == _outcome(fresh)
