"""plan_json_text writes exactly json.dumps(render_plan_json(plan), indent=2), its template
path (plain no-change subtasks) and its dict path (everything else) alike."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from runner.planning.dryrun import PlanOptions, plan_playbook
from runner.playbook.load import load_playbook
from runner.reporting.plan_json import plan_json_text, render_plan_json

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "inventory"


def _plan(root: Path, playbook: Path):  # noqa: ANN202 - a Plan
    loaded = load_playbook(str(playbook), root=str(root))
    return plan_playbook(loaded, PlanOptions(root=str(root), jobs=1, use_cache=False))


def _git(root: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"], cwd=root, check=True)


def test_the_example_plan_is_written_as_json_dumps_writes_it(tmp_path: Path) -> None:
    root = tmp_path / "inventory"
    shutil.copytree(EXAMPLE, root)
    _git(root)
    plan = _plan(root, root / "playbook.yaml")
    statuses = {s.status for p in plan.phases for s in p.subtasks}
    assert {"no-change", "change", "gap"} <= statuses  # both paths are taken
    assert plan_json_text(plan) == json.dumps(render_plan_json(plan), indent=2)


def test_names_that_need_escaping_and_directory_subtasks_come_out_the_same(tmp_path: Path) -> None:
    (tmp_path / "pkg é").mkdir()
    (tmp_path / "pkg é" / 'na"me\\.py').write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "pkg é" / "b.py").write_text("import six\ny = six.text_type(1)\n", encoding="utf-8")
    (tmp_path / "c.py").write_text("z = 2\n", encoding="utf-8")
    (tmp_path / "p.yaml").write_text(
        "version: 1\nname: esc\ntask_types:\n  r:\n    transform: rename\n"
        "    with: {old: six.text_type, new: builtins.str}\n"
        "phases:\n  - name: one\n    tasks:\n      - type: r\n        files: ['**/*.py']\n"
        "  - name: two\n    tasks:\n      - type: r\n        files: ['**/*.py']\n        per: directory\n",
        encoding="utf-8")
    _git(tmp_path)
    plan = _plan(tmp_path, tmp_path / "p.yaml")
    assert {len(s.subtask.files) for s in plan.phases[1].subtasks} >= {2}
    text = plan_json_text(plan)
    assert text == json.dumps(render_plan_json(plan), indent=2)
    assert '"pkg \\u00e9/na\\"me\\\\.py"' in text
