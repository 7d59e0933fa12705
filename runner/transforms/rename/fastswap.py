"""The fast path's code edits: the identifier swaps of a plain rename (only the last part
changes), found with ``ast`` where the libcst path's scope analysis is certain to make the
same ones: one module-level binding of the old last part, its reads, and attributes that
spell the old dotted name through a root imported once at module level."""
from __future__ import annotations

import ast
import re

from runner.transforms.base import FileContext
from runner.transforms.rename.astfacts import Binding, Facts, attribute_chain, def_name_offset, offset, segment, whole_words
from runner.transforms.rename.modules import module_on_disk, resolve_relative
from runner.transforms.rename.spec import RenameSpec, parent_of, top_of

Edit = tuple[int, int, bytes]  #: (start, end, new bytes) of a source edit
Substitution = tuple[ast.AST, str, object]  #: (node, field, new value) the edit makes in the tree
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def swaps(spec: RenameSpec, source: bytes, ctx: FileContext, facts: Facts, starts: list[int],
          words: set[int]) -> tuple[list[Edit], list[Substitution], set[int], dict[str, str]] | str:
    """The swaps, their tree substitutions, the mentions (offsets among ``words``) they and
    the attributes left alone account for, and the module-level bindings renamed (old ->
    new local name); or why the file is not a plain swap."""
    if whole_words(source, spec.new_last.encode()):
        return "the new name occurs in the file"
    if b"*" in source and _has_star(source):
        return "a star import"
    binding = _binding(spec, source, ctx, facts, starts)
    if isinstance(binding, str):
        return binding
    at_node = [] if binding is None else [binding[:2]]
    aliased = binding is not None and isinstance(binding[1], ast.alias) and binding[1].asname is not None
    kept: list[int] = []
    for name in facts.loads:
        if name.id == spec.old_last:
            if binding is None or aliased:
                return "a read of the name it does not bind to the old name"
            at_node.append((offset(starts, name.lineno, name.col_offset), name))
    for node in facts.attributes:
        if node.attr == spec.old_last:
            verdict = _attribute(spec, source, starts, facts, node, ctx.full_package_name, ctx.root)
            if verdict is None:
                return "an attribute libcst may resolve otherwise"
            end = offset(starts, node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
            (at_node.append((end - len(spec.old_last), node)) if verdict else kept.append(end - len(spec.old_last)))
    claimed = [at for at, _ in at_node] + kept
    if len(set(claimed)) != len(claimed) or not set(claimed) <= words:
        return "a name whose position ast and the bytes do not agree on"
    old, new = spec.old_last.encode(), spec.new_last.encode()
    edits = [(at, at + len(old), new) for at, _ in at_node]
    subs = [(node, _FIELD[type(node)], spec.new_last) for _, node in at_node]
    renames = {spec.old_last: spec.new_last} if binding is not None and not aliased else {}
    return edits, subs, set(claimed), renames


_FIELD = {ast.Name: "id", ast.Attribute: "attr", ast.alias: "name",
          ast.FunctionDef: "name", ast.AsyncFunctionDef: "name", ast.ClassDef: "name"}


def _has_star(source: bytes) -> bool:
    """``import *`` anywhere, doctests included (whitespace and continuations between)."""
    return re.search(rb"import(?:\s|\\)*\*", source) is not None


def _binding(spec: RenameSpec, source: bytes, ctx: FileContext, facts: Facts,
             starts: list[int]) -> tuple[int, ast.AST] | str | None:
    """Where the one binding of the old last part spells it, and its node (None: no
    binding, in another module than the old one); or why it is not supported: more than
    one, not at module level, or not ``from <old module> import old [as y]`` / the old
    module's ``def`` or ``class``."""
    bindings = facts.bindings.get(spec.old_last, []) + facts.renamed_imports.get(spec.old_last, [])
    defining = ctx.full_module_name == spec.old_mod
    if not bindings and not defining:
        return None
    if len(bindings) != 1 or not bindings[0].module_level:
        return "the name is bound more than once, or not at module level"
    node, alias = bindings[0].node, bindings[0].alias
    if defining:
        at = def_name_offset(source, starts, node) if isinstance(node, _DEFS) else None
        return "the old module binds the name otherwise" if at is None else (at, node)
    if not isinstance(node, ast.ImportFrom) or alias is None or alias.name != spec.old_last:
        return "the name is bound by something else than an import"
    module = resolve_relative("." * node.level + (node.module or ""), ctx.full_package_name)
    if module != spec.old_mod or alias.asname == spec.old_last:
        return "the name is imported from another module, or as itself"
    return offset(starts, alias.lineno, alias.col_offset), alias


def _attribute(spec: RenameSpec, source: bytes, starts: list[int], facts: Facts,
               node: ast.Attribute, package: str | None, root: str) -> bool | None:
    """``<chain>.old``: renamed (True) when it is the old dotted name through a root
    imported once at module level; left (False) when its root is bound by no import
    (libcst resolves it to no import either) or by one import that makes it a name
    outside the project (``datetime.now``); None when unsure."""
    parts, value, plain = attribute_chain(node)
    if not isinstance(value, ast.Name):
        return False
    bindings = facts.bindings.get(value.id, [])
    if all(b.alias is None for b in bindings):
        return False
    if len(bindings) != 1 or not bindings[0].module_level:
        return None
    real = _imported_as(bindings[0])
    qualified = None if real is None else resolve_relative(".".join([real, *reversed(parts)]), package)
    if qualified != spec.old or not plain:
        return False if real is not None and _no_target(qualified, spec, root) else None
    spelled = ".".join([value.id, *reversed(parts)])
    # Spelled in full (`import a` + `a.b.c`): libcst rebuilds the whole dotted name, so
    # the swap is the same only if the source spells it without spaces or comments.
    return True if spelled != spec.old or segment(source, starts, node) == spec.old.encode() else None


def _no_target(qualified: str | None, spec: RenameSpec, root: str) -> bool:
    """Is ``qualified`` (libcst's name for an attribute) certainly none of the names the
    libcst path renames? Those are the old name, re-export aliases in its top package and
    aliases in modules found on disk below ``root`` (:mod:`.reexports`)."""
    if qualified is None:
        return True  # an unresolvable relative import: libcst resolves it to nothing
    parent = parent_of(qualified)
    return top_of(qualified) != top_of(spec.old) and (parent is None or not module_on_disk(root, parent))


def _imported_as(binding: Binding) -> str | None:
    """The dotted name libcst gives a name bound by ``import a [as x]`` / ``import a.b as
    x`` / ``from m import n [as x]``; None for ``import a.b`` (libcst's dotted bindings)."""
    node, alias = binding.node, binding.alias
    assert alias is not None
    if isinstance(node, ast.Import):
        return alias.name if alias.asname or "." not in alias.name else None
    assert isinstance(node, ast.ImportFrom)
    prefix = "." * node.level + (node.module or "")
    if prefix.endswith("."):
        return prefix + alias.name
    return f"{prefix}.{alias.name}" if prefix else alias.name
