"""Module names as Python imports them: the file's own name in src layouts, relative
imports resolved and spelled back, and the text of a new import line."""
from __future__ import annotations

import os
from dataclasses import replace

from runner.lazy import lazy_module
from runner.transforms.base import FileContext

cst = lazy_module("libcst")
helpers = lazy_module("libcst.helpers")


def import_context(ctx: FileContext, old: str) -> FileContext:
    """The file's context with names as Python imports them, not as paths from the root.

    libcst names ``src/pkg/mod.py`` ``src.pkg.mod``; Python (with ``src`` on the path)
    imports it as ``pkg.mod``. The module name comes from walking up the folders that
    hold an ``__init__.py``; ``root`` becomes the source folder holding the old name's
    top package (the file's own source folder, ``<root>/src`` or the root), so that
    package ``__init__`` files and modules are found on disk. ``path`` is unchanged.
    """
    folder = os.path.dirname(ctx.abspath)
    name, package = ctx.full_module_name, ctx.full_package_name
    if os.path.isfile(os.path.join(folder, "__init__.py")):  # in a regular package
        parts = [os.path.splitext(os.path.basename(ctx.path))[0]]
        while os.path.isfile(os.path.join(folder, "__init__.py")):
            parts.insert(0, os.path.basename(folder))
            folder = os.path.dirname(folder)
        if parts[-1] == "__init__":
            parts.pop()
            name = package = ".".join(parts)
        else:
            name, package = ".".join(parts), ".".join(parts[:-1])
    top = old.split(".")[0]
    lookup = ctx.root
    for candidate in (folder, os.path.join(ctx.root, "src"), ctx.root):
        if os.path.isdir(os.path.join(candidate, top)) or os.path.isfile(
            os.path.join(candidate, top + ".py")
        ):
            lookup = candidate
            break
    return replace(ctx, root=lookup, full_module_name=name, full_package_name=package)


def module_on_disk(root: str, dotted: str) -> bool:
    """Is there a module or package ``dotted`` below ``root``?"""
    base = os.path.join(root, *dotted.split("."))
    return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))


def resolve_relative(name: str, package: str | None) -> str | None:
    """Absolute form of a possibly relative dotted name (``".b.c"``, ``"..x"``).

    ``package`` is the package the file belongs to (for ``a/__init__.py`` that is
    ``a`` itself, for ``a/m.py`` it is ``a``). Returns ``None`` when the name cannot be
    resolved: no package known, or more dots than the package is deep.
    """
    if not name.startswith("."):
        return name
    rest = name.lstrip(".")
    dots = len(name) - len(rest)
    if not package:
        return None
    parts = package.split(".")
    if dots - 1 >= len(parts):
        return None
    base = ".".join(parts[: len(parts) - (dots - 1)])
    return f"{base}.{rest}" if rest else base


def import_from_module(node: cst.ImportFrom, package: str | None) -> str | None:
    """The absolute module an ``ImportFrom`` reads from, or ``None`` if unresolvable."""
    module = helpers.get_full_name_for_node(node.module) if node.module is not None else ""
    if module is None:
        return None
    return resolve_relative("." * len(node.relative) + module, package)


def bound_name(alias: cst.ImportAlias) -> str:
    """The name an import alias binds (``x`` for ``c as x``, else the imported name)."""
    return alias.evaluated_alias or alias.evaluated_name


def relativize(module: str, package: str | None, dots_hint: int) -> tuple[int, str] | None:
    """Express absolute ``module`` relative to ``package`` as ``(dots, rest)``.

    The original number of dots is tried first so an edit changes as little as
    possible; otherwise the fewest dots that reach a common ancestor package. Returns
    ``None`` when ``module`` is outside the top-level package (must be absolute).
    """
    if not package:
        return None
    parts = package.split(".")
    order = [dots_hint] + [k for k in range(1, len(parts) + 1) if k != dots_hint]
    for dots in order:
        if not 1 <= dots <= len(parts):
            continue
        base = ".".join(parts[: len(parts) - dots + 1])
        if module == base:
            return dots, ""
        if module.startswith(base + "."):
            return dots, module[len(base) + 1 :]
    return None


def module_spelling(module: str, package: str | None, dots_hint: int) -> tuple[int, str]:
    """``(dots, dotted)`` to write for ``module``: relative when the original import
    was relative (``dots_hint > 0``) and the target is reachable, else absolute."""
    if dots_hint:
        rel = relativize(module, package, dots_hint)
        if rel is not None:
            return rel
    return 0, module


def from_import_source(dots: int, module: str, name: str, asname: str | None = None) -> str:
    """Source text of ``from <dots><module> import <name> [as <asname>]`` (``import
    <name>`` for a top-level target). The caller decides whether ``as`` is wanted."""
    alias = f" as {asname}" if asname else ""
    if not dots and not module:
        return f"import {name}{alias}"
    return f"from {'.' * dots}{module} import {name}{alias}"
