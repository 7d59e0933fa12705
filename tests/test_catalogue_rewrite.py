"""Golden before/after tests of the catalogue playbooks built on `rewrite` and `rename`
(unittest-to-assert, typing-modernize, rename-symbol, deprecated-apis).

A case is a folder ``tests/playbooks/<playbook>/`` (or a sub-folder of it, for more cases
of the same playbook) holding:

- ``before.py``: the file to migrate, placed at ``case.json``'s ``path`` in a fresh root;
- ``after.py``: the expected result, byte for byte (absent: the file must not change);
- ``gaps.json``: the expected gaps of the whole plan, ``[{task, file, line, column,
  reason, source}]`` sorted by file, line, column, task (absent: none);
- ``context/`` (optional): more files of the root, e.g. the module under test or a
  package the rename goes through; ``context-after/`` holds the expected result of
  those that change (the others must not change);
- ``case.json``: ``path``, optional ``vars`` (``--var`` values), ``warnings`` (the
  transforms' warnings, exactly), ``run_tests`` (pytest runs in the root after the
  migration, and before it when the Python is older than ``before_runs_below_python``).

Each case is planned through the Python API (``load_playbook`` + ``plan_playbook``, one
job, no cache), phase after phase: a later phase must start from the earlier one's
output. The same root is planned through the CLI (``plan --json``, click's CliRunner),
which must agree on the gaps; a second plan of the migrated root changes nothing.
Set ``BATCHMOD_UPDATE_GOLDEN=1`` to rewrite ``after.py`` / ``context-after/`` /
``gaps.json`` from the current output (then read the diff before committing it).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.planning.dryrun import PlanOptions, plan_playbook
from runner.playbook.load import load_playbook

REPO = Path(__file__).resolve().parents[1]
PLAYBOOKS = REPO / "playbooks"
GOLDEN = Path(__file__).resolve().parent / "playbooks"
UPDATE = os.environ.get("BATCHMOD_UPDATE_GOLDEN") == "1"
COVERED = ("unittest-to-assert", "typing-modernize", "rename-symbol", "deprecated-apis", "fstrings", "drop-six")


@dataclass(frozen=True)
class Case:
    folder: Path
    playbook: Path
    config: dict

    @property
    def id(self) -> str:
        return str(self.folder.relative_to(GOLDEN))

    @property
    def path(self) -> str:
        return self.config["path"]

    @property
    def vars(self) -> dict[str, str]:
        return self.config.get("vars", {})

    def context_files(self, name: str = "context") -> dict[str, bytes]:
        base = self.folder / name
        if not base.is_dir():
            return {}
        return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def _cases() -> list[Case]:
    cases = []
    for before in sorted(GOLDEN.rglob("before.py")):
        folder = before.parent
        playbook = PLAYBOOKS / f"{folder.relative_to(GOLDEN).parts[0]}.yaml"
        config_file = folder / "case.json"
        config = json.loads(config_file.read_text(encoding="utf-8")) if config_file.exists() else {}
        config.setdefault("path", "example.py")
        cases.append(Case(folder, playbook, config))
    return cases


CASES = _cases()


def _write_root(root: Path, files: dict[str, bytes]) -> None:
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _inputs(case: Case) -> dict[str, bytes]:
    return {**case.context_files(), case.path: (case.folder / "before.py").read_bytes()}


@dataclass(frozen=True)
class Outcome:
    files: dict[str, bytes]  #: every file of the root after the last phase
    gaps: list[dict]
    warnings: list[str]
    errors: list[str]
    statuses: list[str]


def _plan(case: Case, root: Path) -> Outcome:
    loaded = load_playbook(str(case.playbook), root=str(root), overrides=case.vars)
    plan = plan_playbook(loaded, PlanOptions(root=str(root), jobs=1, use_cache=False))
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    gaps, warnings, errors, statuses = [], [], [], []
    for phase in plan.phases:
        for change in phase.files:  # phases chain: each starts from the previous output
            assert change.before == files[change.path], f"phase {phase.name} did not start from the earlier output of {change.path}"
            files[change.path] = change.after
        for sub in phase.subtasks:
            statuses.append(sub.status)
            errors.extend(sub.errors)
            warnings.extend(sub.warnings)
            gaps.extend(
                {"task": sub.subtask.task, "file": g.file, "line": g.line, "column": g.column, "reason": g.reason, "source": g.source}
                for g in sub.gaps
            )
    gaps.sort(key=lambda g: (g["file"], g["line"], g["column"], g["task"]))
    return Outcome(files, gaps, warnings, errors, statuses)


def _expected_gaps(case: Case) -> list[dict]:
    path = case.folder / "gaps.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def _update_golden(case: Case, outcome: Outcome) -> None:
    before = (case.folder / "before.py").read_bytes()
    after = outcome.files[case.path]
    if after != before:
        (case.folder / "after.py").write_bytes(after)
    for rel, data in case.context_files().items():
        target = case.folder / "context-after" / rel
        if outcome.files[rel] != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(outcome.files[rel])
    if outcome.gaps:
        (case.folder / "gaps.json").write_text(json.dumps(outcome.gaps, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def test_every_rewrite_playbook_has_a_golden_case() -> None:
    assert {c.folder.relative_to(GOLDEN).parts[0] for c in CASES} >= set(COVERED)
    for case in CASES:
        assert case.playbook.is_file(), f"{case.id}: no playbook {case.playbook.name}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_golden_output_and_gaps(case: Case, tmp_path: Path) -> None:
    root = tmp_path / "root"
    _write_root(root, _inputs(case))
    outcome = _plan(case, root)
    if UPDATE:
        _update_golden(case, outcome)
    assert outcome.errors == []
    before = (case.folder / "before.py").read_bytes()
    expected = (case.folder / "after.py").read_bytes() if (case.folder / "after.py").exists() else before
    assert outcome.files[case.path].decode("utf-8") == expected.decode("utf-8")
    assert outcome.files[case.path] == expected  # byte for byte (line endings included)
    changed_context = case.context_files("context-after")
    for rel, data in case.context_files().items():
        assert outcome.files[rel] == changed_context.get(rel, data), f"{rel} in the context"
    assert outcome.gaps == _expected_gaps(case)
    if "warnings" in case.config:
        assert sorted(outcome.warnings) == sorted(case.config["warnings"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_second_plan_changes_nothing(case: Case, tmp_path: Path) -> None:
    first = tmp_path / "first"
    _write_root(first, _inputs(case))
    migrated = _plan(case, first).files
    second = tmp_path / "second"
    _write_root(second, migrated)
    again = _plan(case, second)
    assert "change" not in again.statuses
    assert again.files == migrated


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_cli_plan_json_agrees(case: Case, tmp_path: Path) -> None:
    root = tmp_path / "root"
    _write_root(root, _inputs(case))
    args = ["plan", str(case.playbook), "--root", str(root), "--json", "--jobs", "1"]
    for key, value in case.vars.items():
        args += ["--var", f"{key}={value}"]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    written = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
               if p.is_file() and ".batchmod" not in p.relative_to(root).parts}
    assert written == _inputs(case)  # a plan writes nothing
    plan = json.loads(result.stdout)
    gaps = sorted(
        (g["file"], g["line"], g.get("reason")) for p in plan["phases"] for s in p["subtasks"] for g in s["gaps"]
    )
    assert gaps == sorted((g["file"], g["line"], g["reason"]) for g in _expected_gaps(case))
    assert not [s["id"] for p in plan["phases"] for s in p["subtasks"] if s["status"] == "error"]
    assert plan["within_budget"]


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning"],
        cwd=root, capture_output=True, text=True, timeout=300,
    )


RUNNABLE = [c for c in CASES if c.config.get("run_tests")]


@pytest.mark.parametrize("case", RUNNABLE, ids=lambda c: c.id)
def test_migrated_tests_still_pass(case: Case, tmp_path: Path) -> None:
    """The golden module's own tests pass before (where this Python still has the old
    API) and after the migration: the conversions keep their meaning."""
    below = tuple(case.config.get("before_runs_below_python", (99,)))
    if sys.version_info[: len(below)] < below:
        before_root = tmp_path / "before"
        _write_root(before_root, _inputs(case))
        before = _pytest(before_root)
        assert before.returncode == 0, before.stdout + before.stderr
    after_root = tmp_path / "after"
    _write_root(after_root, _inputs(case))
    _write_root(after_root, _plan(case, after_root).files)
    shutil.rmtree(after_root / ".batchmod", ignore_errors=True)
    after = _pytest(after_root)
    assert after.returncode == 0, after.stdout + after.stderr


# rename-symbol: `old` and `new` are declared null -------------------------------------------


def _invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_rename_symbol_needs_old_and_new(tmp_path: Path) -> None:
    playbook = str(PLAYBOOKS / "rename-symbol.yaml")
    (tmp_path / "m.py").write_text("x = 1\n", encoding="utf-8")
    valid = _invoke("validate", playbook, "--root", str(tmp_path))
    assert valid.exit_code == 0 and ": valid" in valid.stdout  # validate: null vars may stay unset
    for command in ("plan", "test"):
        result = _invoke(command, playbook, "--root", str(tmp_path))
        assert result.exit_code == 2
        assert "variables new, old need a value; pass --var new=VALUE --var old=VALUE" in result.stderr
    one = _invoke("plan", playbook, "--root", str(tmp_path), "--var", "old=a.b")
    assert one.exit_code == 2 and "variable new needs a value" in one.stderr
    bad = _invoke("plan", playbook, "--root", str(tmp_path), "--var", "old=", "--var", "new=a.b")
    assert bad.exit_code == 2 and "old must be a dotted Python name" in bad.stderr


def test_rename_symbol_examples_hold_for_the_documented_pair(tmp_path: Path) -> None:
    result = _invoke("test", str(PLAYBOOKS / "rename-symbol.yaml"), "--root", str(tmp_path),
                     "--var", "old=mylib.text.ensure_text", "--var", "new=mylib.text.to_text")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout


def test_deprecated_apis_utc_naive_keeps_naive_values(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import datetime\n\nnow = datetime.datetime.utcnow()\n", encoding="utf-8")
    loaded = load_playbook(str(PLAYBOOKS / "deprecated-apis.yaml"), root=str(tmp_path), overrides={"utc_naive": "yes"})
    plan = plan_playbook(loaded, PlanOptions(root=str(tmp_path), jobs=1, use_cache=False))
    [change] = plan.phases[0].files
    assert change.after == b"import datetime\n\nnow = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)\n"
