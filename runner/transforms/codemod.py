"""Run any libcst codemod class exactly as ``python -m libcst.tool codemod`` would.

Same CodemodContext (absolute filename, full module and package name relative to the
root, a full-repo metadata manager for the codemod's inherited dependencies), a fresh
codemod instance per file, warnings kept, ``SkipFile`` left to the engine.
"""
from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import sys
from typing import Any

import libcst as cst
from libcst.codemod import Codemod, CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import FullRepoManager

from runner.transforms.base import FileContext, Gap, TreeResult
from runner.transforms.codemod_imports import ImportClash, run_codemod
from runner.transforms.import_use import imports_all_used


class TransformLoadError(ValueError):
    """A transform reference that does not import or does not name a codemod."""


def import_codemod(reference: str, root: str) -> type[Codemod]:
    """Resolve ``package.module.Class`` or ``python:path/to/file.py:Class`` to a class."""
    if reference.startswith("python:"):
        _, rel, class_name = reference.split(":", 2)
        path = os.path.normpath(os.path.join(root, rel))
        if _leaves_root(rel, root):
            raise TransformLoadError(f"`{rel}` is outside the root {root}; a python: codemod is a file in the migrated repository, its path relative to the root")
        if not os.path.isfile(path):
            raise TransformLoadError(f"{rel} does not exist under the root {root}")
        module_name = "batchmod_user_codemod_" + "".join(c if c.isalnum() else "_" for c in rel)
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(module_name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            try:
                spec.loader.exec_module(module)
            except Exception as exc:
                del sys.modules[module_name]
                raise TransformLoadError(f"{rel} fails to import: {type(exc).__name__}: {exc}") from None
        where = rel
    else:
        module_name, _, class_name = reference.rpartition(".")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise TransformLoadError(f"cannot import `{module_name}`: {exc}") from None
        except Exception as exc:
            raise TransformLoadError(f"`{module_name}` fails to import: {type(exc).__name__}: {exc}") from None
        where = module_name
    cls = getattr(module, class_name, None)
    if cls is None:
        available = sorted(
            n for n, v in vars(module).items() if inspect.isclass(v) and issubclass(v, Codemod) and v is not Codemod
        )
        hint = f"; codemods there: {', '.join(available)}" if available else ""
        raise TransformLoadError(f"`{where}` has no `{class_name}`{hint}")
    if not (inspect.isclass(cls) and issubclass(cls, Codemod)):
        raise TransformLoadError(f"`{reference}` is not a libcst codemod (a subclass of libcst.codemod.Codemod)")
    if inspect.isabstract(cls):
        raise TransformLoadError(f"`{reference}` is abstract; name a concrete codemod class")
    return cls


def _leaves_root(rel: str, root: str) -> bool:
    """An absolute path, ``..`` or a symlink whose target is outside ``root``."""
    if os.path.isabs(rel) or ".." in rel.replace("\\", "/").split("/"):
        return True
    real_root = os.path.realpath(root)
    return os.path.commonpath([real_root, os.path.realpath(os.path.join(root, rel))]) != real_root


def check_codemod_args(cls: type[Codemod], args: dict[str, Any]) -> None:
    """Raise TransformLoadError when ``args`` do not fit the codemod's constructor."""
    try:
        inspect.signature(cls.__init__).bind(None, CodemodContext(), **args)
    except TypeError as exc:
        params = [
            p
            for name, p in inspect.signature(cls.__init__).parameters.items()
            if name not in ("self", "context") and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        accepted = ", ".join(p.name + ("" if p.default is p.empty else "?") for p in params) or "none"
        raise TransformLoadError(f"arguments do not fit {cls.__name__}: {exc}; it takes: {accepted}") from None


class CodemodTransform:
    """A TreeTransform around a libcst codemod class; one codemod instance per file."""

    def __init__(self, cls: type[Codemod], args: dict[str, Any], needles: tuple[str, ...] = ()) -> None:
        check_codemod_args(cls, args)
        self._cls = cls
        self._args = args
        self._needles = needles

    def needles(self) -> tuple[str, ...]:
        """The task type's needles (a codemod declares none of its own)."""
        return self._needles

    def transform_module(self, module: cst.Module, ctx: FileContext, statement_scope: bool = False) -> TreeResult:
        """Run a fresh codemod on ``module``. With ``statement_scope`` (``module`` holds only
        some statements of the file) a codemod that schedules import additions or removals
        raises :class:`NotStatementLocal`: imports act on the whole module. A codemod
        that would add an import whose name the module binds to something else leaves
        the module as it was, with one gap at that binding saying so."""
        unchanged = None if statement_scope else self._keeps_all_imports(module, ctx)
        if unchanged is not None:
            return TreeResult(module, code=unchanged)
        filename = ctx.abspath
        manager = FullRepoManager(ctx.root, [filename], self._cls.get_inherited_dependencies())
        manager.resolve_cache()
        context = CodemodContext(
            scratch={},
            filename=filename,
            full_module_name=ctx.full_module_name,
            full_package_name=ctx.full_package_name,
            metadata_manager=manager,
        )
        codemod = self._cls(context, **self._args)
        try:
            result = run_codemod(codemod, module)
        except ImportClash as clash:
            if statement_scope:
                raise NotStatementLocal(f"{self._cls.__name__} changes the imports of the module") from None
            reason = f"{clash.reason}: {self._cls.__name__} left this file as it was"
            return TreeResult(module, (), (Gap(ctx.path, clash.line, 1, reason),))
        if statement_scope and any(codemod.context.scratch.get(key) for key in _IMPORT_KEYS):
            raise NotStatementLocal(f"{self._cls.__name__} changes the imports of the module")
        gaps = tuple(_site_gaps(codemod, ctx.path))
        restated = {f"line {g.line}: {g.reason}" for g in gaps}
        return TreeResult(result, tuple(w for w in codemod.context.warnings if w not in restated), gaps)

    def _keeps_all_imports(self, module: cst.Module, ctx: FileContext) -> str | None:
        """``module``'s code when the codemod removes unused imports and would find every
        import of it used (it then changes nothing, warns of nothing, reports no gap); else None."""
        if f"{self._cls.__module__}.{self._cls.__qualname__}" not in _UNUSED_IMPORT_COMMANDS:
            return None
        code = module.code
        return code if imports_all_used(code, ctx.full_package_name) else None


def _site_gaps(codemod: Codemod, path: str) -> list[Gap]:
    """The sites a codemod left and listed in its ``gaps`` attribute (batchmod's own
    codemods do: ``{line, column, reason, source, rule}`` each), as gaps."""
    found = getattr(codemod, "gaps", None)
    if not isinstance(found, list):
        return []
    return [Gap(path, int(g["line"]), int(g["column"]), str(g["reason"]), str(g.get("source", "")), str(g.get("rule", "")))
            for g in found if isinstance(g, dict) and {"line", "column", "reason"} <= g.keys()]


class NotStatementLocal(Exception):
    """A codemod run on some statements of a file did something that needs the whole file."""


#: codemods that schedule the removal of (some of) the imports libcst's scope analysis
#: finds unused and do nothing else: when every import is used, they leave the module as it is
_UNUSED_IMPORT_COMMANDS = frozenset({
    "libcst.codemod.commands.remove_unused_imports.RemoveUnusedImportsCommand",
    "runner.transforms.library.unused_imports.RemoveUnusedImportsCommand",
})

_IMPORT_KEYS = (AddImportsVisitor.CONTEXT_KEY, RemoveImportsVisitor.CONTEXT_KEY)
