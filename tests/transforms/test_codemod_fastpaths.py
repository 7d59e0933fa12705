"""The codemod fast paths against libcst's own runs: same code, same warnings.

- ``imports_all_used`` (Python's ``ast``) may claim that libcst's
  ``RemoveUnusedImportsCommand`` keeps every import only when it does;
- ``run_codemod`` (scheduled import removals on the statements that bear on them) gives
  the code ``codemod.transform_module`` gives.
"""
from __future__ import annotations

import pytest

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.commands.remove_unused_imports import RemoveUnusedImportsCommand
from libcst.codemod.commands.rename import RenameCommand

from runner.transforms import codemod as codemod_module
from runner.transforms.base import FileContext
from runner.transforms.codemod import CodemodTransform
from runner.transforms.codemod_imports import bound_names, run_codemod, without_bystanders
from runner.transforms.import_use import imports_all_used

#: (source, whether the analysis may claim every import used); libcst decides the rest
USE_CASES = {
    "attribute store": ("import N\nN.x = 1\n", True),
    "subscript store": ("import N\nN[0] = 1\n", True),
    "f-string": ("import N\nprint(f'{N}')\n", True),
    "format spec": ("import N\nprint(f'{x:{N}}')\n", True),
    "decorator": ("import N\n@N\ndef f(): pass\n", True),
    "default": ("import N\ndef f(a=N): pass\n", True),
    "annotation": ("import N\ndef f(a: N) -> N: pass\n", True),
    "future annotations": ("from __future__ import annotations\nimport N\nx: N = 1\n", True),
    "class body": ("import N\nclass A:\n    x = N\n", True),
    "lambda": ("import N\nf = lambda: N\n", True),
    "comprehension": ("import N\nx = [N for _ in y]\n", True),
    "method": ("import N\nclass A:\n    def f(self): return N\n", True),
    "method named like it": ("import copy\nclass A:\n    def copy(self): return copy.copy(self)\n", True),
    "parameter elsewhere": ("from m import tz\ndef f(tz=None): return tz\ndef g(): return tz.x\n", True),
    "in a function": ("def f():\n    import N\n    return N.x\n", True),
    "nested use": ("def f():\n    from m import N\n    def g(): return N\n    return g\n", True),
    "relative": ("from .sibling import N\nN()\n", True),
    "relative, no module": ("from . import N\n", True),
    "future only": ("from __future__ import annotations\n", True),
    "unused": ("import N\n", False),
    "use before": ("print(N)\nimport N\n", False),
    "same line": ("import N; N.x()\n", False),
    "in a class": ("class A:\n    import N\n    x = N\n", False),
    "class shadows its own load": ("import N\nclass A:\n    N = 1\n    x = N\n", False),
    "comprehension in a class": ("import N\nclass A:\n    N = 1\n    x = [N for _ in y]\n", False),
    "lambda default in a class": ("import N\nclass A:\n    N = 1\n    f = lambda a=N: a\n", False),
    "function shadows": ("import N\ndef f(N): return N\n", False),
    "local before the import": ("def f():\n    x = N\n    import N\n", False),
    "only a string": ("import N\n__all__ = ['N']\n", False),
    "type comment": ("import N\nx = 1  # type: N\n", False),
    "dotted": ("import a.b\na.b.c()\n", False),
    "star": ("from m import *\nimport N\nN()\n", False),
    "global": ("import N\ndef f():\n    global N\n    N = 1\n", False),
    "bound twice": ("try:\n    import N\nexcept ImportError:\n    N = None\nN()\n", False),
    "match": ("import N\nmatch x:\n    case N.a: pass\n", False),
    "relative beyond the package": ("from ... import N\nN()\n", False),
    "not python 3": ("import N\nprint N\n", False),
}


def _libcst_keeps(code: str, package: str = "pkg") -> bool:
    ctx = CodemodContext(filename="pkg/m.py", full_module_name=f"{package}.m", full_package_name=package)
    try:
        return RemoveUnusedImportsCommand(ctx).transform_module(cst.parse_module(code)).code == code
    except Exception:
        return False


@pytest.mark.parametrize("name", sorted(USE_CASES))
def test_imports_all_used_claims_only_what_libcst_keeps(name: str) -> None:
    code, expected = USE_CASES[name]
    claim = imports_all_used(code, "pkg")
    assert claim == expected
    if claim:
        assert _libcst_keeps(code)


def test_unresolvable_relative_import_is_left_to_the_codemod() -> None:
    assert not imports_all_used("from . import N\n", None)
    assert not imports_all_used("from .. import N\nN()\n", "pkg")


RENAME = {"old_name": "pkg.text.old", "new_name": "pkg.text.new"}
#: modules on which the codemods schedule import removals (a kept or removed import each)
REMOVAL_CASES = {
    "rename": ("from pkg.text import old\nimport os\n\n\ndef f():\n    return old(os.sep)\n\n\nclass A:\n    x = 1\n", RENAME),
    "rename, other use": ("from pkg.text import old\n\n\nx = old\n# old\ny = 2\n", RENAME),
    "rename in a function": ("import os\n\ndef f():\n    from pkg.text import old\n    return old\n\ndef g(): pass\n", RENAME),
    "export by escape": ("import os\nfrom m import X\n\n__all__ = ['\\x58']\n\ndef f(): pass\n", {}),
    "export by concatenation": ("from m import XY\n\n__all__ = ['X' 'Y']\n\ndef f(): pass\n", {}),
    "export across lines": ("from m import XY\n\n__all__ = [\n    'X'  # c\n    'Y'\n]\n", {}),
    "string annotation": ("from m import Li\nimport os\n\n\ndef f(a: 'L' 'i'): pass\n\n\ndef g(): return os\n", {}),
    "typevar bound": ("from typing import TypeVar\nfrom m import Base\n\nT = TypeVar('T', bound='Base')\n", {}),
    "unused among used": ("import os\nimport sys\nfrom m import (a,\n    b)\n\n\ndef f():\n    return a\n", {}),
    "comments kept": ("import os  # why\n\n# lead\nimport sys\n\n\nclass A:\n    '''doc'''\n", {}),
    "noqa": ("import os  # noqa\nimport sys\n\nx = 1\n", {}),
    "stub prefix in the text": ("import os\n__batchmod_stub_1 = 1\n", {}),
}


def _run(cls: type, code: str, args: dict[str, str], fast: bool) -> tuple[str, tuple[str, ...]]:
    ctx = CodemodContext(filename="pkg/m.py", full_module_name="pkg.m", full_package_name="pkg")
    codemod = cls(ctx, **args)
    tree = cst.parse_module(code)
    out = run_codemod(codemod, tree) if fast else codemod.transform_module(tree)
    return out.code, tuple(ctx.warnings)


@pytest.mark.parametrize("name", sorted(REMOVAL_CASES))
def test_scoped_removals_match_the_whole_module_run(name: str) -> None:
    code, args = REMOVAL_CASES[name]
    cls = RenameCommand if args else RemoveUnusedImportsCommand
    assert _run(cls, code, args, fast=True) == _run(cls, code, args, fast=False)


def test_stubs_cover_only_statements_without_a_scheduled_name() -> None:
    module = cst.parse_module("import os\n\ndef f():\n    return os\n\ndef g():\n    return 1\n\nx = 'o' 's'\n")
    scoped, stubs = without_bystanders(module, [("os", None, None)])
    assert [type(s).__name__ for s in stubs.values()] == ["FunctionDef"]
    assert "__batchmod_stub_2" in scoped.code and "def g" not in scoped.code
    assert bound_names([("a.b", None, None), ("m", "x", None), ("m", "y", "z")]) == {"a", "x", "z"}
    assert bound_names("not a list") is None and bound_names([("", None, None)]) is None
    assert without_bystanders(module, None) == (module, {})


@pytest.mark.parametrize("name", sorted(USE_CASES))
def test_codemod_transform_fast_and_slow_paths_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _ = USE_CASES[name]
    try:
        tree = cst.parse_module(code)
    except cst.ParserSyntaxError:
        pytest.skip("libcst does not parse it either: the engine reports it before any transform")
    transform = CodemodTransform(RemoveUnusedImportsCommand, {})
    ctx = FileContext("/nonexistent-root", "pkg/m.py", "pkg.m", "pkg")
    outcomes = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(codemod_module, "imports_all_used", lambda code, package: False)
        try:
            result = transform.transform_module(tree, ctx)
            rendered = result.code if result.code is not None else result.module.code
            outcomes.append((rendered, result.warnings, result.gaps))
        except Exception as exc:
            outcomes.append((type(exc).__name__, str(exc)))
    assert outcomes[0] == outcomes[1]
