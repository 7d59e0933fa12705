"""Public aliases of the old name created by package ``__init__`` files, read from
disk (``a/__init__.py: from .b import c`` makes ``a.c`` an alias of ``a.b.c``)."""
from __future__ import annotations

import os
from functools import lru_cache

import libcst as cst

from runner.transforms.base import FileContext
from runner.transforms.rename.planner import plan_rename
from runner.transforms.rename.spec import RenameSpec


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
    try:
        with open(path, "rb") as handle:
            module = cst.parse_module(handle.read())
    except (OSError, cst.ParserSyntaxError):
        return {}
    rel = os.path.relpath(path, root).replace(os.sep, "/")
    planned = plan_rename(module, FileContext(root, rel, package, package), spec, dict(aliases))
    return {f"{package}.{old}": f"{package}.{new}" for old, new in planned.global_renames.items()}
