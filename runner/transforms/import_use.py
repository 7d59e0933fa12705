"""Which imports a module provably uses, read with Python's ``ast`` (no libcst metadata).

``imports_all_used`` answers True only when libcst's scope analysis would find a
reference to every import alias of the module that ``RemoveUnusedImportsCommand`` could
remove: then that codemod leaves the module as it is, and its two full passes (positions,
then scope analysis and ``RemoveImportsVisitor``) can be skipped. Anything it does not
model answers False (the codemod then runs): an import in a class body, ``import a.b``
without ``as``, a star import, ``global`` / ``nonlocal`` of an imported name, a ``match``
statement, a relative import libcst cannot resolve, a name bound twice in the import's
scope, or an import whose only uses come before it in its own scope.

Scopes follow libcst's ``ScopeProvider``: a function body (and a lambda's) is a scope
seen from nested scopes; a class body is a scope its nested functions do not see;
comprehensions are folded into their enclosing scope (their bindings then count there,
and a class binding counts for the comprehension's loads: both only make the answer
False more often).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from libcst.helpers import get_absolute_module_from_package

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class _Unmodelled(Exception):
    """The module holds something the analysis does not model: answer False."""


@dataclass
class _Scan:
    is_class: list[bool] = field(default_factory=lambda: [False])  #: scope id -> a class body
    bindings: dict[tuple[str, int], int] = field(default_factory=dict)  #: (name, scope) -> count
    loads: dict[str, list[tuple[int, tuple[int, ...]]]] = field(default_factory=dict)  #: name -> (line, scopes)
    imports: list[tuple[ast.Import | ast.ImportFrom, tuple[int, ...]]] = field(default_factory=list)
    tainted: set[str] = field(default_factory=set)  #: names of a global / nonlocal statement

    def bind(self, name: str, chain: tuple[int, ...]) -> None:
        key = (name, chain[0])
        self.bindings[key] = self.bindings.get(key, 0) + 1

    def new_scope(self, is_class: bool) -> int:
        self.is_class.append(is_class)
        return len(self.is_class) - 1


def imports_all_used(code: str, package: str | None) -> bool:
    """Whether libcst's ``RemoveUnusedImportsCommand`` would keep every import of ``code``
    (a module of package ``package``, as libcst's codemod context names it); False when
    unsure. True implies the codemod leaves ``code`` unchanged."""
    try:
        tree = ast.parse(code)
        scan = _scan(tree)
        return all(_import_used(node, chain, scan, package) for node, chain in scan.imports)
    except (_Unmodelled, SyntaxError, ValueError, MemoryError, RecursionError):
        return False


def _scan(tree: ast.Module) -> _Scan:
    scan = _Scan()
    todo: list[tuple[ast.AST, tuple[int, ...]]] = [(node, (0,)) for node in tree.body]
    while todo:
        node, chain = todo.pop()
        _visit(node, chain, scan, todo)
    return scan


def _visit(node: ast.AST, chain: tuple[int, ...], scan: _Scan, todo: list[tuple[ast.AST, tuple[int, ...]]]) -> None:
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load):
            scan.loads.setdefault(node.id, []).append((node.lineno, chain))
        else:
            scan.bind(node.id, chain)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name == "*":
                raise _Unmodelled("star import")
            scan.bind(alias.asname or alias.name.partition(".")[0], chain)
        scan.imports.append((node, chain))
    elif isinstance(node, (*_FUNCTIONS, ast.Lambda)):
        _visit_function(node, chain, scan, todo)
    elif isinstance(node, ast.ClassDef):
        scan.bind(node.name, chain)
        todo.extend((n, chain) for n in (*node.decorator_list, *node.bases, *node.keywords))
        inner = (scan.new_scope(True), *chain)
        todo.extend((n, inner) for n in node.body)
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        scan.tainted.update(node.names)
    elif isinstance(node, ast.Match):
        raise _Unmodelled("match statement")
    else:
        if isinstance(node, ast.ExceptHandler) and node.name:
            scan.bind(node.name, chain)
        todo.extend((child, chain) for child in ast.iter_child_nodes(node))


def _visit_function(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, chain: tuple[int, ...], scan: _Scan,
                    todo: list[tuple[ast.AST, tuple[int, ...]]]) -> None:
    """Decorators, defaults and annotations belong to the enclosing scope; parameters and body to the function's."""
    args = node.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]
    outer: list[ast.AST] = [*args.defaults, *(d for d in args.kw_defaults if d is not None)]
    outer += [a.annotation for a in params if a.annotation is not None]
    if isinstance(node, _FUNCTIONS):
        scan.bind(node.name, chain)
        outer += [*node.decorator_list, *([node.returns] if node.returns is not None else [])]
    todo.extend((n, chain) for n in outer)
    inner = (scan.new_scope(False), *chain)
    for a in params:
        scan.bind(a.arg, inner)
    todo.extend((n, inner) for n in (node.body if isinstance(node, _FUNCTIONS) else [node.body]))


def _import_used(node: ast.Import | ast.ImportFrom, chain: tuple[int, ...], scan: _Scan, package: str | None) -> bool:
    """Every alias of ``node`` that the codemod could remove has a reference libcst sees."""
    scope = chain[0]
    if scan.is_class[scope]:
        return False
    if isinstance(node, ast.ImportFrom):
        if node.level and get_absolute_module_from_package(package, node.module, node.level) is None:
            return False  # the codemod raises ValueError here
        if (node.level == 0 and node.module == "__future__") or (node.level and node.module is None):
            return True  # libcst never removes these
    for alias in node.names:
        if alias.asname is None and "." in alias.name:
            return False
        name = alias.asname or alias.name
        if name in scan.tainted or scan.bindings.get((name, scope)) != 1:
            return False
        if not any(_resolves_to(name, scope, line, loads, scan) for line, loads in scan.loads.get(name, ())
                   if line > (node.end_lineno or node.lineno)):
            return False
    return True


def _resolves_to(name: str, scope: int, line: int, chain: tuple[int, ...], scan: _Scan) -> bool:
    """A load of ``name`` in the scopes ``chain`` (innermost first), after the import, reaches ``scope``'s binding."""
    if scope not in chain:
        return False
    for k, inner in enumerate(chain[: chain.index(scope)]):
        if scan.bindings.get((name, inner)) and (not scan.is_class[inner] or k == 0):
            return False  # shadowed (a class body shadows only its own loads)
    return True
