"""Renames outside a module's own bindings: free names of doctest code, and text files."""
from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

from runner.transforms.rename.spec import RenameSpec
from runner.transforms.replace import TextResult


def rename_free_names(module: cst.Module, renames: dict[str, str]) -> cst.Module:
    """``module`` with every unbound name in ``renames`` renamed (doctest code sees the
    module's globals: a name it never binds is the module's)."""
    if not renames:
        return module
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    free: set[cst.Name] = set()
    for scope in {id(s): s for s in scopes.values() if s is not None}.values():
        for access in scope.accesses:
            node = access.node
            if isinstance(node, cst.Name) and node.value in renames and not access.referents:
                free.add(node)
    if not free:
        return module

    class _Rename(cst.CSTTransformer):
        def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
            return updated.with_changes(value=renames[original.value]) if original in free else updated

    return module.visit(_Rename())


def rename_in_text(text: str, spec: RenameSpec) -> TextResult:
    """Whole-word ``a.b.c`` and entry-point ``a.b:c`` forms of ``spec.old`` in any text."""
    count = 0
    forms = [(spec.old, spec.new)]
    if spec.old_mod and spec.new_mod:
        forms.append((f"{spec.old_mod}:{spec.old_last}", f"{spec.new_mod}:{spec.new_last}"))
    for old, new in forms:
        text, n = re.subn(rf"(?<![\w.]){re.escape(old)}(?![\w])", new, text)
        count += n
    return TextResult(text, count)
