"""A statement nested too deeply for libcst costs only itself: one gap, the rest converted.

libcst's native parser takes seconds on a few thousand levels and overflows the C stack
on some ten thousand (the process dies), so the plan runs in a subprocess: a crash or a
hang fails the test instead of the test run.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import git_init, write_tree

PLAYBOOK = """\
version: 1
name: six
task_types:
  six-text:
    transform: rewrite
    with:
      rules:
        - {match: "six.text_type", replace: "str", imports: {remove: ["import six"]}}
    on_gap: %s
phases:
  - name: code
    tasks:
      - {type: six-text, files: ["**/*.py"]}
"""


def _plan(tmp_path: Path, source: str, on_gap: str = "report", *extra: str) -> tuple[subprocess.CompletedProcess, dict]:
    root = write_tree(tmp_path / "repo", {"a.py": source, "playbook.yaml": PLAYBOOK % on_gap})
    git_init(root)
    done = subprocess.run([sys.executable, "-m", "runner", "plan", "playbook.yaml", "--json", "--no-cache", *extra],
                          cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    return done, json.loads(done.stdout)


def _subtask(plan: dict) -> dict:
    (subtask,) = plan["phases"][0]["subtasks"]
    return subtask


def _chain(n: int, op: str = " + ", term: str = "1") -> str:
    return op.join([term] * n)


def test_a_deep_statement_is_one_gap_and_the_rest_is_converted(tmp_path):
    source = f"import six\nx = {_chain(5000)}\ny = six.text_type(x)\n"
    done, plan = _plan(tmp_path, source, "report", "--diff")
    subtask = _subtask(plan)
    assert done.returncode == 0
    assert subtask["status"] == "gap"
    (gap,) = subtask["gaps"]
    assert gap["line"] == 1  # (the import above it is gone)
    assert gap["reason"].startswith("expression nested too deeply for the parser/transform: line 1")
    assert (subtask["lines_added"], subtask["lines_removed"]) == (1, 2)


def test_the_file_is_written_with_the_deep_statement_as_it_was(tmp_path):
    deep = "x = (" + _chain(3000, " +\n    ") + ")  # long\n"
    source = f"import six\n\n{deep}y = six.text_type(x)\n"
    root = write_tree(tmp_path / "repo", {"a.py": source, "playbook.yaml": PLAYBOOK % "report"})
    git_init(root)
    done = subprocess.run([sys.executable, "-m", "runner", "run", "playbook.yaml", "--yes"],
                          cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (root / "a.py").read_text() == f"{deep}y = str(x)\n"


def test_a_deep_statement_that_uses_the_import_keeps_it(tmp_path):
    source = f"import six\nx = six.u({_chain(3000)})\ny = six.text_type(x)\n"
    _, plan = _plan(tmp_path, source)
    subtask = _subtask(plan)
    assert [g["line"] for g in subtask["gaps"]] == [2]
    assert (subtask["lines_added"], subtask["lines_removed"]) == (1, 1)


def test_on_gap_fail_fails_the_subtask_with_exit_code_1(tmp_path):
    source = f"import six\nx = {_chain(30000)}\ny = six.text_type(x)\n"
    done, plan = _plan(tmp_path, source, "fail")
    assert done.returncode == 1
    assert _subtask(plan)["status"] == "error"


def test_a_deep_header_fails_the_file_with_its_reason(tmp_path):
    source = textwrap.dedent(f"""\
        import six
        if six.text_type(a) and {_chain(30000, ' and ', 'a')}:
            y = six.text_type(1)
        """)
    done, plan = _plan(tmp_path, source)
    assert done.returncode == 1
    subtask = _subtask(plan)
    assert subtask["status"] == "error"
    assert "expression nested too deeply for the parser/transform: line 2" in done.stderr + json.dumps(plan)


def test_the_pool_path_gives_the_same_plan(tmp_path):
    source = f"import six\nx = {_chain(8000)}\ny = six.text_type(x)\n"
    _, one = _plan(tmp_path / "one", source, "report", "--jobs", "1")
    _, two = _plan(tmp_path / "two", source, "report", "--jobs", "2")
    assert _subtask(one) == _subtask(two)
    assert _subtask(one)["status"] == "gap"


@pytest.mark.parametrize("chain", [
    # ``ast`` keeps `a and a and ...` flat; libcst nests it and overflows the C stack
    _chain(12000, " and ", "a"),
    # parsed by libcst (fast at this depth), too deep for its visitors: masked on the RecursionError
    _chain(600),
])
def test_a_deep_statement_holding_a_site_is_one_gap(tmp_path, chain):
    source = f"import six\nx = six.text_type(a) and {chain}\ny = six.text_type(x)\n"
    _, plan = _plan(tmp_path, source)
    subtask = _subtask(plan)
    assert subtask["status"] == "gap"
    assert [g["line"] for g in subtask["gaps"]] == [2]
    assert (subtask["lines_added"], subtask["lines_removed"]) == (1, 1)


REPLACE_PLAYBOOK = """\
version: 1
name: swap
task_types:
  swap:
    transform: replace
    with: {literal: "zzz", to: "yyy"}
    expect_absent: ["foo"]
phases:
  - name: one
    tasks:
      - {type: swap, files: ["*.py"]}
"""


def test_expect_absent_on_a_file_that_does_not_parse_fails_that_subtask_alone(tmp_path):
    """A text task's expect_absent needs the file's tree: a deep statement or a syntax error
    fails that file's subtask with the reason (the plan used to die: exit 3, or a crash)."""
    root = write_tree(tmp_path / "repo", {"bad.py": "x = (foo\n", "deep.py": f"x = foo and {_chain(30000, ' and ', 'a')}\n",
                                          "good.py": "x = 1  # foo\n", "playbook.yaml": REPLACE_PLAYBOOK})
    git_init(root)
    done = subprocess.run([sys.executable, "-m", "runner", "plan", "playbook.yaml", "--json", "--no-cache"],
                          cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    subtasks = {s["files"][0]: s for s in json.loads(done.stdout)["phases"][0]["subtasks"]}
    assert subtasks["bad.py"]["status"] == subtasks["deep.py"]["status"] == "error"
    assert subtasks["deep.py"]["errors"] == ["deep.py: expect_absent cannot be checked: "
                                             "expression nested too deeply for the parser: line 1"]
    assert subtasks["bad.py"]["errors"][0].startswith("bad.py: expect_absent cannot be checked: not valid Python")
    assert subtasks["good.py"]["status"] == "gap"  # `foo` is in a comment: the check still runs on a file that parses


def test_parse_python_refuses_a_deep_statement_as_a_syntax_error_naming_its_line():
    import libcst

    from runner.transforms.validation import describe_parse_error, parse_python

    assert parse_python("x = 1\n").code == "x = 1\n"
    with pytest.raises(libcst.ParserSyntaxError) as refused:
        parse_python(f"y = 2\nx = {_chain(3000)}\n".encode())
    assert refused.value.raw_line == 2
    assert describe_parse_error(refused.value) == "expression nested too deeply for the parser: line 2"
