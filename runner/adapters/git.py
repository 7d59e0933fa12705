"""Named git queries (read-only here; commits and branches belong to execution)."""
from __future__ import annotations

import os

from runner.adapters.shell import run_command


def git_toplevel(path: str) -> str | None:
    """The work tree's top folder when ``path`` is inside a git work tree, else None."""
    result = run_command(["git", "rev-parse", "--show-toplevel"], cwd=path)
    if not result.ok:
        return None
    return os.path.realpath(result.stdout.decode("utf-8", "surrogateescape").strip())


def git_list_files(root: str) -> list[str]:
    """Tracked plus untracked-not-ignored files under ``root``, relative to it (posix)."""
    result = run_command(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate", "--", "."],
        cwd=root,
    )
    if not result.ok:
        raise OSError(result.stderr.decode("utf-8", "replace").strip() or "git ls-files failed")
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n})
