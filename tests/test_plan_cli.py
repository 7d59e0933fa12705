"""`batchmod plan` through the CLI: the dry run on temporary repositories."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from tests.conftest import git_init, write_tree

UNION = "libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand"
FSTRING = "libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand"

SOURCES = {
    "src/pkg/__init__.py": "",
    "src/pkg/a.py": "from typing import Union\n\n\ndef f(x: Union[int, str]) -> str:\n    return '{}'.format(x)\n",
    "src/pkg/b.py": "def g():\n    return 'b'\n",
    "src/pkg/sub/c.py": "from typing import Union\n\nX = Union[int, None]\n",
    "tests/test_a.py": "def test_a():\n    assert '{}'.format(1) == '1'\n",
}


def playbook(body: str) -> str:
    head = f"""\
    version: 1
    name: demo
    vars: {{src: src/pkg}}
    task_types:
      pep604:
        transform: {UNION}
        needles: [Union]
      fstring:
        transform: {FSTRING}
        needles: [".format("]
    """
    return textwrap.dedent(head) + textwrap.dedent(body)


TWO_PHASES = """\
phases:
  - name: library
    tasks:
      - {type: pep604, files: ["{{ src }}/**/*.py"]}
      - {type: fstring, files: ["{{ src }}/**/*.py"]}
  - name: tests
    tasks:
      - {type: fstring, files: ["tests/**/*.py"]}
"""


def make_repo(tmp_path: Path, body: str = TWO_PHASES, files: dict[str, str] | None = None, git: bool = True) -> Path:
    root = write_tree(tmp_path / "repo", files or SOURCES)
    (root / "playbook.yaml").write_text(playbook(body), encoding="utf-8")
    if git:
        git_init(root)
    return root


def plan(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["plan", str(root / "playbook.yaml"), "--root", str(root), "--jobs", "1", *args], catch_exceptions=False
    )
    return result.exit_code, result.stdout, result.stderr


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".batchmod" not in p.parts
    }


def test_json_plan_matches_the_design_and_writes_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    before = snapshot(root)
    code, out, err = plan(root, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert snapshot(root) == before
    assert subprocess.run(["git", "-C", str(root), "status", "--porcelain"], capture_output=True, text=True).stdout == ""
    assert doc["playbook"]["name"] == "demo"
    assert doc["playbook"]["sha256"] == hashlib.sha256((root / "playbook.yaml").read_bytes()).hexdigest()
    assert doc["root"] == str(root)
    assert doc["within_budget"] is True
    assert [p["name"] for p in doc["phases"]] == ["library", "tests"]
    subtasks = {s["id"]: s for s in doc["phases"][0]["subtasks"]}
    assert list(subtasks) == [
        "library/pep604/src/pkg/__init__.py",
        "library/pep604/src/pkg/a.py",
        "library/pep604/src/pkg/b.py",
        "library/pep604/src/pkg/sub/c.py",
        "library/fstring/src/pkg/__init__.py",
        "library/fstring/src/pkg/a.py",
        "library/fstring/src/pkg/b.py",
        "library/fstring/src/pkg/sub/c.py",
    ]
    a = subtasks["library/pep604/src/pkg/a.py"]
    assert a == {
        "id": "library/pep604/src/pkg/a.py",
        "task": "pep604",
        "files": ["src/pkg/a.py"],
        "file_sha256": {"src/pkg/a.py": hashlib.sha256(SOURCES["src/pkg/a.py"].encode()).hexdigest()},
        "status": "change",
        "lines_added": 1,
        "lines_removed": 2,
        "gaps": [],
    }
    assert subtasks["library/fstring/src/pkg/a.py"]["status"] == "change"
    assert subtasks["library/pep604/src/pkg/b.py"]["status"] == "no-change"
    assert doc["phases"][1]["subtasks"][0]["id"] == "tests/fstring/tests/test_a.py"
    assert doc["phases"][1]["subtasks"][0]["status"] == "change"
    assert doc["budget"]["files"] == {"planned": 3, "limit": None}
    # a.py: pep604 +1 -2, fstring +1 -1; c.py: pep604 +1 -2; test_a.py: fstring +1 -1
    assert doc["budget"]["lines"]["planned"] == 3 + 2 + 3 + 2
    assert set(doc["budget"]) == {"files", "lines", "model_calls", "model_tokens", "model_cost_usd"}


def test_text_table_and_diff(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    code, out, _ = plan(root, "--diff")
    assert code == 0
    assert "phase library: 8 subtasks — 3 change, 5 no-change, 0 gap, 0 error" in out
    assert "  library/pep604/src/pkg/a.py" in out
    assert "# library/fstring/src/pkg/a.py\n--- a/src/pkg/a.py\n+++ b/src/pkg/a.py\n" in out
    assert "-    return '{}'.format(x)\n+    return f'{x}'\n" in out
    # the fstring step sees the pep604 step's output: its diff context shows the new annotation
    assert " def f(x: int | str) -> str:\n-    return '{}'.format(x)" in out


def test_later_phase_is_planned_on_earlier_output(tmp_path: Path) -> None:
    body = """\
    phases:
      - name: first
        tasks: [{type: fstring, files: ["src/**/*.py"]}]
      - name: second
        tasks: [{type: pep604, files: ["src/**/*.py"]}]
    """
    root = make_repo(tmp_path, body)
    code, out, _ = plan(root, "--diff")
    assert code == 0
    second = out[out.index("# second/pep604/src/pkg/a.py") :]
    assert "     return f'{x}'" in second  # context line from the first phase's output


def test_over_budget_exits_1_naming_limit_and_overshoot(tmp_path: Path) -> None:
    body = TWO_PHASES.replace("  - name: tests\n", "    budget: {max_files: 1}\n  - name: tests\n")
    root = make_repo(tmp_path, "budget: {max_lines: 5}\n" + body)
    code, out, _ = plan(root)
    assert code == 1
    assert "OVER BUDGET: run budget exceeded: max_lines is 5, the plan plans 10 (over by 5)" in out
    assert "OVER BUDGET: phase library budget exceeded: max_files is 1, the plan plans 2 (over by 1)" in out
    code, out, _ = plan(root, "--json")
    assert code == 1
    assert json.loads(out)["within_budget"] is False


def test_bad_files_become_error_subtasks_and_others_go_on(tmp_path: Path) -> None:
    files = {**SOURCES, "src/pkg/broken.py": "def broken(:\n    Union\n"}
    root = make_repo(tmp_path, files=files)
    (root / "src/pkg/latin.py").write_bytes(b"from typing import Union\nx = '\xff'\n")
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    code, out, _ = plan(root, "--json")
    assert code == 1  # error subtasks: the plan says so in its exit code
    subtasks = {s["id"]: s for s in json.loads(out)["phases"][0]["subtasks"]}
    broken = subtasks["library/pep604/src/pkg/broken.py"]
    assert broken["status"] == "error"
    assert broken["errors"] == ["src/pkg/broken.py: not valid Python: error at 2:4: expected one of ), *, **, NAME"]
    latin = subtasks["library/pep604/src/pkg/latin.py"]
    assert latin["status"] == "error"
    assert latin["errors"] == ["src/pkg/latin.py: not valid UTF-8 (nor its declared encoding): the file cannot be decoded"]
    assert subtasks["library/pep604/src/pkg/a.py"]["status"] == "change"
    # a file with no needle is never parsed, so it is no error for the fstring task
    assert subtasks["library/fstring/src/pkg/broken.py"]["status"] == "no-change"


@pytest.mark.parametrize("git", [True, False])
def test_gitignore_is_honoured(tmp_path: Path, git: bool) -> None:
    files = {**SOURCES, ".gitignore": "build/\n*_gen.py\n", "build/x.py": "from typing import Union\nX = Union[int, str]\n",
             "src/pkg/y_gen.py": "from typing import Union\nX = Union[int, str]\n"}
    root = make_repo(tmp_path, files=files, git=git)
    body = "phases:\n  - name: all\n    tasks: [{type: pep604, files: [\"**/*.py\"]}]\n"
    (root / "playbook.yaml").write_text(playbook(body))
    code, out, _ = plan(root, "--json")
    assert code == 0
    ids = [s["id"] for s in json.loads(out)["phases"][0]["subtasks"]]
    assert "all/pep604/src/pkg/a.py" in ids
    assert not any("build/" in i or "_gen" in i for i in ids)


def test_symlink_leaving_the_root_is_skipped_and_listed(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"evil.py": "from typing import Union\nX = Union[int, str]\n"})
    root = make_repo(tmp_path, git=False)
    os.symlink(outside / "evil.py", root / "src/pkg/evil.py")
    code, out, _ = plan(root, "--json")
    doc = json.loads(out)
    assert {"file": "src/pkg/evil.py", "reason": "symlink leaves the root"} in doc["skipped"]
    assert not any("evil" in s["id"] for p in doc["phases"] for s in p["subtasks"])


def test_per_directory_and_per_task_ids(tmp_path: Path) -> None:
    body = """\
    phases:
      - name: one
        tasks:
          - {type: pep604, files: ["src/**/*.py"], per: directory}
          - {type: fstring, files: ["src/**/*.py", "tests/*.py"], per: task}
    """
    root = make_repo(tmp_path, body)
    code, out, _ = plan(root, "--json")
    subtasks = json.loads(out)["phases"][0]["subtasks"]
    assert [(s["id"], s["files"], s["status"]) for s in subtasks] == [
        ("one/pep604/src/pkg/", ["src/pkg/__init__.py", "src/pkg/a.py", "src/pkg/b.py"], "change"),
        ("one/pep604/src/pkg/sub/", ["src/pkg/sub/c.py"], "change"),
        ("one/fstring", ["src/pkg/__init__.py", "src/pkg/a.py", "src/pkg/b.py", "src/pkg/sub/c.py", "tests/test_a.py"], "change"),
    ]


def test_phase_filter_and_unknown_phase(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    code, out, _ = plan(root, "--json", "--phase", "tests")
    assert [p["name"] for p in json.loads(out)["phases"]] == ["tests"]
    code, _, err = plan(root, "--phase", "nope")
    assert code == 2
    assert err.endswith("--phase nope: no such phase in " + str(root / "playbook.yaml") + "; phases: library, tests\n")


def test_cache_makes_second_plan_identical_without_parsing(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    _, first, _ = plan(root, "--json")
    code, text, _ = plan(root)
    # files without a needle (b.py, __init__.py) are read but neither parsed nor cached
    assert "read 5 files, parsed 0, cached 3" in text
    _, second, _ = plan(root, "--json")
    assert first == second
    (root / "src/pkg/b.py").write_text("from typing import Union\nY = Union[str, bytes]\n")
    code, text, _ = plan(root)
    assert "parsed 1, cached 3" in text


def test_process_pool_gives_the_same_plan(tmp_path: Path) -> None:
    files = dict(SOURCES)
    for i in range(12):
        files[f"src/pkg/m{i}.py"] = f"from typing import Union\nX{i} = Union[int, str]\nY = '{{}}'.format({i})\n"
    root = make_repo(tmp_path, files=files)
    serial = CliRunner().invoke(cli, ["plan", str(root / "playbook.yaml"), "--root", str(root), "--json", "--jobs", "1", "--no-cache"])
    pooled = CliRunner().invoke(cli, ["plan", str(root / "playbook.yaml"), "--root", str(root), "--json", "--jobs", "2", "--no-cache"])
    assert serial.exit_code == pooled.exit_code == 0
    assert json.loads(serial.stdout) == json.loads(pooled.stdout)


def test_out_saves_the_plan(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    target = tmp_path / "plan.json"
    code, out, _ = plan(root, "--out", str(target))
    assert code == 0
    assert out.endswith(f"plan saved to {target}\n")
    assert json.loads(target.read_text())["phases"][0]["name"] == "library"


def test_generated_files_are_left_alone(tmp_path: Path) -> None:
    files = {**SOURCES, "src/pkg/gen.py": "# @" + "generated\nfrom typing import Union\nX = Union[int, str]\n"}
    root = make_repo(tmp_path, files=files)
    _, out, _ = plan(root, "--json")
    gen = next(s for s in json.loads(out)["phases"][0]["subtasks"] if s["id"] == "library/pep604/src/pkg/gen.py")
    assert gen["status"] == "no-change"


def test_bad_root_and_bad_var_are_one_line_errors(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    result = CliRunner().invoke(cli, ["plan", str(root / "playbook.yaml"), "--root", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr == f"batchmod: error: {tmp_path / 'nope'}: the root is not a folder; pass --root with an existing folder\n"
    code, _, err = plan(root, "--var", "novalue")
    assert code == 2
    assert err == "batchmod: error: --var 'novalue': expected KEY=VALUE, e.g. --var src=src/mypkg\n"


def test_python_m_runner_entry_point(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    proc = subprocess.run(
        [os.sys.executable, "-m", "runner", "plan", str(root / "playbook.yaml"), "--root", str(root), "--json"],
        capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["within_budget"] is True


def test_a_cached_plan_git_ignores_its_state_folder_once(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    assert plan(root)[0] == 0
    ignore = root / ".batchmod" / ".gitignore"
    assert ignore.read_text(encoding="utf-8") == "# batchmod's run state and cache; not for version control\n*\n"
    ignore.write_text("*\n!keep\n", encoding="utf-8")  # the user's own is left alone
    assert plan(root)[0] == 0
    assert ignore.read_text(encoding="utf-8") == "*\n!keep\n"
    assert plan(root, "--no-cache")[0] == 0
