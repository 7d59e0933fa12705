"""What the fast path reads from a file with the stdlib ``ast`` (no libcst): where a word
occurs as a whole word in the bytes, the name bindings of every scope, and the byte offset
of each identifier an edit may replace.

Only facts, no decisions: :mod:`.fast` decides whether they are enough to rename the file
exactly as the libcst path would.
"""
from __future__ import annotations

import ast
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate

_NEWLINE = re.compile(rb"\r\n|\r|\n")
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_DEF_HEAD = re.compile(rb"(?:async(?:[ \t\f]|\\\r?\n)+)?(?:def|class)(?:[ \t\f]|\\\r?\n)+")


def _is_word(char: int) -> bool:
    return char == 0x5F or 0x30 <= char <= 0x39 or 0x41 <= char <= 0x5A or 0x61 <= char <= 0x7A


def whole_words(data: bytes, word: bytes) -> list[int]:
    """Offsets where ``word`` occurs in ``data`` not glued to an ASCII identifier character
    on either side. A character before it that follows a backslash counts as a boundary
    (``"\\nname"`` is ``name`` after a newline once the literal is evaluated), and any
    other byte (non-ASCII included) is a boundary: the list errs on the side of more."""
    out: list[int] = []
    start = data.find(word)
    while start != -1:
        end = start + len(word)
        glued_before = start > 0 and _is_word(data[start - 1]) and not (start > 1 and data[start - 2] == 0x5C)
        glued_after = end < len(data) and _is_word(data[end])
        if not glued_before and not glued_after:
            out.append(start)
        start = data.find(word, start + 1)
    return out


def line_starts(data: bytes) -> list[int]:
    """The byte offset of each line's start (``\\r\\n``, ``\\r`` and ``\\n`` end lines, as
    Python's tokenizer counts them)."""
    if b"\r" in data:
        return [0, *(m.end() for m in _NEWLINE.finditer(data))]
    lines = data.split(b"\n")
    lines.pop()  # the text after the last newline starts no further line
    return [0, *accumulate([len(line) + 1 for line in lines])]


@dataclass
class Binding:
    """One place a name is bound: its node, and whether it is at module level (in no
    function, class, lambda or comprehension)."""

    node: ast.AST
    module_level: bool
    alias: ast.alias | None = None  #: the alias when ``node`` is an import


@dataclass
class Facts:
    """The bindings of every name (any scope), the nodes that read names, the
    attributes, the imports and the string constants of one module."""

    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    loads: list[ast.Name] = field(default_factory=list)  #: Name nodes whose context is Load
    attributes: list[ast.Attribute] = field(default_factory=list)
    import_froms: list[ast.ImportFrom] = field(default_factory=list)
    stars: list[ast.ImportFrom] = field(default_factory=list)  #: ``from M import *`` anywhere
    strings: list[ast.Constant] = field(default_factory=list)  #: str and bytes constants
    literals: list[ast.expr] = field(default_factory=list)  #: str/bytes constants and f-strings (spans)
    defs: list[ast.AST] = field(default_factory=list)  #: functions and classes, any depth
    #: ``from m import n as x`` aliases (a binding of ``x``) by the imported name ``n``
    renamed_imports: dict[str, list[Binding]] = field(default_factory=dict)

    def bind(self, name: str, binding: Binding) -> None:
        """Record ``binding`` as one more binding of ``name``."""
        self.bindings.setdefault(name, []).append(binding)


def collect(tree: ast.Module, lines: list[int] | None = None) -> Facts:
    """Every fact :class:`Facts` holds, in one walk of ``tree`` (pre-order; expression
    contexts and operators, which hold no fact, left out). ``lines``: when given (sorted
    line numbers), the walk skips each statement that is on none of them (from its first
    decorator to its last line), and all inside it: the facts are those of the
    statements on those lines, in the same order."""
    facts = Facts()
    stack: list[tuple[ast.AST, bool]] = [(child, True) for child in reversed(tree.body)]
    pop, push, node_type, table = stack.pop, stack.append, ast.AST, _CHILDREN
    while stack:
        node, module_level = pop()
        cls = type(node)
        if lines is not None and cls in _STATEMENTS and not _on_lines(node, lines):  # type: ignore[arg-type]
            continue
        if cls in _NOTED:
            _note(facts, node, module_level)
        inner = module_level and cls not in _SCOPE_TYPES
        fields = table.get(cls)
        for name in fields if fields is not None else _child_fields(cls):
            value = getattr(node, name, None)
            if type(value) is list:
                for child in reversed(value):
                    if isinstance(child, node_type):
                        push((child, inner))
            elif isinstance(value, node_type):
                push((value, inner))
    return facts


def _on_lines(stmt: ast.stmt, lines: list[int]) -> bool:
    decorators = getattr(stmt, "decorator_list", None)
    first = min(stmt.lineno, *(d.lineno for d in decorators)) if decorators else stmt.lineno
    at = bisect_left(lines, first)
    return at < len(lines) and lines[at] <= (stmt.end_lineno or first)


def attribute_chain(node: ast.Attribute) -> tuple[list[str], ast.expr, bool]:
    """libcst's full-name walk of ``<chain>.attr``: the attribute names from the last one
    back, the expression the chain starts from (a ``Name`` when it has a root name), and
    whether the chain is plain (no call nor subscript on the way)."""
    parts, value, plain = [node.attr], node.value, True
    while isinstance(value, (ast.Attribute, ast.Call, ast.Subscript)):
        if isinstance(value, ast.Attribute):
            parts.append(value.attr)
            value = value.value
        else:
            plain = False
            value = value.func if isinstance(value, ast.Call) else value.value
    return parts, value, plain


#: fields that never hold a node the walk must visit: identifiers, flags, numbers, and
#: the expression contexts and operators
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "id", "attr", "name", "arg", "asname", "module", "level", "kind",
                          "type_comment", "conversion", "is_async", "simple", "tag"})
_SCOPE_TYPES = frozenset(_SCOPES)
_CHILDREN: dict[type, tuple[str, ...]] = {}  #: node type -> the fields to walk, last first


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _CHILDREN[cls] = tuple(name for name in reversed(cls._fields) if name not in _LEAF_FIELDS)  # type: ignore[attr-defined]
    return fields


_STATEMENTS = frozenset(cls for cls in vars(ast).values() if isinstance(cls, type) and issubclass(cls, ast.stmt))
_NAMED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_PATTERN_NAMES = {"MatchAs": "name", "MatchStar": "name", "MatchMapping": "rest",
                  "TypeVar": "name", "ParamSpec": "name", "TypeVarTuple": "name"}
_NOTED = {ast.Name, ast.Attribute, ast.Constant, ast.JoinedStr, ast.FunctionDef, ast.AsyncFunctionDef,
          ast.ClassDef, ast.arg, ast.Import, ast.ImportFrom, ast.ExceptHandler, ast.Global, ast.Nonlocal,
          *(getattr(ast, name) for name in _PATTERN_NAMES if hasattr(ast, name))}


def _note(facts: Facts, node: ast.AST, module_level: bool) -> None:
    if isinstance(node, ast.Name):
        if isinstance(node.ctx, ast.Load):
            facts.loads.append(node)
        else:  # Store, and Del (libcst counts a del as a use: the fast path gives up either way)
            facts.bind(node.id, Binding(node, module_level))
    elif isinstance(node, ast.Attribute):
        facts.attributes.append(node)
    elif isinstance(node, ast.Constant):
        if isinstance(node.value, (str, bytes)):
            facts.strings.append(node)
            facts.literals.append(node)
    elif isinstance(node, ast.JoinedStr):
        facts.literals.append(node)
    elif isinstance(node, _NAMED):
        facts.bind(node.name, Binding(node, module_level))
        facts.defs.append(node)
    elif isinstance(node, ast.arg):
        facts.bind(node.arg, Binding(node, module_level))
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        _note_import(facts, node, module_level)
    elif isinstance(node, ast.ExceptHandler) and node.name:
        facts.bind(node.name, Binding(node, module_level))
    elif isinstance(node, (ast.Global, ast.Nonlocal)):
        for name in node.names:
            facts.bind(name, Binding(node, module_level))
    elif type(node).__name__ in _PATTERN_NAMES:
        name = getattr(node, _PATTERN_NAMES[type(node).__name__])
        if name:
            facts.bind(name, Binding(node, module_level))


def _note_import(facts: Facts, node: ast.Import | ast.ImportFrom, module_level: bool) -> None:
    if isinstance(node, ast.ImportFrom):
        facts.import_froms.append(node)
        if any(alias.name == "*" for alias in node.names):
            facts.stars.append(node)
            return
    for alias in node.names:
        bound = alias.asname or alias.name.partition(".")[0]
        facts.bind(bound, Binding(node, module_level, alias))
        if alias.asname and isinstance(node, ast.ImportFrom):
            facts.renamed_imports.setdefault(alias.name, []).append(Binding(node, module_level, alias))


def string_value(node: ast.Constant) -> str:
    """A str or bytes constant's value as text (bytes as latin-1, like the libcst path)."""
    return node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value


def offset(starts: list[int], line: int, column: int) -> int:
    """The byte offset of ``ast``'s (1-based line, UTF-8 byte column) position."""
    return starts[line - 1] + column


def def_name_offset(data: bytes, starts: list[int], node: ast.AST) -> int | None:
    """Where the name of a ``def``/``class`` statement starts (None if the head is not
    spelled as expected)."""
    at = offset(starts, node.lineno, node.col_offset)  # type: ignore[attr-defined]
    head = _DEF_HEAD.match(data, at)
    return head.end() if head else None


def span(starts: list[int], node: ast.AST) -> tuple[int, int]:
    """The byte offsets where ``node``'s source starts and ends."""
    return (offset(starts, node.lineno, node.col_offset),  # type: ignore[attr-defined]
            offset(starts, node.end_lineno, node.end_col_offset))  # type: ignore[attr-defined]


def segment(data: bytes, starts: list[int], node: ast.AST) -> bytes:
    """The source bytes of ``node``."""
    start, end = span(starts, node)
    return data[start:end]
