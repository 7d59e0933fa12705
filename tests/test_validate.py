"""`batchmod validate`: exact error text, positions, every problem at once, exit codes."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli

GOOD = """\
version: 1
name: demo
vars: {src: pkg}
task_types:
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    examples:
      - before: "from typing import Union\\nx: Union[int, str]\\n"
        after: "x: int | str\\n"
phases:
  - name: one
    tasks:
      - type: pep604
        files: ["{{ src }}/**/*.py"]
"""


def validate(tmp_path: Path, text: str, *args: str) -> tuple[int, str, str]:
    (tmp_path / "pb.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    result = CliRunner().invoke(cli, ["validate", "pb.yaml", "--root", str(tmp_path), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_valid_playbook_prints_one_summary_line(tmp_path: Path) -> None:
    code, out, err = validate(tmp_path, GOOD)
    assert code == 0, err
    assert out == "pb.yaml: valid — playbook demo: 1 phase, 1 task, 1 task type\n"
    assert err == ""


def test_schema_errors_are_all_reported_with_positions(tmp_path: Path) -> None:
    code, out, err = validate(
        tmp_path,
        """\
        version: 2
        name: bad name
        task_types:
          pep604:
            transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
            wtih: {}
        phases:
          - name: one
            tasks:
              - type: pep604
                files: "src/**/*.py"
                per: module
          - name: two
            tpye: x
            tasks: []
        """,
    )
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        "pb.yaml:1:10: $.version: unsupported version 2; this batchmod reads version 1",
        "pb.yaml:2:7: $.name: `bad name` is not a valid name: use letters, digits, `_`, `.` and `-`, starting with a letter or digit",
        "pb.yaml:4:3: warning: $.task_types.pep604: task type `pep604` has no `examples:`; add a before/after pair so `batchmod test` can check it",
        "pb.yaml:6:5: $.task_types.pep604.wtih: unknown key `wtih` (did you mean `with`?); allowed: context, description, examples, expect_absent, instructions, language, needles, on_gap, scope, transform, with",
        "pb.yaml:11:16: $.phases[0].tasks[0].files: expected a list, got a string ('src/**/*.py')",
        "pb.yaml:12:14: $.phases[0].tasks[0].per: `module` is not one of: file, directory, task",
        "pb.yaml:14:5: $.phases[1].tpye: unknown key `tpye`; allowed: budget, checks, commit, description, format, gate, name, on_error, on_failure, tasks",
        "pb.yaml:15:12: $.phases[1].tasks: must not be empty",
        "pb.yaml: 7 errors, 1 warning",
    ]


def test_meaning_errors_and_warnings(tmp_path: Path) -> None:
    code, _, err = validate(
        tmp_path,
        """\
        version: 1
        name: demo
        budget: {max_files: 10}
        task_types:
          pep604:
            transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
            examples: [{before: "x = 1\\n", after: "x = 1\\n"}]
          missing:
            transform: no_such_module.Thing
          notcodemod:
            transform: os.path.join
          badargs:
            transform: libcst.codemod.commands.rename.RenameCommand
            with: {old: a.b}
        phases:
          - name: one
            tasks:
              - {type: pep605, files: ["{{ srcc }}/**/*.py"]}
              - {type: missing, files: ["pkg/*.py"]}
              - {type: notcodemod, files: ["pkg/*.py"]}
              - {type: badargs, files: ["nothing/*.py"]}
              - {type: pep604, files: ["../x/*.py"]}
            budget: {max_files: 20}
            checks:
              - {name: t, run: "nosuchprogram-xyz --flag"}
          - name: one
            tasks: [{type: pep604, files: ["pkg/*.py"]}]
        """,
    )
    assert code == 2
    lines = err.splitlines()
    examples_hint = "has no `examples:`; add a before/after pair so `batchmod test` can check it"
    assert lines == [
        f"pb.yaml:8:3: warning: $.task_types.missing: task type `missing` {examples_hint}",
        "pb.yaml:9:16: $.task_types.missing.transform: cannot import `no_such_module`: No module named 'no_such_module'",
        f"pb.yaml:10:3: warning: $.task_types.notcodemod: task type `notcodemod` {examples_hint}",
        "pb.yaml:11:16: $.task_types.notcodemod.transform: `os.path.join` is not a libcst codemod (a subclass of libcst.codemod.Codemod)",
        f"pb.yaml:12:3: warning: $.task_types.badargs: task type `badargs` {examples_hint}",
        "pb.yaml:14:11: $.task_types.badargs.with: arguments do not fit RenameCommand: missing a required argument: 'old_name'; it takes: old_name, new_name",
        "pb.yaml:18:16: $.phases[0].tasks[0].type: task type `pep605` is not declared (did you mean `pep604`?); declared: pep604, missing, notcodemod, badargs",
        "pb.yaml:18:32: $.phases[0].tasks[0].files[0]: unknown variable `srcc`; define it under `vars:` or pass --var srcc=VALUE",
        f"pb.yaml:21:33: warning: $.phases[0].tasks[3].files[0]: glob `nothing/*.py` matches no file under the root {tmp_path}",
        "pb.yaml:22:32: $.phases[0].tasks[4].files[0]: `../x/*.py` leaves the root (`..`); globs are relative to the root",
        "pb.yaml:23:25: $.phases[0].budget.max_files: phase budget max_files=20 exceeds the run budget max_files=10; lower it or raise the run budget",
        "pb.yaml:25:9: warning: $.phases[0].checks[0]: check `t` is judged as a whole (not a plain pytest command, no `junit:`): "
        "if it already fails on the untouched tree, a new failure in it does not block the gate; give `junit:` to judge it "
        "per test, or `must_pass: true` if it has to pass after the migration",
        "pb.yaml:25:24: warning: $.phases[0].checks[0].run: program `nosuchprogram-xyz` is not on PATH (the check would fail to start)",
        "pb.yaml:26:11: $.phases[1].name: phase name `one` is used twice (first by phases[0]); phase names must be unique",
        "pb.yaml: 8 errors, 6 warnings",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: 1\nname: x\n  bad: [\n", "pb.yaml:3:6: $: malformed YAML: mapping values are not allowed here"),
        ("- a\n- b\n", "pb.yaml:1:1: $: a playbook must be a mapping (version, name, task_types, phases), got a list"),
        ("", "pb.yaml:1:1: $: a playbook must be a mapping (version, name, task_types, phases), got empty"),
        ("version: 1\nversion: 1\n", "pb.yaml:2:1: $: malformed YAML: found duplicate key \"version\" with value \"1\" (original value: \"1\")"),
    ],
)
def test_unreadable_yaml_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    code, out, err = validate(tmp_path, text)
    assert code == 2
    assert err.splitlines()[0] == message
    assert "Traceback" not in err


def test_a_byte_order_mark_is_read_past_and_bad_bytes_are_named(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    (tmp_path / "pb.yaml").write_bytes(b"\xef\xbb\xbf" + textwrap.dedent(GOOD).encode())
    result = CliRunner().invoke(cli, ["validate", "pb.yaml", "--root", str(tmp_path)], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (0, "pb.yaml: valid — playbook demo: 1 phase, 1 task, 1 task type\n")
    (tmp_path / "pb.yaml").write_bytes(b"\xef\xbb\xbfversion: 1\nname: x\n  bad: [\n")
    result = CliRunner().invoke(cli, ["validate", "pb.yaml", "--root", str(tmp_path)], catch_exceptions=False)
    assert result.stderr.splitlines()[0] == "pb.yaml:3:6: $: malformed YAML: mapping values are not allowed here"
    (tmp_path / "pb.yaml").write_bytes(b"\xef\xbb\xbfname: \xff\n")
    result = CliRunner().invoke(cli, ["validate", "pb.yaml", "--root", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == "pb.yaml:1:1: $: the playbook is not UTF-8 text (byte 6)"


def test_missing_playbook_and_bad_var(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", "nope.yaml"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == "batchmod: error: nope.yaml: no such playbook file; check the path\n"
    code, _, err = validate(tmp_path, GOOD, "--var", "srcpkg")
    assert code == 2
    assert err == "batchmod: error: --var 'srcpkg': expected KEY=VALUE, e.g. --var src=src/mypkg\n"
    code, _, err = validate(tmp_path, GOOD, "--var", "nope=1")
    assert code == 2
    assert err == "batchmod: error: --var nope=...: `nope` is not declared under `vars:` in pb.yaml; declared: src\n"


def test_null_variable_is_required_by_plan_but_not_validate(tmp_path: Path) -> None:
    text = GOOD.replace("vars: {src: pkg}", "vars: {src: null}")
    code, out, _ = validate(tmp_path, text)
    assert code == 0
    result = CliRunner().invoke(cli, ["plan", "pb.yaml", "--root", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr == "batchmod: error: pb.yaml: variable src needs a value; pass --var src=VALUE\n"


def test_rule_without_replace_or_flag(tmp_path: Path) -> None:
    code, _, err = validate(
        tmp_path,
        """\
        version: 1
        name: demo
        task_types:
          r:
            transform: rewrite
            with:
              rules:
                - match: "a.b($x)"
        phases:
          - name: one
            tasks: [{type: r, files: ["pkg/*.py"]}]
        """,
    )
    assert code == 2
    assert "pb.yaml:8:11: $.task_types.r.with.rules[0]: a rule needs `replace` (rewrite the match) or `flag` (report it as a gap)" in err.splitlines()


def test_meaning_errors_come_with_schema_errors(tmp_path: Path) -> None:
    code, _, err = validate(
        tmp_path,
        """\
        version: 1
        name: demo
        vars: {src: pkg, bad: [1]}
        task_types:
          r:
            transform: rewrite
            with:
              rules:
                - {match: "a.b($x)", replace: "c($x)", where: {y: {text: "1"}}}
                - {match: "d($x)", replace: 1}
            examples: [{before: "a.b(1)\\n", after: "c(1)\\n"}]
        phases:
          - name: one
            tasks: [{type: rr, files: ["{{ srcc }}/*.py"]}]
            tpye: x
          - name: one
            tasks: [{type: r, files: ["{{ src }}/*.py"], per: module}]
            checks: [{name: c, run: "true", timeout: -1}]
        """,
    )
    assert code == 2
    assert err.splitlines() == [
        "pb.yaml:3:23: $.vars.bad: expected a string or a number or true or false or null, got a list",
        "pb.yaml:9:59: $.task_types.r.with.rules[0].where.y: unknown metavariable $y (the match binds $x)",
        "pb.yaml:10:37: $.task_types.r.with.rules[1].replace: expected a string, got int (1)",
        "pb.yaml:14:20: $.phases[0].tasks[0].type: task type `rr` is not declared (did you mean `r`?); declared: r",
        "pb.yaml:14:32: $.phases[0].tasks[0].files[0]: unknown variable `srcc` (did you mean `src`?); define it under `vars:` or pass --var srcc=VALUE",
        "pb.yaml:15:5: $.phases[0].tpye: unknown key `tpye`; allowed: budget, checks, commit, description, format, gate, name, on_error, on_failure, tasks",
        "pb.yaml:16:11: $.phases[1].name: phase name `one` is used twice (first by phases[0]); phase names must be unique",
        "pb.yaml:17:55: $.phases[1].tasks[0].per: `module` is not one of: file, directory, task",
        "pb.yaml:18:14: warning: $.phases[1].checks[0]: check `c` is judged as a whole (not a plain pytest command, no `junit:`): "
        "if it already fails on the untouched tree, a new failure in it does not block the gate; give `junit:` to judge it "
        "per test, or `must_pass: true` if it has to pass after the migration",
        "pb.yaml:18:46: $.phases[1].checks[0].timeout: must be greater than 0, got -1",
        "pb.yaml: 9 errors, 1 warning",
    ]


def test_an_unset_variable_is_named_in_lints_never_rendered_as_none(tmp_path: Path) -> None:
    text = GOOD.replace("vars: {src: pkg}", "vars: {src: null, tool: null}").replace(
        'files: ["{{ src }}/**/*.py"]', 'files: ["{{ src }}/**/*.py"]\n    checks:\n      - {name: t, run: "{{ tool }} --check {{ src }}"}'
    )
    code, out, err = validate(tmp_path, text)
    assert code == 0, err
    assert "None" not in err
    assert err.splitlines() == [
        "pb.yaml:14:17: warning: $.phases[0].tasks[0].files[0]: glob `{{ src }}/**/*.py` depends on --var src; pass it to check which files the glob matches",
        "pb.yaml:16:24: warning: $.phases[0].checks[0].run: the check's program depends on --var tool; not checked",
        "pb.yaml:16:9: warning: $.phases[0].checks[0]: check `t` is judged as a whole (not a plain pytest command, no `junit:`): "
        "if it already fails on the untouched tree, a new failure in it does not block the gate; give `junit:` to judge it "
        "per test, or `must_pass: true` if it has to pass after the migration",
    ]


@pytest.mark.parametrize(
    ("run", "program"),
    [
        ("! grep -rn 'import six' pkg", None),
        ("cd pkg && nosuch-a --x", "nosuch-a"),
        ("VAR=x OTHER=y nosuch-b", "nosuch-b"),
        ("(cd pkg; nosuch-c)", "nosuch-c"),
        ("{ nosuch-d; }", "nosuch-d"),
        ("if nosuch-e -q; then echo ok; fi", "nosuch-e"),
        ("exec nosuch-f", "nosuch-f"),
        ("$RUNNER tests", None),
        ("true && echo done", None),
        ("test -f x || nosuch-g", "nosuch-g"),
    ],
)
def test_a_check_starting_with_a_shell_word_lints_its_real_program(tmp_path: Path, run: str, program: str | None) -> None:
    text = GOOD.replace('files: ["{{ src }}/**/*.py"]', 'files: ["{{ src }}/**/*.py"]\n    checks:\n      - name: t\n        run: ' + repr(run).replace("\\'", "''"))
    code, _, err = validate(tmp_path, text)
    assert code == 0, err
    expected = [f"pb.yaml:17:14: warning: $.phases[0].checks[0].run: program `{program}` is not on PATH (the check would fail to start)"]
    lints = [line for line in err.splitlines() if "is judged as a whole" not in line]  # every such check is; not the point here
    assert lints == (expected if program else [])


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "template error: access to attribute '__class__' of 'str' object is unsafe."),
        ("{{ range(10**8) | list | length }}", "template error: OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000)."),
        ("{{ 'x' * 5000000000 }}", "template error: the result of `*` would be 5,000,000,000 long (at most 1,000,000)"),
        ("{{ 'x' * 5e9 }}", "template error: TypeError: can't multiply sequence by non-int of type 'float'"),
        ("{{ changed_files | shquote }} {{ 1 // 0 }}", "template error: ZeroDivisionError: integer division or modulo by zero"),
        ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
         "template error: the template's ranges would run over 1,000,000 steps in all"),
        ("{% for i in range(2000) %}{{ 'x' * 1000 }}{% endfor %}", "template error: the template renders to over 1,000,000 characters"),
    ],
)
@pytest.mark.parametrize("field", ["format", "check", "command", "files"])
def test_templates_that_cannot_render_are_validate_errors_at_their_position(tmp_path: Path, field: str, template: str, message: str) -> None:
    template = template.replace("changed_files", "files") if field == "command" else template
    template = template.replace("{{ changed_files | shquote }} ", "") if field == "files" else template
    body = {
        "format": f"    format: {template!r}\n",
        "check": f"    checks: [{{name: t, run: {template!r}}}]\n",
        "command": "",
        "files": "",
    }[field]
    text = GOOD + body
    if field == "command":
        text = text.replace("task_types:\n", f"task_types:\n  cmd:\n    transform: command\n    with: {{run: {template!r}}}\n").replace(
            "      - type: pep604\n", "      - type: cmd\n        files: [pkg/a.py]\n      - type: pep604\n")
    if field == "files":
        text = text.replace('files: ["{{ src }}/**/*.py"]', f"files: [{template!r}]")
    code, _, err = validate(tmp_path, text)
    assert code == 2, err
    errors = [line for line in err.splitlines() if ": warning: " not in line]
    assert len(errors) == 2 and errors[0].endswith(": " + message), err
    assert errors[0].startswith("pb.yaml:") and errors[1] == "pb.yaml: 1 error"


@pytest.mark.parametrize("field", ["format", "checks"])
def test_run_refuses_a_template_that_cannot_render_before_writing_anything(tmp_path: Path, field: str) -> None:
    template = "ruff format {{ range(10**8) | list | length }}"
    body = f"    format: {template!r}\n" if field == "format" else f"    checks: [{{name: t, run: {template!r}}}]\n"
    (tmp_path / "pb.yaml").write_text(GOOD + body, encoding="utf-8")
    (tmp_path / "pkg").mkdir()
    source = "from typing import Union\nx: Union[int, str]\n"
    (tmp_path / "pkg" / "a.py").write_text(source)
    result = CliRunner().invoke(cli, ["run", "pb.yaml", "--yes"], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    where = "15:13: $.phases[0].format" if field == "format" else "15:29: $.phases[0].checks[0].run"
    assert result.stderr.splitlines()[0] == (
        f"batchmod: error: pb.yaml:{where}: template error: OverflowError: Range too big. "
        "The sandbox blocks ranges larger than MAX_RANGE (100000)."
    )
    assert (tmp_path / "pkg" / "a.py").read_text() == source
