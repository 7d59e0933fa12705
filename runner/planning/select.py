"""Which files a task sees: candidates from git (or a .gitignore-aware walk), then globs.

Globs use gitignore semantics (``**``, a pattern with a slash is anchored at the root).
Every path is confined to the root: symlinks that leave it are skipped and listed.
"""
from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass, field

from runner.adapters.fork_pool import ForkedCall
from runner.adapters.git import git_list_files, git_toplevel
from runner.adapters.workspace import read_bytes
from runner.errors import InputError
from runner.planning.globs import GlobMatcher, PlainGlobs, compile_gitignore


@dataclass(frozen=True, slots=True)
class Candidates:
    """The files of the root a glob may select, and those left out with why."""

    files: tuple[str, ...]  #: relative posix paths, sorted
    skipped: tuple[tuple[str, str], ...]  #: (path, reason) — symlinks out of the root etc.
    source: str  #: "git" | "walk"
    #: bytes of each regular file as listed (a file reached through a symlink has none here)
    sizes: dict[str, int] = field(default_factory=dict, compare=False, repr=False)


#: a listing this long is looked at (each file's lstat) in a forked child while the caller
#: goes on; a shorter one costs less than the fork
FORK_LISTING_FILES = 2000


def list_candidates(root: str) -> Candidates:
    """All files batchmod may touch under ``root`` (an absolute, existing folder)."""
    return start_candidates(root, fork=False).get()


class CandidatesAhead:
    """A listing whose files are looked at while the caller goes on: in a forked child
    when the listing is long (Linux), else by ``get``. ``cancel`` stops the child when
    the caller no longer wants the answer (a bad playbook)."""

    def __init__(self, root: str, names: list[str], source: str, fork: bool = True) -> None:
        self._args = (root, names, source)
        self._call = ForkedCall(_listed, self._args) \
            if fork and len(names) >= FORK_LISTING_FILES and sys.platform.startswith("linux") else None
        self._answer: Candidates | None = None

    @property
    def forked(self) -> bool:
        """The files are being looked at in another process (the caller has time to spare)."""
        return self._call is not None

    def get(self) -> Candidates:
        """The candidates (waits for the child; looks at the files here when it failed)."""
        if self._answer is None:
            call, self._call = self._call, None
            try:
                self._answer = call.result() if call is not None else None
            except RuntimeError:
                pass
            if self._answer is None:
                self._answer = _candidates(*self._args)
        return self._answer

    def cancel(self) -> None:
        """Stop and reap the child if it still runs (``get`` then looks here)."""
        if self._call is not None:
            self._call.cancel()
            self._call = None


def start_candidates(root: str, fork: bool = True) -> CandidatesAhead:
    """``list_candidates(root)`` started: the listing is taken now (InputError as
    ``list_candidates`` raises it), each file looked at while the caller goes on
    (``fork`` False: by ``get``)."""
    if not os.path.isdir(root):
        raise InputError(f"{root}: the root is not a folder; pass --root with an existing folder")
    if not os.access(root, os.R_OK | os.X_OK):
        raise InputError(f"{root}: the root is not readable; check its permissions")
    try:  # one git process when it works; asked whether this is a work tree only when it fails
        names, source = git_list_files(root), "git"
    except OSError as exc:
        if git_toplevel(root) is not None:
            raise InputError(f"{root}: git ls-files failed: {exc}") from None
        names, source = _walk(root), "walk"
    return CandidatesAhead(root, names, source, fork)


def _listed(args: tuple[str, list[str], str]) -> Candidates:
    return _candidates(*args)


def _candidates(root: str, names: list[str], source: str) -> Candidates:
    """The listed ``names`` that are files batchmod may touch: regular files, and
    symlinks that stay inside ``root`` (the others skipped, with why)."""
    files, skipped, sizes = [], [], {}
    real_root = os.path.realpath(root)
    linked: dict[str, bool] = {"": False}  #: folder (relative) -> it or a folder above it is a symlink
    prefix = root if root.endswith("/") else root + "/"  # os.path.join(root, name), names being relative
    lstat, is_link_mode, is_regular_mode = os.lstat, stat.S_ISLNK, stat.S_ISREG
    for name in names:
        if name.startswith(".batchmod/"):
            continue
        full = prefix + name
        try:
            st: os.stat_result | None = lstat(full)
        except OSError:
            st = None
        folder = name.rpartition("/")[0]
        in_link = linked.get(folder)
        if in_link is None:
            in_link = _linked_folder(prefix, folder, linked)
        if in_link or st is not None and is_link_mode(st.st_mode):
            target = os.path.realpath(full)
            if os.path.commonpath([real_root, target]) != real_root:
                skipped.append((name, "symlink leaves the root"))
                continue
            if not os.path.isfile(full):
                continue
        elif st is None or not is_regular_mode(st.st_mode):
            continue  # deleted from the work tree but still in the index, or a submodule
        else:
            sizes[name] = st.st_size
        files.append(name)
    return Candidates(tuple(files), tuple(skipped), source, sizes)


def _linked_folder(prefix: str, folder: str, known: dict[str, bool]) -> bool:
    """``folder`` (relative to the root, ``prefix`` being the root and a slash) or one of
    the folders above it up to the root is a symlink; ``known`` keeps each folder's
    answer, so a folder is looked at once."""
    answer = known.get(folder)
    if answer is None:
        answer = _linked_folder(prefix, folder.rpartition("/")[0], known)
        if not answer:
            try:
                answer = stat.S_ISLNK(os.lstat(prefix + folder).st_mode)
            except OSError:
                answer = False
        known[folder] = answer
    return answer


def _walk(root: str) -> list[str]:
    """A walk that honours .gitignore files at every level (and skips .git)."""
    import pathspec

    out: list[str] = []
    specs: list[tuple[str, pathspec.PathSpec]] = []

    def ignored(rel: str, is_dir: bool) -> bool:
        verdict = False
        for base, spec in specs:
            if base and not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1 :] if base else rel
            result = spec.check_file(sub + ("/" if is_dir else ""))
            if result.include is not None:
                verdict = result.include
        return verdict

    for current, dirs, files in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(current, root).replace(os.sep, "/")
        rel_dir = "" if rel_dir == "." else rel_dir
        specs[:] = [(b, s) for b, s in specs if not b or rel_dir == b or rel_dir.startswith(b + "/")]
        if ".gitignore" in files:
            text = read_bytes(os.path.join(current, ".gitignore")).decode("utf-8", errors="replace")
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as a text-mode file's lines
            specs.append((rel_dir, pathspec.GitIgnoreSpec.from_lines(lines)))
        keep = []
        for d in sorted(dirs):
            rel = f"{rel_dir}/{d}" if rel_dir else d
            if d in (".git", ".batchmod", ".hg", ".svn") or ignored(rel, True):
                continue
            keep.append(d)
        dirs[:] = keep
        for f in files:
            rel = f"{rel_dir}/{f}" if rel_dir else f
            if not ignored(rel, False):
                out.append(rel)
    return sorted(out)


def compile_globs(patterns: tuple[str, ...] | list[str]) -> GlobMatcher:
    """Gitignore-style globs (``globs.compile_gitignore``); raises ValueError with the bad pattern."""
    for pattern in patterns:
        if pattern.startswith("/") or os.path.isabs(pattern):
            raise ValueError(f"`{pattern}` is absolute; globs are relative to the root")
        if ".." in pattern.split("/"):
            raise ValueError(f"`{pattern}` leaves the root (`..`); globs are relative to the root")
    try:
        return compile_gitignore([_normalise(p) for p in patterns])
    except Exception as exc:  # pathspec raises several error types for bad patterns
        raise ValueError(f"bad glob: {exc}") from None


def _normalise(pattern: str) -> str:
    """``./x`` means ``x`` (what ``{{ src }}/**`` gives with ``src: .``); ``.`` is everything."""
    negate = pattern.startswith("!")
    body = pattern[1:] if negate else pattern
    while body.startswith("./"):
        body = body[2:]
    if body in ("", "."):
        body = "**"
    return ("!" if negate else "") + body


def select_files(
    candidates: tuple[str, ...], include: tuple[str, ...], exclude: tuple[str, ...]
) -> list[str]:
    """Candidates matching any ``include`` glob and no ``exclude`` glob, in order."""
    inc = compile_globs(include)
    exc = compile_globs(exclude) if exclude else None
    if exc is None and isinstance(inc, PlainGlobs):
        return inc.select(candidates)
    return [f for f in candidates if inc.match_file(f) and not (exc and exc.match_file(f))]


def oversized_files(root: str, paths: set[str], max_bytes: int, sizes: dict[str, int] | None = None) -> dict[str, str]:
    """Of ``paths`` (relative to ``root``), those bigger than ``max_bytes``, with the reason,
    in path order. A size in ``sizes`` (``Candidates.sizes``: the listing's) is taken as
    is; any other path is looked at on disk (a path that is gone is left out)."""
    known = sizes or {}
    out = {}
    for path in sorted(paths):
        size = known.get(path)
        if size is None:
            try:
                size = os.stat(os.path.join(root, *path.split("/"))).st_size
            except OSError:
                continue  # read (and reported) when it is planned
        if size > max_bytes:
            out[path] = f"{size:,} bytes, over select.max_file_bytes ({max_bytes:,}); never parsed"
    return out
