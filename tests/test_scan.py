"""Files read, hashed and searched where their jobs run (runner/planning/scan.py): what a
worker sends back per file, and a plan without a cache made that way is the cached plan's,
at one job or two, on a tree of many chunks."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from click.testing import CliRunner

from runner.cli import cli
from runner.adapters.workspace import read_bytes
from runner.planning.scan import CHUNK_FILES, Scanned, chunk_files, scan_files
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Changed
from runner.transforms.engine import Step
from tests.conftest import git_init, write_tree

RENAME = """\
version: 1
name: scan
task_types:
  rename:
    transform: rename
    with: {old: pkg.text.get_text_list, new: pkg.text.format_text_list}
phases:
  - name: main
    tasks:
      - {type: rename, files: ["**/*.py"]}
"""


def _step() -> Step:
    spec = TaskTypeSpec(name="rename", transform="rename",
                        with_json='{"new": "pkg.text.format_text_list", "old": "pkg.text.get_text_list"}')
    return Step(0, spec, None)


def test_a_worker_sends_a_digest_for_a_file_without_needles_and_the_result_for_one_with(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/text.py": "def get_text_list(x):\n    return x\n",
                          "pkg/plain.py": "X = 1\n"})
    step = (_step(),)
    files = [("pkg/gone.py", step), ("pkg/plain.py", step), ("pkg/given.py", step), ("pkg/text.py", step)]
    given = {"pkg/given.py": b"from pkg.text import get_text_list\nget_text_list(1)\n"}
    [job] = chunk_files(str(tmp_path), files, given, {0: (b"get_text_list",)}, False)
    gone, plain, held, text = scan_files(job)
    assert isinstance(gone, Scanned) and gone.error.startswith("cannot read: ") and gone.result is None
    assert plain == hashlib.sha256(b"X = 1\n").hexdigest()
    assert isinstance(held, Scanned) and held.sha256 == "" and held.source is None  # given bytes are not read
    assert isinstance(held.result.outcomes[0][1], Changed)
    assert isinstance(text, Scanned) and text.source == (tmp_path / "pkg/text.py").read_bytes()
    assert text.sha256 == hashlib.sha256(text.source).hexdigest()
    assert text.result.final == b"def format_text_list(x):\n    return x\n"


def test_a_file_that_grew_or_shrank_since_its_listing_is_read_whole(tmp_path: Path) -> None:
    write_tree(tmp_path, {"grew.py": "X = 1\n" * 5000, "shrank.py": "Y = 2\n", "same.py": "Z = 3\n"})
    step = (_step(),)
    files = [("grew.py", step), ("same.py", step), ("shrank.py", step)]
    listed = {"grew.py": 6, "same.py": 6, "shrank.py": 600}  # sizes as an earlier listing saw them
    [job] = chunk_files(str(tmp_path), files, {}, {0: (b"get_text_list",)}, False, listed)
    assert job.sizes == (6, 6, 600)
    assert scan_files(job) == [hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() for name, _ in files]
    assert read_bytes(str(tmp_path / "grew.py"), 6) == b"X = 1\n" * 5000
    assert read_bytes(str(tmp_path / "shrank.py"), 600) == read_bytes(str(tmp_path / "shrank.py")) == b"Y = 2\n"
    assert read_bytes(str(tmp_path / "same.py"), 6) == b"Z = 3\n"


def test_files_go_in_chunks_and_only_given_bytes_travel_with_their_chunk() -> None:
    files = [(f"m{i:03}.py", ()) for i in range(2 * CHUNK_FILES + 1)]
    jobs = chunk_files("/r", files, {"m000.py": b"x", "m064.py": b"y"}, {}, False)
    assert [len(j.paths) for j in jobs] == [CHUNK_FILES, CHUNK_FILES, 1]
    assert [j.given for j in jobs] == [{"m000.py": b"x"}, {}, {"m064.py": b"y"}]


def test_a_plan_without_a_cache_is_the_cached_plan_at_one_job_or_two(tmp_path: Path) -> None:
    files = {"pkg/__init__.py": "", "pkg/text.py": "def get_text_list(items):\n    return ', '.join(items)\n"}
    for i in range(6 * CHUNK_FILES):
        use = i % 40 == 0
        files[f"pkg/m{i:03}.py"] = ("from pkg.text import get_text_list\n\nY = get_text_list(['a'])\n" if use
                                    else f"X = {i}\n")
    root = git_init(write_tree(tmp_path / "repo", files))
    (tmp_path / "rename.yaml").write_text(RENAME, encoding="utf-8")
    plans = {}
    for args in (["--no-cache", "--jobs", "1"], ["--no-cache", "--jobs", "2"], ["--jobs", "2"]):
        result = CliRunner().invoke(cli, ["plan", str(tmp_path / "rename.yaml"), "--root", str(root), "--json", *args],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        plans[" ".join(args)] = result.stdout
    assert len(set(plans.values())) == 1
    subtasks = json.loads(plans["--jobs 2"])["phases"][0]["subtasks"]
    changed = sorted(s["files"][0] for s in subtasks if s["status"] == "change")
    assert changed == ["pkg/m000.py", "pkg/m040.py", "pkg/m080.py", "pkg/m120.py", "pkg/m160.py", "pkg/text.py"]
    digests = {f: d for s in subtasks for f, d in s["file_sha256"].items()}
    assert digests["pkg/m001.py"] == hashlib.sha256(b"X = 1\n").hexdigest()
