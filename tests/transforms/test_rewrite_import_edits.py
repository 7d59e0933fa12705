"""The rewrite transform's own import edits against libcst's visitors, byte for byte.

``add_imports`` must give what ``AddImportsVisitor`` gave as batchmod ran it (on the
head of the module, its other statements stubbed), over edge cases, the golden cases,
the catalogue's examples and a few real modules; ``remove_imports`` on its direct path
what ``RemoveImportsVisitor`` gives (edge cases here; test_scopes.py compares the two
over the golden cases, the examples and real modules). Neither imports libcst.codemod.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor

from runner.transforms.rewrite import imports
from runner.transforms.rewrite.bindings import import_statements
from runner.transforms.rewrite.imports import ModuleNames, add_imports, remove_imports
from runner.transforms.rewrite.rules import ImportSpec, parse_import

from tests.transforms.test_scopes import REAL_MODULES, _corpus, _specs_of, _thinned

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "pkg.sub"


def _contexts() -> list[tuple[ModuleNames, CodemodContext]]:
    return [
        (ModuleNames("pkg/sub/mod.py", f"{PACKAGE}.mod", PACKAGE),
         CodemodContext(filename="pkg/sub/mod.py", full_module_name=f"{PACKAGE}.mod", full_package_name=PACKAGE)),
        (ModuleNames("mod.py"), CodemodContext(filename="mod.py")),
    ]


def _reference_add(module: cst.Module, context: CodemodContext, specs: list[ImportSpec]) -> cst.Module:
    """AddImportsVisitor on the module's head (its first statement, the import lines after
    it and one more), the statements there other than import lines and docstrings stubbed."""
    for spec in specs:
        AddImportsVisitor.add_needed_import(context, spec.module, spec.obj, spec.asname, spec.relative)
    body = list(module.body)
    end = 1
    while end < len(body) and imports._is_import_line(body[end]):
        end += 1
    head = body[: end + 1]
    stubs: dict[str, cst.BaseStatement] = {}
    for k, stmt in enumerate(head):
        docstring = (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
                     and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))
        if not imports._is_import_line(stmt) and not docstring:
            head[k] = imports._stub(stmt, k, stubs)
    new_head = AddImportsVisitor(context).transform_module(module.with_changes(body=head)).body
    return module.with_changes(body=[*imports._restored(new_head, stubs), *body[end + 1:]])


def _outcome(fn, *args) -> str:  # type: ignore[no-untyped-def]
    try:
        return fn(*args).code
    except (ValueError, TypeError) as e:
        return f"{type(e).__name__}: {e}"


def _catalogue_adds() -> list[ImportSpec]:
    """Every import a rule of the shipped playbooks adds."""
    import yaml

    found: list[ImportSpec] = []
    for path in sorted((ROOT / "playbooks").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for task in (spec.get("task_types") or {}).values():
            for rule in ((task.get("with") or {}).get("rules") or ()):
                items = ((rule.get("imports") or {}).get("add")) or []
                for text in items if isinstance(items, list) else [items]:
                    found.extend(parse_import(text))
    return list(dict.fromkeys(found))


SYNTHETIC = [
    [ImportSpec("os")], [ImportSpec("os.path")], [ImportSpec("os", None, "o")], [ImportSpec("typing", "List")],
    [ImportSpec("typing", "List", "L"), ImportSpec("typing", "Dict")], [ImportSpec("__future__", "annotations")],
    [ImportSpec("", "sibling", None, 1)], [ImportSpec("sibling", "f", None, 1)], [ImportSpec("six", "moves")],
    [ImportSpec("pytest"), ImportSpec("re"), ImportSpec("collections", "abc"), ImportSpec("os", None, "o")],
    [ImportSpec("__future__")], [ImportSpec("__future__", "annotations", "a")], [ImportSpec("sibling", None, None, 2)],
]


def _spec_sets_for(module: cst.Module, each: bool = False) -> list[list[ImportSpec]]:
    """The catalogue's additions all at once (and one by one: ``each``), the synthetic sets,
    and for each import of the module its own specs (already there) plus a new name from
    its module."""
    catalogue = _catalogue_adds()
    out = ([[s] for s in catalogue] if each else []) + [catalogue] + SYNTHETIC
    for stmt in list(import_statements(module))[:6]:
        own = _specs_of(stmt) if isinstance(stmt, cst.Import) or stmt.module is not None else []
        if own:
            out.append(own)
            out.append([ImportSpec(own[0].module, "zz_new"), ImportSpec(own[0].module, "aa_new", "alias")])
    return out


EDGES = {
    "docstring_then_imports": '"""Doc."""\nimport os\nfrom typing import List\n\nx = 1\n',
    "comment_first": "# a comment\n\nimport os\n# about x\nx = 1\n",
    "strict": "__strict__ = True\nimport os\n\nx = os.sep\n",
    "concatenated_docstring": '"a" "b"\nimport os\n',
    "only_docstring": '"""Doc."""\n',
    "empty": "",
    "no_imports": "x = 1\n\n\ndef f():\n    import os\n",
    "future": '"""Doc."""\nfrom __future__ import print_function\nimport sys\nprint(sys)\n',
    "parenthesized_from": "from typing import (\n    Dict,  # d\n    List,\n)\n\nx: Dict\n",
    "star": "from typing import *\nfrom os import path as p\nimport os.path as osp\n",
    "relative": "from . import sibling\nfrom .sibling import g\nfrom .. import up\n\nsibling.f()\n",
    "imports_then_class": "import unittest\n\n\nclass T(unittest.TestCase):\n    pass\n",
    "crlf": "import os\r\n\r\nx = 1\r\n",
    "semicolons": "import os; import sys\nx = 1\n",
    "nested_first": "if True:\n    import os\nimport sys\n",
}


def _assert_same_additions(name: str, code: str, each: bool = False, contexts: int = 2) -> int:
    module = cst.parse_module(code)
    compared = 0
    for specs in _spec_sets_for(module, each):
        for ours, theirs in _contexts()[:contexts]:
            expected = _outcome(_reference_add, module, theirs, specs)
            assert _outcome(add_imports, module, ours, specs) == expected, (name, specs, ours)
            compared += 1
    return compared


@pytest.mark.parametrize(("name", "code"), EDGES.items(), ids=list(EDGES))
def test_add_imports_is_the_visitors_answer(name: str, code: str) -> None:
    assert _assert_same_additions(name, code) > 10


@pytest.mark.slow
def test_add_imports_on_the_golden_cases_examples_and_real_modules() -> None:
    corpus = [*_corpus(), *((p.name, p.read_text(encoding="utf-8")) for p in REAL_MODULES if p.exists())]
    assert len(corpus) > 100
    assert sum(_assert_same_additions(name, code, contexts=1) for name, code in corpus) > 2000


def test_add_imports_golden() -> None:
    module = cst.parse_module('"""Doc."""\nfrom typing import List\n# x\nx: List\n')
    specs = [ImportSpec("typing", "Dict"), ImportSpec("pytest"), ImportSpec("__future__", "annotations")]
    assert add_imports(module, ModuleNames(), specs).code == (
        '"""Doc."""\nfrom __future__ import annotations\nfrom typing import Dict, List\nimport pytest\n\n# x\nx: List\n'
    )
    assert add_imports(module, ModuleNames(), [ImportSpec("typing", "List")]) is module


# removals --------------------------------------------------------------------------------

REMOVAL_EDGES = {
    "comments_after_commas": "from six import (  # head\n    a,  # ca\n    b,  # cb\n    c,  # cc\n)\nuse(b)\n",
    "first_dropped": "from six import (\n    a,  # ca\n    b,\n)\nb()\n",
    "all_dropped": "import os\nfrom six import (\n    a,\n    b,\n)\nos.sep\n",
    "plain_list": "import six, os, six.moves\nfrom six import a as x, b, c\nos.sep\nb\n",
    "aliases": "import six as s\nimport six\nfrom six import moves as m, moves\nmoves.x\n",
    "blank_lines": '"""Doc."""\n\nimport six\n\n\nimport os\n\nos.sep\n',
    "relative": "from . import six\nfrom .six import a\nimport six\n",
}


def _removal_sets(module: cst.Module) -> list[list[ImportSpec]]:
    every = [spec for stmt in import_statements(module) for spec in _specs_of(stmt)]
    return [every, *([s] for s in every), [ImportSpec("six")], [ImportSpec("os")]] if every else []


class _FellBack(Exception):
    pass


def _fall_back(*args: object) -> None:
    raise _FellBack


def _assert_same_removals(name: str, code: str, monkeypatch: pytest.MonkeyPatch) -> int:
    module = cst.parse_module(code)
    compared = 0
    for specs in _removal_sets(module):
        for ours, theirs in _contexts():
            with monkeypatch.context() as patch:
                patch.setattr(imports, "_removed_by_visitor", _fall_back)
                try:
                    direct = remove_imports(module, ours, specs, code=code)
                except _FellBack:
                    continue
            assert direct is not None
            assert direct.code == remove_imports(module, theirs, specs, cheap=False).code, (name, specs)
            compared += 1
    return compared


@pytest.mark.parametrize(("name", "code"), REMOVAL_EDGES.items(), ids=list(REMOVAL_EDGES))
def test_remove_imports_is_the_visitors_answer(name: str, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _assert_same_removals(name, code, monkeypatch) > 2


def test_removal_keeps_comments_as_libcst_does() -> None:
    module = cst.parse_module(REMOVAL_EDGES["comments_after_commas"])
    after = remove_imports(module, ModuleNames(), [ImportSpec("six", "a"), ImportSpec("six", "c")])
    assert after is not None
    assert after.code == "from six import (  # head\n    b)\nuse(b)\n"  # (the last name kept loses its comma, and what followed it)


def test_the_rewrite_path_does_not_import_libcst_codemod(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "import libcst as cst\n"
        "from runner.transforms.rewrite import RewriteTransform\n"
        "from runner.transforms.base import FileContext\n"
        "t = RewriteTransform([{'match': 'six.u($x)', 'replace': '$x', 'imports': {'remove': 'import six', 'add': 'import re'}}])\n"
        "src = b'import six\\n\\nx = six.u(\"a\")\\n'\n"
        "out = t.precheck(src, FileContext(root='.', path='m.py', full_module_name='m', full_package_name=None))\n"
        "whole = t.transform_module(cst.parse_module(src.decode()), FileContext(root='.', path='m.py', full_module_name='m', full_package_name=None))\n"
        "print(out.after.decode() == whole.code, sorted(m for m in sys.modules if m.startswith(('libcst.codemod', 'libcst.matchers'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.split() == ["True", "[]"]


# the imports of the edited text, without parsing it -----------------------------------------


@pytest.mark.parametrize(("name", "code"), [*EDGES.items(), *REMOVAL_EDGES.items()], ids=[*EDGES, *REMOVAL_EDGES])
def test_edit_imports_gives_the_imports_of_its_text(name: str, code: str) -> None:
    import ast

    from runner.transforms.base import FileContext
    from runner.transforms.rewrite.scoped import edit_imports, file_imports
    from runner.transforms.rewrite.scopes import keep_parse

    tree = ast.parse(code)
    keep_parse(code, tree)
    ctx = FileContext(root=".", path="pkg/sub/mod.py", full_module_name=f"{PACKAGE}.mod", full_package_name=PACKAGE)
    edited = 0
    for adds, removes in [([ImportSpec("pytest")], []), ([ImportSpec("typing", "Dict"), ImportSpec("os", None, "o")], []),
                          ([ImportSpec("pytest")], [ImportSpec("six")]), ([], [ImportSpec("os")]), ([], [ImportSpec("six")])]:
        done = edit_imports(code, tree, ctx, adds, removes)
        if done is None:
            continue
        text, imports = done
        assert (imports is None) == (text == code)
        if imports is not None:
            assert imports == file_imports(ast.parse(text)), (name, adds, removes)
            edited += 1
    assert edited >= 3 or name == "semicolons"  # (statements sharing a line: the whole-file run edits those)
