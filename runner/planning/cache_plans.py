"""Whole plans under ``.batchmod/cache/plans``: a ``plan --json`` asked again of the same tree.

A plan's JSON is a function of the playbook (its bytes, path, variables), the options
(root, phase, shard, targets), the root's file listing, the size and bytes of
every selected file and the code of each transform (with batchmod's and libcst's
versions). The key names all of them, the bytes by their sha256, so a plan asked again
reads and hashes every selected file and then only reads back what it printed the first
time: stdout, the stderr the plan itself wrote and the exit code. A plan that runs
commands or asks the model is never kept (their answers are not a function of the
files), nor one on Dask. The newest ``KEEP`` plans are kept, compressed.
"""
from __future__ import annotations

import hashlib
import json
import os
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

from runner.adapters.workspace import ensure_dir, read_bytes, remove_file_if_present, write_bytes_atomic
from runner.planning.cache_identity import transform_identity, versions
from runner.planning.expansion import Expansion, PlanOptions, expanded_phases

if TYPE_CHECKING:
    from runner.planning.select import Candidates
    from runner.playbook.load import LoadedPlaybook

KEEP = 8  #: plans kept per root, newest first


@dataclass(frozen=True, slots=True)
class KeptPlan:
    """What a plan printed: its JSON (stdout), the stderr lines it wrote itself, its exit code."""

    stdout: str
    stderr: str
    exit_code: int


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What a plan's JSON depends on besides the bytes of its files (see the module's docstring)."""

    playbook_path: str
    playbook_sha256: str
    variables: tuple[tuple[str, Any], ...]
    root: str
    options: str  #: repr of the phase, shard, targets and subtasks asked
    listing: tuple[str, ...]  #: every candidate file of the root
    skipped: tuple[tuple[str, str], ...]  #: candidates left out, with why
    oversized: tuple[tuple[str, str], ...]  #: selected files too big to plan, with their size
    transforms: tuple[str, ...]  #: each task type's ``transform:``


def file_digests(root: str, paths: Iterable[str]) -> dict[str, str]:
    """Each file's sha256 (hex) as a plan reads it, or ``!`` and why it cannot be read."""
    prefix = os.path.join(root, "")
    out = {}
    for path in paths:
        try:
            out[path] = hashlib.sha256(read_bytes(prefix + path)).hexdigest()
        except OSError as exc:
            out[path] = f"!{exc.strerror or exc}"
    return out


def read_as_keyed(digests: dict[str, str], file_sha256: Iterable[tuple[str, str]]) -> bool:
    """Whether a plan saw every file as ``digests`` has it (a file unreadable then is ``""``
    in the plan): False when one changed while it was planned, so the plan is not kept."""
    for path, sha in file_sha256:
        known = digests.get(path)
        if known is None or sha != ("" if known.startswith("!") else known):
            return False
    return True


class PlanStore:
    """Plans kept in ``folder`` by key; ``PlanStore(None)`` keeps nothing."""

    def __init__(self, folder: str | None) -> None:
        self.folder = folder

    def key(self, inputs: PlanInputs, digests: dict[str, str]) -> str | None:
        """The key of a plan: ``inputs``, versions, each transform's code and ``digests``
        (``file_digests`` of its files). None when the store is off."""
        if self.folder is None:
            return None
        h = hashlib.sha256(versions().encode() + b"\0plan\0")
        h.update(json.dumps([inputs.playbook_path, inputs.playbook_sha256, inputs.root, inputs.options],
                            default=repr).encode("utf-8", "surrogateescape"))
        h.update(b"\0" + json.dumps(inputs.variables, default=repr).encode("utf-8", "surrogateescape"))
        h.update(b"\0" + "\0".join(inputs.listing).encode("utf-8", "surrogateescape"))
        h.update(b"\0" + repr((inputs.skipped, inputs.oversized)).encode("utf-8", "surrogateescape"))
        for transform in sorted(set(inputs.transforms)):
            h.update(b"\0" + (transform + "=" + transform_identity(transform, inputs.root)).encode("utf-8", "surrogateescape"))
        h.update(b"\0" + "\0".join(f"{p}\0{d}" for p, d in sorted(digests.items())).encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def get(self, key: str | None) -> KeptPlan | None:
        """The plan kept under ``key``; None when absent, damaged or off."""
        if key is None or self.folder is None:
            return None
        try:
            head, _, stdout = zlib.decompress(read_bytes(os.path.join(self.folder, key))).partition(b"\n")
            told = json.loads(head)
            return KeptPlan(stdout.decode("utf-8", "surrogateescape"), told["stderr"], told["exit_code"])
        except (OSError, ValueError, KeyError, TypeError, zlib.error):
            return None

    def put(self, key: str | None, plan: KeptPlan) -> None:
        """Keep ``plan`` under ``key`` (a line of JSON: its stderr and exit code; then its stdout
        as it is) and drop all but the newest ``KEEP``; errors are ignored."""
        if key is None or self.folder is None:
            return
        head = json.dumps({"stderr": plan.stderr, "exit_code": plan.exit_code}).encode()
        data = head + b"\n" + plan.stdout.encode("utf-8", "surrogateescape")
        try:
            ensure_dir(self.folder)
            write_bytes_atomic(os.path.join(self.folder, key), zlib.compress(data, 1))
            self._prune()
        except OSError:
            pass

    def _prune(self) -> None:
        assert self.folder is not None
        paths = [os.path.join(self.folder, name) for name in os.listdir(self.folder) if not name.startswith(".")]
        if len(paths) <= KEEP:
            return
        for path in sorted(paths, key=os.path.getmtime)[:-KEEP]:
            remove_file_if_present(path)


class PlanKeeper:
    """One ``plan --json``'s place in the store: its key, and the file digests it was made of."""

    def __init__(self, store: PlanStore, key: str | None, digests: dict[str, str], expansion: Expansion) -> None:
        self._store = store
        self._key = key
        self._digests = digests
        self.expansion = expansion  #: the playbook as expanded for the key, for the plan to reuse

    def get(self) -> KeptPlan | None:
        """The plan printed before for these inputs, if it was kept."""
        return self._store.get(self._key)

    def put(self, file_sha256: Iterable[tuple[str, str]], plan: KeptPlan) -> None:
        """Keep ``plan`` when the plan saw its files (``file_sha256``) as the key has them."""
        if read_as_keyed(self._digests, file_sha256):
            self._store.put(self._key, plan)


def plan_keeper(folder: str, loaded: LoadedPlaybook, options: PlanOptions, candidates: Candidates) -> PlanKeeper | None:
    """The keeper of a plan with ``options`` (expanded, its files read and hashed), or None
    for a plan that is never kept: one that runs commands, asks the model or runs on Dask."""
    if options.model is not None or options.executor != "local" or not options.use_cache:
        return None
    if any(t.transform == "command" for t in loaded.playbook.task_types):
        return None
    expansion = expanded_phases(loaded, loaded.context(), options, candidates)
    phases, oversized, _, _ = expansion
    transforms = tuple(t.spec.transform for p in phases for t in p.tasks)  # as rendered
    if "command" in transforms:
        return None
    digests = file_digests(options.root, sorted({f for p in phases for t in p.tasks for f in t.files}))
    playbook = loaded.playbook
    inputs = PlanInputs(
        playbook.path, playbook.sha256, loaded.variables, options.root,
        repr((options.phase, str(options.shard) if options.shard else None, options.targets, options.subtask_ids)),
        candidates.files, candidates.skipped, tuple(sorted(oversized.items())),
        transforms)
    store = PlanStore(folder)
    return PlanKeeper(store, store.key(inputs, digests), digests, expansion)
