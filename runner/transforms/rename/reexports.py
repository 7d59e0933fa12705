"""Public aliases of the old name created by package ``__init__`` files, read from
disk (``a/__init__.py: from .b import c`` makes ``a.c`` an alias of ``a.b.c``)."""
from __future__ import annotations

import os
from functools import lru_cache

from runner.adapters.workspace import read_bytes
from runner.lazy import lazy_module
from runner.transforms.base import FileContext
from runner.transforms.rename.spec import RenameSpec
from runner.transforms.validation import parse_python

cst = lazy_module("libcst")


def reexported_aliases(spec: RenameSpec, ctx: FileContext) -> dict[str, str]:
    """Public aliases of the old name created by package ``__init__`` files above the
    old module, read from disk: ``{"a.c": "a.c_new"}`` when ``a/__init__.py`` does
    ``from .b import c`` (or ``from .b import *``) for ``a.b.c`` -> ``a.b.c_new``.

    Deeper packages first, so chains (``a.b/__init__`` -> ``a/__init__``) resolve. The
    file being transformed is skipped: its own bindings are analysed directly.
    """
    aliases: dict[str, str] = {}
    if spec.old_mod is None:
        return aliases
    parts = spec.old_mod.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        package = ".".join(parts[:depth])
        if package == ctx.full_module_name:
            continue
        path = os.path.join(ctx.root, *parts[:depth], "__init__.py")
        try:
            stat = os.stat(path)
        except OSError:
            continue
        aliases.update(
            _package_reexports(
                path, stat.st_mtime_ns, stat.st_size, ctx.root, package, spec,
                tuple(sorted(aliases.items())),
            )
        )
    return aliases


@lru_cache(maxsize=256)
def _package_reexports(
    path: str, _mtime: int, _size: int, root: str, package: str, spec: RenameSpec,
    aliases: tuple[tuple[str, str], ...],
) -> dict[str, str]:
    # Cached per file version (mtime, size): pure function of the file's content.
    return _module_reexports(path, _mtime, _size, root, package, package, spec, aliases)


def imported_module_aliases(module: cst.Module, spec: RenameSpec, ctx: FileContext,
                            aliases: dict[str, str]) -> dict[str, str]:
    """Aliases in modules this file imports that re-export the old name at module level
    (``pyflakes/scripts/pyflakes.py: from pyflakes.api import checkPath`` makes
    ``pyflakes.scripts.pyflakes.checkPath`` one), read from disk: once that module's
    binding is renamed, ``script_pyflakes.checkPath`` here must follow it.

    Only when the file spells ``.<old last part>`` (an attribute use); each imported
    module found under the root is planned as it would be renamed (cached per version).
    """
    if spec.old_mod is None or f".{spec.old_last}" not in module.code:
        return {}
    out: dict[str, str] = {}
    for name in sorted(_imported_modules(module, ctx) - {spec.old_mod, ctx.full_module_name}):
        base = os.path.join(ctx.root, *name.split("."))
        for path in (base + ".py", os.path.join(base, "__init__.py")):
            try:
                stat = os.stat(path)
            except OSError:
                continue
            package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
            found = _module_reexports(path, stat.st_mtime_ns, stat.st_size, ctx.root, name, package, spec,
                                      tuple(sorted(aliases.items())))
            out.update({k: v for k, v in found.items() if k.endswith(f".{spec.old_last}")})
            break
    return out


def _imported_modules(module: cst.Module, ctx: FileContext) -> set[str]:
    """Dotted names this file imports that may be modules (``import a.b``, ``from a import b``)."""
    from runner.transforms.rename.modules import resolve_relative

    names: set[str] = set()

    class _Imports(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            names.update(cst.helpers.get_full_name_for_node_or_raise(a.name) for a in node.names)

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            base = ("." * len(node.relative)) + (cst.helpers.get_full_name_for_node(node.module) or "" if node.module else "")
            absolute = resolve_relative(base, ctx.full_package_name) if base.startswith(".") else base
            if not absolute or isinstance(node.names, cst.ImportStar):
                return
            names.update(f"{absolute}.{a.name.value}" for a in node.names if isinstance(a.name, cst.Name))

    module.visit(_Imports())
    return names


@lru_cache(maxsize=256)
def _module_reexports(
    path: str, _mtime: int, _size: int, root: str, name: str, package: str, spec: RenameSpec,
    aliases: tuple[tuple[str, str], ...],
) -> dict[str, str]:
    try:
        data = read_bytes(path)
    except OSError:
        return {}
    if not may_bind(data, spec, aliases):
        return {}  # without parsing it (nor importing libcst)
    from runner.transforms.rename.planner import plan_rename

    try:
        module = parse_python(data)
    except cst.ParserSyntaxError:
        return {}
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    planned = plan_rename(module, FileContext(root, rel, name, package), spec, dict(aliases))
    return {f"{name}.{old}": f"{name}.{new}" for old, new in planned.global_renames.items()}


def may_bind(data: bytes, spec: RenameSpec, aliases: tuple[tuple[str, str], ...] = ()) -> bool:
    """Can the module ``data`` bind a name the rename renames (what :func:`_module_reexports`
    returns)? False only when that is certain from its bytes: ASCII without a coding cookie
    (its identifiers are spelled as they are read), neither the old last part nor the last
    part of an alias anywhere in it, and no ``*`` (no star import): every import or
    assignment of a renamed name spells one of them."""
    if not data.isascii() or b"coding" in b"\n".join(data.splitlines()[:2]):
        return True
    words = {spec.old_last, *(old.rpartition(".")[2] for old, _ in aliases)}
    return b"*" in data or any(word.encode() in data for word in words)
