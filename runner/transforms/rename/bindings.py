"""Planning the local bindings of renamed names and the references that follow them.

A *group* is every binding of one local name in one scope that must change together:
the module-level definition in the old module, the ``from M import c [as d]``
aliases the import step recorded, or the name a star import provides. A group is
renamed (``c`` -> ``c_new``, with its references), keeps its old local name through
an alias (``from M import c_new as c``) when the new name is taken, or drops its
import when the new name is already imported from the same place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

import libcst as cst
from libcst.metadata import Access, BaseAssignment, Scope

from runner.transforms.rename.analysis import FREE, SAME, TAKEN, Binding, FileAnalysis
from runner.transforms.rename.modules import bound_name
from runner.transforms.rename.spec import last_of, parent_of

_RENAME, _ALIAS, _DROP = "rename", "alias", "drop"  # what happens to a local binding
_MODES = {FREE: _RENAME, SAME: _DROP, TAKEN: _ALIAS}


@dataclass
class _Group:
    """All bindings of one local name in one scope that must change together."""

    scope: Scope
    local: str
    new_local: str
    target: str
    ours: set[BaseAssignment] = field(default_factory=set)
    bindings: list[Binding] = field(default_factory=list)
    definition: bool = False  #: the module-level definition in the old module
    star: tuple[cst.ImportFrom, str] | None = None  #: (star import, its module)


def plan_bindings(file: FileAnalysis, definition: list[BaseAssignment]) -> None:
    """Decide every group: the old module's ``definition`` (see :mod:`.own_file`),
    names recorded by the import step, and names provided by module-level stars."""
    groups: dict[tuple[int, str], _Group] = {}

    def group_of(scope: Scope, local: str, new_local: str, target: str) -> _Group:
        return groups.setdefault((id(scope), local), _Group(scope, local, new_local, target))

    if definition:
        group = group_of(file.global_scope, file.spec.old_last, file.spec.new_last, file.spec.new)
        group.definition = True
        group.ours.update(definition)
    for binding in file.bindings:
        new_last = last_of(binding.target)
        if binding.as_kind == "alias" or binding.local == new_last:
            _keep_local_name(file, binding, new_last)
            continue
        group = group_of(file.scopes[binding.stmt], binding.local, new_last, binding.target)
        group.bindings.append(binding)
        group.ours.update(
            a for a in group.scope.assignments[binding.local]
            if getattr(a, "node", None) is binding.stmt
        )
    for stmt, module in file.stars:
        for source, target in file.targets.items():
            local = last_of(source)
            if parent_of(source) != module or local.startswith("_"):
                continue
            if file.global_scope.assignments[local]:
                continue  # bound explicitly: the star import does not provide it
            group = group_of(file.global_scope, local, last_of(target), target)
            if group.star is None and not group.bindings and not group.definition:
                group.star = (stmt, module)
    for group in groups.values():
        _plan_group(file, group)


def _keep_local_name(file: FileAnalysis, binding: Binding, new_last: str) -> None:
    """The local name does not change (``c as x``, or already ``c_new``): edit the
    import alone."""
    asname = binding.local if binding.as_kind != "none" else None
    if binding.as_kind == "alias" and asname == new_last:
        asname = None  # `c_new as c_new` -> `c_new`
    if binding.moved:
        _move_alias(file, binding, new_last, asname)
        return
    change = file.plan.import_edit(binding.stmt).alias(binding.index)
    change.name = new_last
    if asname is None and binding.as_kind != "none":
        change.asname = None


def _move_alias(file: FileAnalysis, binding: Binding, name: str, asname: str | None) -> None:
    """Take the alias out of its statement and import ``name`` from the new module on
    a line of its own right after it."""
    file.plan.import_edit(binding.stmt).alias(binding.index).remove = True
    file.add_from_import(binding.stmt, parent_of(binding.target) or "", name, asname)


def _plan_group(file: FileAnalysis, group: _Group) -> None:
    """Choose how the group changes (rename, alias or drop) and plan it."""
    scope, local, new_local = group.scope, group.local, group.new_local
    if group.star is not None:
        # libcst cannot see through `*`: the names it provides are unresolved accesses.
        refs = [
            access for node, accesses in file.accesses.items()
            if isinstance(node, cst.Name) and node.value == local
            for access in accesses if not access.referents
        ]
        mismatched = False
    else:
        refs = [r for a in scope.assignments[local] for r in a.references]
        mismatched = bool(set(scope.assignments[local]) - group.ours) or any(
            b.target != group.target for b in group.bindings
        )
    if mismatched:
        mode = _ALIAS
    else:
        mode = _MODES[file.name_state(new_local, [scope, *(r.scope for r in refs)], group.target)]
    is_global = scope is file.global_scope
    if group.definition and mode != _RENAME:
        file.all_ok.add(local)
        first = min(group.ours, key=lambda a: file.positions[a.node].start.line)
        file.gap(first.node, (
            f"cannot rename the definition of {file.spec.old} to {new_local}: "
            f"{new_local} is already used in {file.ctx.path}"
        ), source=local)
        return
    if is_global and mode == _ALIAS:
        file.all_ok.add(local)
    elif is_global:
        file.global_renames[local] = new_local
    if group.star is not None:
        _plan_star_group(file, group, refs, mode)
    else:
        _plan_bound_group(file, group, refs, mode)


def _plan_star_group(file: FileAnalysis, group: _Group, refs: list[Access], mode: str) -> None:
    """A name only a star import provides: add an explicit import when the old star
    no longer provides it and something needs it (uses, a package, ``__all__``)."""
    assert group.star is not None
    stmt, module = group.star
    local, new_local = group.local, group.new_local
    target_module = parent_of(group.target) or ""
    needed = target_module != module and (
        refs or file.ctx.path.endswith("__init__.py") or local in file.dunder_all_values
    )
    if mode == _ALIAS:
        file.all_ok.add(local)
        if needed or target_module == module:
            # Keep the old local name valid (and re-exported) explicitly.
            file.add_from_import(stmt, target_module, new_local, local)
        return
    if needed and mode == _RENAME:
        file.add_from_import(stmt, target_module, new_local)
        file.added.add((id(group.scope), new_local))
    _rename_refs(file, refs, new_local, local)


def _plan_bound_group(file: FileAnalysis, group: _Group, refs: list[Access], mode: str) -> None:
    """Names bound by imports or the definition: edit each import alias; unless the
    old local name stays, rename the definition, the references and ``global``s."""
    local, new_local = group.local, group.new_local
    for binding in group.bindings:
        edit = file.plan.import_edit(binding.stmt)
        if mode == _DROP and (file.can_remove(binding.stmt) or len(binding.stmt.names) > 1):
            edit.alias(binding.index).remove = True
            continue
        asname = local if mode == _ALIAS else (
            new_local if binding.as_kind == "redundant" else None)
        if binding.moved:
            _move_alias(file, binding, new_local, asname)
        else:
            edit.alias(binding.index).name = new_local
            if asname is not None:
                edit.alias(binding.index).asname = asname
    if mode == _ALIAS:
        return
    # The group now binds the new name to the target in this scope: a moved
    # `x.c` reference here needs no extra import (see references._bare_name).
    file.added.add((id(group.scope), new_local))
    if group.definition:
        binding_stmts = {id(b.stmt) for b in group.bindings}
        for assignment in group.ours:
            if id(getattr(assignment, "node", None)) not in binding_stmts:
                _rename_binding_node(file, assignment, local, new_local)
    _rename_refs(file, refs, new_local, local)
    if group.scope is file.global_scope:
        for stmt in file.nodes.global_stmts:
            for item in stmt.names:
                if item.name.value == local:
                    file.plan.replace[item.name] = item.name.with_changes(value=new_local)


def _rename_binding_node(
    file: FileAnalysis, assignment: BaseAssignment, old: str, new: str
) -> None:
    """Rename one module-level binding of the old name in the defining module."""
    node = getattr(assignment, "node", None)
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        file.plan.replace[node.name] = node.name.with_changes(value=new)
    elif isinstance(node, cst.Name):
        file.plan.replace[node] = node.with_changes(value=new)
    elif isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(
        node.names, cst.ImportStar
    ):
        for index, alias in enumerate(node.names):
            if bound_name(alias) == old:
                file.plan.import_edit(node).alias(index).asname = new
    elif node is not None:
        file.gap(node, f"cannot rename this binding of {old} to {new} automatically")


def _rename_refs(file: FileAnalysis, refs: Iterable[Access], new: str, what: str) -> None:
    for access in refs:
        node = access.node
        if isinstance(node, cst.Name):
            file.plan.replace[node] = node.with_changes(value=new)
        else:  # e.g. a string annotation "c"
            file.gap(node, f"{what} is renamed to {new} here, but this reference is not a name")
