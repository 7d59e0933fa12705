"""Reading the tree without metadata: the cheap pre-check, the nodes the planner
looks at, and the string entries of ``__all__``."""
from __future__ import annotations

from typing import Union

import libcst as cst


class _Found(Exception):
    pass


class _MentionFinder(cst.CSTVisitor):
    def __init__(self, names: frozenset[str]) -> None:
        super().__init__()
        self.names = names

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            raise _Found

    def visit_ImportStar(self, node: cst.ImportStar) -> None:
        raise _Found

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if any(name in node.value for name in self.names):
            raise _Found

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        if any(name in node.value for name in self.names):
            raise _Found


def may_mention(module: cst.Module, names: frozenset[str]) -> bool:
    """Cheap pre-check (no metadata): does the tree have a Name spelled like one of
    ``names``, a string containing one, or a star import? Without any, a rename of
    names ending in ``names`` can neither change nor report anything in this file."""
    try:
        module.visit(_MentionFinder(names))
    except _Found:  # stop at the first hit rather than walk the whole tree
        return True
    return False


class Collector(cst.CSTVisitor):
    """Nodes of interest in source order (parents before children), and the parent of
    every node visited (one traversal instead of ParentNodeProvider's extra one)."""

    def __init__(self) -> None:
        super().__init__()
        self.imports: list[Union[cst.Import, cst.ImportFrom]] = []
        self.refs: list[Union[cst.Name, cst.Attribute]] = []
        self.strings: list[Union[cst.SimpleString, cst.FormattedString]] = []
        self.global_stmts: list[cst.Global] = []
        self.comments: list[cst.Comment] = []
        self.parents: dict[cst.CSTNode, cst.CSTNode] = {}
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        """Note ``node``'s parent (the node being visited); visit its children as the ``visit_`` methods say."""
        if self._stack:
            self.parents[node] = self._stack[-1]
        self._stack.append(node)
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        """Leave ``original_node``: its parent becomes the node being visited again."""
        self._stack.pop()
        super().on_leave(original_node)

    def visit_Import(self, node: cst.Import) -> bool:
        """Collect the statement; its children are not visited (no references in them)."""
        self.imports.append(node)
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        """Collect the statement; its children are not visited (no references in them)."""
        self.imports.append(node)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        """Collect the name as a possible reference."""
        self.refs.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """Collect the attribute as a possible reference; its value is visited too."""
        self.refs.append(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        """Collect the string (it may spell a renamed name)."""
        self.strings.append(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        """Collect the f-string (its text may spell a renamed name)."""
        self.strings.append(node)

    def visit_Comment(self, node: cst.Comment) -> None:
        """Collect the comment (it may mention a renamed name)."""
        self.comments.append(node)

    def visit_Global(self, node: cst.Global) -> None:
        """Collect the ``global`` statement."""
        self.global_stmts.append(node)


def dunder_all_strings(module: cst.Module) -> list[cst.SimpleString]:
    """String entries of the module-level ``__all__`` (``=``, ``:``-annotated, ``+=``,
    ``.extend([...])``, ``.append("x")``), lists or tuples, in source order."""
    found: list[cst.SimpleString] = []

    def strings_in(value: cst.BaseExpression | None) -> None:
        if isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            for element in value.elements:
                if isinstance(element.value, cst.SimpleString):
                    found.append(element.value)
        elif isinstance(value, cst.BinaryOperation):  # ["a"] + other.__all__
            strings_in(value.left)
            strings_in(value.right)
        elif isinstance(value, cst.SimpleString):
            found.append(value)

    def is_all(target: cst.BaseExpression) -> bool:
        return isinstance(target, cst.Name) and target.value == "__all__"

    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Assign) and any(is_all(t.target) for t in small.targets):
                strings_in(small.value)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and is_all(small.target):
                strings_in(small.value)
            elif (
                isinstance(small, cst.Expr)
                and isinstance(small.value, cst.Call)
                and isinstance(small.value.func, cst.Attribute)
                and is_all(small.value.func.value)
                and small.value.func.attr.value in ("extend", "append")
                and small.value.args
            ):
                strings_in(small.value.args[0].value)
    return found


def string_value(node: cst.SimpleString) -> str:
    """The literal's value as text (bytes decoded as latin-1; the source if odd)."""
    try:
        value = node.evaluated_value
    except Exception:  # noqa: BLE001 - e.g. invalid escapes: fall back to the source
        return node.value
    return value.decode("latin-1") if isinstance(value, bytes) else value
