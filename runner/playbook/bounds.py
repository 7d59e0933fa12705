"""Limits on what a playbook's YAML may cost to read, checked before it is expanded.

A 411-byte alias bomb (nine levels of nine aliases) expands to 387 million values, and a
playbook nested 10,000 levels deep overflows every recursive reader (ruamel's composer,
jsonschema, our own walk). ``nesting_too_deep`` finds deep nesting in the text before
ruamel parses it (ruamel's scanner is itself quadratic on ``[[[[...``);
``expansion_too_big`` sizes the parsed document with aliases counted as often as they
occur, without expanding them (each shared node is sized once).
"""
from __future__ import annotations

from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

MAX_BYTES = 1 << 20  #: a playbook is a page of YAML, not a data file
MAX_DEPTH = 64  #: a real playbook nests about 10 levels (rules → where → name → kind)
MAX_VALUES = 100_000  #: values after alias expansion (a real playbook has a few thousand)

_OPEN, _CLOSE = "[{", "]}"
_BLOCK_SCALAR = ("|", ">", "|-", ">-", "|+", ">+")


def nesting_too_deep(text: str) -> tuple[int, int] | None:
    """The 1-based line and column where the text nests deeper than ``MAX_DEPTH`` (block
    indentation and ``- `` items plus flow brackets), or None. An estimate on the text:
    quoted strings, comments and block scalars (``|``, ``>``) are skipped."""
    indents = [-1]
    flow = 0
    quote = ""
    scalar_indent: int | None = None
    for lineno, line in enumerate(text.split("\n"), start=1):
        body = line.lstrip(" ")
        indent = len(line) - len(body)
        if scalar_indent is not None:
            if not body.strip() or indent > scalar_indent:
                continue
            scalar_indent = None
        if not quote and flow == 0:
            if not body or body.startswith("#"):
                continue
            while indents[-1] > indent:
                indents.pop()
            if indent > indents[-1]:
                indents.append(indent)
            dashes = len(body) - len(body.lstrip("- ")) if body.startswith("- ") else 0
            if len(indents) - 1 + body[:dashes].count("-") > MAX_DEPTH:
                return lineno, indent + 1
        block = len(indents) - 1
        for col, char in enumerate(line):
            before = line[col - 1] if col else " "
            token_start = before in " \t[{,:-"
            if quote:
                if char == quote and (quote == "'" or before != "\\"):
                    quote = ""
            elif char in "'\"" and token_start:
                quote = char
            elif char == "#" and before in " \t":
                break
            elif char in _OPEN and (flow or token_start):
                flow += 1
                if block + flow > MAX_DEPTH:
                    return lineno, col + 1
            elif char in _CLOSE and flow:
                flow -= 1
        if not quote and flow == 0 and body.split(" #")[0].rstrip().rsplit(" ", 1)[-1].rstrip("0123456789") in _BLOCK_SCALAR:
            scalar_indent = indent
    return None


def expansion_too_big(node: Any) -> tuple[str, tuple[int, int]] | None:
    """Why the parsed document is too big or too deep once its aliases are expanded
    (with the position of the mapping or list where the limit is crossed), or None.
    Iterative, and each node shared through an alias is sized once."""
    size: dict[int, tuple[int, int]] = {}  #: id → (values, depth) once expanded
    stack: list[tuple[Any, tuple[int, int], bool]] = [(node, (1, 1), False)]
    on_path: set[int] = set()
    while stack:
        current, position, children_done = stack.pop()
        if not isinstance(current, (CommentedMap, CommentedSeq)):
            continue
        key = id(current)
        if children_done:
            on_path.discard(key)
            values, depth = 1, 1
            for child, _ in _children(current):
                child_values, child_depth = size.get(id(child), (1, 0))
                values += child_values
                depth = max(depth, child_depth + 1)
            size[key] = (values, depth)
            if values > MAX_VALUES:
                return f"aliases expand to over {MAX_VALUES:,} values (an alias bomb?); write the values out instead", position
            if depth > MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH} levels (through aliases); flatten the playbook", position
            continue
        if key in size:
            continue
        if key in on_path:
            return "an alias refers to the mapping or list that contains it; a playbook must be a tree", position
        on_path.add(key)
        stack.append((current, position, True))
        stack.extend((child, where, False) for child, where in _children(current))
    return None


def _children(node: CommentedMap | CommentedSeq) -> list[tuple[Any, tuple[int, int]]]:
    if isinstance(node, CommentedMap):
        out = []
        for k in node:
            line, col = node.lc.value(k) if k in node.lc.data else (0, 0)
            out.append((node[k], (line + 1, col + 1)))
        return out
    out = []
    for i, item in enumerate(node):
        line, col = node.lc.item(i) if i in node.lc.data else (0, 0)
        out.append((item, (line + 1, col + 1)))
    return out
