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
        key = hashlib.sha256(json.dumps([self.fingerprint, check.command, check.junit, check.timeout, check.auto_junit]).encode()).hexdigest()
        return os.path.join(self.folder, f"{key}.json")

    def get(self, check: RenderedCheck) -> CheckResult | None:
        """The cached baseline result of ``check`` on this tree state; None when absent or unreadable."""
        data = read_bytes_or_none(self._path(check))
        if data is None:
            return None
        try:
            return decode_record(CheckResult, json.loads(data))
        except ValueError:
            return None

    def put(self, check: RenderedCheck, result: CheckResult) -> None:
        """Cache ``result`` for ``check`` (a durable write); a refused write is ignored, it only costs time."""
        try:
            write_bytes_durable(self._path(check), json.dumps(encode_record(result)).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only costs time


def judge_check(result: CheckResult, baseline: CheckResult | None, must_pass: bool = False) -> CheckVerdict:
    """Which of a check's failures are new relative to the untouched tree (all of them for a ``must_pass`` check)."""
    before = baseline.passed if baseline else None
    if result.passed:
        return CheckVerdict(result, before, (), (), must_pass=must_pass)
    current_ids = tuple(dict.fromkeys(f.id for f in result.failures))
    whole = (result.name,)
    if baseline is None or must_pass:
        return CheckVerdict(result, before, current_ids or whole, (), must_pass=must_pass)
    if result.junit_read and baseline.junit_read and current_ids:
        old_ids = {f.id for f in baseline.failures}
        new = tuple(i for i in current_ids if i not in old_ids)
        old = tuple(i for i in current_ids if i in old_ids)
        return CheckVerdict(result, before, new, old)
    if baseline.passed:
        return CheckVerdict(result, True, current_ids or whole, ())
    return CheckVerdict(result, False, (), current_ids or whole, whole=True)


def _some(ids: tuple[str, ...]) -> str:
    return ", ".join(ids[:5]) + (f" (+{len(ids) - 5} more)" if len(ids) > 5 else "")


def _status(result: CheckResult) -> str:
    return "timed out" if result.timed_out else f"exit {result.exit_code}"


def describe_unblamed(v: CheckVerdict) -> str:
    """A failed check the gate does not blame on the migration, in words that never say "passed"."""
    name, status = v.result.name, _status(v.result)
    if v.whole:
        return f"check `{name}` failed ({status}) as it did on the untouched tree; judged as a whole, so not blamed"
    return f"check `{name}` failed ({status}) only in tests that failed on the untouched tree too (not blamed): {_some(v.preexisting)}"


def describe_verdicts(verdicts: tuple[CheckVerdict, ...]) -> str:
    """One line: the blocking checks with their new failures, then the failed checks not blamed."""
    parts = []
    for v in verdicts:
        if v.blocking:
            goal = " (must_pass: it has to pass after the phase)" if v.must_pass else ""
            old = f" (failing on the untouched tree too, not blamed: {_some(v.preexisting)})" if v.preexisting else ""
            parts.append(f"check `{v.result.name}` failed ({_status(v.result)}){goal}: new failures: {_some(v.new_failures)}{old}")
    parts.extend(describe_unblamed(v) for v in verdicts if not v.blocking and not v.result.passed)
    return "; ".join(parts)


def describe_baseline(result: CheckResult, must_pass: bool) -> str:
    """What a check did on the untouched tree, and what that means for the gate."""
    if result.passed:
        return "passes"
    ids = ", ".join(f.id for f in result.failures[:3])
    if must_pass:
        return f"fails ({ids or _status(result)}); must_pass: the gate blocks until it passes"
    if result.failures and result.junit_read:
        return f"fails already ({ids}); only tests that did not fail here will block"
    return (f"fails already ({_status(result)}); it has no per-test results, so it is judged as a whole: "
            "while it keeps failing the gate does not blame the migration")
