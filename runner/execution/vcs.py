"""Git around a run: the dirty-tree guard, the branch, one commit per phase."""
from __future__ import annotations

from runner.adapters.git import git_commit_paths, git_current_branch, git_head_message, git_head_sha, git_switch_branch, git_uncommitted
from runner.errors import InputError
from runner.execution.context import RunContext


def refuse_dirty(root: str, paths: list[str]) -> None:
    """A run does not start over uncommitted work in the files it will touch."""
    try:
        dirty = git_uncommitted(root, paths)
    except OSError as exc:
        raise InputError(f"{root}: cannot ask git for uncommitted changes: {exc}") from None
    if dirty:
        shown = ", ".join(dirty[:10]) + (f" and {len(dirty) - 10} more" if len(dirty) > 10 else "")
        raise InputError(
            f"{shown} {'have' if len(dirty) > 1 else 'has'} uncommitted changes and the run would change "
            f"{'them' if len(dirty) > 1 else 'it'}; commit or stash first, or pass --allow-dirty"
        )


def switch_branch(root: str, branch: str) -> str:
    """Create or switch to ``branch``; a line saying what happened."""
    if git_current_branch(root) == branch:
        return f"on branch {branch}"
    try:
        created = git_switch_branch(root, branch)
    except OSError as exc:
        raise InputError(f"--branch {branch}: git cannot switch: {exc}") from None
    return f"{'created' if created else 'switched to'} branch {branch}"


def require_branch(root: str, branch: str, run_id: str) -> None:
    """Raise InputError unless the checkout is on ``branch`` (the branch run ``run_id`` writes on)."""
    current = git_current_branch(root)
    if current != branch:
        raise InputError(
            f"run {run_id} writes on branch {branch}, but the checkout is on {current or 'a detached HEAD'}; "
            f"`git switch {branch}` and run again"
        )


def commit_phase(ctx: RunContext, name: str) -> str | None:
    """Commit the phase's files (once: a resumed run finds its own commit by its trailer)."""
    ps, record = ctx.phase_state(name), ctx.record(name)
    trailer = f"Batchmod-Run: {ctx.state.run_id}\nBatchmod-Phase: {name}#{ps.attempt}"
    try:
        if trailer in git_head_message(ctx.root):
            return git_head_sha(ctx.root)
        files = sorted(set(record.changed_files) | set(ps.adopted))
        writable = record.writable()
        added = sum(d.added for s in writable for d in s.deltas)
        removed = sum(d.removed for s in writable for d in s.deltas)
        reverted = sum(len(c.subtasks) for c in ps.bisect.culprits) if ps.bisect else 0
        body = f"{len(writable)} subtasks changed {len(record.changed_files)} files (+{added} -{removed})"
        if reverted:
            body += f"; {reverted} subtasks reverted by bisect"
        body += f"; gate: {ps.gate}"
        message = f"batchmod: {ctx.state.playbook_name}: phase {name}\n\n{body}\n\n{trailer}\n"
        return git_commit_paths(ctx.root, files, message)
    except OSError as exc:
        raise InputError(f"phase {name}: git commit failed: {exc}") from None
