"""CI shards: a stable partition of a playbook's files into N parts (``--shard K/N``).

Each of N CI jobs migrates one shard on its own checkout. A file's shard depends only
on its path (or its directory, when any task works ``per: directory``, so a directory's
subtask is never split), hashed with sha256: the partition is the same on every machine
and every run, no file is in two shards, and the union of the shards is the whole.
Later phases work on the same files as earlier ones, so a file stays in its shard.
"""
from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass

from runner.errors import InputError


@dataclass(frozen=True, slots=True)
class Shard:
    """``--shard K/N``: the K-th of N disjoint parts of the files."""

    index: int  #: K, 1-based
    count: int  #: N

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """``"K/N"`` with 1 <= K <= N as a Shard; InputError (exit 2) otherwise."""
    head, sep, tail = text.partition("/")
    if sep and head.strip().isdigit() and tail.strip().isdigit():
        shard = Shard(int(head), int(tail))
        if 1 <= shard.index <= shard.count:
            return shard
    raise InputError(f"--shard {text!r}: expected K/N with 1 <= K <= N (e.g. --shard 2/4)")


def shard_of(unit: str, count: int) -> int:
    """The 1-based shard of a partition unit (a path or a directory)."""
    digest = hashlib.sha256(unit.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(files: tuple[str, ...], shard: Shard | None, by_directory: bool) -> tuple[str, ...]:
    """The files of ``shard`` (all of them when ``shard`` is None), in their given order."""
    if shard is None or shard.count == 1:
        return files
    unit = (lambda f: posixpath.dirname(f) or ".") if by_directory else (lambda f: f)
    return tuple(f for f in files if shard_of(unit(f), shard.count) == shard.index)
