"""What is provable about an operand: its type, whether evaluating it has effects,
and its source as one line fit for an f-string field.

Builtins count only when the name resolves to the builtin (libcst's qualified names:
a local ``len`` is not ``builtins.len``).
"""
from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from typing import Protocol

import libcst as cst

from runner.transforms.fstring.infer import NOT_TUPLE, OBJECT, combine_kinds
from runner.transforms.fstring.pieces import Expr, NotConvertible

_INT_CALLS = {"len", "int", "ord", "id", "hash"}
_STR_CALLS = {"str", "repr", "ascii", "format", "chr", "hex", "oct", "bin"}
_OTHER_NOT_TUPLE_CALLS = {"bool", "list", "set", "frozenset", "sorted", "type", "bytes", "complex", "range"}
#: stdlib functions by qualified name (through the file's imports) and what they return
#: for any argument they accept (``os.path`` functions: a str, or bytes for bytes)
_STDLIB_CALLS = {
    "time.strftime": "str", "time.time": "float", "os.getcwd": "str", "os.getpid": "int",
    "json.dumps": "str", "textwrap.dedent": "str", "textwrap.indent": "str", "shlex.quote": "str",
    "platform.python_version": "str", "sys.getsizeof": "int",
    **{f"os.path.{f}": NOT_TUPLE for f in ("join", "dirname", "basename", "abspath", "normpath", "realpath",
                                          "relpath", "expanduser", "expandvars", "normcase")},
}
_FLOAT_OPERATORS = (cst.Add, cst.Subtract, cst.Multiply, cst.Divide, cst.FloorDivide, cst.Modulo)
_DICT_VIEWS = {"keys", "values", "items"}
_INT_OPERATORS = (cst.Add, cst.Subtract, cst.Multiply, cst.FloorDivide, cst.Modulo, cst.LeftShift,
                  cst.RightShift, cst.BitAnd, cst.BitOr, cst.BitXor)
_NOT_TUPLE_NODES = (cst.Imaginary, cst.List, cst.ListComp, cst.Set, cst.SetComp, cst.Comparison, cst.Lambda)
_STR_METHODS = {"join", "format", "strip", "lstrip", "rstrip", "upper", "lower", "title", "replace",
                "capitalize", "center", "ljust", "rjust", "casefold", "swapcase", "zfill", "expandtabs"}
_STR_METHODS_NOT_TUPLE = {"split", "rsplit", "splitlines", "encode", "startswith", "endswith", "find",
                          "rfind", "count", "isdigit", "isspace", "isalpha", "isalnum", "isidentifier"}

class Oracle(Protocol):
    """What the tree's metadata says about names."""

    def builtin(self, node: cst.CSTNode) -> str | None:
        """The builtin a Name resolves to ("len"), or None."""
        ...

    def tuple_length(self, node: cst.Name) -> int | None:
        """The length every binding of the local name provably gives it as a tuple, or None."""
        ...

    def imported(self, node: cst.CSTNode) -> str | None:
        """The qualified name an imported Name or Attribute resolves to ("os.path.join"), or None."""
        ...

    def name_kind(self, node: cst.Name, depth: int) -> str:
        """"int", "str", NOT_TUPLE or "" for a local name (see :mod:`.infer`)."""
        ...


@dataclass(frozen=True, slots=True)
class Operand:
    """One argument of a format site."""

    expr: Expr
    kind: str  #: "str", "int", "float" or "" (unknown)
    not_tuple: bool
    standard: bool  #: of a standard type (``format(x, "")`` is ``str(x)``)
    pure: bool  #: evaluating it twice, or not at all, changes nothing


def operand_of(node: cst.BaseExpression, updated: cst.BaseExpression, module: cst.Module,
               oracle: Oracle) -> Operand:
    """Facts from the original node (metadata), code from the updated one."""
    kind = value_kind(node, oracle)
    bare = _without_parens(updated, module)
    expr = Expr(one_line_code(bare, module), _is_atomic(bare), literal=_inline_text(node))
    return Operand(expr, kind if kind in ("int", "str", "float") else "", bool(kind), kind not in ("", OBJECT),
                   is_pure(node))


def value_kind(node: cst.BaseExpression, oracle: Oracle, depth: int = 0) -> str:
    """"str", "int", "float" or "dict" when the node provably evaluates to that type,
    NOT_TUPLE when it provably is not a tuple (``"%s" % x`` is then safe), else ""."""
    kind = _type_of(node, oracle, depth)
    if kind:
        return kind
    if isinstance(node, _NOT_TUPLE_NODES) or isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Not):
        return NOT_TUPLE
    if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
        return NOT_TUPLE
    if isinstance(node, cst.Call) and oracle.builtin(node.func) in _OTHER_NOT_TUPLE_CALLS:
        return NOT_TUPLE
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method, receiver = node.func.attr.value, _known(node.func.value, oracle, depth)
        if receiver == "dict" and method in _DICT_VIEWS or receiver == "str" and method in _STR_METHODS_NOT_TUPLE:
            return NOT_TUPLE
    if isinstance(node, cst.IfExp):
        return combine_kinds((value_kind(node.body, oracle, depth + 1), value_kind(node.orelse, oracle, depth + 1)))
    if isinstance(node, cst.Name):
        return oracle.name_kind(node, depth) if depth <= 3 else ""
    return ""


def _type_of(node: cst.BaseExpression, oracle: Oracle, depth: int) -> str:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        return "" if _is_bytes(node) else "str"
    if isinstance(node, cst.FormattedString):
        return "str"
    if isinstance(node, cst.Integer):
        return "int"
    if isinstance(node, cst.Float):
        return "float"
    if isinstance(node, (cst.Dict, cst.DictComp)):
        return "dict"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus, cst.BitInvert)):
        operand = _known(node.expression, oracle, depth)
        return operand if operand == "int" or operand == "float" and not isinstance(node.operator, cst.BitInvert) else ""
    if isinstance(node, cst.BinaryOperation):
        return _binary_kind(node, oracle, depth)
    if isinstance(node, cst.Call):
        name = oracle.builtin(node.func)
        if name in _INT_CALLS:
            return "int"
        if name in _STR_CALLS:
            return "str"
        if name in ("float", "dict"):
            return name
        func = node.func
        if (isinstance(func, cst.Attribute) and func.attr.value in _STR_METHODS
                and _known(func.value, oracle, depth) == "str"):
            return "str"
        if isinstance(func, cst.Attribute) and func.attr.value == "copy" and _known(func.value, oracle, depth) == "dict":
            return "dict"
        return _STDLIB_CALLS.get(oracle.imported(func) or "", "")
    if isinstance(node, cst.Attribute) and node.attr.value in ("__name__", "__qualname__"):
        value = node.value
        if isinstance(value, cst.Call) and oracle.builtin(value.func) == "type":
            return "str"
        if isinstance(value, cst.Attribute) and value.attr.value == "__class__":
            return "str"
    return ""


def _binary_kind(node: cst.BinaryOperation, oracle: Oracle, depth: int) -> str:
    """``str % ...``, ``str + str``, ``str * int``; ints and floats under arithmetic."""
    left, right, op = _known(node.left, oracle, depth), _known(node.right, oracle, depth), node.operator
    if isinstance(op, cst.Modulo) and left == "str" and isinstance(node.left, cst.BaseString):
        return "str"
    if isinstance(op, cst.Add) and left == right == "str":
        return "str"
    if isinstance(op, cst.Multiply) and {left, right} == {"str", "int"}:
        return "str"
    if isinstance(op, _INT_OPERATORS) and left == right == "int":
        return "int"
    if isinstance(op, cst.Divide) and left == right == "int":
        return "float"
    if isinstance(op, _FLOAT_OPERATORS) and {left, right} <= {"int", "float"} and "float" in (left, right):
        return "float"
    return ""


def _known(node: cst.BaseExpression, oracle: Oracle, depth: int) -> str:
    kind = value_kind(node, oracle, depth + 1)
    return kind if kind in ("int", "str", "float", "dict") else ""


def is_pure(node: cst.BaseExpression) -> bool:
    """Names, attributes of pure values and literals: safe to evaluate twice or never."""
    if isinstance(node, (cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString)):
        return True
    if isinstance(node, cst.Attribute):
        return is_pure(node.value)
    if isinstance(node, cst.ConcatenatedString):
        return is_pure(node.left) and is_pure(node.right)
    return False


def _inline_text(node: cst.BaseExpression) -> str | None:
    """The text a literal operand formats to, when it is safe in any string body."""
    if isinstance(node, cst.Integer):
        return str(ast.literal_eval(node.value))
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        if isinstance(value, str) and value.isprintable() and not any(c in value for c in "\\'\""):
            return value
    return None


def _without_parens(node: cst.BaseExpression, module: cst.Module) -> cst.BaseExpression:
    """``(a * b)`` → ``a * b`` inside a field (a tuple or a generator keeps its parentheses;
    a comment inside them is refused later, with the parentheses kept to show it)."""
    if not node.lpar or isinstance(node, (cst.Tuple, cst.GeneratorExp)) or _has_comment(module.code_for_node(node)):
        return node
    return node.with_changes(lpar=[], rpar=[])


def _is_atomic(node: cst.BaseExpression) -> bool:
    if node.lpar:
        return True
    return isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString,
                             cst.List, cst.Dict, cst.Tuple))


def _is_bytes(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        return "b" in node.prefix.lower()
    if isinstance(node, cst.ConcatenatedString):
        return _is_bytes(node.left)
    return False


def one_line_code(node: cst.BaseExpression, module: cst.Module) -> str:
    """The node's source on one line, parenthesised where a field needs it.

    Multi-line code is re-spelled by ``ast.unparse`` (comments would be lost: refused).
    """
    code = module.code_for_node(node).strip()
    if "\n" in code or "\\\n" in code:
        if _has_comment(code):
            raise NotConvertible("a comment inside an argument would be lost")
        try:
            code = ast.unparse(ast.parse(f"({code})", mode="eval"))
        except (SyntaxError, ValueError) as exc:
            raise NotConvertible(f"cannot put a multi-line argument on one line: {exc}") from None
    if isinstance(node, (cst.Lambda, cst.NamedExpr, cst.Yield)) and not node.lpar:
        return f"({code})"
    if code.startswith("{") or code.endswith("="):
        return f"({code})"
    return code


def _has_comment(code: str) -> bool:
    try:
        return any(tok.type == tokenize.COMMENT for tok in tokenize.generate_tokens(io.StringIO(f"({code})").readline))
    except (tokenize.TokenError, SyntaxError):
        return True
