"""``List[int]`` -> ``list[int]`` (PEP 585) in type expressions, however ``typing`` was imported.

Replaces ``typing.List``, ``Dict``, ``Set``, ``FrozenSet``, ``Tuple`` and ``Type`` (also from
``typing_extensions``) by the builtins ``list``, ``dict``, ``set``, ``frozenset``, ``tuple``
and ``type`` inside annotations (parameters, return values, annotated assignments),
nested ones included (``Dict[str, List[int]]`` -> ``dict[str, list[int]]``), and in the
runtime type expressions where the builtin generic means exactly the same on Python
3.9+: the type argument of ``typing.cast``, the ``bound`` and constraints of
``TypeVar``, the type of ``NewType`` and the value of a module-level alias
(``Rows = List[int]``, ``Opt = Optional[Dict[str, int]]``, ``X: TypeAlias = ...``).
``runtime=False`` (``with: {runtime: false}``) keeps to annotations. Names are resolved
with libcst's QualifiedNameProvider, so ``from typing import List``, ``from typing
import List as L``, ``import typing`` and ``import typing as t`` all work. Imports of
those names that the change leaves unused are removed.

Deliberately left alone:
- other runtime uses (``isinstance(x, List)``, ``List`` unsubscripted in an alias,
  aliases inside functions and classes, ``List[int]`` passed to any other call);
- string annotations and string forward references (``"List[int]"``), not parsed;
- a name whose builtin is shadowed where the expression is evaluated, e.g. a
  ``def list(self)`` method in the same class body, a ``def list()`` in the module, a
  parameter or a variable named ``type``: ``list[int]`` there would not mean the builtin
  (reported per site).

The result needs Python 3.9+ (annotations alone: or ``from __future__ import annotations``).
libcst's own ``rename_typing_generic_aliases.RenameTypingGenericAliases`` differs: it
renames every use (``isinstance`` too), adds ``import builtins`` for ``typing.List``
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
_TYPE_ALIAS = {f"{mod}.TypeAlias" for mod in _MODULES}


class BuiltinGenericsCommand(TypingNameCommand):
    """The codemod of this module: ``typing.List[int]`` -> ``list[int]`` in annotations and,
    unless ``runtime=False``, in the runtime type expressions listed above.

    Takes a ``CodemodContext`` (with the metadata of ``METADATA_DEPENDENCIES``); returns
    the transformed module from ``transform_module`` like any libcst codemod. A site left
    alone (a shadowed builtin, a replacement that would not parse or would drop a
    comment) is a warning and an entry of ``self.gaps``; nothing raises for one site.
    Touches no file."""

    DESCRIPTION: str = "Replace typing.List/Dict/Set/FrozenSet/Tuple/Type in annotations by builtins (PEP 585)."

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, PositionProvider, ParentNodeProvider)
    TYPING_OBJECTS = frozenset(BUILTIN_GENERICS)

    def __init__(self, context: CodemodContext, runtime: bool = True) -> None:
        super().__init__(context)
        self._runtime = runtime
        self._annotation_depth = 0  # > 0 inside an annotation or a runtime type expression
        self._type_roots: set[int] = set()  # ids of the runtime type expressions found

    # where we are ----------------------------------------------------------------

    def visit_Annotation(self, node: cst.Annotation) -> None:
        """Entering an annotation: names below it are replaced."""
        self._annotation_depth += 1

    def leave_Annotation(self, original_node: cst.Annotation, updated_node: cst.Annotation) -> cst.Annotation:
        """Leaving an annotation; returns ``updated_node`` unchanged."""
        self._annotation_depth -= 1
        return updated_node

    def visit_Call(self, node: cst.Call) -> None:
        """Marks the type arguments of ``cast``, ``TypeVar`` and ``NewType`` as type expressions (``runtime`` only)."""
        if self._runtime:
            self._type_roots.update(id(e) for e in _type_arguments(node, self._qualified(node.func)))

    def visit_Assign(self, node: cst.Assign) -> None:
        """Marks the value of a module-level alias (``Rows = List[int]``) as a type expression (``runtime`` only)."""
        if self._runtime and len(node.targets) == 1 and self._is_alias(node, node.targets[0].target, node.value):
            self._type_roots.add(id(node.value))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        """Marks the value of a module-level ``X: TypeAlias = ...`` as a type expression (``runtime`` only)."""
        alias = self._qualified(node.annotation.annotation) & _TYPE_ALIAS
        if self._runtime and alias and node.value is not None and self._is_alias(node, node.target, node.value):
            self._type_roots.add(id(node.value))

    def on_visit(self, node: cst.CSTNode) -> bool:
        """Entering a marked type expression counts as entering an annotation; then libcst's dispatch."""
        if id(node) in self._type_roots:
            self._annotation_depth += 1
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[no-untyped-def]
        """libcst's dispatch, then leaving a marked type expression; returns what the dispatch returned."""
        result = super().on_leave(original_node, updated_node)
        if id(original_node) in self._type_roots:
            self._annotation_depth -= 1
        return result

    def _qualified(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def _is_alias(self, stmt: cst.CSTNode, target: cst.BaseExpression, value: cst.BaseExpression) -> bool:
        """``Name = typing.X[...]`` at module level."""
        line = self.get_metadata(ParentNodeProvider, stmt, None)
        at_module = isinstance(self.get_metadata(ParentNodeProvider, line, None), cst.Module) if line else False
        return at_module and isinstance(target, cst.Name) and isinstance(value, cst.Subscript) and any(
            q.split(".")[0] in _MODULES for q in self._qualified(value.value))

    # replacing ---------------------------------------------------------------------

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.BaseExpression:
        """``List`` (imported from typing) in a type expression -> ``list``; otherwise ``updated_node``."""
        return self._replace(original_node, updated_node)

    def leave_Attribute(self, original_node: cst.Attribute, updated_node: cst.Attribute) -> cst.BaseExpression:
        """``typing.List`` / ``t.List`` in a type expression -> ``list``; otherwise ``updated_node``."""
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


def _type_arguments(call: cst.Call, callee: set[str]) -> list[cst.BaseExpression]:
    """The arguments of ``call`` that are type expressions, when it calls ``cast``
    (its type), ``TypeVar`` (constraints and ``bound``) or ``NewType`` (its type)."""
    kinds = {q.rpartition(".")[2] for q in callee if q.rpartition(".")[0] in _MODULES}
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    keyword = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    if "cast" in kinds:
        return positional[:1] + [v for k, v in keyword.items() if k == "typ"]
    if "TypeVar" in kinds:
        return positional[1:] + [v for k, v in keyword.items() if k == "bound"]
    if "NewType" in kinds:
        return positional[1:2] + [v for k, v in keyword.items() if k == "tp"]
    return []
