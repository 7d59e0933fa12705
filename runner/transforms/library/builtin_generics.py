"""``List[int]`` -> ``list[int]`` (PEP 585) in annotations, however ``typing`` was imported.

Replaces ``typing.List``, ``Dict``, ``Set``, ``FrozenSet``, ``Tuple`` and ``Type`` (also from
``typing_extensions``) by the builtins ``list``, ``dict``, ``set``, ``frozenset``, ``tuple``
and ``type`` inside annotations (parameters, return values, annotated assignments),
nested ones included (``Dict[str, List[int]]`` -> ``dict[str, list[int]]``). Names are
resolved with libcst's QualifiedNameProvider, so ``from typing import List``,
``from typing import List as L``, ``import typing`` and ``import typing as t`` all work.
Imports of those names that the change leaves unused are removed.

Deliberately left alone:
- uses outside annotations (``Alias = List[int]``, ``cast(List[int], x)``,
  ``isinstance(x, List)``): they are runtime values, and changing them is a different
  decision (ordering, pickling, ``__origin__`` checks);
- string annotations (``"List[int]"``), which are not parsed;
- a name whose builtin is shadowed where the annotation is evaluated, e.g. a
  ``def list(self)`` method in the same class body, a parameter or a variable named
  ``type``: ``list[int]`` there would not mean the builtin (a warning says where).

The result needs Python 3.9+ (or ``from __future__ import annotations``).
libcst's own ``rename_typing_generic_aliases.RenameTypingGenericAliases`` differs: it
renames every use (annotations or not), adds ``import builtins`` for ``typing.List``
attribute forms and does not check shadowing.

Each site stands alone (``TypingNameCommand.replaced``): one whose replacement cannot be
built, would drop a comment or does not parse is left and reported; the rest convert.
"""
from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import BuiltinAssignment, ParentNodeProvider, PositionProvider, QualifiedNameProvider, ScopeProvider

from runner.transforms.library.optional_to_or import TypingNameCommand

#: typing name -> builtin
BUILTIN_GENERICS: dict[str, str] = {
    "List": "list",
    "Dict": "dict",
    "Set": "set",
    "FrozenSet": "frozenset",
    "Tuple": "tuple",
    "Type": "type",
}
_MODULES = ("typing", "typing_extensions")
_QUALIFIED = {f"{mod}.{name}": builtin for mod in _MODULES for name, builtin in BUILTIN_GENERICS.items()}


class BuiltinGenericsCommand(TypingNameCommand):
    DESCRIPTION: str = "Replace typing.List/Dict/Set/FrozenSet/Tuple/Type in annotations by builtins (PEP 585)."

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, PositionProvider, ParentNodeProvider)
    TYPING_OBJECTS = frozenset(BUILTIN_GENERICS)

    def __init__(self, context: CodemodContext) -> None:
        super().__init__(context)
        self._annotation_depth = 0

    # where we are ----------------------------------------------------------------

    def visit_Annotation(self, node: cst.Annotation) -> None:
        self._annotation_depth += 1

    def leave_Annotation(self, original_node: cst.Annotation, updated_node: cst.Annotation) -> cst.Annotation:
        self._annotation_depth -= 1
        return updated_node

    # replacing ---------------------------------------------------------------------

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        return self._replace(original_node, updated_node)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        return self._replace(original_node, updated_node)

    def _replace(self, original: cst.Name | cst.Attribute, updated: cst.BaseExpression) -> cst.BaseExpression:
        if self._annotation_depth == 0:
            return updated
        builtin = self._builtin_for(original)
        if builtin is None:
            return updated
        if self._shadowed(original, builtin):
            self.leave(original, f"`{builtin}` is rebound where this annotation is evaluated; left unchanged")
            return updated
        return self.replaced(original, updated, lambda: cst.Name(builtin), original)

    def _builtin_for(self, node: cst.Name | cst.Attribute) -> str | None:
        found = {
            _QUALIFIED[q.name] for q in self.get_metadata(QualifiedNameProvider, node, set()) if q.name in _QUALIFIED
        }
        return found.pop() if len(found) == 1 else None

    def _shadowed(self, node: cst.CSTNode, builtin: str) -> bool:
        scope = self.get_metadata(ScopeProvider, node, None)
        if scope is None:
            return False
        return any(not isinstance(a, BuiltinAssignment) for a in scope[builtin])
