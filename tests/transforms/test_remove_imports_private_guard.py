"""remove_imports stays correct when libcst's RemoveImportsVisitor lacks the private parts
the direct path relies on: it falls back to the full visitor run."""
from __future__ import annotations

import libcst as cst
import pytest
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import RemoveImportsVisitor

from runner.transforms.rewrite import imports
from runner.transforms.rewrite.rules import ImportSpec

GOLDEN = "import os\nimport sys\nfrom typing import List, Dict\n\n\ndef f() -> Dict:\n    return sys.argv\n"
SPECS = [ImportSpec("os"), ImportSpec("typing", "List"), ImportSpec("typing", "Dict")]


def _removed() -> str:
    module = cst.parse_module(GOLDEN)
    return imports.remove_imports(module, CodemodContext(), SPECS, code=GOLDEN).code


def test_without_the_private_attribute_the_output_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    normal = _removed()
    assert normal == "import sys\nfrom typing import Dict\n\n\ndef f() -> Dict:\n    return sys.argv\n"
    original_init = RemoveImportsVisitor.__init__

    def init_without_private(self: RemoveImportsVisitor, *args: object, **kwargs: object) -> None:
        original_init(self, *args, **kwargs)  # type: ignore[arg-type]
        del self._unused_imports

    monkeypatch.setattr(RemoveImportsVisitor, "__init__", init_without_private)
    assert not imports._private_path_usable(RemoveImportsVisitor(CodemodContext()))
    monkeypatch.setattr(imports, "_removed_by_visitor", _counting(imports._removed_by_visitor, calls := []))
    assert _removed() == normal
    assert calls


def _counting(fn, calls: list):  # type: ignore[no-untyped-def]
    def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return fn(*args, **kwargs)
    return wrapped
