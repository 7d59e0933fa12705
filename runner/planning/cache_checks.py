"""Playbooks whose transform checks passed, under ``.batchmod/cache/checks``.

Checking a task type's transform builds it: a codemod is imported with libcst, which
costs a warm plan more than all its cache lookups. A pass is remembered as an empty
file named by the key of everything the checks read (the playbook's bytes, the resolved
variables, the root, each transform's code, the versions), so a playbook that passed
once passes again without building anything; any change of those misses and checks
again, every error reported as before. Only passes are remembered.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from runner.adapters.workspace import ensure_dir, remove_file_if_present, write_new_file
from runner.planning.cache_identity import transform_identity, versions

_KEEP = 256  #: remembered passes; past that the folder is emptied and starts again


class CheckVerdicts:
    """Passes of the transform checks kept in ``folder``; ``CheckVerdicts(None)`` remembers nothing."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder

    def key(self, playbook_sha256: str, task_types: Any, variables: dict[str, Any], root: str) -> str | None:
        """The key of one check: versions, the playbook's bytes (as their sha256), the
        variables, the root and each task type's transform code. None when off."""
        if self.folder is None:
            return None
        h = hashlib.sha256(versions().encode())
        h.update(b"\0" + playbook_sha256.encode() + b"\0" + root.encode("utf-8", "surrogateescape"))
        h.update(b"\0" + json.dumps(variables, sort_keys=True, default=repr).encode())
        transforms = sorted({spec.get("transform") for spec in task_types.values() if isinstance(spec, dict)}
                            if isinstance(task_types, dict) else (), key=str)
        for transform in transforms:
            identity = transform_identity(transform, root) if isinstance(transform, str) else repr(transform)
            h.update(b"\0" + repr(transform).encode() + b"=" + identity.encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def passed(self, key: str | None) -> bool:
        """Whether the checks under ``key`` passed before (False when off)."""
        return key is not None and self.folder is not None and os.path.isfile(os.path.join(self.folder, key))

    def remember(self, key: str | None) -> None:
        """Record that the checks under ``key`` passed; a folder that refuses is ignored (a cache only saves time)."""
        if key is None or self.folder is None:
            return
        try:
            ensure_dir(self.folder)
            names = os.listdir(self.folder)
            if len(names) >= _KEEP:
                for name in names:
                    remove_file_if_present(os.path.join(self.folder, name))
            write_new_file(os.path.join(self.folder, key), b"")
        except OSError:
            pass
