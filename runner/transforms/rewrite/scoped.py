"""What a ``rewrite`` run on some statements of a file must know of the whole file to
give what a run on the whole file gives (``RewriteTransform.precheck``).

Where the rules may match (``rule_sites``): a site of a rule holds one of its pattern's
names *as written* -- a bare name, the attribute or keyword names of the pattern, the
last part of a dotted name (unless an import binds another name to that dotted name
itself: ``import os.path as p; p``) -- so the statements holding the occurrences
(Python's ``ast``: names, attributes, keywords; text for the other names) of the rarest
such name hold every site. A compound pattern's sites are the statements of its kind
around those occurrences; an import pattern's, every import statement.

How names resolve (``FileResolver``): through the imports and binding facts of the
whole file, never through libcst's scope analysis of the scoped module (a question
only that could answer raises ``ScopeNeeded``: the caller runs the whole file).

Imports (``edit_imports``): the rules' additions and removals look only at the
module's top-level statements; they run on a module of those statements in which each
one that is neither an import line nor a string (a docstring) stands as a one-name stub,
and the stubs are replaced by their statements' text afterwards.
"""
from __future__ import annotations

import ast
import keyword
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import libcst as cst

from ..base import FileContext
from ..statements import split_lines
from .bindings import Resolver
from .imports import ModuleNames, add_imports, remove_imports
from .pattern import COMPOUND, STATEMENT
from .placeholders import mv_name, mvs_name
from .rules import ImportSpec, Rule
from .scopes import NameFacts


class ScopeNeeded(Exception):
    """A name's binding needs libcst's scope analysis of the whole module."""


class FileResolver(Resolver):
    """A ``Resolver`` for a module that holds some statements of a file, answering as
    for the whole file: ``code`` is the file's text, ``imports`` its own
    (``file_imports``), ``facts`` its binding facts (None: ``facts_for(code)`` when first
    asked). A question only ScopeProvider answers sets ``needed`` and raises
    ``ScopeNeeded`` (the run is then not exact)."""

    def __init__(self, module: cst.Module, code: str, imports: dict[str, frozenset[str]],
                 facts: NameFacts | None = None) -> None:
        super().__init__(module, code)
        if facts is not None:
            self._facts = facts
        self._imports = imports
        self.needed = False

    def _scope_of(self, node: cst.CSTNode):  # type: ignore[no-untyped-def]
        self.needed = True
        raise ScopeNeeded(type(node).__name__)


_BLOCKS = ("body", "orelse", "finalbody")


def statements_of(tree: ast.Module) -> Iterator[tuple[ast.stmt, int]]:
    """Every statement of ``tree`` with its depth (0: top level), blocks included."""
    stack = [(s, 0) for s in reversed(tree.body)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        inner: list[ast.stmt] = []
        for name in _BLOCKS:
            block = getattr(node, name, None)
            if block and isinstance(block[0], ast.stmt):
                inner.extend(block)
        for handler in getattr(node, "handlers", ()):
            inner.extend(handler.body)
        for case in getattr(node, "cases", ()):
            inner.extend(case.body)
        stack.extend((s, depth + 1) for s in reversed(inner))


def file_imports(tree: ast.Module) -> dict[str, frozenset[str]]:
    """Local name -> the qualified names the imports anywhere in ``tree`` bind it to, as
    ``Resolver.imports`` computes them from libcst's tree."""
    found: dict[str, set[str]] = {}
    for node, _ in statements_of(tree):
        if type(node) is ast.Import:
            for alias in node.names:
                if alias.asname is not None:
                    found.setdefault(alias.asname, set()).add(alias.name)
                else:
                    head = alias.name.partition(".")[0]
                    found.setdefault(head, set()).add(head)
        elif type(node) is ast.ImportFrom and not any(a.name == "*" for a in node.names):
            prefix = "." * (node.level or 0) + (f"{node.module}." if node.module else "")
            for alias in node.names:
                found.setdefault(alias.asname or alias.name, set()).add(prefix + alias.name)
    return {k: frozenset(v) for k, v in found.items()}


# -- where the rules may match ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Needle:
    """A name every site of a rule holds as written, and where (``roles``: name, attr,
    keyword, any); ``unless``: not when an import binds some other name to this dotted
    name. With ``test``, any attribute name the metavariable's ``where`` accepts."""

    name: str
    roles: tuple[str, ...]
    unless: str | None = None
    test: object = None  #: a ``rules.Constraint`` (its ``texts`` and ``regex``) on the name

    def accepts(self, name: str) -> bool:
        """Whether an attribute called ``name`` may be this needle."""
        if self.test is None:
            return name == self.name
        texts, regex = self.test.texts, self.test.regex  # type: ignore[attr-defined]
        return (not texts or name in texts) and (regex is None or regex.search(name) is not None)


def _placeholder(node: cst.CSTNode) -> bool:
    return mv_name(node) is not None or mvs_name(node) is not None


_NEEDLES: dict[int, tuple[Rule, tuple[Needle, ...]]] = {}


def rule_needles(rule: Rule) -> tuple[Needle, ...]:
    """The names every site of ``rule`` holds as written (see the module docstring); kept
    per rule object (compiled rules are shared)."""
    entry = _NEEDLES.get(id(rule))
    if entry is None or entry[0] is not rule:
        if len(_NEEDLES) > 4096:
            _NEEDLES.clear()
        entry = _NEEDLES[id(rule)] = (rule, _needles_of(rule))
    return entry[1]


def _needles_of(rule: Rule) -> tuple[Needle, ...]:
    refs = rule.matcher.refs
    out: list[Needle] = []
    stack: list[cst.CSTNode] = [rule.matcher.pattern]
    while stack:
        node = stack.pop()
        ref = refs.get(id(node))
        if ref is not None:
            last = ref.name.rpartition(".")[2]
            role = ("name",) if type(node) is cst.Name else ("attr",)
            if not keyword.iskeyword(last):  # (``True``, ``None``: constants in Python's ast)
                out.append(Needle(last, role) if ref.any or ref.bare else Needle(last, ("name", "attr"), ref.name))
            continue
        if type(node) is cst.Attribute:
            if not _placeholder(node.attr):
                out.append(Needle(node.attr.value, ("attr",)))
            elif mv_name(node.attr) is not None and _name_test(rule, mv_name(node.attr)) is not None:
                out.append(Needle("", ("attr",), None, _name_test(rule, mv_name(node.attr))))
            stack.append(node.value)
            continue
        if type(node) is cst.Arg and node.keyword is not None and not _placeholder(node.keyword):
            out.append(Needle(node.keyword.value, ("keyword",)))
            stack.append(node.value)
            continue
        if type(node) is cst.Name:
            if not _placeholder(node) and not keyword.iskeyword(node.value):
                out.append(Needle(node.value, ("any",)))
            continue
        stack.extend(node.children)
    return tuple(out)


def _name_test(rule: Rule, var: str | None) -> object:
    """The ``where`` constraint of metavariable ``var`` when it says which names it takes
    (``text`` or ``regex``, nothing else), else None."""
    constraints = getattr(rule.matcher.check, "constraints", None) or {}
    found = constraints.get(var)
    if found is None or found.kinds or found.not_texts or not (found.texts or found.regex is not None):
        return None
    return found


_COMPOUND_TYPES: dict[type, tuple[type, ...]] = {
    cst.If: (ast.If,), cst.For: (ast.For, ast.AsyncFor), cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith), cst.Try: (ast.Try,),
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef), cst.ClassDef: (ast.ClassDef,),
    cst.Match: (ast.Match,),
}
if hasattr(ast, "TryStar"):
    _COMPOUND_TYPES[cst.TryStar] = (ast.TryStar,)
_IMPORT_TYPES = {cst.Import: ast.Import, cst.ImportFrom: ast.ImportFrom}


def is_import_rule(rule: Rule) -> bool:
    """Whether ``rule``'s pattern is an import statement (``from $m import $$$names``)."""
    return rule.pattern.kind == STATEMENT and type(rule.matcher.pattern) in _IMPORT_TYPES


class FileSites:
    """Where the rules may match in one file: its text, ast, imports (``file_imports``)
    and names; kept per text (``sites_of``) for the next task handed the same text."""

    def __init__(self, text: str, tree: ast.Module) -> None:
        self.text = text
        self.tree = tree
        self._imports: dict[str, frozenset[str]] | None = None
        self._names: dict[tuple[str, str], list[tuple[int, int]]] | None = None
        self._starts: list[int] | None = None

    @property
    def imports(self) -> dict[str, frozenset[str]]:
        """``file_imports`` of the ast."""
        if self._imports is None:
            self._imports = file_imports(self.tree)
        return self._imports

    def spans(self, rules: Sequence[Rule]) -> list[tuple[int, int]] | None:
        """The 1-based line spans (first, last) that hold every site of ``rules``; None
        when a rule has no usable needle."""
        usable: dict[int, list[Needle]] = {}
        for rule in rules:
            if is_import_rule(rule):
                continue
            if rule.pattern.kind == COMPOUND and type(rule.matcher.pattern) not in _COMPOUND_TYPES:
                return None
            usable[rule.index] = [n for n in rule_needles(rule) if n.unless is None or not self._aliased(n)]
            if not usable[rule.index]:
                return None
        found = self._occurrences({n for group in usable.values() for n in group})
        out: list[tuple[int, int]] = []
        for rule in rules:
            if is_import_rule(rule):
                wanted = _IMPORT_TYPES[type(rule.matcher.pattern)]
                out.extend((s.lineno, s.end_lineno or s.lineno) for s, _ in statements_of(self.tree) if type(s) is wanted)
                continue
            spans = min((found[n] for n in usable[rule.index]), key=len)
            if rule.pattern.kind == COMPOUND:
                out.extend(_around(self.tree, _COMPOUND_TYPES[type(rule.matcher.pattern)], spans))
            else:
                out.extend(spans)
        return out

    def _aliased(self, needle: Needle) -> bool:
        return any(needle.unless in qualified and local != needle.name for local, qualified in self.imports.items())

    def _occurrences(self, needles: set[Needle]) -> dict[Needle, list[tuple[int, int]]]:
        """The line spans of each needle's occurrences (``_ast_names``; text for role any)."""
        found: dict[Needle, list[tuple[int, int]]] = {n: [] for n in needles}
        plain: dict[tuple[str, str], list[Needle]] = {}
        tests: list[Needle] = []
        for needle in needles:
            if "any" in needle.roles:
                found[needle].extend(self._text_spans(needle.name))
            elif needle.test is not None:
                tests.append(needle)
            else:
                for role in needle.roles:
                    plain.setdefault((role, needle.name), []).append(needle)
        if not plain and not tests:
            return found
        if self._names is None:
            self._names = {}
            for key_span in _ast_names(self.tree, self.text):
                self._names.setdefault(key_span[:2], []).append(key_span[2])
        for key, group in plain.items():
            for needle in group:
                found[needle].extend(self._names.get(key, ()))
        for (role, name), spans in self._names.items() if tests else ():
            if role == "attr":
                for needle in tests:
                    if needle.accepts(name):
                        found[needle].extend(spans)
        return found

    def _text_spans(self, name: str) -> Iterator[tuple[int, int]]:
        if self._starts is None:
            self._starts = [0]
            for line in split_lines(self.text):
                self._starts.append(self._starts[-1] + len(line))
        for match in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", self.text):
            yield bisect_right(self._starts, match.start()), bisect_right(self._starts, match.end() - 1)


_WORD = re.compile(r"[^\W\d]\w*")


_SITES: dict[str, FileSites] = {}
_SITES_KEPT = 3


def sites_of(text: str, tree: ast.Module) -> FileSites:
    """The ``FileSites`` of ``text`` (whose ast is ``tree``), kept for the last few texts."""
    found = _SITES.get(text)
    if found is None:
        if len(_SITES) >= _SITES_KEPT:
            del _SITES[next(iter(_SITES))]
        found = _SITES[text] = FileSites(text, tree)
    return found


def known_tree(text: str) -> ast.Module | None:
    """The ast of ``text`` when ``sites_of`` holds it."""
    found = _SITES.get(text)
    return found.tree if found is not None else None


def _ast_names(tree: ast.Module, text: str) -> Iterator[tuple[str, str, tuple[int, int]]]:
    """(role, name, 1-based line span) of every Name, attribute and keyword of ``tree``;
    inside an f-string, the f-string's span for each word of its text, in every role
    (positions inside f-strings are not trusted)."""
    stack: list[ast.AST] = list(tree.body)
    lines: list[str] | None = None
    while stack:
        node = stack.pop()
        tp = type(node)
        if tp is ast.Name:
            yield "name", node.id, (node.lineno, node.end_lineno)  # type: ignore[attr-defined,misc]
            continue
        if tp is ast.JoinedStr:
            lines = lines if lines is not None else split_lines(text)
            span = (node.lineno, node.end_lineno)  # type: ignore[attr-defined]
            for word in set(_WORD.findall("".join(lines[span[0] - 1: span[1]]))):  # type: ignore[misc]
                for role in ("name", "attr", "keyword"):
                    yield role, word, span  # type: ignore[misc]
            continue
        if tp is ast.Attribute:
            yield "attr", node.attr, (node.lineno, node.end_lineno)  # type: ignore[attr-defined,misc]
        elif tp is ast.keyword and node.arg is not None:  # type: ignore[attr-defined]
            yield "keyword", node.arg, (node.lineno, node.end_lineno)  # type: ignore[attr-defined,misc]
        for field in tp._fields:  # type: ignore[attr-defined]
            value = getattr(node, field, None)
            if type(value) is list:
                stack.extend(v for v in value if isinstance(v, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)


def _around(tree: ast.Module, types: tuple[type, ...], spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """The spans of the statements of ``types`` that hold one of ``spans``."""
    if not spans:
        return
    for stmt, _ in statements_of(tree):
        if isinstance(stmt, types):
            decorators = getattr(stmt, "decorator_list", None) or ()
            first = min([stmt.lineno, *(d.lineno for d in decorators)])
            last = stmt.end_lineno or stmt.lineno
            if any(first <= a and b <= last for a, b in spans):
                yield first, last


# -- imports -----------------------------------------------------------------------------

_STUB = "__bm_scope_"


def edit_imports(text: str, tree: ast.Module, ctx: FileContext, adds: list[ImportSpec],
                 removes: list[ImportSpec]) -> tuple[str, dict[str, frozenset[str]] | None] | None:
    """``text`` (whose ast is ``tree``) after the import additions and removals of
    ``transform._apply_imports``, made on its top-level statements alone, with the
    ``file_imports`` of the new text (None when it is ``text``); None when that is not
    exact (a removal weighs an import below the top level or sharing its line,
    statements share a line, the binding facts do not decide a removal, the new
    import lines do not parse...)."""
    if _STUB in text or (removes and _inner_imports_of(tree, removes, ctx)):
        return None
    reduced = _reduced(text, tree)
    if reduced is None:
        return None
    reduced_text, stubs = reduced
    try:
        module = cst.parse_module(reduced_text)
    except Exception:  # noqa: BLE001 - the whole-file run decides
        return None
    context = ModuleNames(ctx.path, ctx.full_module_name, ctx.full_package_name)
    added = add_imports(module, context, adds)
    code = text if added is module else _unstubbed(added.code, stubs)
    if code is None:
        return None
    removed = remove_imports(added, context, removes, code, visitor=False)
    if removed is None:
        return None
    edited = added if removed is added else removed
    code = code if removed is added else _unstubbed(removed.code, stubs)
    if code is None or code == text:
        return None if code is None else (code, None)
    imports = _stubbed_imports(edited.code, tree)
    return None if imports is None else (code, imports)


def _stubbed_imports(reduced: str, tree: ast.Module) -> dict[str, frozenset[str]] | None:
    """``file_imports`` of the text ``reduced`` stands for (its stubs being the top-level
    statements of ``tree``, which they are named after): the imports ``reduced`` holds,
    and those inside the statements its stubs stand for. None when ``reduced`` does not
    parse (then neither does that text: the rest of it is ``tree``'s statements)."""
    try:
        top = ast.parse(reduced)
    except (SyntaxError, ValueError):
        return None
    body: list[ast.stmt] = []
    for stmt in top.body:
        name = stmt.value.id if type(stmt) is ast.Expr and type(stmt.value) is ast.Name else ""  # type: ignore[attr-defined]
        body.append(tree.body[int(name[len(_STUB):])] if name.startswith(_STUB) else stmt)
    return file_imports(ast.Module(body=body, type_ignores=[]))


def _kept(stmt: ast.stmt) -> bool:
    """An import or a string statement (a docstring): the import edits read these."""
    if type(stmt) in (ast.Import, ast.ImportFrom):
        return True
    return type(stmt) is ast.Expr and (type(stmt.value) is ast.JoinedStr or (
        type(stmt.value) is ast.Constant and type(stmt.value.value) in (str, bytes)))


def _reduced(text: str, tree: ast.Module) -> tuple[str, dict[str, str]] | None:
    """``text`` with each top-level statement but the ``_kept`` ones as a stub line, and
    the stubs' statements; None when statements share a line or a compound statement is
    followed by indented comment lines (they may belong to it)."""
    lines = split_lines(text)
    parts: list[str] = []
    stubs: dict[str, str] = {}
    at, previous_end = 0, 0
    for k, stmt in enumerate(tree.body):
        decorators = getattr(stmt, "decorator_list", None) or ()
        first, last = min([stmt.lineno, *(d.lineno for d in decorators)]), stmt.end_lineno or stmt.lineno
        if first <= previous_end:
            return None
        previous_end = last
        if _kept(stmt):
            continue
        if hasattr(stmt, "body") and any(ln[:1] in (" ", "\t") and ln.strip().startswith("#") for ln in _trailing(lines, last)):
            return None
        name = f"{_STUB}{k}"
        ending = lines[last - 1][len(lines[last - 1].rstrip("\r\n")):]
        parts.append("".join(lines[at: first - 1]))
        parts.append(name + ending)
        stubs[name] = "".join(lines[first - 1: last])
        at = last
    parts.append("".join(lines[at:]))
    return "".join(parts), stubs


def _trailing(lines: list[str], last: int) -> Iterator[str]:
    """The blank and comment lines after line ``last`` (1-based)."""
    for line in lines[last:]:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return
        yield line


def _unstubbed(code: str, stubs: dict[str, str]) -> str | None:
    """``code`` with each stub line replaced by its statement; None when a stub is not
    there exactly once as a line of its own."""
    out: list[str] = []
    seen = 0
    for line in split_lines(code):
        name = line.rstrip("\r\n")
        if name.startswith(_STUB):
            if name not in stubs:
                return None
            out.append(stubs[name])
            seen += 1
        else:
            if _STUB in line:
                return None
            out.append(line)
    return "".join(out) if seen == len(stubs) else None


def _inner_imports_of(tree: ast.Module, specs: Iterable[ImportSpec], ctx: FileContext) -> bool:
    """Whether an import below the top level may bear on removing ``specs``: it names one
    of their modules' top-level packages, or it is relative within such a package."""
    heads = {s.module.partition(".")[0] for s in specs}
    package = (ctx.full_package_name or ctx.full_module_name or "").partition(".")[0]
    for stmt, depth in statements_of(tree):
        if depth == 0 or type(stmt) not in (ast.Import, ast.ImportFrom):
            continue
        if type(stmt) is ast.ImportFrom and stmt.level:
            if package in heads or not package:
                return True
            continue
        names = [a.name for a in stmt.names] + ([stmt.module] if type(stmt) is ast.ImportFrom and stmt.module else [])
        if any(n.partition(".")[0] in heads for n in names):
            return True
    return False
