"""A plan again with the result cache warm: the same plan, nothing built, and a miss for
every change a result depends on (a file, an option, the transform's code).

Plans run in fresh interpreters (subprocesses): an imported codemod stays in
``sys.modules``, so only a new process sees an edit of its source.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import git_init, write_tree
from tests.test_startup_imports import _WRAPPER  # runs a plan, then lists the watched modules it loaded

REPO = Path(__file__).resolve().parents[1]
FORMAT = "libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand"
#: what building a codemod task imports; a warm plan needs none of it
BUILD_MODULES = ("libcst.codemod", "libcst.matchers", "runner.transforms.codemod",
                 "libcst.codemod.commands.convert_format_to_fstring", "swapmods.swap", "jsonschema", "libcst")

FILES = {
    "pkg/__init__.py": "",
    "pkg/a.py": 'name = "x"\nprint("hello {}".format(name))\nold = 1\n',
    "pkg/b.py": 'print("{} and {}".format(1, 2))\nold = 2\n',
    "pkg/c.py": "x = 1\n",
}

SWAP = textwrap.dedent("""\
    import libcst as cst
    from libcst.codemod import VisitorBasedCodemodCommand


    class Swap(VisitorBasedCodemodCommand):
        DESCRIPTION = "old -> {new}"

        def leave_Name(self, original_node, updated_node):
            return updated_node.with_changes(value="{new}") if updated_node.value == "old" else updated_node
""")


def _playbook(transform: str, extra: str = "") -> str:
    return (f"version: 1\nname: warm\ntask_types:\n  t:\n    transform: {transform}\n{extra}"
            "phases:\n  - name: main\n    tasks:\n      - {type: t, files: [\"pkg/**/*.py\"]}\n")


def _tree(tmp_path: Path, playbook: str) -> Path:
    root = git_init(write_tree(tmp_path / "repo", FILES))
    (tmp_path / "pb.yaml").write_text(playbook, encoding="utf-8")
    return root


def _plan(tmp_path: Path, *args: str) -> tuple[dict[str, object], subprocess.CompletedProcess[str]]:
    """``batchmod plan pb.yaml --root repo ARGS`` in a fresh interpreter: (exit and watched modules loaded, process)."""
    report = tmp_path / "loaded.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "mods"), str(REPO)]), "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(report), ",".join(BUILD_MODULES), "plan",
                           str(tmp_path / "pb.yaml"), "--root", str(tmp_path / "repo"), "--jobs", "1", *args],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    return json.loads(report.read_text()), proc


def _counts(stdout: str) -> tuple[int, int]:
    """(parsed, cached) from a text plan's summary."""
    m = re.search(r"parsed (\d+), cached (\d+)", stdout)
    assert m, stdout
    return int(m.group(1)), int(m.group(2))


def test_a_warm_plan_is_the_cold_plan_and_builds_no_transform(tmp_path: Path) -> None:
    _tree(tmp_path, _playbook(FORMAT, '    needles: [".format("]\n    scope: statement\n'))
    cold, first = _plan(tmp_path, "--json")
    warm, second = _plan(tmp_path, "--json")
    assert cold["exit"] == warm["exit"] == 0
    assert {"libcst", "libcst.codemod", "runner.transforms.codemod",
            "libcst.codemod.commands.convert_format_to_fstring"} <= set(cold["loaded"])
    assert warm["loaded"] == []  # the kept plan: not even libcst
    assert second.stdout == first.stdout and second.stderr == first.stderr
    seen, text = _plan(tmp_path)  # a text plan is never kept: it comes from the results, file by file
    assert seen["loaded"] == [] and _counts(text.stdout) == (0, 2)  # nor libcst, record by record
    _, fresh = _plan(tmp_path, "--no-cache")
    assert re.sub(r"parsed \d+, cached \d+, in [\d.]+s", "", text.stdout) == \
        re.sub(r"parsed \d+, cached \d+, in [\d.]+s", "", fresh.stdout)
    changed = sorted(s["files"][0] for p in json.loads(first.stdout)["phases"] for s in p["subtasks"] if s["status"] == "change")
    assert changed == ["pkg/a.py", "pkg/b.py"]


def test_a_changed_file_or_option_misses_the_cache(tmp_path: Path) -> None:
    root = _tree(tmp_path, _playbook(FORMAT, '    needles: [".format("]\n'))
    assert _counts(_plan(tmp_path)[1].stdout) == (2, 0)
    assert _counts(_plan(tmp_path)[1].stdout) == (0, 2)
    (root / "pkg" / "b.py").write_text('print("{}".format(3))\n', encoding="utf-8")
    seen, proc = _plan(tmp_path)
    assert _counts(proc.stdout) == (1, 1)
    assert "libcst.codemod" in seen["loaded"]
    (tmp_path / "pb.yaml").write_text(_playbook(FORMAT, '    needles: [".format(", "x = 1"]\n'), encoding="utf-8")
    assert _counts(_plan(tmp_path)[1].stdout) == (3, 0)  # the task's needles changed: every key did
    (tmp_path / "pb.yaml").write_text(_playbook(FORMAT, '    needles: [".format(", "x = 1"]\n    scope: statement\n'),
                                      encoding="utf-8")
    assert _counts(_plan(tmp_path)[1].stdout) == (3, 0)


def _swap_module(tmp_path: Path, new: str) -> None:
    write_tree(tmp_path / "mods", {"swapmods/__init__.py": "", "swapmods/swap.py": SWAP.format(new=new)})


def test_an_edited_codemod_source_misses_the_cache(tmp_path: Path) -> None:
    _tree(tmp_path, _playbook("swapmods.swap.Swap", '    needles: ["old"]\n'))
    _swap_module(tmp_path, "new")
    seen, proc = _plan(tmp_path, "--diff")
    assert _counts(proc.stdout) == (2, 0) and "+new = 1" in proc.stdout
    seen, proc = _plan(tmp_path, "--diff")
    assert _counts(proc.stdout) == (0, 2) and "+new = 1" in proc.stdout
    assert "swapmods.swap" not in seen["loaded"]
    _swap_module(tmp_path, "newer")
    seen, proc = _plan(tmp_path, "--diff")
    assert _counts(proc.stdout) == (2, 0) and "+newer = 1" in proc.stdout
    assert "swapmods.swap" in seen["loaded"]


def test_an_edited_python_codemod_in_the_root_misses_the_cache(tmp_path: Path) -> None:
    root = _tree(tmp_path, _playbook("python:tools/swap.py:Swap", '    needles: ["old"]\n'))
    write_tree(root, {"tools/swap.py": SWAP.format(new="new")})
    assert _counts(_plan(tmp_path)[1].stdout) == (2, 0)
    assert _counts(_plan(tmp_path)[1].stdout) == (0, 2)
    write_tree(root, {"tools/swap.py": SWAP.format(new="newer")})
    _, proc = _plan(tmp_path, "--diff")
    assert _counts(proc.stdout) == (2, 0) and "+newer = 1" in proc.stdout


def test_a_playbook_changed_after_passing_its_checks_reports_every_error(tmp_path: Path) -> None:
    _tree(tmp_path, _playbook(FORMAT, '    needles: [".format("]\n'))
    assert _plan(tmp_path)[0]["exit"] == 0
    assert _plan(tmp_path)[0]["exit"] == 0
    (tmp_path / "pb.yaml").write_text(_playbook(FORMAT, '    needles: [".format("]\n    with: {bogus: 1}\n'), encoding="utf-8")
    seen, cached = _plan(tmp_path)
    _, fresh = _plan(tmp_path, "--no-cache")
    assert seen["exit"] == 2
    assert "arguments do not fit ConvertFormatStringCommand" in cached.stderr
    assert cached.stderr == fresh.stderr and cached.stdout == fresh.stdout


def test_a_codemod_that_no_longer_loads_is_reported_though_the_playbook_passed_before(tmp_path: Path) -> None:
    _tree(tmp_path, _playbook("swapmods.swap.Swap", '    needles: ["old"]\n'))
    _swap_module(tmp_path, "new")
    assert _plan(tmp_path)[0]["exit"] == 0
    assert _plan(tmp_path)[0]["exit"] == 0
    write_tree(tmp_path / "mods", {"swapmods/swap.py": "class Swap:\n    pass\n"})
    seen, cached = _plan(tmp_path)
    _, fresh = _plan(tmp_path, "--no-cache")
    assert seen["exit"] == 2
    assert "is not a libcst codemod" in cached.stderr
    assert cached.stderr == fresh.stderr


def _kept(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "repo" / ".batchmod" / "cache" / "plans"
    return sorted(folder.iterdir()) if folder.is_dir() else []


REWRITE = ('    with: {rules: [{match: "old", replace: "new"}, {match: "never_there($x)", replace: "gone($x)"}]}\n'
           '    needles: ["old", "never_there"]\n')


def test_a_json_plan_asked_again_is_the_kept_one_and_every_input_change_misses(tmp_path: Path) -> None:
    root = _tree(tmp_path, _playbook("rewrite", REWRITE).replace('"pkg/**/*.py"', '"pkg/**/*.py", "nothing/*.py"'))
    first = _plan(tmp_path, "--json")[1]
    assert "never_there" in first.stderr and "matches no file" in first.stderr  # the plan's own stderr and load's
    assert len(_kept(tmp_path)) == 1
    again = _plan(tmp_path, "--json")[1]
    assert (again.stdout, again.stderr, again.returncode) == (first.stdout, first.stderr, first.returncode)
    assert len(_kept(tmp_path)) == 1
    edits = [
        lambda: (root / "pkg" / "c.py").write_text("old = 3\n", encoding="utf-8"),  # a selected file
        lambda: (root / "notes.txt").write_text("new file\n", encoding="utf-8"),  # the listing
        lambda: (tmp_path / "pb.yaml").write_text((tmp_path / "pb.yaml").read_text() + "# a comment\n"),
    ]
    for n, edit in enumerate(edits, start=2):
        edit()
        changed = _plan(tmp_path, "--json")[1]
        fresh = _plan(tmp_path, "--json", "--no-cache")[1]
        assert (changed.stdout, changed.stderr) == (fresh.stdout, fresh.stderr)
        assert len(_kept(tmp_path)) == n, f"edit {n - 1} did not miss"
    only = _plan(tmp_path, "--json", "--only", "main/t/pkg/a.py")[1]
    assert [s["id"] for s in json.loads(only.stdout)["phases"][0]["subtasks"]] == ["main/t/pkg/a.py"]
    assert len(_kept(tmp_path)) == 5


def test_a_kept_plan_is_saved_by_out_and_the_store_keeps_the_newest_eight(tmp_path: Path) -> None:
    root = _tree(tmp_path, _playbook(FORMAT, '    needles: [".format("]\n'))
    first = _plan(tmp_path, "--json")[1]
    _plan(tmp_path, "--json", "--out", str(tmp_path / "plan.json"))
    assert (tmp_path / "plan.json").read_text() == first.stdout
    for n in range(9):
        (root / "pkg" / "c.py").write_text(f"x = {n}\n", encoding="utf-8")
        _plan(tmp_path, "--json")
    assert len(_kept(tmp_path)) == 8


def test_no_plan_is_kept_without_the_cache_or_for_a_text_plan_or_a_command(tmp_path: Path) -> None:
    _tree(tmp_path, _playbook(FORMAT, '    needles: [".format("]\n'))
    _plan(tmp_path, "--json", "--no-cache")
    _plan(tmp_path)
    assert _kept(tmp_path) == []
    (tmp_path / "pb.yaml").write_text(_playbook("command", "    with: {run: \"true\"}\n"), encoding="utf-8")
    _plan(tmp_path, "--json")
    assert _kept(tmp_path) == []


def test_a_file_changed_while_it_was_planned_keeps_no_plan() -> None:
    from runner.planning.cache_plans import read_as_keyed

    digests = {"a.py": "1" * 64, "b.py": "!Permission denied"}
    assert read_as_keyed(digests, [("a.py", "1" * 64), ("b.py", "")])
    assert not read_as_keyed(digests, [("a.py", "2" * 64), ("b.py", "")])
    assert not read_as_keyed(digests, [("a.py", "1" * 64), ("c.py", "3" * 64)])


def test_the_versions_of_a_warm_plan_s_keys_follow_libcst_s_release_file(tmp_path: Path) -> None:
    probe = "from runner.planning.cache_identity import versions; import sys; print(versions(), 'libcst' in sys.modules)"

    def versions_with(release: str) -> str:
        write_tree(tmp_path / "site", {"libcst/__init__.py": "raise ImportError('never imported')\n",
                                       "libcst/_version.py": f"__version__ = {release!r}\n"})
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(REPO)])}
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env).stdout

    one, two = versions_with("1.9.0"), versions_with("1.9.1")
    assert one.endswith(" False\n") and two.endswith(" False\n")
    assert one != two and one == versions_with("1.9.0")
