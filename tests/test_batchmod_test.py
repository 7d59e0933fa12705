"""`batchmod test`: examples as tests — before → after, a second pass is a no-op."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from tests.conftest import write_tree

FSTRING = "libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_tree(tmp_path, {"pkg/a.py": "x = 1\n"})


def run_test(tmp_path: Path, playbook: str, *args: str) -> tuple[int, str, str]:
    (tmp_path / "pb.yaml").write_text(textwrap.dedent(playbook), encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", "pb.yaml", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def playbook(task_types: str, types: tuple[str, ...]) -> str:
    tasks = "".join(f"      - type: {t}\n        files: [\"pkg/*.py\"]\n" for t in types)
    return (
        "version: 1\nname: demo\nvars: {suffix: done}\ntask_types:\n"
        + textwrap.indent(textwrap.dedent(task_types), "  ")
        + "phases:\n  - name: one\n    tasks:\n"
        + tasks
    )


PASSING = playbook(
    f"""\
    fstring:
      transform: {FSTRING}
      examples:
        - name: positional
          before: |
            name = "x"
            s = "hello {{}}".format(name)
          after: |
            name = "x"
            s = f"hello {{name}}"
        - name: already an f-string
          before: "s = f'{{x}}'"
          after: "s = f'{{x}}'"
    tag:
      transform: command
      with:
        run: "sed -i 's/^x = 1$/x = 1  # {{{{ suffix }}}}/' {{{{ files | shquote }}}}"
      examples:
        - before: "x = 1"
          after: "x = 1  # done"
    formatter:
      transform: command
      with: {{run: "true"}}
    """,
    ("fstring", "tag", "formatter"),
)


def test_passing_examples_print_ok_lines_and_exit_0(tmp_path: Path) -> None:
    code, out, err = run_test(tmp_path, PASSING)
    assert code == 0, out + err
    assert out.splitlines() == [
        "ok  fstring: 2 examples",
        "ok  tag: 1 example",
        "skip formatter: no examples",
        "2 ok, 0 failed, 1 skipped (3 examples run)",
    ]


def test_task_limits_the_run_and_an_unknown_task_is_bad_input(tmp_path: Path) -> None:
    code, out, _ = run_test(tmp_path, PASSING, "--task", "tag")
    assert code == 0
    assert out.splitlines()[0] == "ok  tag: 1 example"
    assert len(out.splitlines()) == 2
    code, out, err = run_test(tmp_path, PASSING, "--task", "nope")
    assert code == 2 and out == ""
    assert err == "batchmod: error: --task nope: no task type `nope` in pb.yaml; declared: fstring, tag, formatter\n"


def test_var_overrides_reach_a_commands_run(tmp_path: Path) -> None:
    code, out, _ = run_test(tmp_path, PASSING, "--var", "suffix=other", "--task", "tag")
    assert code == 1
    assert "-x = 1  # done\n+x = 1  # other\n" in out


def test_a_wrong_after_shows_a_diff_naming_the_example_and_exits_1(tmp_path: Path) -> None:
    code, out, _ = run_test(
        tmp_path,
        playbook(
            f"""\
            fstring:
              transform: {FSTRING}
              examples:
                - name: good
                  before: "s = '{{}}'.format(a)"
                  after: "s = f'{{a}}'"
                - name: wrong after
                  before: "s = '{{}} {{}}'.format(a, b)"
                  after: "s = f'{{a}}-{{b}}'"
            """,
            ("fstring",),
        ),
    )
    assert code == 1
    assert out == (
        "FAIL fstring: 1 of 2 examples failed\n"
        "  fstring: wrong after (example.py): the output differs from `after`\n"
        "--- expected/example.py\n"
        "+++ actual/example.py\n"
        "@@ -1 +1 @@\n"
        "-s = f'{a}-{b}'\n"
        "+s = f'{a} {b}'\n"
        "0 ok, 1 failed, 0 skipped (2 examples run)\n"
    )


def test_a_transform_that_is_not_idempotent_fails_with_the_second_pass_diff(tmp_path: Path) -> None:
    code, out, _ = run_test(
        tmp_path,
        playbook(
            """\
            grow:
              transform: command
              with:
                run: "sed -i 's/$/  # again/' {{ files | shquote }}"
              examples:
                - name: appends
                  path: pkg/mod.py
                  before: "a = 1"
                  after: "a = 1  # again"
            """,
            ("grow",),
        ),
    )
    assert code == 1
    assert "FAIL grow: 1 of 1 example failed\n  grow: appends (pkg/mod.py): a second pass is not a no-op\n" in out
    assert "--- first-pass/pkg/mod.py\n+++ second-pass/pkg/mod.py\n" in out
    assert "-a = 1  # again\n+a = 1  # again  # again\n" in out


def test_expect_absent_gaps_left_in_the_output_fail_the_example(tmp_path: Path) -> None:
    code, out, _ = run_test(
        tmp_path,
        playbook(
            """\
            drop-old:
              transform: command
              with:
                run: "sed -i 's/old(1)/new(1)/' {{ files | shquote }}"
              expect_absent: ["old("]
              examples:
                - before: "old(1)\\nold(2)"
                  after: "new(1)\\nold(2)"
            """,
            ("drop-old",),
        ),
    )
    assert code == 1
    assert "  drop-old: example 1 (example.py): 1 gap(s) remain in the output\n" in out
    assert "    example.py:2:1: `old(` remains (expect_absent)\n" in out


def test_a_failing_command_reports_its_reason(tmp_path: Path) -> None:
    code, out, _ = run_test(
        tmp_path,
        playbook(
            """\
            broken:
              transform: command
              with: {run: "echo oops; exit 4"}
              examples:
                - {before: "a = 1", after: "a = 2"}
            """,
            ("broken",),
        ),
    )
    assert code == 1
    assert "the transform failed: `echo oops; exit 4` exited with status 4 (ok: 0)" in out
    assert "| oops" in out


def test_module_names_come_from_the_example_path(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "codemods/named.py": textwrap.dedent(
                """\
                import libcst as cst
                from libcst.codemod import VisitorBasedCodemodCommand


                class StampModule(VisitorBasedCodemodCommand):
                    def leave_Module(self, original_node, updated_node):
                        line = cst.parse_statement(f"MODULE = {self.context.full_module_name!r}\\n")
                        if any(cst.Module([s]).code == cst.Module([line]).code for s in updated_node.body):
                            return updated_node
                        return updated_node.with_changes(body=(*updated_node.body, line))
                """
            )
        },
    )
    code, out, err = run_test(
        tmp_path,
        playbook(
            """\
            stamp:
              transform: python:codemods/named.py:StampModule
              examples:
                - path: src/app/views.py
                  before: "x = 1"
                  after: "x = 1\\nMODULE = 'src.app.views'"
            """,
            ("stamp",),
        ),
    )
    assert code == 0, out + err
    assert out.startswith("ok  stamp: 1 example\n")


def test_an_invalid_playbook_exits_2(tmp_path: Path) -> None:
    code, out, err = run_test(
        tmp_path,
        """\
        version: 1
        name: demo
        task_types:
          fstring:
            transform: command
        phases:
          - name: one
            tasks:
              - {type: fstring, files: ["pkg/*.py"]}
        """,
    )
    assert code == 2
    assert out == ""
    assert "pb.yaml:5:5: $.task_types.fstring" in err


FLAGGED = """\
    ensure:
      transform: rewrite
      with:
        rules:
          - {match: "compat.u($x)", replace: "$x"}
          - {match: "compat.ensure_text($x)", flag: "no direct replacement"}
      examples:
        - name: declared
          before: "a = compat.u(x)\\nb = compat.ensure_text(y)"
          after: "a = x\\nb = compat.ensure_text(y)"
          gaps: [{line: 2, contains: "no direct replacement"}]
"""


def test_an_example_may_declare_the_gaps_its_flag_rules_leave(tmp_path: Path) -> None:
    code, out, _ = run_test(tmp_path, playbook(FLAGGED, ("ensure",)))
    assert code == 0, out
    assert "ok  ensure: 1 example" in out


@pytest.mark.parametrize(
    ("gaps", "message"),
    [
        ('[{line: 1, contains: "no direct replacement"}]', "expected a gap at line 1 with `no direct replacement`, found line 2: no direct replacement"),
        ('[{line: 2, contains: "elsewhere"}]', "expected a gap at line 2 with `elsewhere`, found line 2: no direct replacement"),
        ("[]", "expected 0 gap(s), found 1 (line 2)"),
    ],
)
def test_declared_gaps_that_differ_fail_the_example(tmp_path: Path, gaps: str, message: str) -> None:
    text = FLAGGED.replace('[{line: 2, contains: "no direct replacement"}]', gaps)
    code, out, _ = run_test(tmp_path, playbook(text, ("ensure",)))
    assert code == 1
    assert f"  ensure: declared (example.py): {message}\n" in out


def test_without_declared_gaps_a_flagged_example_fails(tmp_path: Path) -> None:
    text = FLAGGED.replace('          gaps: [{line: 2, contains: "no direct replacement"}]\n', "")
    code, out, _ = run_test(tmp_path, playbook(text, ("ensure",)))
    assert code == 1
    assert "  ensure: declared (example.py): 1 gap(s) remain in the output\n" in out
