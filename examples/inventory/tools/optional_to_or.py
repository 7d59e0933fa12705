"""``Optional[X]`` -> ``X | None`` (PEP 604), the half that libcst's ConvertUnionToOrCommand leaves.

libcst's ``convert_union_to_or.ConvertUnionToOrCommand`` only rewrites ``typing.Union``;
this codemod does the same for ``typing.Optional`` (and ``typing_extensions.Optional``),
however it was imported (``from typing import Optional``, ``import typing as t`` +
``t.Optional``, ``from typing import Optional as Opt``), and drops the imports it
leaves unused. The result needs Python 3.10+ at runtime (or annotations that are never
evaluated: ``from __future__ import annotations``).

An ``Optional`` whose argument is or contains a string forward reference cannot become
``"Item" | None`` (a TypeError when evaluated). When it is a whole annotation it becomes
one string annotation, ``"Item | None"`` (evaluated lazily, like the reference it
replaces). Left alone and reported (a warning, and a gap under batchmod): such an ``Optional`` anywhere else, one whose
references cannot be unquoted safely (``Literal["x"]`` inside, f-strings, both kinds of
quotes), an ``Optional`` that is not subscripted with exactly one type, and a site
whose replacement cannot be built, would drop a comment or does not parse (the other
sites of the file are still converted).

Self-contained (libcst only) so it can live in ``runner/transforms/library/`` or in a
migrated repository (``transform: python:tools/optional_to_or.py:OptionalToOrCommand``).
"""
from __future__ import annotations

import ast
from typing import Callable

import libcst as cst
import libcst.matchers as m
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.metadata import ParentNodeProvider, PositionProvider, QualifiedNameProvider

OPTIONAL_NAMES = frozenset({"typing.Optional", "typing_extensions.Optional"})

#: Expressions that bind less tightly than ``|`` and so need parentheses as an operand.
_LOOSER_THAN_BITOR = (cst.IfExp, cst.Lambda, cst.BooleanOperation, cst.Comparison, cst.UnaryOperation, cst.NamedExpr)


class TypingNameCommand(VisitorBasedCodemodCommand):
    """Base of the codemods that replace a typing name: collects the imports, and drops
    those through which a replaced name was reached once they are unused.

    Each site stands alone (:meth:`replaced`): a replacement that cannot be built, would
    drop a comment or does not parse leaves that site as it was, and the site is
    reported (:meth:`leave`) as a warning and in ``self.gaps``; the other sites of the
    file are still converted."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, PositionProvider, ParentNodeProvider)
    TYPING_OBJECTS: frozenset[str] = frozenset()  #: the names replaced, e.g. {"Optional"}

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._used_bindings: set[str] = set()  # local names through which a replaced name was reached
        self._imports: list[cst.Import | cst.ImportFrom] = []
        #: sites left as they were: {line, column (1-based), reason, source, rule}; batchmod
        #: reports each as a gap (``libcst.tool`` shows the warnings)
        self.gaps: list[dict[str, object]] = []

    def visit_Import(self, node: cst.Import) -> None:
        """Collects the import, for the unused-import clean-up in :meth:`leave_Module`."""
        self._imports.append(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        """Collects the import, for the unused-import clean-up in :meth:`leave_Module`."""
        self._imports.append(node)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        """Schedules (``RemoveImportsVisitor``, run by libcst after the transform) the removal of
        the typing imports through which a replaced name was reached, should they be unused
        now; returns ``updated_node`` unchanged."""
        for module, obj, asname in _typing_imports(self._imports, set(self.TYPING_OBJECTS), self._used_bindings):
            RemoveImportsVisitor.remove_unused_import(self.context, module, obj, asname)
        return updated_node

    def leave(self, original: cst.CSTNode, reason: str) -> None:
        """Report the site ``original`` (a node of the tree visited) as left unchanged."""
        start = self.get_metadata(PositionProvider, original).start
        self.warn(f"line {start.line}: {reason}")
        source = cst.Module([]).code_for_node(original)
        self.gaps.append({"line": start.line, "column": start.column + 1, "reason": reason,
                          "source": source, "rule": type(self).__name__})

    def replaced(self, original: cst.CSTNode, updated: cst.BaseExpression,
                 build: Callable[[], cst.BaseExpression], binding: cst.BaseExpression) -> cst.BaseExpression:
        """``build()``, keeping ``updated``'s parentheses (or adding those its parent needs)
        and recording ``binding``'s name as used; ``updated`` itself, the site reported,
        when the replacement cannot be built, would drop a comment or does not parse."""
        try:
            new = _parenthesised(build(), updated, self.get_metadata(ParentNodeProvider, original, None), original)
            problem = replacement_problem(updated, new)
        except Exception as exc:  # one site's failure never costs the file
            problem = f"the replacement cannot be built ({type(exc).__name__}: {' '.join(str(exc).split())})"
        if problem:
            self.leave(original, f"{problem}; left unchanged")
            return updated
        self._used_bindings.add(_base_name(binding))
        return new


def replacement_problem(old: cst.BaseExpression, new: cst.BaseExpression) -> str | None:
    """Why ``new`` cannot replace ``old``: it drops a comment, or its code does not parse
    as an expression; None when it can."""
    comments = m.findall(old, m.Comment())
    if len(m.findall(new, m.Comment())) < len(comments):
        return f"the replacement would drop the comment {comments[0].value!r}"  # type: ignore[attr-defined]
    code = cst.Module([]).code_for_node(new)
    try:
        ast.parse(f"({code}\n)", mode="eval")
    except SyntaxError as exc:
        return f"the replacement `{' '.join(code.split())}` does not parse ({exc.msg})"
    return None


def _parenthesised(new: cst.BaseExpression, updated: cst.BaseExpression, parent: cst.CSTNode | None,
                   original: cst.CSTNode) -> cst.BaseExpression:
    """``new`` with ``updated``'s parentheses; a ``|`` operation without any gets them
    where its parent binds tighter (``Optional[int].__args__`` -> ``(int | None).__args__``)."""
    if getattr(updated, "lpar", None):
        return new.with_changes(lpar=updated.lpar, rpar=updated.rpar)  # type: ignore[attr-defined]
    if isinstance(new, cst.BinaryOperation) and not new.lpar and _binds_tighter(parent, original):
        return new.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return new


def _binds_tighter(parent: cst.CSTNode | None, child: cst.CSTNode) -> bool:
    """Whether ``parent`` binds ``child`` (one of its operands) tighter than ``|`` does."""
    if isinstance(parent, (cst.Attribute, cst.Subscript)):
        return parent.value is child
    if isinstance(parent, cst.Call):
        return parent.func is child
    if isinstance(parent, (cst.UnaryOperation, cst.Await)):
        return True
    return isinstance(parent, cst.BinaryOperation) and not isinstance(parent.operator, cst.BitOr)


class OptionalToOrCommand(TypingNameCommand):
    """The codemod of this module: ``Optional[X]`` -> ``X | None``.

    Takes a ``CodemodContext``; returns the transformed module from ``transform_module``
    like any libcst codemod. A site left alone (see the module's docstring) is a warning
    and an entry of ``self.gaps``; nothing raises for one site. Touches no file."""

    DESCRIPTION: str = "Convert `Optional[X]` to `X | None` (PEP 604, Python 3.10+)."

    TYPING_OBJECTS = frozenset({"Optional"})

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        """``Optional[X]`` -> ``X | None`` (or the string annotation ``"X | None"`` for a forward
        reference that is a whole annotation); any other subscript, or a site left, as ``updated_node``."""
        if not isinstance(original_node.value, (cst.Name, cst.Attribute)):
            return updated_node  # ``Optional[int][0]``: the outer subscript is not one
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original_node.value, set())}
        if not names & OPTIONAL_NAMES:
            return updated_node
        if len(updated_node.slice) != 1 or not isinstance(updated_node.slice[0].slice, cst.Index) \
                or updated_node.slice[0].slice.star:
            self.leave(original_node, "Optional[...] without exactly one type argument left unchanged")
            return updated_node
        inner = updated_node.slice[0].slice.value
        if holds_string(inner):
            text = forward_reference_text(inner)
            if text is None or not isinstance(self.get_metadata(ParentNodeProvider, original_node, None), cst.Annotation):
                self.leave(original_node, "Optional[...] with a string forward reference left unchanged")
                return updated_node
            return self.replaced(original_node, updated_node, lambda: string_annotation(f"{text} | None"), original_node.value)
        return self.replaced(original_node, updated_node, lambda: _or_none(inner), original_node.value)


def _or_none(inner: cst.BaseExpression) -> cst.BinaryOperation:
    if isinstance(inner, _LOOSER_THAN_BITOR) and not inner.lpar:
        inner = inner.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.BinaryOperation(left=inner, operator=cst.BitOr(), right=cst.Name("None"))


def holds_string(expr: cst.BaseExpression) -> bool:
    """Whether ``expr`` is or contains a string literal (a forward reference, in a type)."""
    strings = m.SimpleString() | m.ConcatenatedString() | m.FormattedString()
    return m.matches(expr, strings) or bool(m.findall(expr, strings))


def forward_reference_text(expr: cst.BaseExpression) -> str | None:
    """``expr`` as type text with its string literals unquoted (``list["Item"]`` ->
    ``list[Item]``); None when that is not safe: a ``Literal[...]``, an f-string, bytes,
    a concatenation, a result that does not parse or would need both kinds of quotes."""
    if m.findall(expr, m.Subscript(value=m.Name("Literal") | m.Attribute(attr=m.Name("Literal")))):
        return None
    if m.findall(expr, m.ConcatenatedString() | m.FormattedString()) or m.matches(expr, m.ConcatenatedString() | m.FormattedString()):
        return None
    found: dict[str, str] = {}

    class _Unquote(cst.CSTTransformer):
        def leave_SimpleString(self, original: cst.SimpleString, updated: cst.SimpleString) -> cst.BaseExpression:
            value = updated.evaluated_value
            if not isinstance(value, str):
                found["bytes"] = ""
                return updated
            placeholder = f"__batchmod_ref_{len(found)}__"
            found[placeholder] = value
            return cst.Name(placeholder)

    wrapped = cst.Module([cst.SimpleStatementLine([cst.Expr(expr)])]).visit(_Unquote())
    if "bytes" in found:
        return None
    text = wrapped.code.strip()
    for placeholder, value in found.items():
        text = text.replace(placeholder, value)
    try:
        ast.parse(text, mode="eval")
    except SyntaxError:
        return None
    return None if "\n" in text or ('"' in text and "'" in text) else text


def string_annotation(text: str) -> cst.SimpleString:
    """``text`` as a string literal, double-quoted unless it holds a double quote."""
    return cst.SimpleString(f"'{text}'" if '"' in text else f'"{text}"')


def _base_name(expr: cst.BaseExpression) -> str:
    """``Optional`` -> ``Optional``; ``t.Optional`` -> ``t``; ``typing.Optional`` -> ``typing``."""
    while isinstance(expr, cst.Attribute):
        expr = expr.value
    return expr.value if isinstance(expr, cst.Name) else ""


def _dotted(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{_dotted(expr.value)}.{expr.attr.value}"
    return ""


def _typing_imports(
    imports: list[cst.Import | cst.ImportFrom], objects: set[str], used: set[str]
) -> list[tuple[str, str | None, str | None]]:
    """(module, obj, asname) of the typing imports through which a replaced name was reached."""
    found: list[tuple[str, str | None, str | None]] = []
    for node in imports:
        if isinstance(node, cst.ImportFrom):
            if node.relative or node.module is None or isinstance(node.names, cst.ImportStar):
                continue
            module = _dotted(node.module)
            if module not in ("typing", "typing_extensions"):
                continue
            for alias in node.names:
                obj = _dotted(alias.name)
                asname = _dotted(alias.asname.name) if alias.asname else None
                if obj in objects and (asname or obj) in used:
                    found.append((module, obj, asname))
        else:
            for alias in node.names:
                module = _dotted(alias.name)
                asname = _dotted(alias.asname.name) if alias.asname else None
                if module in ("typing", "typing_extensions") and (asname or module) in used:
                    found.append((module, None, asname))
    return found
