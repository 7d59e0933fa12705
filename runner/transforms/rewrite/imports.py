"""Apply the ``imports:`` of the rules that fired, through libcst's import visitors.

``AddImportsVisitor`` only looks at the statements at the top of a module (docstring,
the first block of imports, and the statement after it), but a full pass of it over a
large module is slow; it is therefore run on a module holding just those statements,
and the rest of the body is put back after them. ``RemoveImportsVisitor`` needs scope
analysis of the whole module and runs on all of it (only when a rule asks for it).
"""
from __future__ import annotations

from typing import Iterable

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from .rules import ImportSpec


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom))
    )


def add_imports(module: cst.Module, context: CodemodContext, specs: Iterable[ImportSpec]) -> cst.Module:
    specs = list(specs)
    if not specs:
        return module
    for spec in specs:
        AddImportsVisitor.add_needed_import(context, spec.module, spec.obj, spec.asname, spec.relative)
    body = list(module.body)
    end = 1  # the first statement (docstring, __strict__ or anything), the import block, one more
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    head = module.with_changes(body=body[: end + 1])
    head = AddImportsVisitor(context).transform_module(head)
    return module.with_changes(body=[*head.body, *body[end + 1 :]])


def remove_imports(module: cst.Module, context: CodemodContext, specs: Iterable[ImportSpec]) -> cst.Module:
    specs = list(specs)
    if not specs:
        return module
    for spec in specs:
        RemoveImportsVisitor.remove_unused_import(context, spec.module, spec.obj, spec.asname)
    return RemoveImportsVisitor(context).transform_module(module)
