"""Statement scope: units parsed alone and spliced back give the whole-file bytes exactly."""
from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.commands.convert_format_to_fstring import ConvertFormatStringCommand
from libcst.codemod.visitors import AddImportsVisitor
from libcst.metadata import MetadataWrapper, PositionProvider

from runner.transforms.base import FileContext, Gap, TreeResult
from runner.transforms.codemod import CodemodTransform
from runner.transforms.statements import _default_indent, split_lines, transform_statements

CTX = FileContext("/nonexistent", "pkg/mod.py", "pkg.mod", "pkg")
FORMAT = (".format(",)


class ReturnNoneCommand(VisitorBasedCodemodCommand):
    """``return None`` -> ``return`` (local to its statement)."""

    def leave_Return(self, original: cst.Return, updated: cst.Return) -> cst.Return:
        if isinstance(updated.value, cst.Name) and updated.value.value == "None":
            return updated.with_changes(value=None, whitespace_after_return=cst.SimpleWhitespace(""))
        return updated


class WrapInIfCommand(VisitorBasedCodemodCommand):
    """``mark()`` -> ``if True:`` + a new block around it: new blocks use the file's indentation."""

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if cst.ensure_type(self.module, cst.Module).code_for_node(original).strip() != "mark()":
            return updated
        return cst.If(test=cst.Name("True"), body=cst.IndentedBlock(body=[updated.with_changes(leading_lines=())]),
                      leading_lines=updated.leading_lines)


class DropMarkCommand(VisitorBasedCodemodCommand):
    """Removes ``mark()`` statements, and with them the comments above them."""

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine):
        if cst.ensure_type(self.module, cst.Module).code_for_node(original).strip().endswith("mark()"):
            return cst.RemoveFromParent()
        return updated


class ImportingFormatCommand(ConvertFormatStringCommand):
    """Converts and schedules an import: imports act on the whole module."""

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        AddImportsVisitor.add_needed_import(self.context, "typing", "Any")
        return super().leave_Call(original, updated)


def whole(source: bytes, cls: type = ConvertFormatStringCommand) -> bytes:
    return cls(CodemodContext()).transform_module(cst.parse_module(source)).bytes


def scoped(source: bytes, needles: tuple[str, ...] = FORMAT, cls: type = ConvertFormatStringCommand) -> bytes | None:
    transform = CodemodTransform(cls, {}, needles)
    done = transform_statements(source, needles, lambda m: transform.transform_module(m, CTX, statement_scope=True))
    return None if done is None else done.after


def both_ways(source: str, needles: tuple[str, ...] = FORMAT, cls: type = ConvertFormatStringCommand) -> str:
    data = source.encode("utf-8")
    out = scoped(data, needles, cls)
    assert out is not None, "the statement scope declined"
    assert out == whole(data, cls)
    return out.decode("utf-8")


GOLDEN = {
    "a method of a class, its decorators and comments": (
        'import os\n\n\nclass A:\n    # about f\n    @deco("{}".format(1))\n    def f(self):\n'
        '        return "{}".format(self)\n\n    def g(self):\n        return 1\n',
        'import os\n\n\nclass A:\n    # about f\n    @deco(f"{1}")\n    def f(self):\n'
        '        return f"{self}"\n\n    def g(self):\n        return 1\n'),
    "nested blocks and a multi-line string that leaves the indentation": (
        'def f(x):\n    if x:\n        s = """\nno indent\n"""\n        for i in x:\n'
        '            print("{} {}".format(i, s))  # trailing\n    return x\n',
        'def f(x):\n    if x:\n        s = """\nno indent\n"""\n        for i in x:\n'
        '            print(f"{i} {s}")  # trailing\n    return x\n'),
    "\\r\\n line ends": (
        'class A:\r\n    def f(self):\r\n        return "{}".format(1)\r\n',
        'class A:\r\n    def f(self):\r\n        return f"{1}"\r\n'),
    "tabs": (
        'class A:\n\tdef f(self):\n\t\tif self:\n\t\t\treturn "{}".format(1)\n\t\treturn 2\n',
        'class A:\n\tdef f(self):\n\t\tif self:\n\t\t\treturn f"{1}"\n\t\treturn 2\n'),
    "from __future__ imports": (
        'from __future__ import annotations\n\nx: "int" = 1\ny = "{}".format(x)\n',
        'from __future__ import annotations\n\nx: "int" = 1\ny = f"{x}"\n'),
    "a utf-8 encoding cookie": (
        '# -*- coding: utf-8 -*-\nname = "é"\nmsg = "{} é".format(name)\n',
        '# -*- coding: utf-8 -*-\nname = "é"\nmsg = f"{name} é"\n'),
    "no newline at the end": (
        'a = 1\nb = "{}".format(a)', 'a = 1\nb = f"{a}"'),
    "an elif, a try and a handler": (
        'def f(x):\n    if x:\n        pass\n    elif x > 1:\n        y = "{}".format(x)\n'
        '    try:\n        pass\n    except E:\n        z = "{}".format(x)\n',
        'def f(x):\n    if x:\n        pass\n    elif x > 1:\n        y = f"{x}"\n'
        '    try:\n        pass\n    except E:\n        z = f"{x}"\n'),
    "a statement sharing its line is parsed with its parent": (
        'def f(x):\n    a = 1; b = "{}".format(a)\n    if x: c = "{}".format(x)\n',
        'def f(x):\n    a = 1; b = f"{a}"\n    if x: c = f"{x}"\n'),
}


@pytest.mark.parametrize("name", list(GOLDEN))
def test_golden_splice_equals_whole_file(name: str) -> None:
    before, after = GOLDEN[name]
    assert both_ways(before) == after


def test_new_blocks_take_the_files_indentation_not_the_units() -> None:
    source = "import os\n\n\nclass A:\n  def f(self):\n    if self:\n      mark()\n"
    assert both_ways(source, ("mark",), WrapInIfCommand).endswith("      if True:\n        mark()\n")
    assert _default_indent(source) == "  "


@pytest.mark.parametrize("source, why", [
    ('a = 1; b = "{}".format(a)\n', "a top-level statement shares its line"),
    ('x = 1\n# see "{}".format()\ny = 2\n', "a needle in a comment between top-level statements"),
    ('# -*- coding: latin-1 -*-\nb = "{}".format(1)\n', "not UTF-8"),
    ('def f(:\n    "{}".format(1)\n', "Python's parser rejects it"),
    ('\ufeffb = "{}".format(1)\n', "a byte order mark"),
])
def test_declines_what_it_cannot_do_exactly(source: str, why: str) -> None:
    assert scoped(source.encode("latin-1" if "latin-1" in source else "utf-8")) is None, why


def test_declines_a_codemod_that_drops_a_statement_with_its_comments() -> None:
    source = b"def f():\n    x = 1\n    # why\n    mark()\n    return x\n"
    assert scoped(source, ("mark",), DropMarkCommand) is None
    assert whole(source, DropMarkCommand) == b"def f():\n    x = 1\n    return x\n"


def test_declines_a_codemod_that_adds_imports() -> None:
    assert scoped(b'def f():\n    return "{}".format(1)\n', FORMAT, ImportingFormatCommand) is None


def test_no_statement_changes_gives_the_source_back() -> None:
    source = b'def f(x):\n    return "{x}".format(**x)\n'
    assert scoped(source) == source == whole(source)


class _FormatGaps:
    """A transform that leaves a gap at every ``.format`` call, positioned in its module."""

    def __call__(self, module: cst.Module) -> TreeResult:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
        gaps = [Gap("m.py", pos.start.line, pos.start.column + 1, "format", module.code_for_node(node))
                for node, pos in positions.items()
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format"]
        return TreeResult(module, gaps=tuple(sorted(gaps, key=lambda g: (g.line, g.column))))


def test_gaps_are_positioned_in_the_files_lines_and_columns() -> None:
    source = ('import os\n\n\nclass A:\n    x = 1\n\n    # c\n    def f(self):\n        return "{}".format(\n'
              '            self)\n\ny = 2\nz = "{}".format(y)\n').encode()
    done = transform_statements(source, FORMAT, _FormatGaps())
    assert done is not None and done.after == source
    assert [(g.line, g.column) for g in done.gaps] == [(9, 16), (13, 5)]
    assert [(g.line, g.column) for g in done.gaps] == [(g.line, g.column) for g in _FormatGaps()(cst.parse_module(source)).gaps]


def test_gaps_are_positioned_in_the_output_when_lines_move() -> None:
    class Grow(_FormatGaps):
        def __call__(self, module: cst.Module) -> TreeResult:
            code = module.code.replace('"{}".format(1)', '"{}".format(\n    1)')
            return super().__call__(cst.parse_module(code))

    source = b'def f():\n    a = "{}".format(1)\n    b = 2\n\ndef g():\n    c = "{}".format(1)\n'
    done = transform_statements(source, FORMAT, Grow())
    assert done is not None
    assert done.after == b'def f():\n    a = "{}".format(\n    1)\n    b = 2\n\ndef g():\n    c = "{}".format(\n    1)\n'
    assert [(g.line, g.column) for g in done.gaps] == [(2, 9), (7, 9)]


def _sample(limit: int = 10, max_bytes: int = 20_000) -> list[Path]:
    """Modules of Python's standard library that hold a needle of the two codemods below."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in stdlib.glob("*.py") if p.stat().st_size < max_bytes
                   and any(n in p.read_bytes() for n in (b".format(", b"return None")))
    return files[:: max(1, len(files) // limit)][:limit]


def test_real_files_give_the_same_bytes_both_ways() -> None:
    """Python's own standard library: a sample of its modules, two codemods, compared byte for byte."""
    compared = changed = 0
    for path in _sample():
        data = path.read_bytes()
        for needles, cls in (((".format(",), ConvertFormatStringCommand), (("return None",), ReturnNoneCommand)):
            if not any(n.encode() in data for n in needles):
                continue
            out = scoped(data, needles, cls)
            if out is None:
                continue
            compared += 1
            changed += out != data
            assert out == whole(data, cls), f"{path.name}: {cls.__name__} differs"
    assert compared >= 8 and changed >= 4


def test_default_indent_is_libcsts() -> None:
    for path in _sample():
        text = path.read_text("utf-8")
        assert _default_indent(text) == cst.parse_module(text).default_indent, path.name


def test_split_lines_counts_lines_as_python_does() -> None:
    assert split_lines("a\r\nb\rc\nd\x0ce\u2028f") == ["a\r\n", "b\r", "c\n", "d\x0ce\u2028f"]
    assert os.linesep  # (the platform's line end plays no part)


def test_declines_a_result_that_libcst_reads_but_python_does_not_compile() -> None:
    def to_return(module: cst.Module) -> TreeResult:
        return TreeResult(cst.parse_module(module.code.replace("x = mark()", "return mark()")))

    source = b"import os\nx = mark()\n"
    assert transform_statements(source, ("mark",), to_return) is None
    assert cst.parse_module(b"import os\nreturn mark()\n")  # libcst alone would take it


def test_sites_scope_the_transform_to_given_lines_instead_of_needles() -> None:
    source = b'def f():\n    a = "{}".format(1)\n\ndef g():\n    b = "{}".format(2)\n'
    transform = CodemodTransform(ConvertFormatStringCommand, {}, FORMAT)
    done = transform_statements(source, (), lambda m: transform.transform_module(m, CTX, statement_scope=True),
                                sites=[(5, 5)])
    assert done is not None and done.after == b'def f():\n    a = "{}".format(1)\n\ndef g():\n    b = f"{2}"\n'
    assert transform_statements(b"pass\n", (), lambda m: TreeResult(m), sites=[(1, 1)]) is None
