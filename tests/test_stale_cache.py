"""A cached plan is the plan ``--no-cache`` makes, also when a result depends on files
besides its own: a rename reads the package that re-exports the old name, a codemod may
ask for repository-wide metadata. Such results are neither stored nor kept in a plan;
other results still hit after an unrelated edit.

Plans run in fresh interpreters (subprocesses), as a user runs them one after another.
"""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import git_init, write_tree

REPO = Path(__file__).resolve().parents[1]
RENAME = REPO / "playbooks" / "rename-symbol.yaml"
FORMAT = "libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand"


def _batchmod(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m runner ARGS --root ROOT`` in a fresh interpreter of this checkout."""
    proc = subprocess.run([sys.executable, "-m", "runner", *args, "--root", str(root), "--jobs", "1"],
                          capture_output=True, text=True, timeout=300, cwd=root.parent,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode in (0, 1), proc.stderr
    return proc


def _commit(root: Path, rel: str, text: str) -> None:
    (root / rel).write_text(text, encoding="utf-8")
    subprocess.run(["git", "-C", str(root), "commit", "-qam", f"edit {rel}"], check=True)


def _rename_tree(tmp_path: Path, caller: str) -> Path:
    return git_init(write_tree(tmp_path / "repo", {
        "pkg/mod.py": "def old():\n    return 1\n",
        "pkg/__init__.py": "",
        caller: "from pkg import old\n\nold()\n",
    }))


def _status(plan_json: str, path: str) -> str:
    """The status of the subtask holding ``path`` in a plan's JSON."""
    import json

    found = [s["status"] for p in json.loads(plan_json)["phases"] for s in p["subtasks"] if path in s["files"]]
    assert len(found) == 1, plan_json
    return found[0]


def _rename_plans(root: Path, *extra: str) -> tuple[str, str, str]:
    """(cached plan before the edit, cached plan after it, --no-cache plan after it):
    the edit makes ``pkg/__init__.py`` re-export the old name."""
    args = ("plan", str(RENAME), "--var", "old=pkg.mod.old", "--var", "new=pkg.mod.new", "--json", *extra)
    before = _batchmod(root, *args).stdout
    _commit(root, "pkg/__init__.py", "from pkg.mod import old\n")
    cached = _batchmod(root, *args).stdout
    return before, cached, _batchmod(root, *args, "--no-cache").stdout


def test_a_rename_result_follows_the_package_that_reexports_the_name(tmp_path: Path) -> None:
    root = _rename_tree(tmp_path, "c.py")
    before, cached, fresh = _rename_plans(root)
    assert _status(before, "c.py") == "no-change"
    assert _status(fresh, "c.py") == "change"
    assert cached == fresh


def test_a_kept_rename_plan_follows_a_file_outside_its_selection(tmp_path: Path) -> None:
    root = _rename_tree(tmp_path, "app/c.py")
    before, cached, fresh = _rename_plans(root, "--var", "src=app")  # pkg/ is read, not selected
    assert _status(before, "app/c.py") == "no-change"
    assert _status(fresh, "app/c.py") == "change"
    assert cached == fresh


def _format_tree(tmp_path: Path, transform: str, files: dict[str, str]) -> tuple[Path, Path]:
    root = git_init(write_tree(tmp_path / "repo", files))
    playbook = tmp_path / "pb.yaml"
    playbook.write_text(f"version: 1\nname: warm\ntask_types:\n  t:\n    transform: {transform}\n"
                        "phases:\n  - name: main\n    tasks:\n      - {type: t, files: [\"pkg/**/*.py\"]}\n",
                        encoding="utf-8")
    return root, playbook


def _counts(stdout: str) -> tuple[int, int]:
    """(parsed, cached) from a text plan's summary."""
    m = re.search(r"parsed (\d+), cached (\d+)", stdout)
    assert m, stdout
    return int(m.group(1)), int(m.group(2))


FORMAT_FILES = {
    "pkg/__init__.py": "",
    "pkg/a.py": 'name = "x"\nprint("hello {}".format(name))\n',
    "pkg/b.py": 'print("{} and {}".format(1, 2))\n',
    "pkg/c.py": "x = 1\n",
}


def test_an_unrelated_edit_keeps_a_codemods_cached_results(tmp_path: Path) -> None:
    root, playbook = _format_tree(tmp_path, FORMAT, FORMAT_FILES)
    assert _counts(_batchmod(root, "plan", str(playbook)).stdout) == (4, 0)
    _commit(root, "pkg/c.py", "x = 2\n")
    assert _counts(_batchmod(root, "plan", str(playbook)).stdout) == (1, 3)  # only c.py again
    assert _batchmod(root, "plan", str(playbook), "--json").stdout == \
        _batchmod(root, "plan", str(playbook), "--json", "--no-cache").stdout


STAMP = textwrap.dedent("""\
    from pathlib import Path

    import libcst as cst
    from libcst.codemod import VisitorBasedCodemodCommand
    from libcst.metadata import BatchableMetadataProvider


    class Stamp(BatchableMetadataProvider[str]):
        @classmethod
        def gen_cache(cls, root_path, paths, **kwargs):
            word = (Path(root_path) / "stamp.txt").read_text().strip()
            return {p: word for p in paths}

        def visit_Module(self, node):
            self.set_metadata(node, self.cache)


    class Stamped(VisitorBasedCodemodCommand):
        METADATA_DEPENDENCIES = (Stamp,)

        def visit_Module(self, node):
            self.word = self.get_metadata(Stamp, node)

        def leave_Name(self, original_node, updated_node):
            return updated_node.with_changes(value=self.word) if updated_node.value == "x" else updated_node
""")


def _diff(root: Path, playbook: Path, *extra: str) -> str:
    """A text plan with its diff, without the line of what planning cost."""
    return re.sub(r"read \d+ files, parsed .*\n", "", _batchmod(root, "plan", str(playbook), "--diff", *extra).stdout)


def test_a_codemod_with_repository_wide_metadata_follows_the_files_it_reads(tmp_path: Path) -> None:
    files = {**FORMAT_FILES, "stamp.txt": "y\n", "tools/stamp.py": STAMP}
    root, playbook = _format_tree(tmp_path, "python:tools/stamp.py:Stamped", files)
    assert "+y = 1" in _diff(root, playbook)
    _batchmod(root, "plan", str(playbook), "--json")
    _commit(root, "stamp.txt", "z\n")
    cached = _diff(root, playbook)
    assert "+z = 1" in cached
    assert cached == _diff(root, playbook, "--no-cache")
    assert _batchmod(root, "plan", str(playbook), "--json").stdout == \
        _batchmod(root, "plan", str(playbook), "--json", "--no-cache").stdout
