"""A lock file: a POSIX record lock on an open file, and the few bytes it holds (who holds it).

The record lock is not inherited by forked workers and the kernel releases it when its
holder dies; the bytes stay behind, so the next holder can tell a crash from a clean exit.
"""
from __future__ import annotations

import errno
import fcntl
import os
from contextlib import contextmanager
from typing import Iterator


class LockFile:
    """An open lock file (valid inside ``open_lock_file`` only)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def try_lock(self) -> bool:
        """Take the exclusive record lock without waiting; False when another process holds it.

        Other failures (a file system without locks) raise OSError.
        """
        try:
            fcntl.lockf(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                return False
            raise
        return True

    def read(self, limit: int = 4096) -> bytes:
        """Up to ``limit`` bytes from the start of the file; OSError when it cannot be read."""
        return os.pread(self.fd, limit, 0)

    def write(self, data: bytes) -> None:
        """Replace the file's bytes with ``data`` (truncate, then write at offset 0)."""
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    def clear(self) -> None:
        """Empty the file (a clean release: nobody to take over from)."""
        os.ftruncate(self.fd, 0)


@contextmanager
def open_lock_file(path: str, *, create: bool) -> Iterator[LockFile]:
    """Open ``path`` read-write, created with mode 0644 when ``create``, else read-only; closed on exit.

    Closing drops any record lock this process holds on the file, so a read-only peek
    (``create=False``) must never run while this process holds it. OSError when it cannot be opened.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644) if create else os.open(path, os.O_RDONLY)
    try:
        yield LockFile(fd)
    finally:
        os.close(fd)
