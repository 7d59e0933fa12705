"""The ``rename`` transform: rename or move a module-level object, or rename a module.

``RenameTransform(old, new)`` takes two fully qualified dotted names. Per file it
rewrites, using libcst scope / qualified-name analysis (relative imports resolved
against ``ctx.full_package_name``):

* the definition itself (``def``/``class``/assignment/import binding at module level)
  when the file is the old module and only the last component changes;
* every import form: ``import a.b`` (+ ``a.b.c`` uses), ``import a.b as x`` (+
  ``x.c``), ``from a.b import c [as d]``, ``from a import b`` (+ ``b.c``), relative
  imports (kept relative when possible), multi-name imports (the other names are left
  alone), star imports / star re-exports and module-level ``__all__`` entries;
* every reference to a renamed binding, never a same-spelled unrelated name.

Contracts and chosen behaviour:

* **Local bindings follow the rename** (``from a.b import c`` -> ``from a.b import
  c_new`` and ``c()`` -> ``c_new()``) unless the new name is already bound or used in a
  scope concerned; then the old local name is kept with an alias
  (``from a.b import c_new as c``) and references stay. An existing import of the new
  name makes the old import redundant: it is dropped.
* **Moves** (the module part changes: ``a.b.c`` -> ``a.d.c``): code is not moved between
  files. References and imports everywhere are pointed at the new location; the old
  module keeps its definition and gets a Gap ("definition of a.b.c stays in a/b.py;
  move it to a.d"). A name moved out of a multi-name import goes to a new import line
  right after it. ``x.c`` through a module alias becomes a bare ``c`` imported from the
  new module (``a.b.c`` through a plain ``import a.b`` becomes ``a.d.c`` plus
  ``import a.d``); an import left unused by that is retargeted or removed. The
  destination module itself is left alone (importing the name from itself would be
  circular) with a Gap per site.
* **Module renames** (``old`` is a module): imports of it and of its submodules are
  rewritten; moving the file is out of scope and reported as a Gap in that module's
  own file (only when that file contains a needle, as the engine skips the rest).
  Files inside the renamed module move with it: their relative imports are spelled
  for the new location (usually unchanged).
* **Re-exports**: package ``__init__`` files above the old module are read from disk
  (``ctx.root``) to learn public aliases (``a/__init__.py: from .b import c`` makes
  ``a.c`` an alias of ``a.b.c``), so ``from a import c`` elsewhere follows the rename.
* **Strings** are never rewritten, except ``__all__`` entries of renamed module-level
  bindings. A literal containing a renamed dotted name (``mock.patch("a.b.c")``, a
  docstring), or equal to the bare old name in a file that uses the old name
  (``getattr(b, "c")``), is reported as a Gap. Comments are ignored.
* Output is lossless outside the edited nodes, re-parses, and a second application is
  a no-op. ``old`` must name a module or a module-level object (not a class member).
"""
from __future__ import annotations

import keyword
import os
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Iterable

import libcst as cst
from libcst.helpers import get_full_name_for_node
from libcst.metadata import Access, BaseAssignment, Scope

from runner.transforms.base import FileContext, Gap, TreeResult
from runner.transforms.rename_imports import (
    FREE,
    SAME,
    TAKEN,
    Binding,
    ImportPlanner,
    PlanApplier,
    RenameSpec,
    dotted_expr,
    dunder_all_strings,
    from_import_source,
    is_under,
    last_of,
    may_mention,
    parent_of,
    string_value,
    with_string_value,
)

__all__ = ["RenameSpec", "RenameTransform"]


def _check_dotted(label: str, value: object) -> str:
    if not isinstance(value, str) or not value or not all(
        part.isidentifier() and not keyword.iskeyword(part) for part in value.split(".")
    ):
        raise ValueError(
            f"rename: {label} must be a dotted Python name like 'pkg.mod.name', got {value!r}"
        )
    return value


class RenameTransform:
    """Rename ``old`` to ``new`` (fully qualified dotted names). Stateless per file."""

    def __init__(self, old: str, new: str) -> None:
        _check_dotted("old", old)
        _check_dotted("new", new)
        if old == new:
            raise ValueError(f"rename: old and new are the same name {old!r}")
        if is_under(new, old):
            # Every run would find `old` again inside `new`: not idempotent.
            raise ValueError(f"rename: new name {new!r} must not be inside old name {old!r}")
        self.spec = RenameSpec(old, new)

    def needles(self) -> tuple[str, ...]:
        """The old last component (every reference spells it, except star imports) and
        the old module's last component (``from .b import *`` re-exports)."""
        found = [self.spec.old_last]
        if self.spec.old_mod is not None and last_of(self.spec.old_mod) not in found:
            found.append(last_of(self.spec.old_mod))
        return tuple(found)

    def transform_module(self, module: cst.Module, ctx: FileContext) -> TreeResult:
        ctx = import_context(ctx, self.spec.old)
        # Needles match text anywhere (comments, other identifiers, the old module's
        # name); skip the costly scope analysis when no node can be concerned. Every
        # name this file may have to change ends in old_last (re-export aliases too).
        inside_old = ctx.full_module_name is not None and is_under(ctx.full_module_name, self.spec.old)
        if not inside_old and not may_mention(module, frozenset({self.spec.old_last})):
            return TreeResult(module=module)
        aliases = reexported_aliases(self.spec, ctx)
        planner = _Planner(module, ctx, self.spec, aliases)
        planner.run()
        gaps = tuple(sorted(planner.gaps, key=lambda g: (g.line, g.column, g.reason)))
        warnings = tuple(planner.warnings)
        if planner.plan.empty:
            return TreeResult(module=module, warnings=warnings, gaps=gaps)
        new_module = planner.module.visit(PlanApplier(planner.plan))
        cst.parse_module(new_module.code)  # fail this file rather than write broken code
        return TreeResult(module=new_module, warnings=warnings, gaps=gaps)


# Module names as Python imports them ------------------------------------------------


def import_context(ctx: FileContext, old: str) -> FileContext:
    """The file's context with names as Python imports them, not as paths from the root.

    libcst names ``src/pkg/mod.py`` ``src.pkg.mod``; Python (with ``src`` on the path)
    imports it as ``pkg.mod``. The module name comes from walking up the folders that
    hold an ``__init__.py``; ``root`` becomes the source folder holding the old name's
    top package (the file's own source folder, ``<root>/src`` or the root), so that
    package ``__init__`` files and modules are found on disk. ``path`` is unchanged.
    """
    folder = os.path.dirname(os.path.join(ctx.root, *ctx.path.split("/")))
    name, package = ctx.full_module_name, ctx.full_package_name
    if os.path.isfile(os.path.join(folder, "__init__.py")):  # in a regular package
        parts = [os.path.splitext(os.path.basename(ctx.path))[0]]
        while os.path.isfile(os.path.join(folder, "__init__.py")):
            parts.insert(0, os.path.basename(folder))
            folder = os.path.dirname(folder)
        if parts[-1] == "__init__":
            parts.pop()
            name = package = ".".join(parts)
        else:
            name, package = ".".join(parts), ".".join(parts[:-1])
    top = old.split(".")[0]
    lookup = ctx.root
    for candidate in (folder, os.path.join(ctx.root, "src"), ctx.root):
        if os.path.isdir(os.path.join(candidate, top)) or os.path.isfile(os.path.join(candidate, top + ".py")):
            lookup = candidate
            break
    return replace(ctx, root=lookup, full_module_name=name, full_package_name=package)


# Re-exports in package __init__ files ------------------------------------------------


def reexported_aliases(spec: RenameSpec, ctx: FileContext) -> dict[str, str]:
    """Public aliases of the old name created by package ``__init__`` files above the
    old module, read from disk: ``{"a.c": "a.c_new"}`` when ``a/__init__.py`` does
    ``from .b import c`` (or ``from .b import *``) for ``a.b.c`` -> ``a.b.c_new``.

    Deeper packages first, so chains (``a.b/__init__`` -> ``a/__init__``) resolve. The
    file being transformed is skipped: its own bindings are analysed directly.
    """
    aliases: dict[str, str] = {}
    if spec.old_mod is None:
        return aliases
    parts = spec.old_mod.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        package = ".".join(parts[:depth])
        if package == ctx.full_module_name:
            continue
        path = os.path.join(ctx.root, *parts[:depth], "__init__.py")
        try:
            stat = os.stat(path)
        except OSError:
            continue
        aliases.update(
            _package_reexports(
                path, stat.st_mtime_ns, stat.st_size, ctx.root, package, spec,
                tuple(sorted(aliases.items())),
            )
        )
    return aliases


@lru_cache(maxsize=256)
def _package_reexports(
    path: str, _mtime: int, _size: int, root: str, package: str, spec: RenameSpec,
    aliases: tuple[tuple[str, str], ...],
) -> dict[str, str]:
    # Cached per file version (mtime, size): pure function of the file's content.
    try:
        with open(path, "rb") as handle:
            module = cst.parse_module(handle.read())
    except (OSError, cst.ParserSyntaxError):
        return {}
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    planner = _Planner(module, FileContext(root, rel, package, package), spec, dict(aliases))
    planner.run()
    return {f"{package}.{old}": f"{package}.{new}" for old, new in planner.global_renames.items()}


# Planning ------------------------------------------------------------------------------

_RENAME, _ALIAS, _DROP = "rename", "alias", "drop"  # what happens to a local binding


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


class _Planner(ImportPlanner):
    """All rename decisions for one module: on top of the import statements handled
    by :class:`ImportPlanner`, local bindings (definitions, imported names, star-provided
    names) and the references that follow them, dotted/attribute references,
    ``__all__`` and string mentions. Built per file, never shared.
    """

    def __init__(
        self, module: cst.Module, ctx: FileContext, spec: RenameSpec, aliases: dict[str, str]
    ) -> None:
        super().__init__(module, ctx, spec, aliases)
        #: module-level bindings renamed here (old local -> new local): public names
        self.global_renames: dict[str, str] = {}
        #: module-level names whose ``__all__`` entries stay valid unchanged
        self._all_ok: set[str] = set()
        self._groups: dict[tuple[int, str], _Group] = {}
        self._all_strings: set[cst.SimpleString] = set()
        module_name = ctx.full_module_name
        self.is_defining = module_name is not None and module_name == spec.old_mod

    # -- helpers --------------------------------------------------------------------

    def _covered(self, node: cst.CSTNode) -> bool:
        """Is ``node`` inside a node that is already replaced wholesale?"""
        parent = self.parents.get(node)
        while parent is not None and not isinstance(parent, cst.BaseStatement):
            if parent in self.plan.replace:
                return True
            parent = self.parents.get(parent)
        return False

    def _rename_refs(self, refs: Iterable[Access], new: str, what: str) -> None:
        for access in refs:
            node = access.node
            if isinstance(node, cst.Name):
                self.plan.replace[node] = node.with_changes(value=new)
            else:  # e.g. a string annotation "c"
                self.gap(node, f"{what} is renamed to {new} here, but this reference is not a name")

    # -- the steps --------------------------------------------------------------------

    def run(self) -> None:
        self._plan_own_file()
        for stmt in self.nodes.imports:
            if isinstance(stmt, cst.ImportFrom):
                self._plan_import_from(stmt)
            else:
                self._plan_import(stmt)
        self._plan_groups()
        self._plan_references()
        self._plan_cleanup()
        self._plan_dunder_all()
        self._plan_strings()

    def _plan_own_file(self) -> None:
        spec, ctx = self.spec, self.ctx
        if ctx.full_module_name == spec.old:
            self._related = True
            old_path = "/".join(spec.old.split("."))
            new_path = "/".join(spec.new.split("."))
            where = (
                f"the package directory {old_path}/ to {new_path}/"
                if ctx.path.endswith("__init__.py")
                else f"{ctx.path} to {new_path}.py"
            )
            self.gaps.append(Gap(ctx.path, 1, 1, (
                f"module {spec.old} is renamed to {spec.new}; move {where} "
                "(file moves are out of scope)"
            )))
        if not self.is_defining:
            return
        self._related = True
        assignments = sorted(
            (
                a for a in self.global_scope.assignments[spec.old_last]
                if not self._imports_renamed(a)  # `from . import b` of module a.b itself
            ),
            key=lambda a: self.positions[a.node].start.line,
        )
        if not assignments:
            return
        if spec.is_move:
            # Code is not moved between files: references elsewhere already point to
            # the new location, so the definition must be moved by hand.
            self._all_ok.add(spec.old_last)
            renamed = f" and rename it to {spec.new_last}" if spec.new_last != spec.old_last else ""
            node = assignments[0].node
            self.gap(node, (
                f"definition of {spec.old} stays in {ctx.path}; move it to "
                f"{spec.new_mod}{renamed}"
            ), source=spec.old_last)
            return
        group = self._group(self.global_scope, spec.old_last, spec.new_last, spec.new)
        group.definition = True
        group.ours.update(assignments)

    def _group(self, scope: Scope, local: str, new_local: str, target: str) -> _Group:
        key = (id(scope), local)
        if key not in self._groups:
            self._groups[key] = _Group(scope, local, new_local, target)
        return self._groups[key]

    def _plan_groups(self) -> None:
        for binding in self._bindings:
            new_last = last_of(binding.target)
            if binding.as_kind == "alias" or binding.local == new_last:
                # The local name does not change: edit the import alone.
                edit = self.plan.import_edit(binding.stmt)
                asname = binding.local if binding.as_kind != "none" else None
                if binding.as_kind == "alias" and asname == new_last:
                    asname = None  # `c_new as c_new` -> `c_new`
                if binding.moved:
                    edit.alias(binding.index).remove = True
                    dots, module = self._spell(parent_of(binding.target) or "", binding.stmt)
                    edit.add(from_import_source(dots, module, new_last, asname))
                else:
                    change = edit.alias(binding.index)
                    change.name = new_last
                    if asname is None and binding.as_kind != "none":
                        change.asname = None
                continue
            group = self._group(self.scopes[binding.stmt], binding.local, new_last, binding.target)
            group.bindings.append(binding)
            group.ours.update(
                a for a in group.scope.assignments[binding.local]
                if getattr(a, "node", None) is binding.stmt
            )
        for stmt, module in self._stars:
            for source, target in self.targets.items():
                local = last_of(source)
                if parent_of(source) != module or local.startswith("_"):
                    continue
                if self.global_scope.assignments[local]:
                    continue  # bound explicitly: the star import does not provide it
                group = self._group(self.global_scope, local, last_of(target), target)
                if group.star is None and not group.bindings and not group.definition:
                    group.star = (stmt, module)
        for group in self._groups.values():
            self._plan_group(group)

    def _plan_group(self, group: _Group) -> None:
        scope, local, new_local = group.scope, group.local, group.new_local
        if group.star is not None:
            refs = [
                access for node, accesses in self.accesses.items()
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
            state = self._name_state(new_local, [scope, *(r.scope for r in refs)], group.target)
            mode = {FREE: _RENAME, SAME: _DROP, TAKEN: _ALIAS}[state]
        is_global = scope is self.global_scope
        if group.definition and mode != _RENAME:
            self._all_ok.add(local)
            first = min(group.ours, key=lambda a: self.positions[a.node].start.line)
            self.gap(first.node, (
                f"cannot rename the definition of {self.spec.old} to {new_local}: "
                f"{new_local} is already used in {self.ctx.path}"
            ), source=local)
            return
        if is_global and mode == _ALIAS:
            self._all_ok.add(local)
        elif is_global:
            self.global_renames[local] = new_local

        if group.star is not None:
            stmt, module = group.star
            target_module = parent_of(group.target) or ""
            needed = target_module != module and (
                refs or self.ctx.path.endswith("__init__.py")
                or local in self._dunder_all_values()
            )
            if mode == _ALIAS:
                self._all_ok.add(local)
                if needed or target_module == module:
                    # Keep the old local name valid (and re-exported) explicitly.
                    dots, spelled = self._spell(target_module, stmt)
                    self.plan.import_edit(stmt).add(
                        from_import_source(dots, spelled, new_local, local))
                return
            if needed and mode == _RENAME:
                dots, spelled = self._spell(target_module, stmt)
                self.plan.import_edit(stmt).add(from_import_source(dots, spelled, new_local))
                self._added.add((id(scope), new_local))
            self._rename_refs(refs, new_local, local)
            return

        for binding in group.bindings:
            edit = self.plan.import_edit(binding.stmt)
            if mode == _DROP and (self._can_remove(binding.stmt) or len(binding.stmt.names) > 1):
                edit.alias(binding.index).remove = True
                continue
            asname = local if mode == _ALIAS else (
                new_local if binding.as_kind == "redundant" else None)
            if binding.moved:
                edit.alias(binding.index).remove = True
                dots, spelled = self._spell(parent_of(binding.target) or "", binding.stmt)
                edit.add(from_import_source(dots, spelled, new_local, asname))
            else:
                edit.alias(binding.index).name = new_local
                if asname is not None:
                    edit.alias(binding.index).asname = asname
        if mode == _ALIAS:
            return
        # The group now binds the new name to the target in this scope: a moved
        # `x.c` reference here needs no extra import (see _bare_name).
        self._added.add((id(scope), new_local))
        if group.definition:
            binding_stmts = {id(b.stmt) for b in group.bindings}
            for assignment in group.ours:
                if id(getattr(assignment, "node", None)) not in binding_stmts:
                    self._rename_binding_node(assignment, local, new_local)
        self._rename_refs(refs, new_local, local)
        if is_global:
            for stmt in self.nodes.global_stmts:
                for item in stmt.names:
                    if item.name.value == local:
                        self.plan.replace[item.name] = item.name.with_changes(value=new_local)

    def _rename_binding_node(self, assignment: BaseAssignment, old: str, new: str) -> None:
        """Rename one module-level binding of the old name in the defining module."""
        node = getattr(assignment, "node", None)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            self.plan.replace[node.name] = node.name.with_changes(value=new)
        elif isinstance(node, cst.Name):
            self.plan.replace[node] = node.with_changes(value=new)
        elif isinstance(node, (cst.Import, cst.ImportFrom)) and not isinstance(
            node.names, cst.ImportStar
        ):
            for index, alias in enumerate(node.names):
                if (alias.evaluated_alias or alias.evaluated_name) == old:
                    self.plan.import_edit(node).alias(index).asname = new
        elif node is not None:
            self.gap(node, f"cannot rename this binding of {old} to {new} automatically")

    def _plan_references(self) -> None:
        """Dotted/attribute references (``a.b.c``, ``x.c``, ``b.c``) to a renamed name."""
        for node in self.nodes.refs:
            if node in self.plan.replace or self._covered(node):
                continue
            if isinstance(node, cst.Name) and node not in self.accesses:
                continue  # an attribute name, keyword, parameter... not a reference
            resolved = self._resolved(node)
            hits = {name for name in resolved if name in self.targets}
            if not hits:
                continue
            self._related = True
            text = get_full_name_for_node(node)
            if isinstance(node, cst.Name) and text not in hits:
                continue  # a local binding of an import: handled by its group
            if len(resolved) > 1:
                self.gap(node, f"{text} may refer to {sorted(hits)[0]} or to something else; not rewritten")
                continue
            source = hits.pop()
            target = self.targets[source]
            if self.is_destination:
                self.gap(node, (
                    f"{self.ctx.path} is the destination of {self.spec.old}: use the local "
                    "definition here once it is moved"
                ))
                continue
            if text == source:  # spelled in full through a plain `import a.b`
                self.plan.replace[node] = dotted_expr(target).with_changes(
                    lpar=node.lpar, rpar=node.rpar)
                if parent_of(target) != parent_of(source):
                    self._ensure_import(node, source, target)
            elif not isinstance(node, cst.Attribute):
                continue
            elif parent_of(target) == parent_of(source):
                self.plan.attr_renames[node] = last_of(target)
            else:
                self._bare_name(node, source, target)

    def _plan_dunder_all(self) -> None:
        self._all_strings = set(dunder_all_strings(self.module))
        for node in self._all_strings:
            value = string_value(node)
            if value in self.global_renames:
                self.plan.replace[node] = with_string_value(node, self.global_renames[value])

    def _plan_strings(self) -> None:
        """Report (never rewrite) other string mentions of renamed names."""
        patterns = [
            (source, re.compile(rf"(?<![\w.]){re.escape(source)}(?!\w)")) for source in self.targets
        ]
        related = self._related or bool(self.gaps) or not self.plan.empty
        bare = {last_of(s): s for s in self.targets} if related else {}
        for node in self.nodes.strings:
            if node in self.plan.replace:
                continue
            if node in self._all_strings and string_value(node) in self._all_ok:
                continue
            if isinstance(node, cst.SimpleString):
                value, source_text = string_value(node), node.value
            else:
                value = source_text = self.module.code_for_node(node)
            hit = next((s for s, pattern in patterns if pattern.search(value)), None)
            if hit is not None:
                self.gap(node, (
                    f"string mentions {hit}, which is renamed to {self.targets[hit]}; "
                    "not rewritten"
                ), source=source_text)
            elif value in bare:
                old = bare[value]
                self.gap(node, (
                    f"string {value!r} may name {old} (renamed to {self.targets[old]}); "
                    "not rewritten"
                ), source=source_text)

