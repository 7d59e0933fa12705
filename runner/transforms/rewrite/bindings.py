"""Binding-aware names: what a pattern's names mean, and what a file's names are bound to.

A *reference* of a pattern is a maximal dotted name in an expression position
(``six.text_type``, ``os.path.join``, the ``self`` of ``self.$m``) or a bare name
(``text_type``, ``str``). A site's name matches a reference when:

- dotted: the site resolves, through the imports visible in its scope, to that
  qualified name (``import six as s; s.text_type``, ``from six import text_type``); or it
  is written the same and its head is bound by no import of the file while the pattern's
  head is not imported either (``self.assertEqual``, ``logger.warn``: names the file does
  not import are matched as written);
- bare: the site is written the same and is bound to an import or to nothing in its
  scope (a builtin), never to a parameter, a local, a def or a class.

``where: {name: {binding: any}}`` makes the references of that name match as written.
A site's binding is decided from ``scopes.NameFacts`` (Python's own parser, once per
code text) when they prove libcst's answer; libcst's ScopeProvider runs only when a
site needs it and they do not, once per tree object (shared with the next task).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import libcst as cst
from libcst.metadata.scope_provider import ImportAssignment, QualifiedNameSource

from .fields import child_nodes
from .names import NO_EXPRESSIONS, NOT_EXPRESSION_FIELDS, dotted_name, head_name
from .scopes import NameFacts, facts_for, shared_scopes
from .text import MV_PREFIX, MVS_PREFIX


@dataclass(frozen=True, slots=True)
class Ref:
    """A dotted name a pattern refers to, and how it must be bound in the file to match."""

    name: str  #: the dotted name as written in the pattern
    bare: bool  #: a lone name, not the head of an attribute chain
    any: bool = False  #: ``binding: any``: matched as written

    @property
    def head(self) -> str:
        """The first part of the dotted name (``os`` of ``os.path.join``)."""
        return self.name.partition(".")[0]


def pattern_refs(pattern: cst.CSTNode, any_binding: frozenset[str] = frozenset()) -> dict[int, Ref]:
    """The references of a pattern tree, by node id (the outermost node of each chain)."""
    refs: dict[int, Ref] = {}
    skip: set[int] = set()

    def visit(node: cst.CSTNode, parent: cst.CSTNode | None) -> None:
        if id(node) in skip or type(node) in NO_EXPRESSIONS:
            return
        name = dotted_name(node) if type(node) in (cst.Name, cst.Attribute) else None
        if name is not None and not _has_placeholder(node):
            bare = type(node) is cst.Name and not (type(parent) is cst.Attribute and parent.value is node)  # type: ignore[union-attr]
            refs[id(node)] = Ref(name, bare, name.partition(".")[0] in any_binding)
            return
        for field in NOT_EXPRESSION_FIELDS.get(type(node), ()):
            child = getattr(node, field)
            if isinstance(child, cst.CSTNode):
                skip.add(id(child))
        for child in node.children:
            visit(child, node)

    visit(pattern, None)
    return refs


def pattern_names(pattern: cst.CSTNode) -> set[str]:
    """The heads of the references of a pattern (what ``where: {name: {binding: any}}`` may name)."""
    return {ref.head for ref in pattern_refs(pattern).values()}


def _has_placeholder(node: cst.CSTNode) -> bool:
    name = dotted_name(node) or ""
    return any(part.startswith((MV_PREFIX, MVS_PREFIX)) for part in name.split("."))


def written_as(node: cst.CSTNode, ref: Ref) -> bool:
    """The textual test: the site is the same dotted name."""
    return type(node) in (cst.Name, cst.Attribute) and dotted_name(node) == ref.name


class Resolver:
    """What the names of one module are bound to; built per file, lazily."""

    def __init__(self, module: cst.Module, code: str | None = None, cheap: bool = True) -> None:
        self.module = module
        self.code = code  #: the module's source, when the caller has it
        self.cheap = cheap  #: decide from ``NameFacts`` where they prove the answer (False: ScopeProvider only)
        self._facts: NameFacts | None | bool = False  # False: not computed yet
        self._import_text: str | None = None
        self._mentions: dict[str, bool] = {}
        self._imports: dict[str, frozenset[str]] | None = None
        self._scopes: object | None = None
        #: id(node) -> (node, its original in ``module``), for Names a transformer rebuilt
        self.origins: dict[int, tuple[cst.CSTNode, cst.CSTNode]] = {}

    def imports(self) -> dict[str, frozenset[str]]:
        """Local name -> the qualified names imports anywhere in the file bind it to."""
        if self._imports is None:
            found: dict[str, set[str]] = {}
            for stmt in import_statements(self.module):
                for local, qualified in _bound_by(stmt):
                    found.setdefault(local, set()).add(qualified)
            self._imports = {k: frozenset(v) for k, v in found.items()}
        return self._imports

    def refers(self, node: cst.CSTNode, ref: Ref) -> bool:
        """Whether the site ``node`` (a Name or an attribute chain) is a use of ``ref``."""
        full = dotted_name(node) if type(node) in (cst.Name, cst.Attribute) else None
        if full is None:
            return False
        if ref.any:
            return full == ref.name
        head = full.partition(".")[0]
        if ref.bare:
            return full == ref.name and self._import_or_builtin(node)  # type: ignore[arg-type]
        if not self._maybe_imported(head):
            return full == ref.name and not self._maybe_imported(ref.head)
        imports = self.imports()
        if head not in imports:
            return full == ref.name and ref.head not in imports
        rest = full[len(head):]
        if full != ref.name and not any(q + rest == ref.name for q in imports[head]):
            return False
        names = self._qualified(node, full, head, rest)
        if full == ref.name:  # written the same: its head must be imported under its own name
            return any(q == full or q.endswith("." + full) for q in names)
        return ref.name in names

    def _maybe_imported(self, name: str) -> bool:
        """False when no import statement of the file can mention ``name`` (a text
        search of the import lines, much cheaper than walking the statements)."""
        found = self._mentions.get(name)
        if found is None:
            if self._import_text is None:
                self._import_text = "\n".join(_IMPORT_LINE.findall(self.code if self.code is not None else self.module.code))
            found = self._mentions[name] = re.search(rf"\b{re.escape(name)}\b", self._import_text) is not None
        return found

    # scope analysis ---------------------------------------------------------------

    def facts(self) -> NameFacts | None:
        """The cheap binding facts of the module's code (None: not available, e.g. a
        syntax Python cannot parse, or ``cheap`` is off)."""
        if self._facts is False:
            self._facts = facts_for(self.code if self.code is not None else self.module.code) if self.cheap else None
        return self._facts  # type: ignore[return-value]

    def _scope_of(self, node: cst.CSTNode):  # type: ignore[no-untyped-def]
        if self._scopes is None:
            self._scopes = shared_scopes(self.module)
        entry = self.origins.get(id(node))
        if entry is not None and entry[0] is node:
            node = entry[1]
        return self._scopes.get(node)  # type: ignore[attr-defined]

    def scope(self, node: cst.CSTNode):  # type: ignore[no-untyped-def]
        """The libcst Scope of ``node`` (a node of the input module, or a Name a
        transformer rebuilt from one); None for a node the rewrite made."""
        return self._scope_of(node)

    def _qualified(self, node: cst.CSTNode, full: str, head: str, rest: str) -> set[str]:
        made = {q + rest for q in self.imports()[head]}  # the answer for a node the rewrite made
        facts = self.facts()
        if facts is not None and facts.only_imported(head):
            names = facts.qualified_names(full)  # the answer for a node of the module
            if names == made:  # the same either way: no need to know which it is
                return names
        scope = self._scope_of(head_name(node))  # type: ignore[arg-type]
        if scope is None:  # a node the rewrite made: the file's imports decide
            return made
        return {
            q.name for q in scope.get_qualified_names_for(full) if q.source is QualifiedNameSource.IMPORT
        }

    def _import_or_builtin(self, node: cst.Name) -> bool:
        facts = self.facts()
        if facts is not None and facts.never_bound_but_by_imports(node.value):
            return True  # every scope resolves it to imports or a builtin (or nothing)
        scope = self._scope_of(node)
        if scope is None:
            return True  # made by the rewrite
        assignments = scope[node.value]
        return all(isinstance(a, ImportAssignment) or type(a).__name__ == "BuiltinAssignment" for a in assignments)


# An import statement's text, parenthesised or continued lines included (more is fine).
_IMPORT_LINE = re.compile(r"\bimport\b(?:[^\n(]*\([^)]*\)|(?:[^\n]*\\\r?\n)*[^\n]*)")

_BLOCKS = (cst.BaseStatement, cst.BaseSuite, cst.ExceptHandler, cst.ExceptStarHandler, cst.Else, cst.Finally, cst.MatchCase)


def import_statements(node: cst.CSTNode) -> Iterator[cst.Import | cst.ImportFrom]:
    """Every import statement under ``node``, nested blocks included (expressions are not visited)."""
    for child in child_nodes(node):
        if type(child) is cst.Import or type(child) is cst.ImportFrom:
            yield child  # type: ignore[misc]
        elif isinstance(child, _BLOCKS):
            yield from import_statements(child)


def _bound_by(stmt: cst.Import | cst.ImportFrom) -> Iterator[tuple[str, str]]:
    if isinstance(stmt, cst.Import):
        for alias in stmt.names:
            module = dotted_name(alias.name) or ""
            if alias.asname is not None:
                yield alias.evaluated_alias or "", module
            else:
                head = module.partition(".")[0]
                yield head, head
        return
    if isinstance(stmt.names, cst.ImportStar):
        return
    module = dotted_name(stmt.module) if stmt.module is not None else None
    prefix = "." * len(stmt.relative) + (f"{module}." if module else "")
    for alias in stmt.names:
        name = alias.evaluated_name
        yield alias.evaluated_alias or name, prefix + name
