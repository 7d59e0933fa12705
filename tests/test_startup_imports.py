"""What `batchmod plan` imports: the model stack and libcst's codemod machinery only when used,
and no libcst at all (nor the rewrite package, nor the rename's libcst path) for a rename
whose files all take the fast path.

Each plan runs in a fresh interpreter (a subprocess) that reports which of the watched
modules ended up in ``sys.modules``; nothing is timed.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import git_init, write_tree

#: heavy modules a plan without model work, codemods or templates must not import (a valid
#: playbook passes the quick schema check: no jsonschema)
WATCHED = ("anthropic", "runner.model.worker", "runner.model.batch", "runner.commands.model_setup",
           "libcst.codemod", "libcst.matchers", "runner.transforms.codemod", "jsonschema", "jinja2",
           "runner.execution.records")

_WRAPPER = textwrap.dedent("""\
    import json, runpy, sys
    import runner.adapters.process_exit as process_exit
    process_exit.exit_without_teardown = lambda code: None  # exit as usual, back to this report
    out, watched = sys.argv[1], sys.argv[2].split(",")
    sys.argv = ["batchmod", *sys.argv[3:]]
    try:
        runpy.run_module("runner", run_name="__main__")
    except SystemExit as exc:
        code = exc.code
    with open(out, "w") as fp:
        json.dump({"exit": code, "loaded": [m for m in watched if m in sys.modules],
                   "libcst": sorted(m for m in sys.modules if m == "libcst" or m.startswith("libcst.")),
                   "runner": sorted(m for m in sys.modules if m.startswith("runner."))}, fp)
""")

RENAME = """\
version: 1
name: startup
task_types:
  rename:
    transform: rename
    with: {old: pkg.text.get_text_list, new: pkg.text.format_text_list}
phases:
  - name: main
    tasks:
      - {type: rename, files: ["**/*.py"]}
"""

FILES = {
    "pkg/__init__.py": "",
    "pkg/text.py": "def get_text_list(items):\n    \"\"\"Join.\n\n    >>> get_text_list(['a', 'b'])\n    'a, b'\n"
                   "    \"\"\"\n    return ', '.join(items)\n",
    "pkg/use.py": "from pkg.text import get_text_list\n\nprint(get_text_list(['a']))\n",
    "pkg/other.py": "from os.path import *\n\nX = 1\n",
}


def _plan(tmp_path: Path, root: Path, *args: str) -> tuple[dict[str, object], str]:
    report = tmp_path / "loaded.json"
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(report), ",".join(WATCHED), "plan", *args,
                           "--root", str(root), "--no-cache", "--jobs", "1"],
                          capture_output=True, text=True, timeout=300)
    return json.loads(report.read_text()), proc.stdout


def test_a_plan_without_model_work_imports_neither_the_model_stack_nor_libcst_codemod_nor_jsonschema(tmp_path: Path) -> None:
    root = git_init(write_tree(tmp_path / "repo", FILES))
    (tmp_path / "rename.yaml").write_text(RENAME, encoding="utf-8")
    seen, stdout = _plan(tmp_path, root, str(tmp_path / "rename.yaml"), "--json")
    assert seen["loaded"] == []
    assert seen["exit"] == 0
    status = {s["files"][0]: s["status"] for phase in json.loads(stdout)["phases"] for s in phase["subtasks"]}
    assert status == {"pkg/__init__.py": "no-change", "pkg/other.py": "no-change",
                      "pkg/text.py": "change", "pkg/use.py": "change"}  # the rename did run


def test_a_plan_with_model_work_still_loads_the_model_stack(tmp_path: Path) -> None:
    root = tmp_path / "inventory"
    shutil.copytree(Path(__file__).resolve().parents[1] / "examples" / "inventory", root,
                    ignore=shutil.ignore_patterns(".batchmod"))
    git_init(root)
    seen, _ = _plan(tmp_path, root, str(root / "playbook.yaml"), "--replay")
    assert seen["exit"] == 0
    assert {"runner.model.worker", "runner.commands.model_setup", "libcst.codemod", "jinja2"} <= set(seen["loaded"])
    assert "anthropic" not in seen["loaded"]  # replay: the SDK is never needed


#: the rename's modules that parse with libcst, and the rewrite package they use
LIBCST_PATH = ("runner.transforms.rename.apply", "runner.transforms.rename.planner", "runner.transforms.rename.analysis",
               "runner.transforms.rename.scan", "runner.transforms.rename.text", "runner.transforms.rename.to_builtin",
               "runner.transforms.rewrite")


def test_a_rename_whose_files_all_take_the_fast_path_imports_no_libcst_module(tmp_path: Path) -> None:
    files = {**FILES, "pkg/__init__.py": "from pkg.other import X\n", "pkg/deep/__init__.py": "",
             "pkg/deep/mod.py": "from pkg.text import get_text_list as g\n\ng([])  # get_text_list\n"}
    root = git_init(write_tree(tmp_path / "repo", files))
    (tmp_path / "rename.yaml").write_text(RENAME, encoding="utf-8")
    seen, stdout = _plan(tmp_path, root, str(tmp_path / "rename.yaml"), "--diff")
    assert seen["exit"] == 0
    assert seen["libcst"] == []
    assert not [m for m in seen["runner"] if m.startswith(LIBCST_PATH)]
    assert "3 change, 3 no-change, 0 gap, 0 error" in stdout
    assert "+    >>> format_text_list(['a', 'b'])\n" in stdout  # the doctest was renamed (by ast)
    assert "+g([])  # format_text_list\n" in stdout


def test_a_file_the_fast_path_gives_up_on_loads_libcst(tmp_path: Path) -> None:
    files = {**FILES, "pkg/odd.py": "from pkg import text\nf = getattr(text, 'get_text_list')\n"}
    root = git_init(write_tree(tmp_path / "repo", files))
    (tmp_path / "rename.yaml").write_text(RENAME, encoding="utf-8")
    seen, _ = _plan(tmp_path, root, str(tmp_path / "rename.yaml"), "--json")
    assert seen["exit"] == 0
    assert "libcst" in seen["libcst"] and "runner.transforms.rename.planner" in seen["runner"]


def test_a_command_runs_with_the_collector_on_its_imports_frozen_and_fewer_young_collections() -> None:
    probe = ("import gc; from runner import cli; gc.disable(); cli._gc_paused = True; cli._resume_gc(); "
             "print(gc.isenabled(), gc.get_threshold(), gc.get_freeze_count() > 1000)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out == "True (20000, 10, 10) True\n"
