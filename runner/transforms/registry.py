"""The explicit registry of built-in transforms; the schema's enum must equal its keys.

A task type's ``transform`` is a built-in name, a libcst codemod's dotted path, or
``python:path/to/file.py:Class`` (a codemod kept in the migrated repository).
"""
from __future__ import annotations

from typing import Any, Callable

from runner.playbook.spec import TaskTypeSpec


def _rename(args: dict[str, Any], needles: tuple[str, ...], root: str, language: str | None) -> Any:
    from runner.transforms.rename import RenameTransform

    transform = RenameTransform(**args)
    return _with_needles(transform, needles)


def _rewrite(args: dict[str, Any], needles: tuple[str, ...], root: str, language: str | None) -> Any:
    from runner.transforms.rewrite import RewriteTransform

    return _with_needles(RewriteTransform(args["rules"]), needles)


def _fstring(args: dict[str, Any], needles: tuple[str, ...], root: str, language: str | None) -> Any:
    from runner.transforms.fstring import FstringTransform

    return _with_needles(FstringTransform(**args), needles)


def _command(args: dict[str, Any], needles: tuple[str, ...], root: str, language: str | None) -> Any:
    from runner.transforms.command import CommandTransform

    return CommandTransform(run=args["run"], timeout=float(args.get("timeout", 600)),
                            ok_exit_codes=tuple(args.get("ok_exit_codes", (0,))), language=language)


def _replace(args: dict[str, Any], needles: tuple[str, ...], root: str, language: str | None) -> Any:
    from runner.transforms.replace import ReplaceTransform

    return _with_needles(ReplaceTransform(language=language, **args), needles)


def _model(args: dict[str, Any], needles: tuple[str, ...], root: str, language: str | None) -> Any:
    from runner.transforms.model_only import ModelOnlyTransform

    return ModelOnlyTransform()


BUILTINS: dict[str, Callable[[dict[str, Any], tuple[str, ...], str, str | None], Any]] = {
    "rename": _rename,
    "rewrite": _rewrite,
    "fstring": _fstring,
    "replace": _replace,
    "command": _command,
    "model": _model,
}


class _NeedleOverride:
    """A transform whose needles the task (or task type) declared explicitly."""

    def __init__(self, inner: Any, needles: tuple[str, ...]) -> None:
        self._inner = inner
        self._needles = needles

    def needles(self) -> tuple[str, ...]:
        return self._needles

    def __getattr__(self, name: str) -> Any:  # transform_module, transform_text, language...
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._inner, name)


def _with_needles(transform: Any, needles: tuple[str, ...]) -> Any:
    return _NeedleOverride(transform, needles) if needles else transform


def build_transform(spec: TaskTypeSpec, root: str, needles: tuple[str, ...] | None = None) -> Any:
    """Build the transform of a task type (raises ValueError/TransformLoadError when bad).

    ``needles`` given by the task overrides the task type's; an empty tuple means none.
    """
    chosen = spec.needles if needles is None else needles
    args = spec.args()
    if spec.transform in BUILTINS:
        return BUILTINS[spec.transform](args, chosen, root, spec.language)
    from runner.transforms.codemod import CodemodTransform, import_codemod

    return CodemodTransform(import_codemod(spec.transform, root), args, chosen)


def transform_kind(spec: TaskTypeSpec) -> str:
    """"tree" (parsed once per file), "command" (per subtask, on a scratch copy) or "model"."""
    return spec.transform if spec.transform in ("command", "model") else "tree"
