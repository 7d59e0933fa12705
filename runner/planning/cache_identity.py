"""What the code behind a cached result is made of, for cache keys, found without importing it.

A warm plan must not import a codemod (nor libcst) just to know whether its cached
results still hold; the key names the code instead: the source file's path and sha256.
batchmod's own code is named the same way (every ``.py`` file of the ``runner``
package), as is the interpreter: a checkout edited under the same version string, or
another Python, misses what the old code kept.
"""
from __future__ import annotations

import hashlib
import importlib
import os
import sys
from functools import lru_cache
from typing import Any

import runner
from runner.adapters.workspace import read_bytes
from runner.transforms.registry import BUILTINS


def transform_identity(transform: str, root: str) -> str:
    """The code of ``transform`` (a task type's ``transform:``) as a short text for cache keys.

    A built-in is ``""`` (batchmod's code covers it); ``python:path:Class`` is the
    sha256 of that file under ``root`` (``missing`` when unreadable) and of the other
    ``.py`` files of its folder (the helpers it may import from beside it); a dotted codemod is
    its module's source path and sha256, the module found through the import system's
    finders without executing it (or any package above it), and the other ``.py`` files of
    its folder (but for libcst's own, which libcst's version covers). A module the finders
    cannot place that way is imported to learn its file. Never raises: what cannot be named is
    ``unknown:...``, which changes whenever the transform's error would.
    """
    if transform in BUILTINS:
        return ""
    if transform.startswith("python:"):
        path = os.path.join(root, transform.split(":", 2)[1])
        return "python:" + _file_digest(path) + ";beside:" + _helpers_digest(path)
    module = transform.rpartition(".")[0]
    origin = locate_module(module) or _imported_origin(module)
    if origin is None:
        return f"unknown:{module}"
    beside = "" if module.partition(".")[0] == "libcst" else ";beside:" + _helpers_digest(origin)
    return f"{origin}:{_file_digest(origin)}{beside}"


@lru_cache(maxsize=None)
def versions() -> str:
    """batchmod's code and libcst's version, for the keys of what a warm plan finds without
    building anything (checks passed, kept plans): :func:`runner_code` and
    :func:`interpreter`; libcst's ``_version.py`` (it names the release and its commit),
    found without importing libcst and named by its sha256, costs a fraction of a
    millisecond where the installed distribution's metadata costs ~20 ms; then the schema
    of what is kept. Without that file, the result cache's ``version_salt``. Once per process."""
    origin = locate_module("libcst._version")
    if origin is None:
        from runner.planning.cache import version_salt

        return version_salt()
    return f"batchmod={runner.__version__};libcst:{_file_digest(origin)};code={runner_code()};{interpreter()};kept=3"


@lru_cache(maxsize=None)
def runner_code() -> str:
    """batchmod's own code as the sha256 of every ``.py`` file under the ``runner`` package
    it runs from (each file's path in the package, size and bytes, in path order), so an
    edited checkout or editable install, or another build of the same version, keys apart.
    Computed once per process: ~4 ms for ~210 files of ~1.6 MB. An unreadable file counts
    as ``missing``; a package that is not a folder (a zip) is keyed by its path alone."""
    base = os.path.dirname(os.path.abspath(runner.__file__))
    h = hashlib.sha256(b"runner\0" + base.encode("utf-8", "surrogateescape"))
    for rel in _python_sources(base):
        try:
            data = read_bytes(os.path.join(base, rel))
        except OSError:
            data = b"\0missing"
        h.update(b"\0%s\0%d\0" % (rel.encode("utf-8", "surrogateescape"), len(data)))
        h.update(data)
    return h.hexdigest()


def interpreter() -> str:
    """The Python that plans, for cache keys (its grammar decides what parses, ``ast`` and
    ``tomllib`` what validates): its implementation, version and the sha256 of its full
    ``sys.version`` (the build), with no space in it."""
    build = hashlib.sha256(sys.version.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return f"python={sys.implementation.name}-{'.'.join(map(str, sys.version_info))}:{build}"


def _python_sources(base: str) -> list[str]:
    """The ``.py`` files under ``base`` (paths relative to it, ``/``-separated, sorted),
    skipping ``__pycache__`` and folders reached through a symlink; [] when unlistable."""
    found: list[str] = []
    folders = [""]
    while folders:
        rel = folders.pop()
        try:
            with os.scandir(os.path.join(base, rel)) as entries:
                for entry in entries:
                    name = rel + entry.name
                    if entry.name.endswith(".py"):
                        found.append(name)
                    elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                        folders.append(name + "/")
        except OSError:
            continue
    found.sort()
    return found


def locate_module(name: str) -> str | None:
    """The file the module ``name`` would be loaded from, asking ``sys.meta_path``'s finders
    level by level as ``import`` would, but executing no module; a module already imported
    answers with its own spec. None when some level has no file-backed spec this way."""
    spec: Any = None
    search: Any = None
    parts = name.split(".")
    for depth in range(1, len(parts) + 1):
        qualified = ".".join(parts[:depth])
        spec = _spec_of(qualified, search)
        if spec is None:
            return None
        search = spec.submodule_search_locations
        if depth < len(parts) and search is None:
            return None
    if spec is None or not spec.has_location or not isinstance(spec.origin, str):
        return None
    return spec.origin


def _spec_of(qualified: str, search: Any) -> Any:
    """The module spec of ``qualified`` from ``sys.modules`` or the first finder that has one."""
    loaded = sys.modules.get(qualified)
    if loaded is not None:
        return getattr(loaded, "__spec__", None)
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        try:
            spec = find(qualified, search)
        except Exception:  # a finder that cannot answer: the import itself will decide
            return None
        if spec is not None:
            return spec
    return None


def _imported_origin(module: str) -> str | None:
    """The file of ``module`` after importing it; None when it does not import or has no file."""
    try:
        origin = getattr(importlib.import_module(module), "__file__", None)
    except Exception:  # the transform check and the build report why
        return None
    return origin if isinstance(origin, str) else None


def _helpers_digest(path: str) -> str:
    """The sha256 of the ``.py`` files beside ``path`` (not in subfolders): each one's name and bytes."""
    folder = os.path.dirname(path)
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if e.name.endswith(".py") and e.is_file())
    except OSError:
        return "unlisted"
    h = hashlib.sha256()
    for name in names:
        h.update(b"\0%s\0%s" % (name.encode("utf-8", "surrogateescape"), _file_digest(os.path.join(folder, name)).encode()))
    return h.hexdigest()


def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(read_bytes(path)).hexdigest()
    except OSError:
        return "missing"
