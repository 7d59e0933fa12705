"""Checks that cannot hide breakage: pytest judged per test without `junit:`, whole checks say so, `must_pass` goals."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import PY, invoke, make_repo
from test_failed_subtasks import BOOM, run

TESTS = '''\
from pkg.mod import X


def test_broken_before():
    assert False, "broken on the untouched tree"


def test_x():
    assert X == 1
'''
FILES = {"pkg/__init__.py": "", "pkg/mod.py": "X = 1\n", "pkg/other.py": "Y = 2\n", "tests/test_mod.py": TESTS, "tools/boom.py": BOOM}


def playbook(path: Path, checks: str, files: str = '["pkg/*.py"]') -> Path:
    path.write_text(
        "version: 1\nname: checky\ntask_types:\n  boom:\n    transform: \"python:tools/boom.py:Boom\"\n"
        f"phases:\n  - name: one\n    tasks:\n      - type: boom\n        files: {files}\n    checks:\n{checks}",
        encoding="utf-8",
    )
    return path


def gate(repo: Path) -> str:
    return json.loads(invoke("status", "--root", str(repo), "--json").stdout)["phases"][0]["gate"]  # type: ignore[no-any-return]


def test_a_pytest_check_without_junit_blocks_on_the_new_failing_test_only(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    pb = playbook(tmp_path / "pb.yaml", f"      - name: tests\n        run: {PY} -m pytest -q -p no:cacheprovider tests\n")
    result = run(pb, repo)
    assert result.exit_code == 1, result.output
    assert "baseline: check tests (one) on the untouched tree fails already (tests.test_mod::test_broken_before)" in result.stderr
    assert gate(repo) == (
        "check `tests` failed (exit 1): new failures: tests.test_mod::test_x "
        "(failing on the untouched tree too, not blamed: tests.test_mod::test_broken_before)"
    )


def test_a_whole_check_that_failed_before_is_never_called_passed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FILES)
    pb = playbook(tmp_path / "pb.yaml", "      - name: lint\n        run: \"! grep -rq broken tests\"\n")
    warned = invoke("validate", str(pb), "--root", str(repo))
    assert "check `lint` is judged as a whole (not a plain pytest command, no `junit:`)" in warned.output
    result = run(pb, repo)
    assert result.exit_code == 0, result.output  # judged as a whole: the migration is not blamed ...
    assert "no per-test results, so it is judged as a whole" in result.stderr
    assert gate(repo) == "check `lint` failed (exit 1) as it did on the untouched tree; judged as a whole, so not blamed"
    assert "passed" not in gate(repo)  # ... but it is never called passed
    assert "check lint: failed (exit 1)" in invoke("status", "--root", str(repo)).stdout


def test_must_pass_blocks_while_the_goal_fails_and_passes_once_it_holds(tmp_path: Path) -> None:
    goal = "      - name: no small ints\n        run: \"! grep -rqE '= [0-9]$' pkg\"\n        must_pass: true\n"
    repo = make_repo(tmp_path / "repo", {**FILES, "pkg/bad.py": "Z = 3\n"})
    result = run(playbook(tmp_path / "pb.yaml", goal), repo)  # bad.py raises: a small int stays
    assert result.exit_code == 1, result.output
    assert "must_pass: the gate blocks until it passes" in result.stderr
    assert gate(repo) == "check `no small ints` failed (exit 1) (must_pass: it has to pass after the phase): new failures: no small ints"

    clean = make_repo(tmp_path / "clean", FILES)
    result = run(playbook(tmp_path / "pb2.yaml", goal), clean)
    assert result.exit_code == 0, result.output
    assert gate(clean) == "1 check passed"
