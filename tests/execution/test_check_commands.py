"""Which check commands batchmod can ask for per-test results (it adds --junitxml to plain pytest runs)."""
from __future__ import annotations

import pytest

from runner.execution.baseline import judge_check
from runner.execution.records import CheckResult, FailedTest
from runner.playbook.check_commands import is_pytest_command, junitxml_of, with_junitxml


@pytest.mark.parametrize("command", [
    "pytest", "pytest -q tests/unit", "py.test -x", ".venv/bin/pytest -q", "python -m pytest -q", "python3 -m pytest",
    "python3.12 -X dev -m pytest tests", "/usr/bin/python3 -m pytest", "PYTHONPATH=src pytest -q", "env FOO=1 pytest",
    "uv run pytest -q", "poetry run pytest", "coverage run -m pytest tests",
])
def test_plain_pytest_runs_are_detected(command: str) -> None:
    assert is_pytest_command(command)


@pytest.mark.parametrize("command", [
    "tox -e py312", "nox -s tests", "make test", "cd src && pytest", "pytest | tee log", "! pytest", "python -c 'import pytest'",
    "python -m unittest", "ruff check .", "pytest $(cat args)", "sh -c pytest", "python -m pytest_cov",
])
def test_wrappers_and_other_commands_are_judged_as_a_whole(command: str) -> None:
    assert not is_pytest_command(command)


def test_a_report_the_command_names_is_read_and_paths_are_quoted() -> None:
    assert junitxml_of("pytest -q --junitxml=reports/u.xml") == "reports/u.xml"
    assert junitxml_of("python -m pytest --junit-xml reports/u.xml tests") == "reports/u.xml"
    assert junitxml_of("pytest -q") is None
    assert with_junitxml("pytest -q", "/tmp/a b/x.xml") == "pytest -q --junitxml='/tmp/a b/x.xml'"


def _result(exit_code: int, *ids: str, junit: bool = True) -> CheckResult:
    return CheckResult("goal", "cmd", exit_code, 0.1, False, "", "log", tuple(FailedTest(i, "") for i in ids), junit)


def test_must_pass_blocks_on_a_failure_the_untouched_tree_had_too() -> None:
    before = _result(1, "t::a")
    assert not judge_check(_result(1, "t::a"), before).blocking
    verdict = judge_check(_result(1, "t::a"), before, must_pass=True)
    assert verdict.blocking and verdict.new_failures == ("t::a",) and verdict.must_pass
    assert judge_check(_result(1, junit=False), _result(1, junit=False), must_pass=True).new_failures == ("goal",)
    assert not judge_check(_result(0), before, must_pass=True).blocking


def test_a_whole_check_failing_as_before_is_marked_whole() -> None:
    verdict = judge_check(_result(1, junit=False), _result(1, junit=False))
    assert not verdict.blocking and verdict.whole and verdict.preexisting == ("goal",)
