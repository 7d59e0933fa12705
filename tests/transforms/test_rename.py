"""Tests of the ``rename`` transform.

Golden cases live in ``cases/rename/<case>/``: ``args.json`` ({"old", "new"}), a
``before/`` tree of .py files (a mini package; it is the migrated root), the expected
``after/`` tree, and optionally ``gaps.json``: the expected gaps as
``[path, line, reason-substring]`` (no file means: no gaps). Every .py file of
``before/`` goes through one shared ``RenameTransform`` instance, as in the engine.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.helpers import calculate_module_and_package

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the repo is not installed into the test venv
    sys.path.insert(0, str(ROOT))

from runner.transforms.base import FileContext, Gap, TreeTransform  # noqa: E402
from runner.transforms.rename import RenameTransform  # noqa: E402

CASES_DIR = Path(__file__).parent / "cases" / "rename"
CASES = sorted(p for p in CASES_DIR.iterdir() if p.is_dir())


def _py_files(tree: Path) -> list[str]:
    return sorted(p.relative_to(tree).as_posix() for p in tree.rglob("*.py"))


def _ctx(root: Path, rel: str) -> FileContext:
    names = calculate_module_and_package(str(root), str(root / rel))
    return FileContext(str(root), rel, names.name, names.package)


def _apply(transform: RenameTransform, root: Path, rel: str, source: bytes):
    module = cst.parse_module(source)
    return transform.transform_module(module, _ctx(root, rel))


def _run_tree(transform: RenameTransform, root: Path) -> tuple[dict[str, bytes], list[Gap]]:
    """Transform every file like the engine does: files without a needle are not
    parsed (and must really need no change: checked in test_golden)."""
    out: dict[str, bytes] = {}
    gaps: list[Gap] = []
    for rel in _py_files(root):
        source = (root / rel).read_bytes()
        if not any(n.encode() in source for n in transform.needles()):
            out[rel] = source
            continue
        result = _apply(transform, root, rel, source)
        out[rel] = result.module.bytes
        gaps.extend(result.gaps)
    return out, gaps


def _write_tree(files: dict[str, bytes], root: Path) -> None:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_golden(case: Path) -> None:
    args = json.loads((case / "args.json").read_text())
    transform = RenameTransform(**args)
    before, after = case / "before", case / "after"
    assert _py_files(before) == _py_files(after), "before/ and after/ must hold the same files"

    out, gaps = _run_tree(transform, before)

    for rel in _py_files(before):
        expected = (after / rel).read_bytes()
        assert out[rel].decode() == expected.decode(), f"{case.name}: {rel} differs"
        assert out[rel] == expected
        cst.parse_module(out[rel])  # re-parses
        source = (before / rel).read_bytes()
        if not any(n.encode() in source for n in transform.needles()):
            # The needle filter may only skip files the transform leaves alone.
            assert _apply(transform, before, rel, source).module.bytes == source

    expected_gaps = json.loads((case / "gaps.json").read_text()) if (case / "gaps.json").exists() else []
    unmatched = list(gaps)
    for path, line, reason in expected_gaps:
        found = [g for g in unmatched if g.file == path and g.line == line and reason in g.reason]
        assert found, f"{case.name}: expected gap {path}:{line} {reason!r}; got {gaps}"
        unmatched.remove(found[0])
    assert not unmatched, f"{case.name}: unexpected gaps {unmatched}"
    for gap in gaps:  # positions are 1-based; only file-level gaps have no source text
        assert gap.line >= 1 and gap.column >= 1
        assert gap.source or gap.reason.startswith("module ")

    # Idempotent: a second pass over the result (on disk, as the next run sees it)
    # changes nothing.
    again, _ = _run_tree(transform, after)
    for rel in _py_files(after):
        assert again[rel] == (after / rel).read_bytes(), f"{case.name}: second pass changed {rel}"


# Cases whose after/ tree must be importable and behave like before/ (the non-move
# ones: a move leaves the definition in place for a person to move, by design).
IMPORT_CHECKS = {
    "definition-in-module": "import pkg.text as t; assert t.to_text(b'x') == 'x'; "
    "assert t.ensure_bytes('y') == b'y'; assert t.shadow([1]) == ['1']; "
    "assert t.Codec().run(2) == (2, '2'); assert t.__all__ == ['to_text', 'ensure_bytes']",
    "import-forms": "import app.plain, app.aliased, app.names, app.inline; "
    "assert app.names.show(1) == ('1', '1', b'1') and app.names.lazy(2) == '2'; "
    "assert app.aliased.show(3) == '33' and app.inline.RESULT == ['1', b'2', '3']",
    "relative-imports": "import pkg.core.sibling as s, pkg.web.views as v; "
    "assert s.clean(' a ') == 'a a ' and v.render(1) == '111'",
    "reexport-init": "import pkg, pkg.consumer as c; assert c.run(1) == ('1', '1', '1'); "
    "assert pkg.__all__ == ['ensure_bytes', 'to_text'] and pkg.to_text(b'z') == 'z'",
    "star-reexport": "import pkg, pkg.helpers as h, app; assert h.shout('a') == 'A'; "
    "assert pkg.to_text(1) == '1' and pkg.__all__ == ['VERSION', 'to_text']",
    "module-rename": "import pkg, app.one as one; assert one.run(1) == ('1',) * 4; "
    "assert pkg.__all__ == ['legacy', 'to_text']",
    "name-conflict": "import app, capture, fine; assert app.to_text(' a ') == 'a'; "
    "assert capture.run([1, 2]) == '1, 2'",
    "unrelated-needle": "import other.mod, pkg.text; assert pkg.text.to_text(1) == '1'",
}


@pytest.mark.parametrize("case_name", sorted(IMPORT_CHECKS))
def test_after_tree_runs(case_name: str, tmp_path: Path) -> None:
    case = CASES_DIR / case_name
    args = json.loads((case / "args.json").read_text())
    out, _ = _run_tree(RenameTransform(args["old"], args["new"]), case / "before")
    _write_tree(out, tmp_path)
    # The module rename does not move the file (out of scope): do it like a person.
    if case_name == "module-rename":
        (tmp_path / "pkg" / "compat.py").rename(tmp_path / "pkg" / "legacy.py")
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECKS[case_name]],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr


def test_move_tree_runs_once_the_definition_is_moved(tmp_path: Path) -> None:
    """The move leaves one thing to do (the reported gap): doing it makes the tree work."""
    case = CASES_DIR / "move"
    out, gaps = _run_tree(RenameTransform("pkg.compat.ensure_text", "pkg.text.ensure_text"), case / "before")
    _write_tree(out, tmp_path)
    # The person closes the gaps: move the function, drop the destination's old import.
    compat = (tmp_path / "pkg" / "compat.py").read_text()
    definition = 'def ensure_text(value):\n    return str(value)\n'
    assert definition in compat
    (tmp_path / "pkg" / "compat.py").write_text(
        compat.replace(definition, "").replace('"ensure_text", ', "")
        .replace("def ensure_bytes", "from pkg.text import ensure_text\n\n\ndef ensure_bytes")
    )
    text = (tmp_path / "pkg" / "text.py").read_text()
    (tmp_path / "pkg" / "text.py").write_text(
        text.replace("from pkg.compat import ensure_text\n", definition)
    )
    assert {g.file for g in gaps} == {"pkg/compat.py", "pkg/text.py"}
    check = (
        "import app.use_from as f, app.use_plain as p, app.use_alias as a, app.use_plain_only as o;"
        "import pkg.sub.use_rel as r, pkg.text as t; import os;"
        "assert f.show(1) == ('1', b'1') and p.show(2) == ('2', b'2', os.sep);"
        "assert a.show(3) == '3' and o.VALUE == '1' and r.LABEL == '1' and t.shout('a') == 'A'"
    )
    proc = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr


# libcst's own RenameCommand, for comparison ------------------------------------------


def test_better_than_libcst_rename_command_on_reexports(tmp_path: Path) -> None:
    """On a package that re-exports the renamed function, RenameCommand leaves the
    definition, the relative re-export and ``__all__`` alone, so the package no longer
    imports; ours renames all three and keeps it working."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.commands.rename import RenameCommand

    case = CASES_DIR / "reexport-init"
    before = case / "before"
    old, new = "pkg.compat.ensure_text", "pkg.compat.to_text"

    theirs: dict[str, str] = {}
    for rel in _py_files(before):
        names = calculate_module_and_package(str(before), str(before / rel))
        context = CodemodContext(
            filename=str(before / rel), full_module_name=names.name, full_package_name=names.package
        )
        command = RenameCommand(context, old, new)
        theirs[rel] = command.transform_module(cst.parse_module((before / rel).read_text())).code
    ours, _ = _run_tree(RenameTransform(old, new), before)

    # Definition: untouched by RenameCommand, renamed by us.
    assert "def ensure_text(value):" in theirs["pkg/compat.py"]
    assert "def to_text(value):" in ours["pkg/compat.py"].decode()
    # Relative re-export and __all__ in the package __init__.
    assert theirs["pkg/__init__.py"] == (before / "pkg/__init__.py").read_text()
    assert "from .compat import to_text, ensure_bytes" in ours["pkg/__init__.py"].decode()
    assert '__all__ = ["ensure_bytes", "to_text"]' in ours["pkg/__init__.py"].decode()
    # Consumers of the re-exported name: left on the old name by RenameCommand.
    assert "from pkg import ensure_text\n" in theirs["pkg/consumer.py"]
    assert "pkg.ensure_text(value)" in theirs["pkg/consumer.py"]
    assert "from pkg import to_text\n" in ours["pkg/consumer.py"].decode()
    # But the direct import was renamed, to a name the unrenamed definition lacks.
    assert "from pkg.compat import to_text\n" in theirs["pkg/consumer.py"]

    check = "import pkg.consumer as c; assert c.run(b'x') == ('x', 'x', 'x')"
    results = {}
    for label, files in (("theirs", {k: v.encode() for k, v in theirs.items()}), ("ours", ours)):
        root = tmp_path / label
        _write_tree(files, root)
        results[label] = subprocess.run(
            [sys.executable, "-c", check], cwd=root, capture_output=True, text=True, timeout=60,
            env={**os.environ, "PYTHONPATH": str(root)},
        )
    assert results["theirs"].returncode != 0
    assert "ImportError" in results["theirs"].stderr and "to_text" in results["theirs"].stderr
    assert results["ours"].returncode == 0, results["ours"].stderr


# API and contracts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [("", "a.b"), ("a..b", "a.c"), ("a.b", "a.1c"), ("a.class", "a.b"), ("a.b", 3),
     ("a.b-c", "a.d"), ("a.b", "a.b"), ("a.b", "a.b.c")],
)
def test_rejects_bad_names(old, new) -> None:
    with pytest.raises(ValueError, match="rename:") as info:
        RenameTransform(old, new)
    assert "\n" not in str(info.value)


def test_protocol_and_needles() -> None:
    transform = RenameTransform("mypkg.compat.ensure_text", "mypkg.text.to_text")
    assert isinstance(transform, TreeTransform)
    assert transform.needles() == ("ensure_text", "import *")
    assert RenameTransform("a.b", "a.c").needles() == ("b", "import *")
    assert RenameTransform("top", "other").needles() == ("top",)


def _one(source: str, old: str, new: str, path: str = "pkg/mod.py"):
    """Transform one in-memory file (its root does not exist: no re-export discovery)."""
    root = Path("/nonexistent")
    names = calculate_module_and_package(str(root), str(root / path))
    ctx = FileContext(str(root), path, names.name, names.package)
    return RenameTransform(old, new).transform_module(cst.parse_module(source), ctx)


def test_definition_conflict_is_a_gap_not_an_edit() -> None:
    source = "def ensure_text(v):\n    return v\n\n\ndef to_text(v):\n    return v\n"
    result = _one(source, "pkg.mod.ensure_text", "pkg.mod.to_text")
    assert result.module.code == source
    assert [(g.line, g.source) for g in result.gaps] == [(1, "ensure_text")]
    assert "already used" in result.gaps[0].reason


def test_existing_import_of_new_name_makes_old_import_redundant() -> None:
    source = "from pkg.text import ensure_text, to_text\n\nx = ensure_text(1), to_text(2)\n"
    result = _one(source, "pkg.text.ensure_text", "pkg.text.to_text", path="app/x.py")
    assert result.module.code == "from pkg.text import to_text\n\nx = to_text(1), to_text(2)\n"


def test_unchanged_file_returns_the_same_module_object() -> None:
    module = cst.parse_module("ensure_text = 1\n")
    ctx = FileContext("/nonexistent", "other/x.py", "other.x", "other")
    result = RenameTransform("pkg.text.ensure_text", "pkg.text.to_text").transform_module(module, ctx)
    assert result.module is module and result.gaps == ()


def test_builtin_used_in_file_blocks_the_rename_of_the_local_binding() -> None:
    source = "from pkg.files import open_file\n\nwith open('x') as f:\n    open_file(f)\n"
    result = _one(source, "pkg.files.open_file", "pkg.files.open", path="app/x.py")
    assert result.module.code == (
        "from pkg.files import open as open_file\n\nwith open('x') as f:\n    open_file(f)\n"
    )


def test_string_annotations_and_conditional_imports() -> None:
    source = (
        "try:\n"
        "    from pkg.text import ensure_text\n"
        "except ImportError:\n"
        "    from fallback import ensure_text\n"
        "\n"
        "def f(x: 'ensure_text') -> None:\n"
        "    return ensure_text(x)\n"
    )
    result = _one(source, "pkg.text.ensure_text", "pkg.text.to_text", path="app/x.py")
    # Two bindings of the same local name, one unrelated: keep the local name.
    assert "from pkg.text import to_text as ensure_text\n" in result.module.code
    assert "from fallback import ensure_text\n" in result.module.code
    assert "return ensure_text(x)" in result.module.code
    assert [g.line for g in result.gaps] == [6]  # the string annotation


def test_mention_in_a_comment_only_skips_the_analysis() -> None:
    module = cst.parse_module("# see pkg.text.ensure_text\nx = 1\n")
    ctx = FileContext("/nonexistent", "app/x.py", "app.x", "app")
    result = RenameTransform("pkg.text.ensure_text", "pkg.text.to_text").transform_module(module, ctx)
    assert result.module is module and result.gaps == () and result.warnings == ()


def test_files_inside_a_renamed_package_keep_working_relative_imports() -> None:
    source = (
        "from . import helpers\n"
        "from ..compat.helpers import ensure_text\n"
        "from .. import util\n"
    )
    inside = dict(path="pkg/compat/x.py")
    same_parent = _one(source, "pkg.compat", "pkg.legacy", **inside)
    assert same_parent.module.code == (
        "from . import helpers\n"
        "from ..legacy.helpers import ensure_text\n"
        "from .. import util\n"
    )
    # Moved to another package: `..` would no longer reach pkg.
    elsewhere = _one(source, "pkg.compat", "other.legacy", **inside)
    assert elsewhere.module.code == (
        "from . import helpers\n"
        "from ..legacy.helpers import ensure_text\n"
        "from pkg import util\n"
    )


def test_patch_target_where_the_name_is_used_is_a_gap() -> None:
    source = (
        'from unittest import mock\nfrom shop.money import to_cents\n\n\n'
        '@mock.patch("shop.checkout.to_cents")\ndef test(m):\n    assert to_cents(1)\n'
    )
    ctx = FileContext("/nonexistent", "tests/test_x.py", "tests.test_x", "tests")
    result = RenameTransform("shop.money.to_cents", "shop.money.as_cents").transform_module(cst.parse_module(source), ctx)
    assert "from shop.money import as_cents" in result.module.code
    assert '@mock.patch("shop.checkout.to_cents")' in result.module.code
    assert [(g.line, g.source) for g in result.gaps] == [(5, '"shop.checkout.to_cents"')]
    assert "where it is used" in result.gaps[0].reason


def test_doctests_pass_before_and_after_renaming_a_public_function(tmp_path: Path) -> None:
    """`pytest --doctest-modules` on the renamed package: the examples call the new name."""
    case = CASES_DIR / "docs-and-doctests"
    for side in ("before", "after"):
        root = tmp_path / side
        shutil.copytree(case / side, root)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--doctest-modules", "pkg"],
            cwd=root, capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, side + result.stdout + result.stderr
        assert "4 passed" in result.stdout, result.stdout
    renamed, _ = _run_tree(RenameTransform("pkg.text.ensure_text", "pkg.text.to_text"), case / "before")
    assert renamed["pkg/text.py"] == (case / "after" / "pkg/text.py").read_bytes()


def test_a_rename_to_a_builtin_leaves_no_import(tmp_path: Path) -> None:
    transform = RenameTransform("six.text_type", "builtins.str")
    cases = {
        "import six\n\n\ndef f(x):\n    return six.text_type(x)\n": "\n\ndef f(x):\n    return str(x)\n",
        "from six import text_type\n\n\ndef g(x):\n    return text_type(x)\n": "\n\ndef g(x):\n    return str(x)\n",
        "from six import PY3, text_type\n\nv = (text_type(1), PY3)\n": "from six import PY3\n\nv = (str(1), PY3)\n",
    }
    for before, after in cases.items():
        assert _apply(transform, tmp_path, "m.py", before.encode()).module.code == after
    shadowed = "import six\n\n\ndef h(str):\n    return six.text_type(str)\n"
    assert _apply(transform, tmp_path, "m.py", shadowed.encode()).module.code == (
        "import builtins\n\n\ndef h(str):\n    return builtins.str(str)\n")


def test_entry_points_in_pyproject_and_setup_cfg_are_renamed() -> None:
    transform = RenameTransform("pkg.cli.main", "pkg.cli.run")
    pyproject = '[project.scripts]\ntool = "pkg.cli:main"\nother = "pkg.cli:main_v2"\n'
    result = transform.transform_text(pyproject, FileContext("/x", "pyproject.toml", None, None))
    assert (result.text, result.replacements) == ('[project.scripts]\ntool = "pkg.cli:run"\nother = "pkg.cli:main_v2"\n', 1)
    setup_cfg = "[options.entry_points]\nconsole_scripts =\n    tool = pkg.cli:main\n"
    assert transform.transform_text(setup_cfg, FileContext("/x", "setup.cfg", None, None)).text.endswith("tool = pkg.cli:run\n")


def test_a_statement_that_would_not_parse_renamed_is_a_gap_and_the_other_sites_are_renamed() -> None:
    """Per-site isolation: the rename's edits of one statement that do not parse once
    applied (here `global old` -> `global pkg.b.new`) leave that statement as it was and
    become gaps; the file's other sites are still renamed."""
    from runner.transforms.rename.apply import RenamePlan, apply_plan

    module = cst.parse_module(
        "from pkg.a import old\n\n\ndef f():\n    global old\n    return old()\n\n\nx = old\n")
    names = [n for n in _all_nodes(module) if isinstance(n, cst.Name) and n.value == "old"]
    plan = RenamePlan()
    for name in names:
        plan.replace[name] = cst.Name("new")
    global_name = names[1]
    plan.replace[global_name] = cst.parse_expression("pkg.b.new")  # `global pkg.b.new` is a SyntaxError
    new, gaps = apply_plan(module, plan, "pkg/user.py", "pkg.a.old")
    assert new.code == "from pkg.a import new\n\n\ndef f():\n    global old\n    return new()\n\n\nx = new\n"
    assert [(g.file, g.line, g.column, g.source, g.rule) for g in gaps] == [("pkg/user.py", 5, 12, "old", "rename")]
    assert gaps[0].reason.startswith("renaming pkg.a.old here: the renamed statement does not parse (")
    assert gaps[0].reason.endswith("; left as it was")


def test_a_statement_whose_renamed_node_cannot_be_built_is_a_gap() -> None:
    from runner.transforms.rename.apply import RenamePlan, apply_plan

    module = cst.parse_module("import pkg.a\n\nx = pkg.a.old\ny = pkg.a.old\n")
    attrs = [n for n in _all_nodes(module) if isinstance(n, cst.Attribute) and n.attr.value == "old"]
    plan = RenamePlan(attr_renames={attrs[0]: "", attrs[1]: "new"})  # Name("") fails libcst's validation
    new, gaps = apply_plan(module, plan, "m.py", "pkg.a.old")
    assert new.code == "import pkg.a\n\nx = pkg.a.old\ny = pkg.a.new\n"
    assert [(g.line, g.column, g.source) for g in gaps] == [(3, 5, "pkg.a.old")]
    assert gaps[0].reason.startswith("renaming pkg.a.old here: the renamed code cannot be built (CSTValidationError")


def test_a_plan_that_parses_is_applied_whole_with_no_gap() -> None:
    from runner.transforms.rename.apply import RenamePlan, apply_plan

    module = cst.parse_module("x = old\n")
    plan = RenamePlan()
    plan.replace[module.body[0].body[0].value] = cst.Name("new")  # type: ignore[attr-defined]
    new, gaps = apply_plan(module, plan, "m.py", "a.old")
    assert new.code == "x = new\n" and gaps == []


def _all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class _Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            found.append(node)
            return True

    module.visit(_Collect())
    return found
