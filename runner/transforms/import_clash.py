"""Whether an import a transform adds would bind a name the file already binds to something else.

A rewrite rule with ``imports: {add: ["import pytest"]}`` writes ``pytest.raises(...)`` at its
site and adds ``import pytest`` at the top. When the module already binds ``pytest``
otherwise (``pytest = None``, ``from foo import bar as pytest``, a def, a class, a
try/except fallback), the added import silently changes what the site or the rest of
the module means. A site is refused when the name the import binds is bound, other
than by that same import, in a scope its new code would read the name from: the
module's (``global`` declarations included), an enclosing function, lambda or
comprehension, or the class body the site is directly in. A binding in another function
(one the site is not in) does not refuse it. A codemod's sites are not known: a module
binding refuses its whole file (``module_clash``). Python's ``ast``, one walk, only for
the names asked about.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Protocol


class ImportSpec(Protocol):
    """An import to add (``rewrite.rules.ImportSpec`` fits): ``import module [as
    asname]`` or ``from module import obj [as asname]``, ``relative`` leading dots."""

    module: str
    obj: str | None
    asname: str | None
    relative: int


@dataclass(frozen=True, slots=True)
class Wanted:
    """An ``ImportSpec`` of its own (for imports other transforms schedule)."""

    module: str
    obj: str | None = None
    asname: str | None = None
    relative: int = 0

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (*_FUNCTIONS, ast.ClassDef, *_COMPREHENSIONS)


def bound_name(spec: ImportSpec) -> str:
    """The name ``spec`` binds: its ``as`` name, else the imported object, else the module's first part."""
    return spec.asname or spec.obj or spec.module.partition(".")[0]


def maybe_bound(code: str, specs: Iterable[ImportSpec]) -> bool:
    """Whether ``code`` may bind a name one of ``specs`` binds other than by that import
    (False: ``clashes`` of it finds nothing). Each word of that name is looked at: one
    that a ``.`` follows (``pytest.raises``: a load; ``import pytest.x``) or that a ``.``
    or a quote precedes (an attribute; ``we're``), or one in a line that is that import
    itself, binds nothing else; any other word (a load too, a comment) may, and
    ``clashes`` decides."""
    for spec in specs:
        name, line = bound_name(spec), import_text(spec)
        if name not in code:
            continue
        for m in re.finditer(rf"{re.escape(name)}(?!\w|[ \t]*\.)", code):  # (led by the name: a fast search)
            before = code[m.start() - 1: m.start()]
            if before and (before.isalnum() or before in "_.'\""):
                continue
            start = code.rfind("\n", 0, m.start()) + 1
            end = code.find("\n", m.end())
            if code[start: end if end >= 0 else len(code)].strip().partition("#")[0].rstrip() != line:
                return True
    return False


def import_text(spec: ImportSpec) -> str:
    """``spec`` as a statement: ``import m [as a]`` / ``from m import o [as a]``."""
    alias = f" as {spec.asname}" if spec.asname else ""
    if spec.obj is None:
        return f"import {spec.module}{alias}"
    return f"from {'.' * spec.relative}{spec.module} import {spec.obj}{alias}"


@dataclass(frozen=True, slots=True)
class _Region:
    """Where a scope's own names are read: ``start`` to ``end``, (line, 0-based column)."""

    start: tuple[int, int]
    end: tuple[int, int]
    is_class: bool

    def holds(self, at: tuple[int, int]) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True, slots=True)
class _Binding:
    name: str
    region: _Region | None  #: the scope that binds it; None: the module
    line: int
    what: str  #: what it binds the name to, for the reason


class Clashes:
    """The bindings of the names some imports would bind, other than those imports."""

    def __init__(self, bindings: list[_Binding], regions: list[_Region]) -> None:
        self._bindings = sorted(bindings, key=lambda b: b.line)
        self._regions = regions

    def __bool__(self) -> bool:
        return bool(self._bindings)

    def reason(self, spec: ImportSpec, at: tuple[int, int]) -> str | None:
        """Why a site at ``at`` (1-based line, 0-based column) cannot use ``spec``'s
        name once it is imported; None when nothing else binds it where the site reads it."""
        name = bound_name(spec)
        for b in self._bindings:
            if b.name == name and (b.region is None or (b.region.holds(at) and self._reads(b.region, at))):
                return f"`{name}` is bound at line {b.line} to {b.what}; the rewrite needs `{import_text(spec)}`"
        return None

    def at_module(self, spec: ImportSpec) -> tuple[int, str] | None:
        """The first binding of ``spec``'s name in the module's own scope: (its line,
        "`name` is bound at line N to ..."); None when there is none."""
        name = bound_name(spec)
        for b in self._bindings:
            if b.name == name and b.region is None:
                return b.line, f"`{name}` is bound at line {b.line} to {b.what}"
        return None

    def _reads(self, region: _Region, at: tuple[int, int]) -> bool:
        """Whether code at ``at`` (inside ``region``) reads the names of ``region``: a
        function's are read in its nested scopes too, a class body's only in itself."""
        return not region.is_class or not any(
            r != region and region.holds(r.start) and r.holds(at) for r in self._regions)


def clashes(tree: ast.Module, lines: list[str], specs: Iterable[ImportSpec]) -> Clashes:
    """The bindings in ``tree`` (``lines``: its text's lines) of the names ``specs`` bind,
    other than by an import that is the same as the one binding that name there."""
    wanted = {bound_name(s): s for s in specs}
    walk = _Walk(wanted, lines)
    walk.scope(tree.body, None)
    return Clashes(walk.resolved(), walk.regions)


class _Walk:
    """One pass over a module collecting the bindings of ``wanted`` names."""

    def __init__(self, wanted: dict[str, ImportSpec], lines: list[str]) -> None:
        self.wanted = wanted
        self.lines = lines
        self.found: list[tuple[_Binding, tuple[_Region | None, ...]]] = []  # with the scope chain
        self.declared: dict[_Region, dict[str, str]] = {}  # region -> name -> "global" / "nonlocal"
        self.regions: list[_Region] = []

    def resolved(self) -> list[_Binding]:
        """The bindings, a name declared ``global`` moved to the module, ``nonlocal`` to
        the enclosing function."""
        out = []
        for binding, chain in self.found:
            region = binding.region
            kind = self.declared.get(region, {}).get(binding.name) if region is not None else None
            if kind == "global":
                region = None
            elif kind == "nonlocal":
                outer = [r for r in chain[:-1] if r is not None and not r.is_class]
                region = outer[-1] if outer else None
            out.append(_Binding(binding.name, region, binding.line, binding.what))
        return out

    def scope(self, body: list[ast.AST], region: _Region | None, chain: tuple[_Region | None, ...] = (None,)) -> None:
        stack: list[tuple[ast.AST, ast.AST | None]] = [(node, node) for node in reversed(body)]
        while stack:
            node, stmt = stack.pop()
            if isinstance(node, ast.stmt):
                stmt = node
            for child in self._visit(node, stmt, region, chain):
                stack.append((child, stmt))

    def _bind(self, name: str, region: _Region | None, chain: tuple, line: int, what: str) -> None:
        if name in self.wanted:
            self.found.append((_Binding(name, region, line, what), chain))

    def _line(self, stmt: ast.AST | None, node: ast.AST) -> str:
        line = getattr(stmt if stmt is not None else node, "lineno", 1)
        text = " ".join(self.lines[line - 1].split()) if line <= len(self.lines) else ""
        return f"`{text if len(text) <= 80 else text[:79] + '…'}`"

    def _visit(self, node: ast.AST, stmt: ast.AST | None, region: _Region | None, chain: tuple) -> Iterator[ast.AST]:
        """The children to visit in this scope; nested scopes are walked here."""
        tp = type(node)
        if tp is ast.Name and not isinstance(node.ctx, ast.Load):  # type: ignore[attr-defined]
            self._bind(node.id, region, chain, node.lineno, self._line(stmt, node))  # type: ignore[attr-defined]
        elif tp in (ast.Import, ast.ImportFrom):
            for alias in node.names:  # type: ignore[attr-defined]
                local = alias.asname or alias.name.partition(".")[0]
                if local in self.wanted and not _same_import(node, alias, self.wanted[local]):  # type: ignore[arg-type]
                    self._bind(local, region, chain, node.lineno, self._line(stmt, node))  # type: ignore[attr-defined]
        elif tp in (ast.Global, ast.Nonlocal) and region is not None:
            kind = "global" if tp is ast.Global else "nonlocal"
            self.declared.setdefault(region, {}).update({n: kind for n in node.names})  # type: ignore[attr-defined]
        elif tp is ast.ExceptHandler and node.name:  # type: ignore[attr-defined]
            self._bind(node.name, region, chain, node.lineno, self._line(node, node))  # type: ignore[attr-defined]
        elif tp in (ast.MatchAs, ast.MatchStar) and node.name:  # type: ignore[attr-defined]
            self._bind(node.name, region, chain, node.lineno, self._line(stmt, node))  # type: ignore[attr-defined]
        elif tp is ast.MatchMapping and node.rest:  # type: ignore[attr-defined]
            self._bind(node.rest, region, chain, node.lineno, self._line(stmt, node))  # type: ignore[attr-defined]
        if isinstance(node, _SCOPES):
            yield from self._nested(node, stmt, region, chain)
            return
        yield from ast.iter_child_nodes(node)

    def _nested(self, node: ast.AST, stmt: ast.AST | None, region: _Region | None, chain: tuple) -> Iterator[ast.AST]:
        """A scope node: its name is bound here, what it evaluates here is visited here,
        and its own names are walked as a scope of their own."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            kind = "a class" if type(node) is ast.ClassDef else "a function"
            self._bind(node.name, region, chain, node.lineno, f"{kind} ({self._line(node, node)})")
            yield from node.decorator_list
        if isinstance(node, _FUNCTIONS):
            args = node.args
            yield from (*args.defaults, *(d for d in args.kw_defaults if d is not None))
            inner_body: list[ast.AST] = list(node.body) if isinstance(node.body, list) else [node.body]
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a)]
            if not isinstance(node, ast.Lambda):
                yield from (a.annotation for a in params if a.annotation is not None)
                if node.returns is not None:
                    yield node.returns
        elif isinstance(node, ast.ClassDef):
            yield from (*node.bases, *node.keywords)
            inner_body, params = list(node.body), []
        else:  # a comprehension: its first iterable is evaluated outside it
            generators = node.generators  # type: ignore[attr-defined]
            yield generators[0].iter
            inner_body = [*(g.target for g in generators), *(i for g in generators for i in g.ifs),
                          *(g.iter for g in generators[1:])]
            inner_body += [node.key, node.value] if type(node) is ast.DictComp else [node.elt]  # type: ignore[attr-defined]
            params = []
        if not inner_body:
            return
        inner = self._region(node, inner_body)
        self.regions.append(inner)
        for a in params:
            self._bind(a.arg, inner, (*chain, inner), node.lineno, f"a parameter ({self._line(node, node)})")
        self.scope(inner_body, inner, (*chain, inner))

    def _region(self, node: ast.AST, body: list[ast.AST]) -> _Region:
        if isinstance(node, _COMPREHENSIONS):
            first = (node.lineno, self._column(node.lineno, node.col_offset))  # type: ignore[attr-defined]
        else:
            head = body[0]
            decorators = getattr(head, "decorator_list", None) or ()
            line = min([head.lineno, *(d.lineno for d in decorators)])  # type: ignore[attr-defined]
            col = head.col_offset if line == head.lineno else min(d.col_offset for d in decorators if d.lineno == line) - 1  # type: ignore[attr-defined]
            first = (line, self._column(line, col))
        end = (node.end_lineno or node.lineno, self._column(node.end_lineno or node.lineno, node.end_col_offset or 0))  # type: ignore[attr-defined]
        return _Region(first, end, type(node) is ast.ClassDef)

    def _column(self, line: int, offset: int) -> int:
        """``ast``'s UTF-8 byte offset on ``line`` as a character column."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return offset if text.isascii() else len(text.encode("utf-8")[:offset].decode("utf-8", "replace"))


def _same_import(node: ast.Import | ast.ImportFrom, alias: ast.alias, spec: ImportSpec) -> bool:
    """Whether ``alias`` of ``node`` binds its name to what ``spec`` binds it to."""
    if type(node) is ast.Import:
        if spec.obj is not None:
            return False
        if spec.asname is not None or alias.asname is not None:
            return alias.name == spec.module and (alias.asname or alias.name) == (spec.asname or spec.module)
        return alias.name.partition(".")[0] == spec.module.partition(".")[0]
    return (spec.obj is not None and node.level == spec.relative and (node.module or "") == spec.module
            and alias.name == spec.obj)
