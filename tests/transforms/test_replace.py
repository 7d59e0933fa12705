"""Files that are not Python: `replace` and `command` edit them, each format's parser validates."""
from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from runner.transforms.base import FileContext
from runner.transforms.command import CommandTransform
from runner.transforms.replace import ReplaceArgumentError, ReplaceTransform
from runner.transforms.validation import LANGUAGES, language_of, validation_error
from tests.conftest import git_init, write_tree

CTX = FileContext("/nonexistent", "pyproject.toml", None, None)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize("path, declared, expected", [
    ("pyproject.toml", None, "toml"), ("ci/deploy.yml", None, "yaml"), ("a.yaml", None, "yaml"),
    ("setup.cfg", None, "ini"), ("tox.ini", None, "ini"), ("requirements.txt", None, "text"),
    ("Makefile", None, "text"), ("pkg/mod.py", None, "python"), ("pkg/mod.py", "text", "python"),
    ("requirements.in", "ini", "ini"), ("stubs/x.pyi", None, "python"),
])
def test_language_is_declared_or_inferred_and_python_stays_python(path: str, declared: str | None, expected: str) -> None:
    assert language_of(path, declared) == expected


@pytest.mark.parametrize("language, data, error", [
    ("toml", b'a = "1"\n', None), ("toml", b"a = \n", "not valid TOML: "),
    ("yaml", b"a: [1, 2]\n", None), ("yaml", b"a: [1, 2\n", "not valid YAML: "),
    ("ini", b"[metadata]\nname = x\n", None), ("ini", b"name = x\n", "not valid INI: "),
    ("text", b"\x00anything", None), ("python", b"def f(:\n", "not valid Python: "),
])
def test_each_language_is_validated_by_its_parser(language: str, data: bytes, error: str | None) -> None:
    found = validation_error(language, data)
    assert found == error if error is None else found.startswith(error), found


def test_regex_literal_count_and_flags() -> None:
    text = 'Version = "1.2"\nversion = "1.2"\n'
    regex = ReplaceTransform(regex=r'(?P<key>version) = "1\.2"', to=r'\g<key> = "2.0"', flags=["ignorecase"], count=1)
    assert regex.transform_text(text, CTX).text == 'Version = "2.0"\nversion = "1.2"\n'
    literal = ReplaceTransform(literal="1.2", to=r"2\0")
    assert literal.transform_text(text, CTX).text == 'Version = "2\\0"\nversion = "2\\0"\n'
    assert literal.needles() == ("1.2",)


@pytest.mark.parametrize("args, field, message", [
    ({"regex": "a(", "to": ""}, "regex", "`regex` does not compile: missing ), unterminated subpattern at position 1"),
    ({"regex": "a(b)", "to": r"\2"}, "to", "invalid group reference 2"),
    ({"regex": "a", "to": r"\g<nope>"}, "to", "unknown group name 'nope'"),
    ({"regex": "a", "literal": "b", "to": ""}, "regex", "exactly one of"),
    ({"literal": "a", "to": "", "flags": ["dotall"]}, "flags", "apply to `regex`"),
    ({"regex": "a", "to": "", "flags": ["loud"]}, "flags", "unknown flag `loud`"),
])
def test_bad_arguments_name_their_field(args: dict, field: str, message: str) -> None:
    with pytest.raises(ReplaceArgumentError) as info:
        ReplaceTransform(**args)
    assert info.value.field == field and message in str(info.value)


PLAYBOOK = """\
version: 1
name: packaging
task_types:
  bump:
    transform: replace
    with: {regex: 'version = "1\\.0"', to: 'version = "2.0"'}
    examples:
      - {path: pyproject.toml, before: "version = \\"1.0\\"\\n", after: "version = \\"2.0\\"\\n"}
  break-toml:
    transform: replace
    with: {literal: '= "1.0"', to: '= '}
  drop-six:
    transform: replace
    with: {regex: '(?m)^\\s*six\\b.*\\n', to: ''}
  fstring-on-toml:
    transform: fstring
  rename-entry-point:
    transform: rename
    with: {old: pkg.cli.main, new: pkg.cli.run}
phases:
  - name: p
    tasks:
      - {type: bump, files: [pyproject.toml]}
      - {type: drop-six, files: [setup.cfg, requirements.txt]}
"""
FILES = {
    "pyproject.toml": '[project]\nname = "x"\nversion = "1.0"\n',
    "setup.cfg": "[options]\ninstall_requires =\n    attrs\n    six>=1.10\n",
    "requirements.txt": "attrs\nsix==1.16\n",
    "pkg/__init__.py": "version = \"1.0\"\n",
}


def _repo(tmp_path: Path, playbook: str = PLAYBOOK, files: dict[str, str] = FILES) -> Path:
    root = tmp_path / "repo"
    write_tree(root, {**files, "playbook.yaml": playbook})
    git_init(root)
    return root


def _plan(root: Path, *extra: str) -> dict:
    result = invoke("plan", str(root / "playbook.yaml"), "--root", str(root), "--json", "--jobs", "1", *extra)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


def _subtasks(plan: dict) -> dict[str, dict]:
    return {s["id"]: s for p in plan["phases"] for s in p["subtasks"]}


def test_plan_edits_toml_ini_and_text_validated_by_their_parsers(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    subtasks = _subtasks(_plan(root))
    assert {k: v["status"] for k, v in subtasks.items()} == {
        "p/bump/pyproject.toml": "change", "p/drop-six/setup.cfg": "change", "p/drop-six/requirements.txt": "change",
    }
    result = invoke("plan", str(root / "playbook.yaml"), "--root", str(root), "--diff", "--jobs", "1")
    assert '+version = "2.0"' in result.stdout and "-    six>=1.10" in result.stdout and "-six==1.16" in result.stdout


def test_run_writes_journals_and_rolls_back_non_python_files(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = invoke("run", str(root / "playbook.yaml"), "--root", str(root), "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (root / "pyproject.toml").read_text() == '[project]\nname = "x"\nversion = "2.0"\n'
    assert (root / "requirements.txt").read_text() == "attrs\n"
    assert (root / "pkg/__init__.py").read_text() == FILES["pkg/__init__.py"]  # not selected
    events = (next((root / ".batchmod" / "runs").glob("*/events.jsonl"))).read_text()
    assert "pyproject.toml" in events and "setup.cfg" in events
    back = invoke("rollback", "--root", str(root))
    assert back.exit_code == 0, back.stdout + back.stderr
    assert {f: (root / f).read_text() for f in FILES} == FILES


def test_a_result_that_no_longer_parses_fails_and_nothing_changes(tmp_path: Path) -> None:
    root = _repo(tmp_path, PLAYBOOK.replace("{type: bump, files: [pyproject.toml]}", "{type: break-toml, files: [pyproject.toml]}"))
    sub = _subtasks(_plan(root))["p/break-toml/pyproject.toml"]
    assert sub["status"] == "error"
    assert "the result does not re-parse: not valid TOML: " in json.dumps(sub)


def test_a_python_transform_on_a_toml_file_fails_with_what_to_use(tmp_path: Path) -> None:
    root = _repo(tmp_path, PLAYBOOK.replace("{type: bump, files: [pyproject.toml]}", "{type: fstring-on-toml, files: [pyproject.toml]}"),
                 {**FILES, "pyproject.toml": FILES["pyproject.toml"] + "# 100% '%s' % x\n"})
    sub = _subtasks(_plan(root))["p/fstring-on-toml/pyproject.toml"]
    assert sub["status"] == "error"
    assert "`fstring` edits Python and pyproject.toml is toml; use `replace` or `command`" in json.dumps(sub)


def test_rename_follows_entry_points_in_pyproject_and_setup_cfg(tmp_path: Path) -> None:
    playbook = PLAYBOOK.replace("{type: bump, files: [pyproject.toml]}", "{type: rename-entry-point, files: [pyproject.toml, setup.cfg]}")
    root = _repo(tmp_path, playbook, {
        **FILES,
        "pyproject.toml": FILES["pyproject.toml"] + '[project.scripts]\ntool = "pkg.cli:main"\n',
        "setup.cfg": FILES["setup.cfg"] + "[options.entry_points]\nconsole_scripts =\n    tool = pkg.cli:main\n",
    })
    result = invoke("run", str(root / "playbook.yaml"), "--root", str(root), "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (root / "pyproject.toml").read_text().endswith('tool = "pkg.cli:run"\n')
    assert (root / "setup.cfg").read_text().endswith("tool = pkg.cli:run\n")


def test_replace_examples_pass_batchmod_test(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = invoke("test", str(root / "playbook.yaml"), "--root", str(root), "--task", "bump")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "ok  bump: 1 example" in result.stdout


def test_validate_reports_a_bad_regex_at_its_position(tmp_path: Path) -> None:
    root = _repo(tmp_path, PLAYBOOK.replace("regex: 'version = \"1\\.0\"'", "regex: 'version = (\"1'"))
    result = invoke("validate", str(root / "playbook.yaml"), "--root", str(root))
    assert result.exit_code == 2
    assert "playbook.yaml:6:19: $.task_types.bump.with.regex: `regex` does not compile: missing ), unterminated subpattern at position 10" in result.stdout + result.stderr


def test_a_command_may_edit_setup_cfg_and_must_leave_valid_ini(tmp_path: Path) -> None:
    files = {"setup.cfg": "[metadata]\nname = x\n"}
    write_tree(tmp_path, files)
    script = "import sys\nopen(sys.argv[1], 'a').write(sys.argv[2])"

    def run(text: str):
        command = f"{shlex.quote(sys.executable)} -c {shlex.quote(script)} setup.cfg {shlex.quote(text)}"
        sources = {"setup.cfg": files["setup.cfg"].encode()}
        return CommandTransform(command).apply_files(str(tmp_path), sources, {})["setup.cfg"]

    assert run("version = 2\n").after == b"[metadata]\nname = x\nversion = 2\n"
    broken = run("[unclosed\n")
    assert "the command's result does not re-parse: not valid INI: " in broken.reason
    as_text = CommandTransform("true", language="text")
    assert as_text.language == "text"


def test_schema_documents_language_and_replace() -> None:
    schema = invoke("schema").stdout
    data = json.loads(schema)
    assert data["$defs"]["task_type"]["properties"]["language"]["enum"] == list(LANGUAGES)
