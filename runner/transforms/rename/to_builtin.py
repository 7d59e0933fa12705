"""A rename to a builtin (``six.text_type`` → ``builtins.str``) leaves no import behind.

The planner spells the new name like any other (``import builtins`` +
``builtins.str``, or ``from builtins import str``); this pass, run on its output,
writes the bare builtin instead and drops the imports the rename added — unless the
module binds that name itself (a parameter or local ``str``), where the qualified
spelling is kept so the reference still means the builtin.
"""
from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

from runner.lazy import lazy_module

m = lazy_module("libcst.matchers")  # a third of a second to import; only renames to builtins use it


def unqualify_builtin(before: cst.Module, after: cst.Module, name: str) -> cst.Module:
    """``after`` with ``builtins.<name>`` written ``<name>`` and the added builtins imports
    removed; ``before`` (the input of the rename) says which imports were already there."""
    had_import = _imports_builtins(before)
    if _binds(after, name):
        return after
    return after.visit(_Unqualify(name, had_import))


def _imports_builtins(module: cst.Module) -> bool:
    return bool(m.findall(module, m.Import(names=[m.ZeroOrMore(), m.ImportAlias(name=m.Name("builtins")), m.ZeroOrMore()]))
                or m.findall(module, m.ImportFrom(module=m.Name("builtins"))))


def _binds(module: cst.Module, name: str) -> bool:
    """Does any scope of the module assign ``name`` other than ``from builtins import``?"""
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    for scope in {id(s): s for s in scopes.values() if s is not None}.values():
        for assignment in scope.assignments[name]:
            node = getattr(assignment, "node", None)
            if isinstance(node, cst.ImportFrom) and m.matches(node.module, m.Name("builtins")):
                continue
            return True
    return False


class _Unqualify(cst.CSTTransformer):
    def __init__(self, name: str, had_import: bool) -> None:
        super().__init__()
        self.name = name
        self.had_import = had_import

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if not self.had_import and m.matches(updated, m.Attribute(value=m.Name("builtins"), attr=m.Name(self.name))):
            return cst.Name(self.name, lpar=updated.lpar, rpar=updated.rpar)
        return updated

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine,
                                  updated: cst.SimpleStatementLine) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if self.had_import or len(updated.body) != 1:
            return updated
        stmt = updated.body[0]
        if m.matches(stmt, m.Import(names=[m.ImportAlias(name=m.Name("builtins"), asname=None)])):
            return cst.RemoveFromParent()
        if m.matches(stmt, m.ImportFrom(module=m.Name("builtins"), names=[m.ImportAlias(name=m.Name(self.name))])):
            alias = stmt.names[0]  # type: ignore[union-attr,index]
            if alias.asname is None or m.matches(alias.asname.name, m.Name(self.name)):
                return cst.RemoveFromParent()
        return updated
