"""The tree transform: visit every format site, convert it or record a gap."""
from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import (MetadataWrapper, ParentNodeProvider, PositionProvider, QualifiedNameProvider,
                             QualifiedNameSource, ScopeProvider)

from runner.transforms.base import FileContext, Gap, TreeResult
from runner.transforms.fstring.exprs import value_kind
from runner.transforms.fstring.infer import NameInference
from runner.transforms.fstring.pieces import NotConvertible
from runner.transforms.fstring.sites import SiteContext, convert_format, convert_percent

_TARGET = re.compile(r"3\.(\d+)\Z")


def parse_target(text: str) -> tuple[int, int]:
    """``"3.8"`` → (3, 8); ValueError for anything that is not a Python 3 version."""
    match = _TARGET.match(str(text))
    if not match:
        raise ValueError(f"target {text!r} is not a Python 3 version like \"3.8\"")
    return (3, int(match.group(1)))


class FstringTransform:
    """``%``-format and ``str.format`` calls on string literals → f-strings.

    ``target``: the oldest Python the code must run on ("3.8" by default; from "3.12"
    quotes and backslashes may be reused inside expressions). ``max_line_length``: a
    conversion that would make a line longer than this (and longer than it was) is left
    alone and reported. ``assume_not_tuple``: ``"%s" % x`` is converted whatever ``x``
    is (as ruff's unsafe fix does; were ``x`` a tuple at runtime, the result would
    differ), each such site a warning. ``assume_numbers``: the operand of a ``%d %x %f``...
    directive is taken for an int (or a float) whatever it is (``{x:d}`` keeps the type
    letter: a float raises instead of being truncated), each such site a warning. Every
    site not converted is a gap with its reason.
    """

    def __init__(self, target: str = "3.8", max_line_length: int | None = None, assume_not_tuple: bool = False,
                 assume_numbers: bool = False) -> None:
        self.target = parse_target(target)
        self.max_line_length = max_line_length
        self.assume_not_tuple = bool(assume_not_tuple)
        self.assume_numbers = bool(assume_numbers)

    def needles(self) -> tuple[str, ...]:
        """``%`` and ``.format``: a file without either has nothing to convert."""
        return ("%", ".format")

    def transform_module(self, module: cst.Module, ctx: FileContext) -> TreeResult:
        """The module with every convertible ``%`` and ``.format`` site as an f-string; the others are gaps or warnings."""
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        visitor = _Converter(module, ctx.path, self)
        new = wrapper.visit(visitor)
        return TreeResult(new, warnings=tuple(visitor.warnings), gaps=tuple(visitor.gaps))


class _Converter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider, QualifiedNameProvider, ScopeProvider, ParentNodeProvider)

    def __init__(self, module: cst.Module, path: str, options: FstringTransform) -> None:
        super().__init__()
        self.module = module
        self.path = path
        self.lines = module.code.splitlines()
        self.max_line = options.max_line_length
        self.sc = SiteContext(module, self, options.target, options.assume_not_tuple, options.assume_numbers)
        self.gaps: list[Gap] = []
        self.warnings: list[str] = []
        self._names = NameInference(
            lambda n: self.get_metadata(ScopeProvider, n, None),
            lambda n: self.get_metadata(ParentNodeProvider, n, None),
            lambda n, depth: value_kind(n, self, depth),
            self.builtin,
        )

    def name_kind(self, node: cst.Name, depth: int) -> str:
        """What every binding of the local name provably holds (the site's Oracle)."""
        return self._names.kind(node, depth)

    def tuple_length(self, node: cst.Name) -> int | None:
        """The tuple length every binding of the local name gives (the site's Oracle)."""
        return self._names.tuple_length(node)

    def builtin(self, node: cst.CSTNode) -> str | None:
        """The builtin a Name resolves to, or None (the site's Oracle)."""
        if not isinstance(node, cst.Name):
            return None
        try:
            names = self.get_metadata(QualifiedNameProvider, node, set())
        except KeyError:
            return None
        for qn in names:
            if qn.source == QualifiedNameSource.BUILTIN:
                return qn.name.removeprefix("builtins.")
        return None

    def imported(self, node: cst.CSTNode) -> str | None:
        """The one qualified name an imported Name or Attribute resolves to, or None (the
        site's Oracle)."""
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        try:
            names = self.get_metadata(QualifiedNameProvider, node, set())
        except KeyError:
            return None
        imported = {qn.name for qn in names if qn.source == QualifiedNameSource.IMPORT}
        return imported.pop() if len(imported) == 1 and len(names) == 1 else None

    def leave_BinaryOperation(self, original: cst.BinaryOperation, updated: cst.BinaryOperation) -> cst.BaseExpression:
        if not isinstance(original.operator, cst.Modulo):
            return updated
        if not isinstance(original.left, (cst.SimpleString, cst.ConcatenatedString)):
            return self._runtime_format(original, updated, original.left, "%-format")
        if _is_bytes(original.left):
            return updated
        return self._convert(original, updated, convert_percent, "%-format")

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        func = original.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "format"):
            return updated
        if not isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString)):
            return self._runtime_format(original, updated, func.value, ".format()")
        if _is_bytes(func.value):
            return updated
        return self._convert(original, updated, convert_format, ".format()")

    def _runtime_format(self, original: cst.BaseExpression, updated: cst.BaseExpression,
                        template: cst.BaseExpression, what: str) -> cst.BaseExpression:
        """A provable str that is no literal (``fmt % x``, ``fmt.format(x)``) is a gap:
        its directives are known only at runtime. Anything else (``a % b`` of numbers,
        another type's ``.format``) is not a format site."""
        if value_kind(template, self) == "str":
            self._gap(original, f"{what} left as is: the format string is not a plain string literal "
                                "(its fields are known only at runtime)")
        return updated

    def _convert(self, original, updated, convert, what: str) -> cst.BaseExpression:  # type: ignore[no-untyped-def]
        assumed = len(self.sc.assumed)
        try:
            new = convert(original, updated, self.sc)
            self._check_length(original, new)
            if len(self.sc.assumed) > assumed:
                pos = self.get_metadata(PositionProvider, original)
                self.warnings.append(f"{pos.start.line}:{pos.start.column + 1}: converted assuming "
                                     + ", ".join(dict.fromkeys(self.sc.assumed[assumed:])))
            return new
        except NotConvertible as exc:
            self._gap(original, f"{what} left as is: {exc}")
        except Exception as exc:  # one odd site must not cost the file
            self._gap(original, f"{what} left as is: cannot convert ({type(exc).__name__}: {exc})")
        del self.sc.assumed[assumed:]
        return updated

    def _check_length(self, original: cst.CSTNode, new: cst.BaseExpression) -> None:
        if self.max_line is None:
            return
        pos = self.get_metadata(PositionProvider, original)
        first, last = self.lines[pos.start.line - 1], self.lines[pos.end.line - 1]
        text = first[: pos.start.column] + self.module.code_for_node(new) + last[pos.end.column:]
        old_longest = max(len(line) for line in self.lines[pos.start.line - 1: pos.end.line])
        longest = max(len(line) for line in text.splitlines())
        if longest > self.max_line and longest > old_longest:
            raise NotConvertible(f"the result would be {longest} characters long (max_line_length {self.max_line})")

    def _gap(self, node: cst.CSTNode, reason: str) -> None:
        pos = self.get_metadata(PositionProvider, node)
        source = self.module.code_for_node(node)
        first = source.strip().splitlines()[0] if source.strip() else ""
        self.gaps.append(Gap(self.path, pos.start.line, pos.start.column + 1, reason, first))


def _is_bytes(node: cst.BaseExpression) -> bool:
    while isinstance(node, cst.ConcatenatedString):
        node = node.left
    return isinstance(node, cst.SimpleString) and "b" in node.prefix.lower()
