"""A module's code, rendered so that the statements a later tree shares with an earlier
one (the same objects, at the same indentation) take their text from the earlier one.

``Module.code`` renders every node again: after a walk that changed a few statements,
and after adding an import, most of the file is the text it was. Rendering records, for
every statement of a statement list (a module's or a block's body), its tokens and the
indentation it was written at. A later tree is rendered through a copy in which each
such statement is a stand-in that writes those tokens when the indentation is the same
(and renders the statement itself otherwise); only the blocks on the way to a change
are copied. A statement renders the same wherever it stands at the same indentation:
libcst's codegen of a statement depends on the indentation and the module's defaults
only (an ``elif`` is not in a statement list).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

from .fields import field_names

_LISTS = frozenset({cst.Module, cst.IndentedBlock})  # the nodes whose ``body`` is a statement list
_NESTING = ("body", "orelse", "handlers", "finalbody", "cases")  # fields on the way to a statement list


@dataclass(slots=True)
class Rendered:
    """The code of a module, and the tokens of each statement of its statement lists."""

    code: str
    indent: str = ""  #: the module's default indentation and newline (the tokens are written with them)
    newline: str = ""
    tokens: list[str] = field(default_factory=list)
    #: id(statement) -> (the statement, first token, end token, the indentation it was written at)
    spans: dict[int, tuple[cst.CSTNode, int, int, tuple[str, ...]]] = field(default_factory=dict)


@dataclass(frozen=False)
class _Recorder(CodegenState):
    """Codegen that records where each statement of a statement list starts and ends."""

    listed: set[int] = field(default_factory=set)
    starts: dict[int, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    spans: dict[int, tuple[cst.CSTNode, int, int, tuple[str, ...]]] = field(default_factory=dict)
    real: dict[int, cst.CSTNode] = field(default_factory=dict)  #: id(copy or stand-in) -> the node it stands for

    def before_codegen(self, node: cst.CSTNode) -> None:
        if type(node) in _LISTS:
            self.listed.update(id(s) for s in node.body)  # type: ignore[attr-defined]
        elif id(node) in self.listed:
            self.starts[id(node)] = (len(self.tokens), tuple(self.indent_tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self.starts.pop(id(node), None)
        if start is not None:
            real = self.real.get(id(node), node)
            self.spans[id(real)] = (real, start[0], len(self.tokens), start[1])


@dataclass(frozen=True, eq=False)
class _Verbatim(cst.BaseStatement):
    """Stands for a statement rendered before: writes its tokens at the same indentation."""

    node: cst.BaseStatement
    earlier: Any  #: the Rendered holding its tokens
    start: int
    end: int
    indent: tuple[str, ...]

    def _visit_and_replace_children(self, visitor):  # type: ignore[no-untyped-def]
        return self

    def _codegen_impl(self, state: CodegenState) -> None:
        if tuple(state.indent_tokens) == self.indent:
            state.tokens.extend(self.earlier.tokens[self.start:self.end])
        else:
            self.node._codegen(state)


def render(module: cst.Module, earlier: Rendered | None = None) -> Rendered:
    """``module.code`` (the same text), with the spans of its statements; a statement of
    ``earlier`` that ``module`` holds (the same object) is not rendered again."""
    if not module.has_trailing_newline:  # (its last statement loses its newline: nothing to keep)
        return Rendered(module.code, module.default_indent, module.default_newline)
    state = _Recorder(default_indent=module.default_indent, default_newline=module.default_newline)
    target: cst.CSTNode = module
    if earlier is not None and (earlier.indent, earlier.newline) == (module.default_indent, module.default_newline):
        target = _stand_ins(module, earlier, state.real)
    target._codegen(state)
    return Rendered("".join(state.tokens), module.default_indent, module.default_newline, state.tokens, state.spans)


def _stand_ins(node: cst.CSTNode, earlier: Rendered, real: dict[int, cst.CSTNode]) -> cst.CSTNode:
    """``node`` with the statements of ``earlier`` in its statement lists as stand-ins
    (the nodes on the way to them copied; ``real`` maps each copy to its node)."""
    tp = type(node)
    changes: dict[str, object] = {}
    for name in _nesting_fields(tp):
        value = getattr(node, name)
        if type(value) is tuple or type(value) is list:
            items = [_stand_in(v, earlier, real) if tp in _LISTS else _stand_ins(v, earlier, real) for v in value]
            if any(a is not b for a, b in zip(items, value)):
                changes[name] = items
        elif isinstance(value, cst.CSTNode):
            new = _stand_ins(value, earlier, real)
            if new is not value:
                changes[name] = new
    if not changes:
        return node
    copy = node.with_changes(**changes)
    real[id(copy)] = real.get(id(node), node)
    return copy


def _stand_in(stmt: cst.CSTNode, earlier: Rendered, real: dict[int, cst.CSTNode]) -> cst.CSTNode:
    span = earlier.spans.get(id(stmt))
    if span is not None and span[0] is stmt:
        verbatim = _Verbatim(stmt, earlier, span[1], span[2], span[3])  # type: ignore[arg-type]
        real[id(verbatim)] = stmt
        return verbatim
    return _stand_ins(stmt, earlier, real)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _nesting_fields(tp: type) -> tuple[str, ...]:
    names = _FIELDS.get(tp)
    if names is None:
        names = _FIELDS[tp] = tuple(f for f in field_names(tp) if f in _NESTING) if _nests(tp) else ()
    return names


def _nests(tp: type) -> bool:
    """Whether a node of type ``tp`` may hold a statement list (a block, a compound
    statement or one of its clauses); a simple statement line holds none."""
    return tp in _LISTS or issubclass(tp, (cst.BaseCompoundStatement, cst.Else, cst.ExceptHandler, cst.ExceptStarHandler,
                                           cst.Finally, cst.MatchCase))
