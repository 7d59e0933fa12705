"""The README's first command shows a gap filled by the model from the committed cassette:
the example's cassette must still answer every request the example makes (no key, no network).
When this fails after a change to the prompts or the example, re-record it with
`examples/record_inventory_cassette.py`."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from e2e_support import REPO_ROOT, git, invoke

pytestmark = pytest.mark.slow  # plans the example's library phase (four codemods over the package)


def test_the_example_cassette_fills_the_example_gap_on_replay(tmp_path: Path) -> None:
    copy = tmp_path / "inventory"
    shutil.copytree(REPO_ROOT / "examples" / "inventory", copy, ignore=shutil.ignore_patterns(".batchmod", "__pycache__"))
    git(copy, "init", "-q", "-b", "main")
    result = invoke("plan", str(copy / "playbook.yaml"), "--root", str(copy), "--replay", "--json", "--phase", "library")
    assert result.exit_code == 0, result.output
    subtasks = {s["id"]: s for s in json.loads(result.stdout)["phases"][0]["subtasks"]}
    filled = subtasks["library/fstrings/src/inventory/report.py"]
    assert filled["status"] == "change" and filled["gaps"] == []
    assert all(e["replayed"] for e in filled["model"]["exchanges"])
    model_hunks = [h["text"] for h in filled["hunks"] if h["made_by"] == "model"]
    assert any('+        lines.append(f"== {ensure_text(title)} ==")' in text for text in model_hunks)
