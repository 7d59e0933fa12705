"""Planning the edits of import statements that name the renamed things.

Imports of the renamed module (or of modules inside it) are rewritten in place;
imports of a renamed name are recorded as :class:`~.analysis.Binding` for the
binding step, which decides about the local name they bind. Files inside a renamed
module spell their relative imports for the place they move to.
"""
from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node

from runner.transforms.rename.analysis import Binding, FileAnalysis
from runner.transforms.rename.modules import import_from_module, module_spelling
from runner.transforms.rename.spec import is_under, parent_of, top_of


def plan_imports(file: FileAnalysis) -> None:
    """Plan every import statement of the file, in source order."""
    for stmt in file.nodes.imports:
        if isinstance(stmt, cst.ImportFrom):
            _plan_import_from(file, stmt)
        else:
            _plan_import(file, stmt)


def _plan_import_from(file: FileAnalysis, stmt: cst.ImportFrom) -> None:
    package = file.ctx.full_package_name
    module = import_from_module(stmt, package)
    if module is None:
        if file.spec.old_last in file.module.code_for_node(stmt):
            file.warnings.append(
                f"{file.ctx.path}: cannot resolve {file.module.code_for_node(stmt).strip()!r} "
                "(relative import outside a known package); left unchanged"
            )
        return
    if _plan_source_module(file, stmt, module, package):
        return
    if isinstance(stmt.names, cst.ImportStar):
        _plan_star_import(file, stmt, module)
        return
    _plan_imported_names(file, stmt, module)


def _plan_source_module(file: FileAnalysis, stmt: cst.ImportFrom, module: str, package: str | None) -> bool:
    """Respell the module ``stmt`` reads from (``module``, resolved) when it or this file
    moves; True when that is all the statement needs (it reads from inside the old module)."""
    spec = file.spec
    if stmt.relative and file.inside_old and package is not None:
        # This file moves with the renamed module: spell the import relative to
        # the package it will live in (often unchanged).
        file.related = True
        new_package = spec.renamed(package) if is_under(package, spec.old) else parent_of(spec.new)
        moved_module = spec.renamed(module) if is_under(module, spec.old) else module
        spelled = module_spelling(moved_module, new_package, len(stmt.relative))
        if spelled != (len(stmt.relative), get_full_name_for_node(stmt.module) or ""):
            file.plan.import_edit(stmt).module = spelled
        return is_under(module, spec.old)
    if is_under(module, spec.old):  # importing from the renamed module (or inside it)
        file.related = True
        file.plan.import_edit(stmt).module = file.spell(spec.renamed(module), stmt)
        return True
    return False


def _plan_star_import(file: FileAnalysis, stmt: cst.ImportFrom, module: str) -> None:
    """``from module import *``: note a module-level one for later steps."""
    if file.scopes.get(stmt) is file.global_scope:
        file.stars.append((stmt, module))
    if any(parent_of(source) == module for source in file.targets):
        file.related = True


def _plan_imported_names(file: FileAnalysis, stmt: cst.ImportFrom, module: str) -> None:
    """Record each alias of ``stmt`` that imports a renamed name as a :class:`Binding`."""
    for index, alias in enumerate(stmt.names):
        name = alias.evaluated_name
        imported = f"{module}.{name}" if module else name
        if any(is_under(source, imported) for source in file.targets):
            file.related = True  # imports the old name or a module containing it
        target = file.targets.get(imported)
        if target is None:
            continue
        if file.is_destination:
            file.gap(alias, (
                f"{file.ctx.path} is the destination of {file.spec.old}: drop this import once "
                "the definition lives here"
            ))
            continue
        asname = alias.evaluated_alias
        as_kind = "none" if asname is None else ("redundant" if asname == name else "alias")
        file.bindings.append(Binding(
            stmt, index, target, asname or name, as_kind, moved=parent_of(target) != module,
        ))


def _plan_import(file: FileAnalysis, stmt: cst.Import) -> None:
    provided = file.provided.setdefault(id(file.scopes[stmt]), set())
    for index, alias in enumerate(stmt.names):
        name = get_full_name_for_node(alias.name) or ""
        if any(is_under(source, name) for source in file.targets):
            file.related = True
        if not is_under(name, file.spec.old):
            if alias.asname is None:
                provided.add(name)
            continue
        # `import a.b[.x] [as m]` of the renamed module: rewrite in place. Uses
        # spelled `a.b...` are rewritten by plan_references (their text is `old`).
        file.related = True
        new_name = file.spec.renamed(name)
        file.plan.import_edit(stmt).alias(index).name = new_name
        if alias.asname is None:
            provided.add(new_name)
            if top_of(new_name) != top_of(name):
                _check_lost_root(file, stmt, name)


def _check_lost_root(file: FileAnalysis, stmt: cst.Import, name: str) -> None:
    """``import a.b`` -> ``import x.y`` no longer binds ``a``: report other uses."""
    root = top_of(name)
    for assignment in file.scopes[stmt].assignments[root]:
        if getattr(assignment, "node", None) is not stmt:
            continue
        for access in assignment.references:
            if not file.resolved(access.node) & {file.spec.old}:
                file.gap(access.node, (
                    f"`{root}` was bound by `import {name}`, which is renamed to "
                    f"{file.spec.new}; this use needs its own import"
                ))
