"""Files on disk: atomic and durable writes (temp file + rename in the same folder), and reads."""
from __future__ import annotations

import errno
import hashlib
import os

from runner.adapters.crashpoints import kill_point


def write_bytes_atomic(path: str, data: bytes, *, mode: int | None = None, tmp_dir: str | None = None,
                       point: str = "rename") -> None:
    """Replace ``path`` with ``data`` atomically; keep ``mode`` (or the old file's).

    The temporary file is made in ``tmp_dir`` when given (a folder the tree never shows,
    on the same file system), else beside ``path``. When ``tmp_dir`` is on another file
    system the temporary is ``sibling_temp(path)``, a name known in advance so that
    whoever cleans up after a kill can find it. An error leaves ``path`` as it was and
    no temporary behind.
    """
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = None
    import tempfile  # imported by the commands that write (a plan writes nothing)

    if tmp_dir is None:
        _replace_from(tempfile.mkstemp(prefix=".batchmod-", suffix=".tmp", dir=os.path.dirname(os.path.abspath(path))), path, data, mode, point)
        return
    os.makedirs(tmp_dir, exist_ok=True)
    try:
        _replace_from(tempfile.mkstemp(prefix="w-", suffix=".tmp", dir=tmp_dir), path, data, mode, point)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    sibling = sibling_temp(path)
    _replace_from((os.open(sibling, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), sibling), path, data, mode, point)


def read_only(path: str) -> bool:
    """The file exists and nobody may write it (no write bit at all; root would ignore the bits)."""
    try:
        return os.stat(path).st_mode & 0o222 == 0
    except OSError:
        return False


def sibling_temp(path: str) -> str:
    """The temporary beside ``path`` used when the state folder is on another file system."""
    folder, name = os.path.split(os.path.abspath(path))
    return os.path.join(folder, f".{name}.batchmod.tmp")


def _replace_from(temp: tuple[int, str], path: str, data: bytes, mode: int | None, point: str) -> None:
    fd, tmp = temp
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        if mode is not None:
            os.chmod(tmp, mode)
        kill_point(point)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def remove_file_if_present(path: str) -> bool:
    """Delete ``path`` if it exists; True when something was deleted."""
    try:
        os.unlink(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def write_text_atomic(path: str, text: str) -> None:
    """``write_bytes_atomic`` of ``text`` encoded as UTF-8; OSError when refused, ``path`` then unchanged."""
    write_bytes_atomic(path, text.encode("utf-8"))


def sha256_bytes(data: bytes) -> str:
    """The hex sha256 of ``data`` (how batchmod names every content)."""
    return hashlib.sha256(data).hexdigest()


def read_bytes_or_none(path: str) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        with open(path, "rb") as fp:
            return fp.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def read_bytes(path: str, size: int = -1) -> bytes:
    """The whole file; OSError as ``open`` raises it (FileNotFoundError, IsADirectoryError…).

    Read with the descriptor alone (no file object): one byte more than its size (``size``
    when the caller knows it, as a listing's ``lstat`` gave it, else ``fstat``'s), done
    when that gives the size; else on to the end, so a file that grew or shrank
    meanwhile is still read whole.
    """
    fd = os.open(path, os.O_RDONLY | _CLOEXEC)
    try:
        if size < 0:
            size = os.fstat(fd).st_size
        chunks = [os.read(fd, size + 1)]
        if len(chunks[0]) == size:
            return chunks[0]
        while chunks[-1] and (more := os.read(fd, 1 << 16)):
            chunks.append(more)
    except OSError as exc:  # a folder opens, then refuses the read: name it as open would
        exc.filename = exc.filename or path
        raise
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def ensure_dir(path: str) -> None:
    """Create folder ``path`` and its parents when missing; OSError when that is refused."""
    os.makedirs(path, exist_ok=True)


def make_new_dir(path: str) -> bool:
    """Create folder ``path`` (and missing parents); False when it exists already, OSError when refused."""
    try:
        os.makedirs(path)
    except FileExistsError:
        return False
    return True


def read_bytes_prefix(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes from the start of ``path`` (the rest is never read).

    Raises OSError as ``open`` does: FileNotFoundError, IsADirectoryError, PermissionError…
    """
    with open(path, "rb") as fp:
        return fp.read(limit)


def fsync_dir(folder: str) -> None:
    """Make a rename or a new file in ``folder`` survive a power loss."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes_durable(path: str, data: bytes, *, mode: int | None = None) -> None:
    """``write_bytes_atomic`` that creates the folder and syncs it after the rename."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    write_bytes_atomic(path, data, mode=mode)
    fsync_dir(folder)


def append_line_durable(path: str, line: str) -> None:
    """Append one line and fsync; a torn last line (power loss mid-write) is closed first."""
    data = line.rstrip("\n").encode("utf-8") + b"\n"
    with open(path, "ab+") as fp:
        if fp.tell() > 0:
            fp.seek(-1, os.SEEK_END)
            if fp.read(1) != b"\n":
                data = b"\n" + data
        fp.write(data)
        fp.flush()
        os.fsync(fp.fileno())


def append_line_bytes_durable(path: str, line: bytes) -> None:
    """Append one complete line (ending in a newline) and fsync. A torn tail — bytes after
    the last newline, left by a kill mid-append — is cut off first, so the file holds only
    complete lines; a file that did not exist is created and its folder synced."""
    created = not os.path.exists(path)
    with open(path, "ab+") as fp:
        size = fp.seek(0, os.SEEK_END)
        if size:
            fp.seek(-1, os.SEEK_END)
            if fp.read(1) != b"\n":
                fp.truncate(_after_last_newline(fp, size))
        fp.write(line)
        fp.flush()
        os.fsync(fp.fileno())
    if created:
        fsync_dir(os.path.dirname(os.path.abspath(path)))


def _after_last_newline(fp, size: int) -> int:  # type: ignore[no-untyped-def]
    """Offset just past the last newline of an open file (0 when there is none)."""
    end = size
    while end > 0:
        start = max(0, end - 65536)
        fp.seek(start)
        chunk = fp.read(end - start)
        at = chunk.rfind(b"\n")
        if at >= 0:
            return start + at + 1
        end = start
    return 0


def write_new_file(path: str, data: bytes) -> bool:
    """Create ``path`` holding ``data`` unless it exists (then it is left alone: False);
    OSError when the folder refuses it. Made as ``open(path, "x")`` makes it (mode from the umask)."""
    try:
        with open(path, "xb") as fp:
            fp.write(data)
    except FileExistsError:
        return False
    return True
