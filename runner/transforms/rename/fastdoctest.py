"""Doctest code renamed with the stdlib ``ast`` when the libcst path's answer is certain.

The libcst path (:func:`runner.transforms.rename.rename_doctest`) parses a docstring's
examples as a module, plans the rename on it and renames its free names that the
module renames (``renames``). For the examples most docstrings hold (calls, literals and
assignments at the top level: no import, definition, scope or f-string) that plan is
empty and the answer is the free reads renamed: :func:`fast_doctest` gives it then, and
gives up (``None``: ask the libcst path) on anything else:

* code that is not ASCII (identifiers are normalized, columns are bytes), or holds a
  backslash, a carriage return, a form feed or a vertical tab;
* code ``ast`` does not parse, or holding a node outside :data:`_SIMPLE`;
* a mention of a concerned word (the old last part, a renamed binding, the last part of
  a re-export alias, a new name) that is not a read of a renamed binding, or a string
  constant that mentions one, or a renamed binding bound in the code;
* a renamed binding spelled like a builtin or a dunder (libcst's scopes bind those).
"""
from __future__ import annotations

import ast
import builtins
import re

from runner.transforms.rename.spec import RenameSpec

#: the node types of the code answered here: module-level simple statements and the
#: expressions libcst reads as they are (no scope, no import, no f-string)
_SIMPLE = frozenset({
    ast.Module, ast.Expr, ast.Assign, ast.Pass, ast.Assert,
    ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Call, ast.keyword, ast.IfExp,
    ast.Constant, ast.Attribute, ast.Subscript, ast.Slice, ast.Starred, ast.Name,
    ast.List, ast.Tuple, ast.Dict, ast.Set, ast.Load, ast.Store,
    ast.And, ast.Or, ast.Add, ast.Sub, ast.Mult, ast.MatMult, ast.Div, ast.Mod, ast.Pow,
    ast.LShift, ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.FloorDiv,
    ast.Invert, ast.Not, ast.UAdd, ast.USub,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
})
_ODD = re.compile(r"[\\\r\x0b\x0c\x00]")


def fast_doctest(code: str, spec: RenameSpec, aliases: dict[str, str], renames: dict[str, str]) -> str | None:
    """``code`` (a docstring's examples joined, one line each) renamed as the libcst path
    renames it, or None when that is not certain. ``aliases``: the old name's re-export
    aliases (old -> new dotted names); ``renames``: the module's renamed bindings."""
    if not code.isascii() or _ODD.search(code):
        return None
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    nodes = list(ast.walk(tree))
    if any(type(node) not in _SIMPLE for node in nodes):
        return None
    words = {spec.old_last, *renames, *renames.values(), *(last for old, new in aliases.items()
                                                           for last in (old.rpartition(".")[2], new.rpartition(".")[2]))}
    reads = _free_reads(nodes, renames, words)
    if reads is None:
        return None
    starts = [0]
    for line in code.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    at = {starts[node.lineno - 1] + node.col_offset: node.id for node in reads}
    pattern = re.compile(r"(?<![A-Za-z0-9_])(?:" + "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
                         + r")(?![A-Za-z0-9_])")
    pieces, last = [], 0
    for match in pattern.finditer(code):
        name = at.get(match.start())
        if name is None or name != match.group(0):
            return None  # a mention that is not a read of a renamed binding
        pieces += [code[last:match.start()], renames[name]]
        last = match.end()
    return "".join([*pieces, code[last:]]) if len(pieces) // 2 == len(at) else None


def _free_reads(nodes: list[ast.AST], renames: dict[str, str], words: set[str]) -> list[ast.Name] | None:
    """The ``Name`` reads of renamed bindings (none of which the code binds), or None when
    a concerned word is bound in the code or mentioned by a string constant, or a renamed
    binding read is spelled like a builtin or a dunder."""
    reads: list[ast.Name] = []
    for node in nodes:
        if isinstance(node, ast.Name):
            if not isinstance(node.ctx, ast.Load):
                if node.id in words:
                    return None
            elif node.id in renames:
                if hasattr(builtins, node.id) or node.id.startswith("__"):
                    return None  # libcst resolves it to the builtin (or module attribute)
                reads.append(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            value = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            if any(word in value for word in words):
                return None
    return reads
