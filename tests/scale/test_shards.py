"""CI shards end to end: N sharded runs on N checkouts write exactly what one run writes."""
from __future__ import annotations

import json
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from tests.conftest import git_init, write_tree

PLAYBOOK = textwrap.dedent("""\
    version: 1
    name: shards
    task_types:
      optional:
        transform: rewrite
        with:
          rules:
            - match: "typing.Optional[$x]"
              replace: "$x | None"
      logger-warn:
        transform: rewrite
        with:
          rules:
            - match: "$log.warn($$$args)"
              replace: "$log.warning($$$args)"
    phases:
      - name: types
        tasks:
          - {type: optional, files: ["**/*.py"]}
      - name: logging
        tasks:
          - {type: logger-warn, files: ["**/*.py"], per: directory}
    """)


def _files() -> dict[str, str]:
    files = {}
    for d in range(5):
        for i in range(4):
            files[f"pkg/d{d}/m{i}.py"] = (
                "import typing\n\n\n"
                f"def f(log, a: typing.Optional[int]) -> None:\n    log.warn('m{i}', a)\n"
            )
    files["pkg/plain.py"] = "X = 1\n"
    return files


def _checkout(tmp_path: Path, name: str) -> Path:
    root = write_tree(tmp_path / name, _files())
    (root / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    return git_init(root)


def _run(root: Path, *extra: str) -> None:
    result = CliRunner().invoke(cli, ["run", str(root / "playbook.yaml"), "--root", str(root), "--yes", *extra],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output


def _changed(root: Path) -> dict[str, bytes]:
    names = subprocess.run(["git", "-C", str(root), "diff", "--name-only"], capture_output=True, text=True,
                           check=True).stdout.split()
    return {n: (root / n).read_bytes() for n in names}


def test_the_union_of_three_shards_is_one_unsharded_run(tmp_path: Path) -> None:
    whole = _checkout(tmp_path, "whole")
    _run(whole)
    expected = _changed(whole)
    assert len(expected) == 20
    parts = []
    for k in (1, 2, 3):
        root = _checkout(tmp_path, f"shard{k}")
        _run(root, "--shard", f"{k}/3")
        parts.append(_changed(root))
    assert all(parts), "every shard has work"
    seen: dict[str, int] = {}
    for k, part in enumerate(parts, start=1):
        for name in part:
            assert name not in seen, f"{name} written by shards {seen.get(name)} and {k}"
            seen[name] = k
    union = {name: data for part in parts for name, data in part.items()}
    assert union == expected


def test_per_directory_subtasks_stay_whole_and_the_plan_names_the_shard(tmp_path: Path) -> None:
    root = _checkout(tmp_path, "repo")
    result = CliRunner().invoke(cli, ["plan", str(root / "playbook.yaml"), "--root", str(root), "--json",
                                      "--shard", "2/3"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["shard"] == "2/3"
    logging = next(p for p in doc["phases"] if p["name"] == "logging")
    for subtask in logging["subtasks"]:
        folder = subtask["id"].split("/", 2)[2]
        assert sorted(subtask["files"]) == sorted(f for f in _files() if f.startswith(folder)), subtask["id"]


def test_a_resumed_run_keeps_its_shard_and_another_shard_starts_a_new_run(tmp_path: Path) -> None:
    root = _checkout(tmp_path, "repo")
    _run(root, "--shard", "1/2")
    state = json.loads(next(p for p in (root / ".batchmod" / "runs").iterdir() if p.is_dir()).joinpath("state.json").read_text())
    assert state["options"]["shard"] == "1/2"
    result = CliRunner().invoke(cli, ["run", str(root / "playbook.yaml"), "--root", str(root), "--yes",
                                      "--shard", "2/2"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert len(_changed(root)) == 20  # both halves written, on one checkout


def test_a_saved_plan_keeps_its_shard(tmp_path: Path) -> None:
    root = _checkout(tmp_path, "repo")
    saved = tmp_path / "plan.json"
    result = CliRunner().invoke(cli, ["plan", str(root / "playbook.yaml"), "--root", str(root), "--shard", "1/2",
                                      "--out", str(saved)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    planned = {f for p in json.loads(saved.read_text())["phases"] for s in p["subtasks"] for f in s["files"]}
    other = CliRunner().invoke(cli, ["run", str(root / "playbook.yaml"), "--root", str(root), "--yes",
                                     "--plan", str(saved), "--shard", "2/2"])
    assert other.exit_code == 2 and "differs from the saved plan's shard (1/2)" in other.output
    _run(root, "--plan", str(saved))
    assert set(_changed(root)) <= planned and _changed(root)


def test_report_merge_of_three_shards_adds_up_to_the_unsharded_report(tmp_path: Path) -> None:
    whole = _checkout(tmp_path, "whole")
    _run(whole)
    shards = []
    for k in (1, 2, 3):
        root = _checkout(tmp_path, f"shard{k}")
        _run(root, "--shard", f"{k}/3")
        shards.append(root)
    one = json.loads(CliRunner().invoke(cli, ["report", "--root", str(whole), "--format", "json"]).stdout)
    run_folder = next(p for p in (shards[2] / ".batchmod" / "runs").iterdir() if p.is_dir())
    dirs = [str(shards[0]), str(shards[1] / ".batchmod"), str(run_folder)]  # a root, a .batchmod, a run folder
    result = CliRunner().invoke(cli, ["report", "--merge", *dirs, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    merged = json.loads(result.stdout)
    assert [s["shard"] for s in merged["shards"]] == ["1/3", "2/3", "3/3"]
    assert merged["status"] == "done"
    assert merged["figures"]["touched"]["files"] == one["figures"]["touched"]["files"] == 20
    for mine, theirs in zip(merged["phases"], one["phases"]):
        assert [s["id"] for s in mine["subtasks"]] == [s["id"] for s in theirs["subtasks"]]
        assert sorted(h["text"] for h in mine["hunks"]) == sorted(h["text"] for h in theirs["hunks"])
    md = CliRunner().invoke(cli, ["report", "--merge", *dirs], catch_exceptions=False)
    assert md.exit_code == 0 and "3 shards merged" in md.stdout and "| 2/3 |" in md.stdout


def test_report_merge_needs_run_dirs_and_real_ones(tmp_path: Path) -> None:
    alone = CliRunner().invoke(cli, ["report", "--merge"])
    assert alone.exit_code == 2 and "--merge takes the shard runs to merge" in alone.output
    result = CliRunner().invoke(cli, ["report", "--merge", str(tmp_path)])
    assert result.exit_code == 2 and "not a batchmod run folder" in result.output
