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
