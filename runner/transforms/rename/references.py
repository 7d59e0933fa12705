"""Planning dotted and attribute references (``a.b.c``, ``x.c``, ``b.c``) to renamed
names, the imports they then need, and the imports they leave unused."""
from __future__ import annotations

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import ImportAssignment

from runner.transforms.rename.analysis import FREE, TAKEN, FileAnalysis, attribute_chain
from runner.transforms.rename.modules import bound_name
from runner.transforms.rename.spec import dotted_expr, is_under, last_of, parent_of, top_of


def plan_references(file: FileAnalysis) -> None:
    """Point every dotted/attribute reference to a renamed name at its new name.

    Bare names bound by a renamed import are left to the binding step (run first).
    """
    for node in file.nodes.refs:
        if node in file.plan.replace or file.covered(node):
            continue
        if isinstance(node, cst.Name) and node not in file.accesses:
            continue  # an attribute name, keyword, parameter... not a reference
        resolved = file.resolved(node)
        hits = {name for name in resolved if name in file.targets}
        if not hits:
            continue
        file.related = True
        text = get_full_name_for_node(node)
        if isinstance(node, cst.Name) and text not in hits:
            continue  # a local binding of an import: handled by its group
        if len(resolved) > 1:
            file.gap(node, (
                f"{text} may refer to {sorted(hits)[0]} or to something else; not rewritten"
            ))
            continue
        source = hits.pop()
        target = file.targets[source]
        if file.is_destination:
            file.gap(node, (
                f"{file.ctx.path} is the destination of {file.spec.old}: use the local "
                "definition here once it is moved"
            ))
            continue
        if text == source:  # spelled in full through a plain `import a.b`
            file.plan.replace[node] = dotted_expr(target).with_changes(
                lpar=node.lpar, rpar=node.rpar)
            if parent_of(target) != parent_of(source):
                _ensure_import(file, node, source, target)
        elif not isinstance(node, cst.Attribute):
            continue
        elif parent_of(target) == parent_of(source):
            file.plan.attr_renames[node] = last_of(target)
        else:
            _bare_name(file, node, source, target)


def _consume(file: FileAnalysis, assignment: ImportAssignment | None, node: cst.CSTNode) -> None:
    """Note that ``node`` (and the names it is read from) no longer uses ``assignment``."""
    if assignment is None:
        return
    for current in attribute_chain(node):
        file.consumed.setdefault(assignment, set()).add(current)


def _ensure_import(file: FileAnalysis, node: cst.CSTNode, source: str, target: str) -> None:
    """``a.b.c`` became ``a.d.c``: make sure ``import a.d`` is there."""
    needed = parent_of(target) or target
    stmt, assignment = file.binding_of(node)
    scopes = [file.global_scope] + ([file.scopes[stmt]] if stmt is not None else [])
    if any(is_under(p, needed) for s in scopes for p in file.provided.get(id(s), ())):
        _consume(file, assignment, node)
        return
    if stmt is None:
        file.gap(node, f"this now refers to {target}; add `import {needed}`")
        return
    root = top_of(needed)
    if root != top_of(source) and any(
        not (isinstance(a, ImportAssignment) and isinstance(a.node, cst.Import))
        for a in file.scopes[node][root]
    ):
        del file.plan.replace[node]
        file.gap(node, f"this should become {target}, but `{root}` is bound to something else here")
        return
    file.plan.import_edit(stmt).add(f"import {needed}")
    file.provided.setdefault(id(file.scopes[stmt]), set()).add(needed)
    _consume(file, assignment, node)


def _bare_name(file: FileAnalysis, node: cst.Attribute, source: str, target: str) -> None:
    """``x.c`` through a module alias, moved: becomes ``c`` imported from the new
    module (next to the import that bound ``x``)."""
    new_local = last_of(target)
    stmt, assignment = file.binding_of(node)
    if stmt is None:
        file.gap(node, f"this refers to {source}, which moves to {target}; not rewritten")
        return
    state = file.name_state(new_local, [file.scopes[node], file.scopes[stmt]], target)
    if state == TAKEN:
        file.gap(node, (
            f"this refers to {source}, which moves to {target}, but {new_local} "
            "is already bound here; not rewritten"
        ))
        return
    file.plan.replace[node] = cst.Name(new_local, lpar=node.lpar, rpar=node.rpar)
    key = (id(file.scopes[stmt]), new_local)
    if state == FREE and key not in file.added:
        file.added.add(key)
        file.add_from_import(stmt, parent_of(target) or "", new_local)
    _consume(file, assignment, node)


def plan_cleanup(file: FileAnalysis) -> None:
    """Drop imports that only served references we pointed elsewhere."""
    for assignment in file.consumed:
        stmt = assignment.node
        if not isinstance(stmt, (cst.Import, cst.ImportFrom)) or isinstance(
            stmt.names, cst.ImportStar
        ):
            continue
        if assignment.name in file.dunder_all_values or (
            file.ctx.path.endswith("__init__.py") and file.scopes[stmt] is file.global_scope
        ):
            continue  # may be a re-export
        edit = file.plan.import_edit(stmt)
        index = next(
            (i for i, alias in enumerate(stmt.names) if bound_name(alias) == assignment.name),
            None,
        )
        if index is None or index in edit.aliases:
            continue
        # Every binding this alias creates (`import a.b` binds `a.b` and `a`) must
        # have lost all its uses, unless an added import rebinds the same root.
        root = top_of(assignment.name)
        rebinds_root = any(
            src == f"import {root}" or src.startswith(f"import {root}.") for src in edit.additions
        )
        related = [
            a for a in file.scopes[stmt].assignments
            if getattr(a, "node", None) is stmt and is_under(assignment.name, a.name)
        ]
        if not all(
            r.node in file.consumed.get(a, set())
            for a in related if not (rebinds_root and a.name != assignment.name)
            for r in a.references
        ):
            continue
        remaining = [i for i in range(len(stmt.names)) if i != index and not (
            i in edit.aliases and edit.aliases[i].remove)]
        if not remaining and not edit.additions and not file.can_remove(stmt):
            continue
        edit.alias(index).remove = True
