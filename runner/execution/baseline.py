"""Baseline-aware gates: each check once on the untouched tree, and the judgement after.

A baseline result is cached under ``.batchmod/cache/baseline/`` keyed by the tree's
state (``git ls-files -s`` plus the content of changed and untracked files, or every
candidate's content outside git) and the rendered command, so rerunning on the same
tree does not run the checks again. A gate fails only on new failures: test ids that
did not fail before when JUnit is available on both sides, otherwise a check that
passed before and fails now.
"""
from __future__ import annotations

import hashlib
import json
import os

from runner.adapters.git import git_index_listing, git_toplevel, git_worktree_changes
from runner.adapters.workspace import read_bytes_or_none, sha256_bytes, write_bytes_durable
from runner.execution.checks import RenderedCheck
from runner.execution.codec import decode_record, encode_record
from runner.execution.records import CheckResult, CheckVerdict
from runner.planning.select import list_candidates


def tree_fingerprint(root: str, ignore: set[str]) -> str:
    """A hash of the tree's content as checks see it (``ignore``: check outputs such as JUnit files)."""
    h = hashlib.sha256()
    if git_toplevel(root) is not None:
        h.update(git_index_listing(root).encode("utf-8", "surrogateescape"))
        changed = git_worktree_changes(root)
    else:
        changed = list(list_candidates(root).files)
    for path in changed:
        if path in ignore or path.startswith(".batchmod/"):
            continue
        data = read_bytes_or_none(os.path.join(root, *path.split("/")))
        h.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0" + (sha256_bytes(data) if data is not None else "-").encode())
    return h.hexdigest()


class BaselineCache:
    """Baseline results by tree state × rendered check; a damaged entry is a miss."""

    def __init__(self, root: str, fingerprint: str) -> None:
        self.folder = os.path.join(root, ".batchmod", "cache", "baseline")
        self.fingerprint = fingerprint

    def _path(self, check: RenderedCheck) -> str:
        key = hashlib.sha256(json.dumps([self.fingerprint, check.command, check.junit, check.timeout]).encode()).hexdigest()
        return os.path.join(self.folder, f"{key}.json")

    def get(self, check: RenderedCheck) -> CheckResult | None:
        data = read_bytes_or_none(self._path(check))
        if data is None:
            return None
        try:
            return decode_record(CheckResult, json.loads(data))
        except ValueError:
            return None

    def put(self, check: RenderedCheck, result: CheckResult) -> None:
        try:
            write_bytes_durable(self._path(check), json.dumps(encode_record(result)).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs time


def judge_check(result: CheckResult, baseline: CheckResult | None) -> CheckVerdict:
    """Which of a check's failures are new relative to the untouched tree."""
    if result.passed:
        return CheckVerdict(result, baseline.passed if baseline else None, (), ())
    current_ids = tuple(dict.fromkeys(f.id for f in result.failures))
    whole = (result.name,)
    if baseline is None:
        return CheckVerdict(result, None, current_ids or whole, ())
    if result.junit_read and baseline.junit_read and current_ids:
        before = {f.id for f in baseline.failures}
        new = tuple(i for i in current_ids if i not in before)
        old = tuple(i for i in current_ids if i in before)
        return CheckVerdict(result, baseline.passed, new, old)
    if baseline.passed:
        return CheckVerdict(result, True, current_ids or whole, ())
    return CheckVerdict(result, False, (), current_ids or whole)


def describe_verdicts(verdicts: tuple[CheckVerdict, ...]) -> str:
    """One line: the blocking checks with their new failures, then the pre-existing ones."""
    parts = []
    for v in verdicts:
        if v.blocking:
            what = ", ".join(v.new_failures[:5]) + (f" (+{len(v.new_failures) - 5} more)" if len(v.new_failures) > 5 else "")
            status = "timed out" if v.result.timed_out else f"exit {v.result.exit_code}"
            parts.append(f"check `{v.result.name}` failed ({status}): new failures: {what}")
    old = [f"{v.result.name}: {', '.join(v.preexisting[:5])}" for v in verdicts if v.preexisting]
    if old:
        parts.append("failing before the migration too (not blamed): " + "; ".join(old))
    return "; ".join(parts)
