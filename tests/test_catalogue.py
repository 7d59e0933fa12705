"""The catalogue (``playbooks/*.yaml``, ``runner/transforms/library/``) and the example
repositories (``examples/*/`` with a ``playbook.yaml`` each).

Every playbook is found by glob, so a new one is covered without editing this file:
it must validate, its task types' ``examples:`` must pass ``batchmod test``, and every
example repository must plan (on a copy) with at least one change per phase, no
error, and tests that still pass once the planned diff is applied.

The catalogue's own codemods ship in ``runner.transforms.library`` (the dotted path the
playbooks name).
"""
from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path
from typing import Iterator

import libcst as cst
import pytest
import yaml
from click.testing import CliRunner
from libcst.codemod import Codemod, CodemodContext

from runner.cli import cli

REPO = Path(__file__).resolve().parents[1]
CATALOGUE = sorted((REPO / "playbooks").glob("*.yaml"))
EXAMPLES = sorted((REPO / "examples").glob("*/playbook.yaml"))
LIBRARY = "runner.transforms.library"

_COPY_IGNORE = shutil.ignore_patterns(".batchmod", "__pycache__", ".pytest_cache", "*.pyc")


def _id(path: Path) -> str:
    return str(path.relative_to(REPO))


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _codemod_class(module: str, class_name: str) -> type[Codemod]:
    return getattr(importlib.import_module(f"{LIBRARY}.{module}"), class_name)


def _class_from_file(path: Path, class_name: str) -> type[Codemod]:
    name = "catalogue_test_" + re.sub(r"\W", "_", str(path.relative_to(REPO)))
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return getattr(sys.modules[name], class_name)


# Every playbook validates and passes its own examples -----------------------------------


def _root_for(playbook: Path) -> Path:
    """Examples are validated against their own repository, catalogue playbooks against the checkout."""
    return playbook.parent if playbook in EXAMPLES else REPO


@pytest.mark.parametrize("playbook", CATALOGUE + EXAMPLES, ids=_id)
def test_playbook_validates(playbook: Path) -> None:
    code, out, err = _invoke("validate", str(playbook), "--root", str(_root_for(playbook)))
    assert code == 0, err
    assert ": valid" in out


#: playbooks whose variables have no default (their examples are written for these values)
EXAMPLE_VARS = {"rename-symbol.yaml": ("--var", "old=mylib.text.ensure_text", "--var", "new=mylib.text.to_text")}
INVENTORY_VARS = {
    "rename-symbol.yaml": ("--var", "old=inventory.compat.ensure_text", "--var", "new=inventory.text.to_text")
}
#: nothing for these to change in examples/inventory; tests/test_catalogue_rewrite.py covers them
NOTHING_IN_INVENTORY = {"unittest-to-assert.yaml", "deprecated-apis.yaml", "drop-six.yaml"}


@pytest.mark.parametrize("playbook", CATALOGUE + EXAMPLES, ids=_id)
def test_playbook_examples_pass(playbook: Path) -> None:
    code, out, err = _invoke("test", str(playbook), "--root", str(_root_for(playbook)), *EXAMPLE_VARS.get(playbook.name, ()))
    assert code == 0, out + err
    assert " 0 failed" in out


def test_catalogue_and_examples_are_found() -> None:
    assert len(CATALOGUE) >= 4
    assert EXAMPLES


@pytest.mark.parametrize("playbook", CATALOGUE, ids=_id)
def test_catalogue_playbook_is_documented(playbook: Path) -> None:
    """A header comment saying what it does, its variables and a command line to run it."""
    text = playbook.read_text(encoding="utf-8")
    header = text.split("\nversion:", 1)[0]
    assert header.startswith("# yaml-language-server: $schema=../schemas/playbook.schema.json")
    assert "Variables:" in header and "--var src=" in header and f"batchmod plan playbooks/{playbook.name}" in header
    assert playbook.stem in (REPO / "playbooks" / "README.md").read_text(encoding="utf-8")


# Every example plans on a copy: changes in every phase, no error, tests pass after -----


def _copy_example(playbook: Path, tmp_path: Path) -> Path:
    copy = tmp_path / playbook.parent.name
    shutil.copytree(playbook.parent, copy, ignore=_COPY_IGNORE)
    return copy


def _plan_json(playbook: Path, root: Path, *extra: str) -> dict:
    code, out, err = _invoke("plan", str(playbook), "--root", str(root), "--json", "--jobs", "1", *extra)
    assert code == 0, err
    return json.loads(out)


def _phase_names(playbook: Path) -> list[str]:
    return [phase["name"] for phase in yaml.safe_load(playbook.read_text(encoding="utf-8"))["phases"]]


@pytest.mark.parametrize("playbook", EXAMPLES, ids=_id)
def test_example_plans_with_changes_in_every_phase(playbook: Path, tmp_path: Path) -> None:
    copy = _copy_example(playbook, tmp_path)
    plan = _plan_json(copy / "playbook.yaml", copy)
    assert [p["name"] for p in plan["phases"]] == _phase_names(playbook)
    for phase in plan["phases"]:
        statuses = [s["status"] for s in phase["subtasks"]]
        assert "change" in statuses, f"phase {phase['name']} changes nothing"
        errors = [(s["id"], s.get("errors")) for s in phase["subtasks"] if s["status"] == "error"]
        assert not errors, errors
    assert plan["within_budget"]


def _apply_unified_diff(root: Path, text: str) -> int:
    """Apply ``plan --diff`` output (unified diffs, one per subtask, in order); returns hunks applied."""
    lines = text.splitlines(keepends=True)
    applied, i = 0, 0
    while i < len(lines):
        if not (lines[i].startswith("--- a/") and i + 1 < len(lines) and lines[i + 1].startswith("+++ b/")):
            i += 1
            continue
        path = root / lines[i + 1][len("+++ b/") :].rstrip("\n")
        source = path.read_text(encoding="utf-8").splitlines(keepends=True)
        out: list[str] = []
        pos, i = 0, i + 2
        while i < len(lines) and lines[i].startswith("@@"):
            start = re.match(r"@@ -(\d+)(?:,(\d+))? ", lines[i])
            assert start, lines[i]
            first = int(start.group(1)) - (0 if start.group(2) == "0" else 1)
            out.extend(source[pos:first])
            pos, i = first, i + 1
            while i < len(lines) and lines[i][:1] in (" ", "-", "+", "\\") and not lines[i].startswith("--- a/"):
                tag, body = lines[i][0], lines[i][1:]
                if tag in " -":
                    assert source[pos] == body, f"{path}: diff does not apply at line {pos + 1}"
                    pos += 1
                    if tag == " ":
                        out.append(body)
                elif tag == "+":
                    out.append(body)
                i += 1
            applied += 1
        out.extend(source[pos:])
        path.write_text("".join(out), encoding="utf-8")
    return applied


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("playbook", EXAMPLES, ids=_id)
def test_example_tests_pass_before_and_after_the_planned_migration(playbook: Path, tmp_path: Path) -> None:
    copy = _copy_example(playbook, tmp_path)
    before = _pytest(copy)
    assert before.returncode == 0, before.stdout + before.stderr
    code, out, err = _invoke("plan", str(copy / "playbook.yaml"), "--root", str(copy), "--diff", "--jobs", "1")
    assert code == 0, err
    assert _apply_unified_diff(copy, out) > 0
    after = _pytest(copy)
    assert after.returncode == 0, after.stdout + after.stderr
    replan = _plan_json(copy / "playbook.yaml", copy)  # a second run finds nothing to change
    assert all(s["status"] != "change" for p in replan["phases"] for s in p["subtasks"])


@pytest.mark.parametrize("playbook", EXAMPLES, ids=_id)
def test_example_runs_end_to_end(playbook: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`batchmod run --yes` on a copy: every phase written, its checks (`python -m pytest`) pass."""
    copy = _copy_example(playbook, tmp_path)
    # the checks call `python`: make it this interpreter (the one with pytest)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    code, out, err = _invoke("run", str(copy / "playbook.yaml"), "--root", str(copy), "--yes", "--jobs", "1")
    assert code == 0, out + err
    after = _pytest(copy)
    assert after.returncode == 0, after.stdout + after.stderr


def test_inventory_rename_covers_every_import_form(tmp_path: Path) -> None:
    """The rename phase of the inventory example, file by file."""
    playbook = REPO / "examples" / "inventory" / "playbook.yaml"
    copy = _copy_example(playbook, tmp_path)
    plan = _plan_json(copy / "playbook.yaml", copy, "--phase", "rename")
    status = {s["id"]: s["status"] for s in plan["phases"][0]["subtasks"]}
    for path in (
        "src/inventory/models.py",  # from .compat import ensure_text (relative, in a src/ layout)
        "src/inventory/report.py",  # the same
        "src/inventory/pricing.py",  # from inventory import compat; compat.ensure_text(...)
        "src/inventory/storage/jsonfile.py",  # from inventory.compat import ensure_text as as_text
        "tests/test_models.py",  # from inventory.compat import ensure_text
        "tests/test_storage.py",  # ... as text_of
        "tests/test_pricing.py",  # from inventory import compat
    ):
        assert status[f"rename/ensure-text-to-to-text/{path}"] == "change", path
    assert status["rename/patch-targets/tests/test_pricing.py"] == "change"
    gaps = [g for p in plan["phases"] for s in p["subtasks"] for g in s["gaps"]]
    assert gaps == []  # nothing named ensure_text is left outside the shim
    renamed = [ident for ident in status if ident.startswith("rename/ensure-text-to-to-text/")]
    assert not any("compat.py" in ident for ident in renamed)  # the shim and its test are excluded


# Catalogue playbooks on the example repositories ------------------------------------------


@pytest.mark.parametrize("playbook", CATALOGUE, ids=_id)
def test_catalogue_playbook_plans_on_the_examples(playbook: Path, tmp_path: Path) -> None:
    changed = 0
    for example in EXAMPLES:
        copy = _copy_example(example, tmp_path)
        plan = _plan_json(playbook, copy, "--var", "src=src", *INVENTORY_VARS.get(playbook.name, ()))
        for phase in plan["phases"]:
            errors = [(s["id"], s.get("errors")) for s in phase["subtasks"] if s["status"] == "error"]
            assert not errors, errors
            changed += sum(s["status"] == "change" for s in phase["subtasks"])
    assert changed or playbook.name in NOTHING_IN_INVENTORY, f"{playbook.name} changes nothing in any example"


def test_catalogue_default_src_selects_the_whole_root(tmp_path: Path) -> None:
    copy = _copy_example(REPO / "examples" / "inventory" / "playbook.yaml", tmp_path)
    plan = _plan_json(REPO / "playbooks" / "fstrings.yaml", copy)
    assert any(s["status"] == "change" for p in plan["phases"] for s in p["subtasks"])


# Golden tests: BuiltinGenericsCommand ----------------------------------------------------


def _apply(cls: type[Codemod], before: str) -> tuple[str, list[str]]:
    context = CodemodContext(filename="pkg/mod.py", full_module_name="pkg.mod", full_package_name="pkg")
    after = cls(context).transform_module(cst.parse_module(before)).code
    again = cls(CodemodContext()).transform_module(cst.parse_module(after)).code
    assert again == after, "a second pass must change nothing"
    return after, list(context.warnings)


BUILTIN_GENERICS_CASES = {
    "nested generics, imports removed": (
        "from typing import Dict, List, Optional\n\n\n"
        "def index(rows: List[int]) -> Dict[str, List[int]]:\n"
        "    out: Dict[str, List[int]] = {}\n"
        "    return out\n",
        "from typing import Optional\n\n\n"
        "def index(rows: list[int]) -> dict[str, list[int]]:\n"
        "    out: dict[str, list[int]] = {}\n"
        "    return out\n",
    ),
    "import typing as t": (
        "import typing as t\n\n\n"
        "def f(a: t.List[int], b: t.FrozenSet[str]) -> t.Tuple[t.Type[int], ...]:\n"
        "    ...\n",
        "\n\n"
        "def f(a: list[int], b: frozenset[str]) -> tuple[type[int], ...]:\n"
        "    ...\n",
    ),
    "import typing, still used elsewhere": (
        "import typing\n\n\n"
        "def f(a: typing.Set[int]) -> typing.Any:\n"
        "    return typing.cast(typing.Any, a)\n",
        "import typing\n\n\n"
        "def f(a: set[int]) -> typing.Any:\n"
        "    return typing.cast(typing.Any, a)\n",
    ),
    "aliased name": (
        "from typing import List as L\n\nnames: L[str] = []\n",
        "\nnames: list[str] = []\n",
    ),
    "isinstance stays, runtime type expressions convert": (
        "from typing import List, cast\n\n"
        "Rows = List[int]\n\n\n"
        "def first(rows: List[int]) -> int:\n"
        "    assert isinstance(rows, List)\n"
        "    return cast(List[int], rows)[0]\n",
        "from typing import List, cast\n\n"
        "Rows = list[int]\n\n\n"
        "def first(rows: list[int]) -> int:\n"
        "    assert isinstance(rows, List)\n"
        "    return cast(list[int], rows)[0]\n",
    ),
    "string annotations stay": (
        "from typing import List\n\n\ndef f(a: 'List[int]') -> None:\n    ...\n",
        "from typing import List\n\n\ndef f(a: 'List[int]') -> None:\n    ...\n",
    ),
    "same names from another module stay": (
        "from mylib.types import List\n\n\ndef f(a: List[int]) -> None:\n    ...\n",
        "from mylib.types import List\n\n\ndef f(a: List[int]) -> None:\n    ...\n",
    ),
    "Optional and Union are not this codemod's business": (
        "from typing import Dict, Optional, Union\n\nx: Optional[Dict[str, Union[int, str]]] = None\n",
        "from typing import Optional, Union\n\nx: Optional[dict[str, Union[int, str]]] = None\n",
    ),
    "typing_extensions": (
        "from typing_extensions import Type\n\n\ndef make(cls: Type[int]) -> int:\n    return cls()\n",
        "\n\ndef make(cls: type[int]) -> int:\n    return cls()\n",
    ),
}


@pytest.mark.parametrize("case", sorted(BUILTIN_GENERICS_CASES))
def test_builtin_generics_golden(case: str) -> None:
    before, expected = BUILTIN_GENERICS_CASES[case]
    after, warnings = _apply(_codemod_class("builtin_generics", "BuiltinGenericsCommand"), before)
    assert after == expected
    assert warnings == []


def test_builtin_generics_leaves_shadowed_builtins_alone() -> None:
    before = (
        "from typing import List\n\n\n"
        "class Store:\n"
        "    def list(self) -> List[int]:\n"
        "        ...\n\n"
        "    def first(self, type: str) -> List[int]:\n"
        "        ...\n\n\n"
        "def outside(type: str) -> List[int]:\n"
        "    ...\n"
    )
    after, warnings = _apply(_codemod_class("builtin_generics", "BuiltinGenericsCommand"), before)
    # in the class body `list` is the method: `list[int]` there would fail when evaluated
    assert after == before.replace("def outside(type: str) -> List[int]", "def outside(type: str) -> list[int]")
    assert warnings == [
        "line 5: `list` is rebound where this annotation is evaluated; left unchanged",
        "line 8: `list` is rebound where this annotation is evaluated; left unchanged",
    ]


def test_builtin_generics_result_runs() -> None:
    before, expected = BUILTIN_GENERICS_CASES["nested generics, imports removed"]
    after, _ = _apply(_codemod_class("builtin_generics", "BuiltinGenericsCommand"), before)
    namespace: dict[str, object] = {}
    exec(compile(after, "<after>", "exec", dont_inherit=True), namespace)  # annotations evaluated
    assert namespace["index"].__annotations__["return"] == dict[str, list[int]]  # type: ignore[attr-defined]


# Golden tests: OptionalToOrCommand (catalogue and the example's repo-local copy) ---------

OPTIONAL_IMPLEMENTATIONS = {
    "catalogue": lambda: _codemod_class("optional_to_or", "OptionalToOrCommand"),
    "examples/inventory/tools": lambda: _class_from_file(
        REPO / "examples" / "inventory" / "tools" / "optional_to_or.py", "OptionalToOrCommand"
    ),
}

OPTIONAL_CASES = {
    "imported name": (
        "from typing import List, Optional\n\n\n"
        "def first(names: List[str], default: Optional[str] = None) -> Optional[str]:\n"
        "    ...\n",
        "from typing import List\n\n\n"
        "def first(names: List[str], default: str | None = None) -> str | None:\n"
        "    ...\n",
    ),
    "module alias, aliased name, nested": (
        "import typing as t\nfrom typing import Optional as Opt\n\n"
        "a: t.Optional[t.Callable[[], int]] = None\n"
        "b: Opt[dict[str, Opt[int]]] = None\n",
        "import typing as t\n\n"
        "a: t.Callable[[], int] | None = None\n"
        "b: dict[str, int | None] | None = None\n",
    ),
    "outside annotations too": (
        "from typing import Optional, cast\n\nx = cast(Optional[int], y)\n",
        "from typing import cast\n\nx = cast(int | None, y)\n",
    ),
    "union inside": (
        "from typing import Optional, Union\n\nx: Optional[Union[int, str]] = None\n",
        "from typing import Union\n\nx: Union[int, str] | None = None\n",
    ),
    "unrelated Optional stays": (
        "from mylib import Optional\n\nx: Optional[int] = None\n",
        "from mylib import Optional\n\nx: Optional[int] = None\n",
    ),
}


@pytest.mark.parametrize("impl", sorted(OPTIONAL_IMPLEMENTATIONS))
@pytest.mark.parametrize("case", sorted(OPTIONAL_CASES))
def test_optional_to_or_golden(case: str, impl: str) -> None:
    before, expected = OPTIONAL_CASES[case]
    after, warnings = _apply(OPTIONAL_IMPLEMENTATIONS[impl](), before)
    assert after == expected
    assert warnings == []


@pytest.mark.parametrize("impl", sorted(OPTIONAL_IMPLEMENTATIONS))
def test_optional_to_or_forward_references(impl: str) -> None:
    before = ('from typing import Literal, Optional\n\nparent: Optional["Node"] = None\nchild: Optional[int] = None\n'
              'kids = Optional["Node"]\nmode: Optional[Literal["r", "w"]] = None\n')
    after, warnings = _apply(OPTIONAL_IMPLEMENTATIONS[impl](), before)
    assert after == ('from typing import Literal, Optional\n\nparent: "Node | None" = None\nchild: int | None = None\n'
                     'kids = Optional["Node"]\nmode: Optional[Literal["r", "w"]] = None\n')
    assert warnings == ["line 5: Optional[...] with a string forward reference left unchanged",
                        "line 6: Optional[...] with a string forward reference left unchanged"]


def test_optional_to_or_copies_are_identical() -> None:
    """The example keeps its own copy (a `python:` codemod in the migrated repo); no drift."""
    catalogue = REPO / "runner" / "transforms" / "library" / "optional_to_or.py"
    example = REPO / "examples" / "inventory" / "tools" / "optional_to_or.py"
    assert example.read_text(encoding="utf-8") == catalogue.read_text(encoding="utf-8")


# Golden tests: UnionToOrCommand (libcst's ConvertUnionToOrCommand breaks forward references) ---

UNION_CASES = {
    "imported name, nested, import dropped": (
        "from typing import Dict, Union\n\n\ndef parse(raw: Union[str, bytes]) -> Dict[str, Union[int, float]]:\n    ...\n",
        "from typing import Dict\n\n\ndef parse(raw: str | bytes) -> Dict[str, int | float]:\n    ...\n",
    ),
    "module alias outside annotations": (
        "import typing as t\n\nNumber = t.Union[int, float, complex]\n",
        "\nNumber = int | float | complex\n",
    ),
    "nested forward references are unquoted into one string": (
        "import typing as t\n\n\ndef f(p: t.Union[int, list[\"Param\"]]) -> None:\n    ...\n",
        "\n\ndef f(p: \"int | list[Param]\") -> None:\n    ...\n",
    ),
    "a whole annotation with forward references becomes one string": (
        "import os\nfrom typing import Union\n\n\n"
        'def f(file: Union[str, "os.PathLike[str]", int]) -> Union[int, "Group"]:\n    ...\n',
        "import os\n\n\n"
        'def f(file: "str | os.PathLike[str] | int") -> "int | Group":\n    ...\n',
    ),
    "operands that bind looser than | are parenthesised": (
        "from typing import Union\n\nx: Union[int, lambda: 1] = 1\n",
        "\nx: int | (lambda: 1) = 1\n",
    ),
}


@pytest.mark.parametrize("case", sorted(UNION_CASES))
def test_union_to_or_golden(case: str) -> None:
    before, expected = UNION_CASES[case]
    after, warnings = _apply(_codemod_class("union_to_or", "UnionToOrCommand"), before)
    assert after == expected
    assert warnings == []


def test_union_to_or_leaves_forward_references_it_cannot_make_one_string() -> None:
    before = ('from typing import Dict, Union, cast\n\n'
              'x: Dict[str, Union[int, "Fwd"]] = {}\ny = cast(Union[int, "A"], q)\nz: Union[int, str] = 1\n')
    after, warnings = _apply(_codemod_class("union_to_or", "UnionToOrCommand"), before)
    assert after == ('from typing import Dict, Union, cast\n\n'
                     'x: Dict[str, Union[int, "Fwd"]] = {}\ny = cast(Union[int, "A"], q)\nz: int | str = 1\n')
    assert len(warnings) == 2 and all("string forward reference left unchanged" in w for w in warnings)


def test_union_to_or_output_evaluates_where_libcst_s_does_not() -> None:
    """click 8.1.7's `_compat.py` shape: libcst's codemod makes the def raise TypeError at import."""
    before = 'import os\nimport typing as t\n\n\ndef open_stream(file: t.Union[str, "os.PathLike[str]", int]) -> None:\n    pass\n'
    ours, _ = _apply(_codemod_class("union_to_or", "UnionToOrCommand"), before)
    exec(compile(ours, "<ours>", "exec", dont_inherit=True), {})
    from libcst.codemod.commands.convert_union_to_or import ConvertUnionToOrCommand

    theirs, _ = _apply(ConvertUnionToOrCommand, before)
    with pytest.raises(TypeError):
        exec(compile(theirs, "<theirs>", "exec", dont_inherit=True), {})
