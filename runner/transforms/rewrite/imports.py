"""Apply the ``imports:`` of the rules that fired.

Additions: ``import_add`` (what libcst's ``AddImportsVisitor`` makes, on the top-level
statements alone). Removals need to know which imports are used: ``scopes.NameFacts``
(Python's own parser) usually prove it for each import the removal weighs, and
``import_drop`` then edits those statements as ``RemoveImportsVisitor`` would; only
when some answer is not proved (or a statement to edit is not a line of its own at the
top level) does the visitor run (its scope analysis decides), on the module with the
top-level statements that cannot bear on the removal -- no import in them, no mention
of a name the removed imports bind -- replaced by stubs, put back after it. Only that
fallback imports libcst.codemod.
"""
from __future__ import annotations

import re
from typing import Iterable

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .bindings import import_statements
from .import_add import ImportContext, ModuleNames, add_imports
from .import_drop import Removals, dropped
from .rules import ImportSpec
from .scopes import NameFacts, facts_for

__all__ = ["ImportContext", "ModuleNames", "add_imports", "remove_imports"]


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom))
    )


def _stub(stmt: cst.BaseStatement, k: int, stubs: dict[str, cst.BaseStatement]) -> cst.BaseStatement:
    """A one-name statement standing for ``stmt`` (with its leading lines) while a visitor runs."""
    stub = cst.SimpleStatementLine([cst.Expr(cst.Name(f"__bm_head_{k}"))], leading_lines=stmt.leading_lines)
    stubs[f"__bm_head_{k}"] = stmt
    return stub


def _restored(body: Iterable[cst.BaseStatement], stubs: dict[str, cst.BaseStatement]) -> list[cst.BaseStatement]:
    """``body`` with each stub replaced by its statement (keeping the stub's leading lines)."""
    return [
        stubs[name].with_changes(leading_lines=stmt.leading_lines) if (name := _stub_name(stmt)) in stubs else stmt
        for stmt in body
    ]


def _stub_name(stmt: cst.BaseStatement) -> str:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
        value = stmt.body[0].value
        if isinstance(value, cst.Name) and value.value.startswith("__bm_head_"):
            return value.value
    return ""


def remove_imports(module: cst.Module, context: ImportContext, specs: Iterable[ImportSpec],
                   code: str | None = None, cheap: bool = True, visitor: bool = True) -> cst.Module | None:
    """Remove the imports ``specs`` name once nothing uses them. ``import m`` also covers
    ``import m as a`` and ``from m import n [as a]``; ``from m import n`` covers ``as`` forms.
    ``context.full_package_name`` resolves relative imports (a libcst CodemodContext, or
    ``ModuleNames``). ``code`` is ``module.code`` when the caller has it (the text whose
    names decide, when ``module`` stands for it); ``cheap=False`` always lets
    RemoveImportsVisitor decide (the same output, slower: for differential tests).
    ``visitor=False``: None instead of running RemoveImportsVisitor when ``code``'s
    binding facts do not decide (the only case where the answer depends on more than
    the module's top-level imports)."""
    specs = list(specs)
    if not specs:
        return module
    specs = _with_aliases(module, specs)
    direct = _removed_directly(module, context, specs, code) if cheap else None
    if direct is not None:
        return direct if direct is module else _keep_layout(module, direct)
    return _removed_by_visitor(module, context, specs) if visitor else None


def _removed_by_visitor(module: cst.Module, context: ImportContext, specs: list[ImportSpec]) -> cst.Module:
    """``remove_imports`` through RemoveImportsVisitor (its scope analysis decides)."""
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor

    if not isinstance(context, CodemodContext):
        context = CodemodContext(filename=getattr(context, "filename", None),
                                 full_module_name=getattr(context, "full_module_name", None),
                                 full_package_name=context.full_package_name)
    for spec in specs:
        RemoveImportsVisitor.remove_unused_import(context, spec.module, spec.obj, spec.asname)
    scoped, stubs = _without_bystanders(module, specs)
    after = RemoveImportsVisitor(context).transform_module(scoped)
    if stubs:
        after = after.with_changes(body=_restored(after.body, stubs))
    return _keep_layout(module, after)


def _removed_directly(module: cst.Module, context: ImportContext, specs: list[ImportSpec],
                      code: str | None) -> cst.Module | None:
    """What RemoveImportsVisitor would make of ``module`` (``module`` itself when it
    removes nothing), before ``_keep_layout``; None when the facts do not prove it."""
    removals = Removals.of(specs)
    package = context.full_package_name
    facts: NameFacts | None = None
    lines = {id(line.body[0]): k for k, line in enumerate(module.body) if _is_import_line(line)}
    body: list[cst.BaseStatement | None] = list(module.body)
    for stmt in import_statements(module):
        weighed = removals.weighed(stmt, package)
        if not weighed:
            continue
        facts = facts if facts is not None else facts_for(code if code is not None else module.code)
        if facts is None:
            return None
        unused = set()
        for alias in weighed:
            verdict = _unused(facts, alias)
            if verdict is None:
                return None
            if verdict:
                unused.add(alias)
        if not unused:
            continue
        k = lines.get(id(stmt))
        if k is None:
            return None  # nested, or beside other statements on its line: the visitor's job
        new = dropped(stmt, unused, removals, package)
        line = module.body[k]
        body[k] = None if new is None else line.with_changes(body=[new])  # type: ignore[call-arg]
    if body == list(module.body):
        return module
    return module.with_changes(body=[stmt for stmt in body if stmt is not None])


def _unused(facts: NameFacts, alias: cst.ImportAlias) -> bool | None:
    """Whether GatherUnusedImportsVisitor counts ``alias`` as unused; None: not proved."""
    local = alias.evaluated_alias or alias.evaluated_name
    head = local.partition(".")[0]
    if facts.surely_unused(head):
        return True
    if "." not in local and facts.surely_used(head):
        return False
    return None


def _without_bystanders(module: cst.Module, specs: list[ImportSpec]) -> tuple[cst.Module, dict[str, cst.BaseStatement]]:
    """``module`` with stubs for its top-level statements that hold no import and whose
    text (comments included) mentions none of the names ``specs`` bind: whether such an
    import is unused cannot depend on them."""
    names = {s.asname or s.obj or s.module.partition(".")[0] for s in specs}
    mention = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
    body = list(module.body)
    stubs: dict[str, cst.BaseStatement] = {}
    for k, stmt in enumerate(body):
        if next(import_statements(stmt), None) is not None or mention.search(module.code_for_node(stmt)):
            continue
        body[k] = _stub(stmt, k, stubs)
    return (module.with_changes(body=body) if stubs else module), stubs


def _keep_layout(before: cst.Module, after: cst.Module) -> cst.Module:
    """Blank lines as a formatter leaves them once imports are gone: a removed line's
    blank lines go to the next statement (import groups do not merge), and the file does
    not start with blank lines it did not start with."""
    old, new = list(before.body), list(after.body)
    if len(old) == len(new):
        return after
    out: list[cst.BaseStatement] = []
    carry, j = 0, 0
    first_removed = bool(new) and not _same_statement(old[0], new[0])
    for stmt in old:
        if j < len(new) and _same_statement(stmt, new[j]):
            kept = new[j]
            blanks = _blank_lines(kept)
            if carry > blanks:
                kept = kept.with_changes(leading_lines=[*(cst.EmptyLine() for _ in range(carry - blanks)), *kept.leading_lines])
            out.append(kept)
            carry, j = 0, j + 1
        else:
            carry = max(carry, _blank_lines(stmt))
    out.extend(new[j:])
    if first_removed and not _blank_lines(old[0]) and not before.header:
        lines = list(out[0].leading_lines)
        while lines and lines[0].comment is None:
            lines.pop(0)
        out[0] = out[0].with_changes(leading_lines=lines)
    return after.with_changes(body=out)


def _blank_lines(stmt: cst.BaseStatement) -> int:
    count = 0
    for line in stmt.leading_lines:
        if line.comment is not None:
            break
        count += 1
    return count


def _same_statement(old: cst.BaseStatement, new: cst.BaseStatement) -> bool:
    """Whether ``new`` is ``old`` after RemoveImportsVisitor (kept, maybe with fewer names)."""
    if type(old) is not type(new):
        return False
    if not _is_import_line(old):
        return _is_import_line(new) is False
    if not _is_import_line(new):
        return False
    a, b = old.body[0], new.body[0]  # type: ignore[attr-defined]
    if type(a) is not type(b):
        return False
    if isinstance(a, cst.ImportFrom):
        return len(a.relative) == len(b.relative) and _module_name(a) == _module_name(b)
    return bool({_alias(x) for x in a.names} & {_alias(x) for x in b.names})


def _module_name(stmt: cst.ImportFrom) -> str:
    return get_full_name_for_node(stmt.module) or "" if stmt.module is not None else ""


def _alias(alias: cst.ImportAlias) -> tuple[str, str | None]:
    return get_full_name_for_node(alias.name) or "", alias.evaluated_alias


def _with_aliases(module: cst.Module, specs: list[ImportSpec]) -> list[ImportSpec]:
    modules = {s.module for s in specs if s.obj is None}
    objects = {(s.module, s.obj) for s in specs if s.obj is not None}
    out = list(specs)
    for stmt in import_statements(module):
        if isinstance(stmt, cst.Import):
            for alias in stmt.names:
                name = get_full_name_for_node(alias.name) or ""
                if (name in modules and alias.asname is not None) or name.partition(".")[0] in modules and "." in name:
                    out.append(ImportSpec(name, None, alias.evaluated_alias))
        elif not stmt.relative and stmt.module is not None and not isinstance(stmt.names, cst.ImportStar):
            name = get_full_name_for_node(stmt.module) or ""
            for alias in stmt.names:
                if name in modules or (name, alias.evaluated_name) in objects:
                    out.append(ImportSpec(name, alias.evaluated_name, alias.evaluated_alias))
    return list(dict.fromkeys(out))
