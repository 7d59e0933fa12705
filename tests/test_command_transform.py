"""The `command` transform: a shell command on a scratch copy, read back, re-parsed."""
from __future__ import annotations

import os
import shlex
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Changed, Failed, Unchanged
from runner.transforms.command import CommandTransform, apply_expect_absent
from tests.conftest import git_init, write_tree

PY = shlex.quote(sys.executable)


def py(script: str) -> str:
    """A command running a Python one-liner on the subtask's files (sys.argv[1:])."""
    return f"{PY} -c {shlex.quote(script)} {{{{ files | shquote }}}}"


UPPER_FOO = py("import sys\nfor p in sys.argv[1:]:\n    s = open(p).read()\n    open(p, 'w').write(s.replace('foo', 'FOO'))")


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def apply(run: str, root: Path, files: dict[str, str], *, timeout: float = 30, ok: tuple[int, ...] = (0,),
          context: dict | None = None) -> dict:
    write_tree(root, files)
    sources = {f: (root / f).read_bytes() for f in files}
    return CommandTransform(run, timeout, ok).apply_files(str(root), sources, context or {"phase": "p", "task": "t"})


def test_a_rewrite_is_changed_and_the_real_tree_is_untouched(tmp_path: Path) -> None:
    files = {"pkg/a.py": "foo = 1\n", "pkg/sub/b.py": "x = foo\n"}
    write_tree(tmp_path, {**files, "other.py": "foo = 2\n"})
    before = snapshot(tmp_path)
    outcomes = apply(UPPER_FOO, tmp_path, files)
    assert outcomes == {
        "pkg/a.py": Changed(b"foo = 1\n", b"FOO = 1\n"),
        "pkg/sub/b.py": Changed(b"x = foo\n", b"x = FOO\n"),
    }
    assert snapshot(tmp_path) == before


def test_the_command_runs_in_the_scratch_copy_with_batchmod_root_set(tmp_path: Path) -> None:
    script = "import os, sys\nopen(sys.argv[1], 'a').write('ROOT = %r\\nCWD = %r\\n' % (os.environ['BATCHMOD_ROOT'], os.getcwd()))"
    outcome = apply(py(script), tmp_path, {"a.py": "x = 1\n"})["a.py"]
    assert isinstance(outcome, Changed)
    namespace: dict = {}
    exec(outcome.after.decode(), namespace)
    assert namespace["ROOT"] == str(tmp_path)
    assert namespace["CWD"] != str(tmp_path) and "batchmod-command-" in namespace["CWD"]
    assert not os.path.exists(namespace["CWD"])  # the scratch copy is removed


def test_run_is_rendered_with_vars_phase_task_and_files(tmp_path: Path) -> None:
    script = "import sys\nopen(sys.argv[-1], 'a').write('# ' + ' '.join(sys.argv[1:-1]) + '\\n')"
    run = f"{PY} -c {shlex.quote(script)} {{{{ flag }}}} {{{{ phase }}}} {{{{ task }}}} {{{{ files | shquote }}}}"
    outcome = apply(run, tmp_path, {"a b.py": "x = 1\n"}, context={"flag": "--fast", "phase": "lib", "task": "fmt"})
    assert outcome["a b.py"] == Changed(b"x = 1\n", b"x = 1\n# --fast lib fmt\n")


def test_an_unknown_variable_fails_every_file_without_running(tmp_path: Path) -> None:
    outcomes = apply("touch {{ nope }}", tmp_path, {"a.py": "x = 1\n"})
    assert isinstance(outcomes["a.py"], Failed)
    assert "`run` does not render" in outcomes["a.py"].reason and "nope" in outcomes["a.py"].reason


def test_a_non_zero_exit_fails_every_file_with_the_output_tail(tmp_path: Path) -> None:
    script = "import sys\nfor i in range(30): print('line', i)\nsys.stderr.write('boom\\n')\nsys.exit(3)"
    outcomes = apply(py(script), tmp_path, {"a.py": "x = 1\n", "b.py": "y = 2\n"})
    assert set(outcomes) == {"a.py", "b.py"}
    for outcome in outcomes.values():
        assert isinstance(outcome, Failed)
        assert "exited with status 3 (ok: 0)" in outcome.reason
        assert outcome.reason.splitlines()[-1].strip() == "| boom"
        assert "| line 29" in outcome.reason and "| line 11" in outcome.reason
        assert "| line 10\n" not in outcome.reason  # only the last 20 lines


def test_ok_exit_codes_accept_a_tool_that_exits_1_after_rewriting(tmp_path: Path) -> None:
    run = UPPER_FOO + " && exit 1"
    assert isinstance(apply(run, tmp_path, {"a.py": "foo\n"})["a.py"], Failed)
    assert apply(run, tmp_path, {"a.py": "foo\n"}, ok=(0, 1))["a.py"] == Changed(b"foo\n", b"FOO\n")


def test_a_missing_program_fails_with_the_shells_message(tmp_path: Path) -> None:
    outcome = apply("no-such-program-batchmod {{ files | shquote }}", tmp_path, {"a.py": "x = 1\n"})["a.py"]
    assert isinstance(outcome, Failed)
    assert "exited with status 127" in outcome.reason and "not found" in outcome.reason


def test_a_timeout_fails_fast_and_kills_the_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    run = f"sleep 30 & echo $! > {shlex.quote(str(pidfile))}; wait"
    started = time.monotonic()
    outcome = apply(run, tmp_path / "root", {"a.py": "x = 1\n"}, timeout=0.5)["a.py"]
    assert time.monotonic() - started < 10
    assert isinstance(outcome, Failed)
    assert "timed out after 0.5 s" in outcome.reason
    pid = int(pidfile.read_text())
    assert _gone(pid), f"sleep (pid {pid}) survived the timeout"


def _gone(pid: int, wait: float = 5.0) -> bool:
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as fp:
                if fp.read().split(")")[-1].split()[0] in ("Z", "X"):
                    return True  # killed; waiting for its (re)parent to reap it
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_output_that_does_not_parse_fails(tmp_path: Path) -> None:
    script = "import sys\nopen(sys.argv[1], 'a').write('def (:\\n')"
    outcome = apply(py(script), tmp_path, {"a.py": "x = 1\n"})["a.py"]
    assert isinstance(outcome, Failed)
    assert outcome.reason.startswith("the command's result does not re-parse: not valid Python")


def test_a_whitespace_only_change_is_dropped(tmp_path: Path) -> None:
    script = "import sys\np = sys.argv[1]\ns = open(p).read()\nopen(p, 'w').write(s.replace('=', '  =  '))"
    assert apply(py(script), tmp_path, {"a.py": "x = 1\n"})["a.py"] == Unchanged("whitespace-only change dropped")


def test_a_command_that_changes_nothing_is_unchanged(tmp_path: Path) -> None:
    assert apply("true", tmp_path, {"a.py": "x = 1\n"}) == {"a.py": Unchanged()}


def test_created_and_deleted_files_are_warnings_and_ignored(tmp_path: Path) -> None:
    run = "rm b.py && touch new.txt && mkdir -p .cache __pycache__ && touch .cache/x __pycache__/y && " + UPPER_FOO.replace(
        "{{ files | shquote }}", "a.py"
    )
    outcomes = apply(run, tmp_path, {"a.py": "foo\n", "b.py": "y = 2\n"})
    assert outcomes["a.py"] == Changed(b"foo\n", b"FOO\n", ("the command created new.txt; new files are ignored",))
    assert outcomes["b.py"] == Unchanged("", ("the command deleted the file; deletions are ignored",))
    assert not (tmp_path / "new.txt").exists() and (tmp_path / "b.py").exists()


def test_no_files_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    assert CommandTransform(f"touch {marker}", 5).apply_files(str(tmp_path), {}, {}) == {}
    assert not marker.exists()


def test_a_path_leaving_the_root_is_refused(tmp_path: Path) -> None:
    outcome = CommandTransform("true", 5).apply_files(str(tmp_path), {"../x.py": b"x = 1\n"}, {})["../x.py"]
    assert isinstance(outcome, Failed) and "leaves the root" in outcome.reason


def test_expect_absent_adds_gaps_and_on_gap_fail_fails() -> None:
    sources = {"a.py": b"foo = 1\nold()\n", "b.py": b"x = 1\n"}
    outcomes = {"a.py": Changed(sources["a.py"], b"bar = 1\nold()\n"), "b.py": Unchanged()}
    spec = TaskTypeSpec(name="t", transform="command", expect_absent=("old(",))
    checked = apply_expect_absent(spec, sources, outcomes)
    assert isinstance(checked["a.py"], Changed) and [(g.line, g.column) for g in checked["a.py"].gaps] == [(2, 1)]
    assert checked["b.py"] == Unchanged()
    failing = apply_expect_absent(TaskTypeSpec("t", "command", expect_absent=("old(",), on_gap="fail"), sources, outcomes)
    assert isinstance(failing["a.py"], Failed) and failing["a.py"].reason == "1 gap(s) remain and on_gap is fail"


PLAYBOOK = """\
version: 1
name: cmd
vars: {{src: pkg}}
task_types:
  shout:
    transform: command
    with:
      run: {run}
      timeout: 60
      ok_exit_codes: [0, 1]
phases:
  - name: one
    tasks:
      - type: shout
        files: ["{{{{ src }}}}/**/*.py"]
        per: directory
"""


def test_plan_through_the_cli_shows_the_commands_diff_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = write_tree(tmp_path / "repo", {"pkg/a.py": "foo = 1\n", "pkg/b.py": "bar = 2\n", "other.py": "foo = 3\n"})
    git_init(repo)
    (tmp_path / "pb.yaml").write_text(PLAYBOOK.format(run=_yaml_str(UPPER_FOO)), encoding="utf-8")
    before = snapshot(repo)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["plan", "pb.yaml", "--root", "repo", "--diff", "--no-cache"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "one/shout/pkg/  change" in result.stdout
    assert "--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -1 +1 @@\n-foo = 1\n+FOO = 1\n" in result.stdout
    assert "other.py" not in result.stdout.split("# one/shout")[1]
    assert snapshot(repo) == before


def test_a_failing_command_is_an_error_subtask_in_the_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_init(write_tree(tmp_path / "repo", {"pkg/a.py": "foo = 1\n"}))
    (tmp_path / "pb.yaml").write_text(PLAYBOOK.format(run=_yaml_str("echo nope >&2; exit 2")), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["plan", "pb.yaml", "--root", "repo", "--no-cache"], catch_exceptions=False)
    assert "one/shout/pkg/  error" in result.stdout
    assert "pkg/a.py: `echo nope >&2; exit 2` exited with status 2 (ok: 0, 1)" in result.stdout
    assert "| nope" in result.stdout


def test_the_schema_accepts_ok_exit_codes_and_rejects_a_bad_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"pkg/a.py": "x = 1\n"})
    monkeypatch.chdir(tmp_path)
    (tmp_path / "good.yaml").write_text(PLAYBOOK.format(run=_yaml_str("true")), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(PLAYBOOK.format(run=_yaml_str("true")).replace("[0, 1]", '"1"'), encoding="utf-8")
    good = CliRunner().invoke(cli, ["validate", "good.yaml"], catch_exceptions=False)
    assert good.exit_code == 0, good.output
    bad = CliRunner().invoke(cli, ["validate", "bad.yaml"], catch_exceptions=False)
    assert bad.exit_code == 2
    assert "$.task_types.shout.with.ok_exit_codes" in bad.stderr


def _yaml_str(text: str) -> str:
    """A YAML block scalar (keeps the newlines of a multi-line `python -c` script)."""
    return "|-\n" + textwrap.indent(text, " " * 8)
