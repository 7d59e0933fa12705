"""How the names of a module are bound, from Python's own parser: a cheap stand-in for
libcst's ScopeProvider where it proves the answer.

``facts_for(code)`` walks the stdlib ``ast`` of the code once and records, per name:
where it occurs, which module-level imports bind it, whether anything else binds it
in any scope (assignment, augmented and annotated assignment, ``for`` / ``with`` /
``except`` / comprehension targets, walrus, ``del``, parameters, ``def`` / ``class``
names, ``global`` / ``nonlocal``, match captures, imports inside a ``def`` or
``class``), and whether a string literal other than a docstring holds the name as a
word (libcst parses string annotations, and reads ``__all__``). A name that is bound
by module-level imports only, and held by no such string, resolves the same in every
scope of the file: its qualified names follow from those imports as libcst's
``ImportAssignment`` computes them. Anything else is left to ScopeProvider (the
callers fall back). ``shared_scopes(module)`` is that fallback, resolved once per tree
object and kept for the next rewrite task handed the same tree.
"""
from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field
from typing import Iterable

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """A module-level import statement: libcst's view of what it binds."""

    module: str  #: ``""`` for ``import``; the module of ``from``, with its leading dots
    names: tuple[tuple[str, str | None], ...]  #: (dotted name, ``as`` name) per alias
    end: tuple[int, int]  #: where the statement ends (line, column)


@dataclass(slots=True)
class NameFacts:
    """What one module's code binds and uses, per name (see the module docstring)."""

    occurs: set[str] = field(default_factory=set)  #: as a Name (any context), match capture or class-pattern keyword
    bound: set[str] = field(default_factory=set)  #: bound other than by an import, in any scope
    inner_imports: set[str] = field(default_factory=set)  #: bound by an import inside a def or class
    imports: dict[str, list[ImportRecord]] = field(default_factory=dict)  #: dotted name -> module-level imports recording it
    inner_loads: set[str] = field(default_factory=set)  #: loaded inside the body of a def, lambda or class
    module_loads: dict[str, tuple[int, int]] = field(default_factory=dict)  #: the last load in module scope
    strings: list[str] = field(default_factory=list)  #: string literals other than docstrings
    #: the literal parts of f-strings: libcst may read the pieces of ``"a" "b" f"{c}"``
    #: one by one where Python joins them, so these count when they hold ``name`` at all
    fstring_parts: list[str] = field(default_factory=list)
    _in_strings: dict[str, bool] = field(default_factory=dict)

    def in_strings(self, name: str) -> bool:
        """Whether some string literal (docstrings aside) holds ``name`` as a word (an
        f-string's literal part: anywhere)."""
        found = self._in_strings.get(name)
        if found is None:
            word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
            found = any(name in s and word.search(s) for s in self.strings) or any(name in s for s in self.fstring_parts)
            self._in_strings[name] = found
        return found

    def only_imported(self, name: str) -> bool:
        """``name`` is bound by module-level imports and by nothing else in any scope
        (and no string literal holds it): every site of it resolves to those imports."""
        return (
            name in self.imports and name not in self.bound and name not in self.inner_imports
            and not self.in_strings(name)
        )

    def never_bound_but_by_imports(self, name: str) -> bool:
        """No scope binds ``name`` other than by an import (and no string literal holds
        it): what a bare site of it means is an import or a builtin, wherever it is."""
        return name not in self.bound and not self.in_strings(name)

    def qualified_names(self, full: str) -> set[str]:
        """The qualified names libcst gives the dotted name ``full`` whose head
        satisfies ``only_imported``: those of the imports recording its longest
        recorded prefix."""
        prefix = full
        while prefix not in self.imports:
            prefix = prefix.rpartition(".")[0]
        out: set[str] = set()
        for record in self.imports[prefix]:
            out |= _import_qualified(record, full)
        return out

    def surely_unused(self, name: str) -> bool:
        """Nothing can use an import binding ``name`` (or ``name.x``): no Name, match
        name or string literal (``__all__``, string annotations) mentions it."""
        return name not in self.occurs and not self.in_strings(name)

    def surely_used(self, name: str) -> bool:
        """A module-level ``import`` binding ``name`` is referenced, as libcst counts
        references: ``name`` is bound by module-level imports only, none of them binds
        a dotted ``name.x``, and it is loaded inside a def, lambda or class body or in
        module scope after one of those imports."""
        if not self.only_imported(name) or any(k.startswith(name + ".") for k in self.imports):
            return False
        if name in self.inner_loads:
            return True
        last = self.module_loads.get(name)
        return last is not None and any(last > record.end for record in self.imports[name])


def _import_qualified(record: ImportRecord, full: str) -> set[str]:
    """libcst's ``ImportAssignment.get_qualified_names_for`` for the statement ``record``."""
    module, results = record.module, set()
    for dotted, asname in record.names:
        parts = dotted.split(".")
        for real_name in (".".join(parts[:i]) for i in range(len(parts), 0, -1)):
            as_name = real_name
            if module and module.endswith("."):
                real_name = f"{module}{real_name}"
            elif module:
                real_name = f"{module}.{real_name}"
            if asname is not None:
                as_name = asname
            if full.startswith(as_name):
                remaining = full.split(as_name, 1)[1]
                if remaining and not remaining.startswith("."):
                    continue
                remaining = remaining.lstrip(".")
                results.add(f"{real_name}.{remaining}" if remaining else real_name)
                break
    return results


# -- the walk ----------------------------------------------------------------------

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TYPE_PARAMS = tuple(getattr(ast, n) for n in ("TypeVar", "ParamSpec", "TypeVarTuple") if hasattr(ast, n))


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(tp: type) -> tuple[str, ...]:
    """The fields of an ``ast`` node type that may hold nodes (its ``ctx`` aside)."""
    fields = _CHILD_FIELDS.get(tp)
    if fields is None:
        fields = _CHILD_FIELDS[tp] = tuple(f for f in tp._fields if f != "ctx")  # type: ignore[attr-defined]
    return fields


class _Walk:
    """One pass over a module's ``ast``; ``inner`` is true inside a def, lambda or
    class body (a scope of its own)."""

    def __init__(self) -> None:
        self.facts = NameFacts()

    def run(self, tree: ast.Module) -> NameFacts:
        """The facts of ``tree`` (nodes in any order: none of the facts depends on it)."""
        stack: list[tuple[ast.AST, bool]] = [(s, False) for s in tree.body]
        push = stack.append
        while stack:
            node, inner = stack.pop()
            children = self.visit(node, inner)
            if children is not None:
                stack.extend(children)
                continue
            for name in _child_fields(type(node)):
                value = getattr(node, name, None)
                if type(value) is list:
                    for child in value:
                        if isinstance(child, ast.AST):
                            push((child, inner))
                elif isinstance(value, ast.AST):
                    push((value, inner))
        return self.facts

    def visit(self, node: ast.AST, inner: bool) -> list[tuple[ast.AST, bool]] | None:
        """Record what ``node`` binds or uses; the children to walk (None: all, same scope)."""
        tp = type(node)
        facts = self.facts
        if tp is ast.Name:
            facts.occurs.add(node.id)  # type: ignore[attr-defined]
            ctx = type(node.ctx)  # type: ignore[attr-defined]
            if ctx is not ast.Load:
                facts.bound.add(node.id)  # type: ignore[attr-defined]
            elif inner:
                facts.inner_loads.add(node.id)  # type: ignore[attr-defined]
            else:
                pos = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
                if pos > facts.module_loads.get(node.id, (0, 0)):  # type: ignore[attr-defined]
                    facts.module_loads[node.id] = pos  # type: ignore[attr-defined]
            return []
        if tp is ast.Constant:
            value = node.value  # type: ignore[attr-defined]
            if type(value) is str:
                facts.strings.append(value)
            elif type(value) is bytes:
                facts.strings.append(value.decode("latin-1"))
            return []
        if tp is ast.JoinedStr:
            parts = [v for v in node.values if type(v) is not ast.Constant]  # type: ignore[attr-defined]
            facts.fstring_parts.extend(v.value for v in node.values if type(v) is ast.Constant)  # type: ignore[attr-defined]
            return [(v, inner) for v in parts]
        if tp is ast.Expr and type(node.value) is ast.Constant:  # type: ignore[attr-defined]
            return []  # a docstring (or any bare literal): not an annotation, not ``__all__``
        if tp in _FUNCTIONS or tp is ast.Lambda or tp is ast.ClassDef:
            return self._scope(node, inner)
        if tp is ast.Import or tp is ast.ImportFrom:
            self._import(node, inner)  # type: ignore[arg-type]
            return []
        if tp is ast.Global or tp is ast.Nonlocal:
            facts.bound.update(node.names)  # type: ignore[attr-defined]
            return []
        return self._other(node, tp)

    def _other(self, node: ast.AST, tp: type) -> None:
        facts = self.facts
        names: Iterable[str | None] = ()
        if tp is ast.ExceptHandler or tp is ast.MatchAs or tp is ast.MatchStar or tp in _TYPE_PARAMS:
            names = (node.name,)  # type: ignore[attr-defined]
        elif tp is ast.MatchMapping:
            names = (node.rest,)  # type: ignore[attr-defined]
        elif tp is ast.MatchClass:
            facts.occurs.update(node.kwd_attrs)  # type: ignore[attr-defined]  (libcst: accesses)
        for name in names:
            if name is not None:
                facts.bound.add(name)
                facts.occurs.add(name)
        return None

    def _scope(self, node: ast.AST, inner: bool) -> list[tuple[ast.AST, bool]]:
        """A def, lambda or class: its name and parameters bind; its decorators,
        defaults, annotations and bases belong to the enclosing scope; its body is inner."""
        facts = self.facts
        out: list[tuple[ast.AST, bool]] = [(d, inner) for d in getattr(node, "decorator_list", ())]
        out.extend((t, inner) for t in getattr(node, "type_params", ()))
        if type(node) is ast.ClassDef:
            facts.bound.add(node.name)  # type: ignore[attr-defined]
            out.extend((b, inner) for b in node.bases)  # type: ignore[attr-defined]
            out.extend((k, inner) for k in node.keywords)  # type: ignore[attr-defined]
            out.extend((s, True) for s in node.body)  # type: ignore[attr-defined]
            return out
        if type(node) is not ast.Lambda:
            facts.bound.add(node.name)  # type: ignore[attr-defined]
            if node.returns is not None:  # type: ignore[attr-defined]
                out.append((node.returns, inner))  # type: ignore[attr-defined]
        args: ast.arguments = node.args  # type: ignore[attr-defined]
        for arg in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg):
            if arg is not None:
                facts.bound.add(arg.arg)
                facts.occurs.add(arg.arg)
                if arg.annotation is not None:
                    out.append((arg.annotation, inner))
        out.extend((d, inner) for d in (*args.defaults, *args.kw_defaults) if d is not None)
        body = node.body  # type: ignore[attr-defined]
        out.extend((s, True) for s in (body if isinstance(body, list) else [body]))
        return out

    def _import(self, node: ast.Import | ast.ImportFrom, inner: bool) -> None:
        facts = self.facts
        if type(node) is ast.ImportFrom:
            if any(a.name == "*" for a in node.names):
                return  # libcst records no binding for ``import *``
            module = "." * (node.level or 0) + (node.module or "")
        else:
            module = ""
        pairs = tuple((a.name, a.asname) for a in node.names)
        record = ImportRecord(module, pairs, (node.end_lineno or 0, node.end_col_offset or 0))
        for dotted, asname in pairs:
            local = asname if asname is not None else dotted
            if inner:
                facts.inner_imports.add(local.partition(".")[0])
                continue
            parts = local.split(".")
            for k in range(len(parts), 0, -1):  # libcst records ``a.b.c``, ``a.b`` and ``a``
                entries = facts.imports.setdefault(".".join(parts[:k]), [])
                if record not in entries:
                    entries.append(record)


_FACTS: dict[str, NameFacts | None] = {}
_FACTS_KEPT = 16
_TREES: dict[str, ast.Module] = {}
_TREES_KEPT = 4


def keep_parse(code: str, tree: ast.Module) -> None:
    """Offer ``ast.parse(code)``, just made elsewhere, to a later ``facts_for(code)``
    (the last few are kept; the tree must not be changed)."""
    if len(_TREES) >= _TREES_KEPT:
        del _TREES[next(iter(_TREES))]
    _TREES[code] = tree


def facts_for(code: str) -> NameFacts | None:
    """The ``NameFacts`` of a module's code (cached per text: the tasks of a phase see
    the same code until one changes it); None when Python cannot parse it."""
    if code in _FACTS:
        return _FACTS[code]
    tree = _TREES.pop(code, None)
    if tree is None:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escapes: the run's own parse reports them
                tree = ast.parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
    facts = _Walk().run(tree) if tree is not None else None
    if len(_FACTS) >= _FACTS_KEPT:
        del _FACTS[next(iter(_FACTS))]
    _FACTS[code] = facts
    return facts


_SCOPES: dict[int, tuple[cst.Module, object]] = {}
_SCOPES_KEPT = 4


def shared_scopes(module: cst.Module):  # type: ignore[no-untyped-def]
    """libcst's ScopeProvider mapping of ``module`` (node -> Scope), resolved once per
    tree object: a later task handed the same, unchanged tree reuses it."""
    entry = _SCOPES.get(id(module))
    if entry is not None and entry[0] is module:
        return entry[1]
    scopes = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider)
    if len(_SCOPES) >= _SCOPES_KEPT:
        del _SCOPES[next(iter(_SCOPES))]
    _SCOPES[id(module)] = (module, scopes)
    return scopes
