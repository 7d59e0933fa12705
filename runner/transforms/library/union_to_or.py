"""``Union[A, B]`` -> ``A | B`` (PEP 604), without breaking forward references.

libcst's ``ConvertUnionToOrCommand`` turns ``Union[str, "os.PathLike[str]"]`` into
``str | "os.PathLike[str]"``, which raises ``TypeError`` when the annotation is
evaluated (a def's annotations are, at import, without ``from __future__ import
annotations``): on click 8.1.7 that breaks the import and every test. This codemod:

- converts a Union of real types, however ``Union`` was imported (``from typing
  import Union [as U]``, ``import typing as t``), nested ones too, and drops the
  imports it leaves unused;
- turns a Union that holds string forward references and *is* a whole annotation into
  one string annotation, ``file: "str | os.PathLike[str] | int"`` (evaluated lazily,
  like the forward references it replaces);
- leaves, with a warning, a Union with string references anywhere else (inside another
  subscript, outside annotations) or that cannot be unquoted safely (``Literal["x"]``),
  and a Union that is not subscripted with types.

Needs Python 3.10+ at runtime where the unions are evaluated (or annotations that are
never evaluated: ``from __future__ import annotations``).
"""
from __future__ import annotations

import libcst as cst
from libcst.metadata import ParentNodeProvider, QualifiedNameProvider

from runner.transforms.library.optional_to_or import (_LOOSER_THAN_BITOR, TypingNameCommand,
                                                      forward_reference_text, holds_string, string_annotation)

UNION_NAMES = frozenset({"typing.Union", "typing_extensions.Union"})


class UnionToOrCommand(TypingNameCommand):
    """The codemod of this module: ``Union[A, B]`` -> ``A | B``.

    Takes a ``CodemodContext``; returns the transformed module from ``transform_module``
    like any libcst codemod. A site left alone (see the module's docstring) is a warning
    and an entry of ``self.gaps``; nothing raises for one site. Touches no file."""

    DESCRIPTION: str = "Convert `Union[A, B]` to `A | B` (PEP 604), keeping forward references valid."

    TYPING_OBJECTS = frozenset({"Union"})

    def leave_Subscript(self, original_node: cst.Subscript, updated_node: cst.Subscript) -> cst.BaseExpression:
        """``Union[A, B]`` -> ``A | B`` (or one string annotation ``"A | B"`` when it holds forward
        references and is a whole annotation); any other subscript, or a site left, as ``updated_node``."""
        if not isinstance(original_node.value, (cst.Name, cst.Attribute)):
            return updated_node  # ``Optional[int][0]``: the outer subscript is not one
        names = {q.name for q in self.get_metadata(QualifiedNameProvider, original_node.value, set())}
        if not names & UNION_NAMES:
            return updated_node
        members = [e.slice.value for e in updated_node.slice if isinstance(e.slice, cst.Index) and not e.slice.star]
        if len(members) != len(updated_node.slice) or not members:
            self.leave(original_node, "Union[...] without plain type arguments left unchanged")
            return updated_node
        if not any(holds_string(m) for m in members):
            return self.replaced(original_node, updated_node, lambda: _or_chain(members), original_node.value)
        parent = self.get_metadata(ParentNodeProvider, original_node, None)
        text = _as_annotation_text(members) if isinstance(parent, cst.Annotation) else None
        if text is None:
            self.leave(original_node, "Union[...] with a string forward reference left unchanged "
                                      "(only a whole annotation can become one string)")
            return updated_node
        return self.replaced(original_node, updated_node, lambda: string_annotation(text), original_node.value)


def _or_chain(members: list[cst.BaseExpression]) -> cst.BaseExpression:
    parts = [m.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
             if isinstance(m, _LOOSER_THAN_BITOR) and not m.lpar else m for m in members]
    result = parts[0]
    for part in parts[1:]:
        result = cst.BinaryOperation(left=result, operator=cst.BitOr(), right=part)
    return result


def _as_annotation_text(members: list[cst.BaseExpression]) -> str | None:
    """``A | B | C`` as the text of one string annotation; None when that is not safe."""
    pieces = [forward_reference_text(member) for member in members]
    return None if any(p is None for p in pieces) else " | ".join(pieces)  # type: ignore[arg-type]
