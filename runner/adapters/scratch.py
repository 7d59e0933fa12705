"""Temporary files nobody else reads: scratch folders and files, and crash logs."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def scratch_folder(prefix: str) -> Iterator[str]:
    """A new, empty temporary folder (``prefix`` starts its name); removed with all it holds on exit."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield folder


def write_scratch_file(path: str, data: bytes) -> None:
    """Write ``data`` to ``path``, creating its folders: a plain write, for scratch files nobody else reads."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fp:
        fp.write(data)


def copy_scratch_file(source: str, target: str) -> None:
    """Copy the bytes of ``source`` to ``target`` (not its mode), creating the target's folders."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    shutil.copyfile(source, target)


def write_crash_log(text: str) -> str:
    """Save ``text`` (a traceback) in a new file of the system's temporary folder; its path.

    The name says when: ``batchmod-crash-YYYYmmdd-HHMMSS-XXXX.log``.
    """
    fd, path = tempfile.mkstemp(prefix=f"batchmod-crash-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write(text)
    return path
