"""Named git queries (read-only here; commits and branches belong to execution)."""
from __future__ import annotations

import atexit
import os

from runner.adapters.shell import StartedCommand, run_command, start_command

_LIST_FILES = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--deduplicate", "--", "."]

#: listings started ahead (absolute root -> its git process), taken by the next git_list_files of that root
_STARTED_LISTINGS: dict[str, StartedCommand] = {}


def git_toplevel(path: str) -> str | None:
    """The work tree's top folder when ``path`` is inside a git work tree, else None."""
    result = run_command(["git", "rev-parse", "--show-toplevel"], cwd=path)
    if not result.ok:
        return None
    return os.path.realpath(result.stdout.decode("utf-8", "surrogateescape").strip())


def start_git_listing(root: str) -> None:
    """Start ``git_list_files(root)``'s git process now, so that it walks the tree while this
    process goes on; the next ``git_list_files`` of that root takes its output. Only for a
    caller that changes nothing under the root meanwhile. A root that is not a folder starts
    nothing, nor one git cannot start in (``git_list_files`` then runs git itself, and fails
    as it would have)."""
    root = os.path.abspath(root)
    if root in _STARTED_LISTINGS or not os.path.isdir(root):
        return
    try:
        started = start_command(_LIST_FILES, cwd=root)
    except OSError:
        return
    if not _STARTED_LISTINGS:
        atexit.register(stop_git_listings)
    _STARTED_LISTINGS[root] = started


def git_listing_walking(root: str) -> bool:
    """The listing started ahead for ``root`` has printed nothing yet: git still walks the
    tree for untracked files (it prints them, then the tracked ones, once the walk is done)."""
    started = _STARTED_LISTINGS.get(os.path.abspath(root))
    return started is not None and not started.printing()


def stop_git_listings() -> None:
    """Stop and reap the listings started ahead that no one took (a command that failed
    before it listed); also run at exit."""
    for started in _STARTED_LISTINGS.values():
        started.stop()
        started.result()
    _STARTED_LISTINGS.clear()


def git_list_files(root: str) -> list[str]:
    """Tracked plus untracked-not-ignored files under ``root``, relative to it (posix)."""
    started = _STARTED_LISTINGS.pop(os.path.abspath(root), None)
    result = (started or start_command(_LIST_FILES, cwd=root)).result()
    if not result.ok:
        raise OSError(result.stderr.decode("utf-8", "replace").strip() or "git ls-files failed")
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return sorted({n for n in names if n})


def _git(root: str, *args: str) -> str:
    result = run_command(["git", "-c", "core.quotepath=off", *args], cwd=root)
    if not result.ok:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OSError(message[-1] if message else f"git {args[0]} failed (exit {result.returncode})")
    return result.stdout.decode("utf-8", "surrogateescape")


def git_has_head(root: str) -> bool:
    """The repository at ``root`` has a commit (HEAD resolves); False in a fresh repository or outside git."""
    return run_command(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=root).ok


def git_index_listing(root: str) -> str:
    """``git ls-files -s`` under ``root``: mode, blob hash and path of every staged file."""
    return _git(root, "ls-files", "-s", "-z", "--", ".")


def git_worktree_changes(root: str) -> list[str]:
    """Files under ``root`` whose work-tree content differs from the index, or untracked."""
    out = _git(root, "ls-files", "-z", "-m", "-o", "--exclude-standard", "--deduplicate", "--", ".")
    return sorted({n for n in out.split("\0") if n})


def git_uncommitted(root: str, paths: list[str]) -> list[str]:
    """Those of ``paths`` (relative to ``root``) with changes not committed: staged, unstaged or untracked."""
    if not paths:
        return []
    dirty: set[str] = set()
    for start in range(0, len(paths), 500):
        chunk = paths[start:start + 500]
        if git_has_head(root):
            changed = _git(root, "diff", "--name-only", "-z", "--relative", "HEAD", "--", *chunk)
        else:
            changed = _git(root, "ls-files", "-z", "--cached", "--", *chunk)
        untracked = _git(root, "ls-files", "-z", "-o", "--exclude-standard", "--", *chunk)
        dirty.update(n for n in (changed + "\0" + untracked).split("\0") if n)
    return sorted(dirty)


def git_current_branch(root: str) -> str | None:
    """The checked-out branch's short name; None on a detached HEAD or outside git."""
    result = run_command(["git", "symbolic-ref", "--short", "-q", "HEAD"], cwd=root)
    return result.stdout.decode("utf-8", "replace").strip() or None if result.ok else None


def git_branch_exists(root: str, name: str) -> bool:
    """A local branch ``name`` exists (``refs/heads/<name>``)."""
    return run_command(["git", "rev-parse", "--verify", "-q", f"refs/heads/{name}"], cwd=root).ok


def git_switch_branch(root: str, name: str) -> bool:
    """Switch to branch ``name``, creating it from HEAD when missing; True when created."""
    exists = git_branch_exists(root, name)
    _git(root, "switch", *(() if exists else ("-c",)), name)
    return not exists


def git_head_sha(root: str) -> str:
    """The commit HEAD points at; OSError when git fails (no commit yet, not a repository)."""
    return _git(root, "rev-parse", "HEAD").strip()


def git_head_message(root: str) -> str:
    """HEAD's full commit message; the empty string when there is no commit yet."""
    return _git(root, "log", "-1", "--format=%B") if git_has_head(root) else ""


def git_commit_paths(root: str, paths: list[str], message: str) -> str | None:
    """Commit exactly ``paths`` (other staged work stays staged); the new commit, or None if nothing changed."""
    if not paths:
        return None
    _git(root, "add", "--", *paths)
    if git_has_head(root) and not _git(root, "diff", "--cached", "--name-only", "-z", "HEAD", "--", *paths).strip("\0"):
        return None
    _git(root, "commit", "-q", "--no-verify", "-m", message, "--only", "--", *paths)
    return git_head_sha(root)
