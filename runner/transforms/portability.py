"""Which tree transforms can run on a worker that has only the job (no repository).

A Dask worker gets a FileJob: the file's bytes, its path and the task specs. A transform
that reads other files of the repository (``rename`` looks at packages and re-exports,
a ``python:`` codemod is loaded from the repository, a codemod that asks for libcst's
repository-wide metadata builds a FullRepoManager) runs on the driver instead.
"""
from __future__ import annotations

from runner.playbook.spec import TaskTypeSpec

#: built-ins that need nothing but the file
_PORTABLE_BUILTINS = frozenset({"rewrite"})


def driver_only_reason(spec: TaskTypeSpec, root: str) -> str | None:
    """None when jobs of ``spec`` can run on a remote worker; else why they run on the driver."""
    if spec.transform in _PORTABLE_BUILTINS:
        return None
    if spec.transform == "rename":
        return "rename reads the repository (packages, re-exports)"
    if spec.transform.startswith("python:"):
        return "a python: codemod is loaded from the repository"
    if "." not in spec.transform:
        return f"{spec.transform} runs on the driver"
    from runner.transforms.codemod import import_codemod

    try:
        cls = import_codemod(spec.transform, root)
    except Exception:  # reported as a failed subtask by the plan itself
        return "the codemod does not load"
    needs_repo = sorted(p.__name__ for p in cls.get_inherited_dependencies()
                        if getattr(p, "gen_cache", None) is not None)
    if needs_repo:
        return f"{cls.__name__} needs repository-wide metadata ({', '.join(needs_repo)})"
    return None


#: providers whose repository-wide cache is a function of the file's path alone (libcst
#: names modules after their paths; ``use_pyproject_toml`` is off in codemod.py)
_PATH_ONLY_PROVIDERS = ("FullyQualifiedNameProvider", "FilePathProvider")
#: batchmod's codemods that read other files of the repository (the names other modules import)
_REPOSITORY_READERS = frozenset({"runner.transforms.library.unused_imports.RemoveUnusedImportsCommand"})


def reads_other_files(spec: TaskTypeSpec, root: str) -> str | None:
    """None when a job's result of ``spec`` is a function of the job alone (the file's
    bytes and path, the task specs, the transform's code); else which other files it
    reads: ``rename`` (packages' re-exports, imported modules), a codemod that asks for
    repository-wide metadata other than module names and paths (a FullRepoManager
    provider such as TypeInferenceProvider), or one of batchmod's codemods that reads
    the repository. Imports the codemod (libcst with it); one that does not load is None
    (its files fail without a job)."""
    if spec.transform == "rename":
        return "rename reads packages' re-exports and the modules a file imports"
    from runner.transforms.registry import BUILTINS

    if spec.transform in BUILTINS:
        return None
    from runner.transforms.codemod import import_codemod

    try:
        cls = import_codemod(spec.transform, root)
    except Exception:
        return None
    if any(f"{c.__module__}.{c.__qualname__}" in _REPOSITORY_READERS for c in cls.__mro__):
        return f"{cls.__name__} reads the modules of the repository"
    import libcst.metadata as metadata

    path_only = tuple(getattr(metadata, name, None) for name in _PATH_ONLY_PROVIDERS)
    wide = sorted(p.__name__ for p in cls.get_inherited_dependencies()
                  if getattr(p, "gen_cache", None) is not None and p not in path_only)
    return f"{cls.__name__} needs repository-wide metadata ({', '.join(wide)})" if wide else None
