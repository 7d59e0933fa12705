"""Each planned file change diffed once: in the plan, and across plans through the result cache.

A diff is a function of the path and the two contents (and of batchmod's version), so a
warm plan reads the diffs of its unchanged changes instead of computing them again.
"""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from runner.planning.plan import FileChange, file_change

if TYPE_CHECKING:
    from runner.planning.cache import ResultCache


class Diffs:
    """``file_change`` memoised by (path, before, after): this plan's, else the cache's, else computed.

    What was computed is stored in the cache by ``flush``; ``Diffs(None)`` only memoises.
    """

    def __init__(self, cache: ResultCache | None) -> None:
        self._cache = cache
        self._memo: dict[tuple[str, bytes, bytes], FileChange] = {}
        self._new: list[tuple[str, FileChange]] = []

    def change(self, path: str, before: bytes, after: bytes) -> FileChange:
        """The change of ``path`` from ``before`` to ``after``, exactly as ``file_change`` gives it."""
        memo_key = (path, before, after)
        known = self._memo.get(memo_key)
        if known is not None:
            return known
        key = diff_key(path, before, after) if self._cache is not None else ""
        stored = self._cache.diff(key) if self._cache is not None else None
        if stored is not None:
            known = FileChange(path, before, after, *stored)
        else:
            known = file_change(path, before, after)
            if self._cache is not None:
                self._new.append((key, known))
        self._memo[memo_key] = known
        return known

    def seed(self, changes: list[FileChange]) -> None:
        """Take changes made elsewhere with ``file_change`` (a pool worker's): asked for, they are not made again."""
        for c in changes:
            if self._memo.setdefault((c.path, c.before, c.after), c) is c and self._cache is not None:
                self._new.append((diff_key(c.path, c.before, c.after), c))

    def flush(self) -> None:
        """Store the changes computed since the last flush (nothing without a cache)."""
        if self._cache is not None and self._new:
            self._cache.put_diffs([(key, (c.diff, c.added, c.removed)) for key, c in self._new])
        self._new = []


def diff_key(path: str, before: bytes, after: bytes) -> str:
    """The cache key of a file's diff: versions, the path and both contents' sha256."""
    from runner.planning.cache import version_salt

    h = hashlib.sha256(version_salt().encode())
    h.update(b"\0diff\0" + path.encode("utf-8", "surrogateescape"))
    h.update(b"\0" + hashlib.sha256(before).digest() + hashlib.sha256(after).digest())
    return "diff:" + h.hexdigest()
