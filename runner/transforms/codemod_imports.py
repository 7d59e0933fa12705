"""Run a libcst ``CodemodCommand`` as ``codemod.transform_module`` does, with its scheduled
import removals done on the statements that can bear on them.

``CodemodCommand.transform_module`` runs the codemod, then ``AddImportsVisitor`` and
``RemoveImportsVisitor`` when the codemod scheduled imports. ``RemoveImportsVisitor``
analyses the scopes of the whole module (several times libcst's parse) although whether
an import it was asked to remove is still used depends only on the statements that
mention the names the import binds. Here it runs on the module with a one-name stub for
every top-level statement that cannot bear on it, and the statements are put back after
it: the code is the same as the whole module's run would give. A statement is kept (not
stubbed) when its text mentions a scheduled name (comments and strings included, also
across adjacent string literals and through string escapes: ``__all__`` and string
annotations count as uses) or holds ``nonlocal`` (libcst's scope analysis raises on one
at module level); imports the schedule does not name cannot make a scheduled one used.
When the module's text holds the stub prefix, or the
schedule is not the list of name tuples libcst keeps, nothing is stubbed.
"""
from __future__ import annotations

import ast
import re
import warnings

import libcst as cst
from libcst.codemod import Codemod, CodemodCommand
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

from .import_clash import Wanted, clashes, import_text, maybe_bound

_STUB = "__batchmod_stub_"
#: adjacent string literals (``"a" "b"``, across lines and comments): their value is one string
_ADJACENT_QUOTES = re.compile(r"""["']+(?:\s*(?:#[^\n]*\n\s*)*[rRbBuUfF]{0,2}["']+)+""")
_ALWAYS_KEPT = re.compile(r"\bnonlocal\b")


class ImportClash(Exception):
    """The codemod scheduled an import whose name the module binds to something else."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line  #: the line of that binding
        self.reason = reason  #: "`name` is bound at line N to ...; the codemod needs `import ...`"


def run_codemod(codemod: Codemod, module: cst.Module) -> cst.Module:
    """``codemod.transform_module(module)``, the same code out; for a ``CodemodCommand``
    that does not override how it runs, the scheduled removals see only what bears on them.
    Raises :class:`ImportClash` (for such a command) instead of adding an import whose
    name the module's own scope binds to something else (``import_clash``)."""
    cls = type(codemod)
    if not (isinstance(codemod, CodemodCommand) and cls.transform_module is CodemodCommand.transform_module
            and cls._instantiate_and_run is CodemodCommand._instantiate_and_run):
        return codemod.transform_module(module)
    tree = super(CodemodCommand, codemod).transform_module(module)
    if AddImportsVisitor.CONTEXT_KEY in codemod.context.scratch:
        _check_clash(module, codemod.context.scratch[AddImportsVisitor.CONTEXT_KEY])
        tree = codemod._instantiate_and_run(AddImportsVisitor, tree)
    if RemoveImportsVisitor.CONTEXT_KEY in codemod.context.scratch:
        scoped, stubs = without_bystanders(tree, codemod.context.scratch[RemoveImportsVisitor.CONTEXT_KEY])
        tree = codemod._instantiate_and_run(RemoveImportsVisitor, scoped)
        if stubs:
            tree = tree.with_changes(body=[stubs.get(_stub_name(s), s) for s in tree.body])
    return tree


def _check_clash(module: cst.Module, scheduled: object) -> None:
    """Raise ImportClash when the module binds a name one of the ``scheduled`` imports
    (libcst's ``ImportItem`` list) binds, other than by that import, in its own scope."""
    wanted = [Wanted(i.module_name, i.obj_name, i.alias, i.relative) for i in scheduled
              if hasattr(i, "module_name")] if isinstance(scheduled, list) else []
    code = module.code
    if not wanted or not maybe_bound(code, wanted):
        return
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return
    found = clashes(tree, code.splitlines(keepends=True), wanted)
    for w in wanted:
        clash = found.at_module(w)
        if clash is not None:
            raise ImportClash(clash[0], f"{clash[1]}; the codemod needs `{import_text(w)}`")


def bound_names(scheduled: object) -> set[str] | None:
    """The names the imports of a ``RemoveImportsVisitor`` schedule bind (``asname``,
    else ``obj``, else the module's first part); None when it is not a list of
    ``(module, obj, asname)`` string tuples naming identifiers."""
    if not isinstance(scheduled, list):
        return None
    names: set[str] = set()
    for item in scheduled:
        if not (isinstance(item, tuple) and len(item) == 3 and all(x is None or isinstance(x, str) for x in item)):
            return None
        module, obj, asname = item
        name = (asname or obj or module or "").partition(".")[0]
        if not name.isidentifier():
            return None
        names.add(name)
    return names


def without_bystanders(module: cst.Module, scheduled: object) -> tuple[cst.Module, dict[str, cst.BaseStatement]]:
    """``module`` with stubs for its top-level statements that cannot bear on removing
    the ``scheduled`` imports, and the statements by stub name (empty: nothing stubbed)."""
    names = bound_names(scheduled)
    if not names or _STUB in module.code:
        return module, {}
    mention = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b")
    body = list(module.body)
    stubs: dict[str, cst.BaseStatement] = {}
    for k, stmt in enumerate(body):
        text = module.code_for_node(stmt)
        if _ALWAYS_KEPT.search(text) or _mentions(mention, text):
            continue
        name = f"{_STUB}{k}"
        stubs[name] = stmt
        body[k] = cst.SimpleStatementLine([cst.Expr(cst.Name(name))], leading_lines=stmt.leading_lines)
    return (module.with_changes(body=body) if stubs else module), stubs


def _mentions(mention: re.Pattern[str], text: str) -> bool:
    """``text`` may name a scheduled name: as written, with adjacent string literals
    joined, or with string escapes decoded (undecodable escapes: yes)."""
    if mention.search(text):
        return True
    joined = _ADJACENT_QUOTES.sub("", text)
    if mention.search(joined):
        return True
    if "\\" not in joined:
        return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            decoded = joined.encode("latin-1", "backslashreplace").decode("unicode_escape")
    except (UnicodeError, ValueError):
        return True
    return bool(mention.search(decoded))


def _stub_name(stmt: cst.BaseStatement) -> str:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr):
        value = stmt.body[0].value
        if isinstance(value, cst.Name):
            return value.value
    return ""
