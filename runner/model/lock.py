"""``batchmod.lock`` beside the playbook: what a recorded cassette was made with.

It pins the playbook's sha256, the batchmod, libcst and anthropic SDK versions, the
model ids and the cassette's sha256 and exchange count, so a replay can tell a cassette
that changed since it was recorded (refused) from a tool that moved on (a warning).
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from runner.errors import InputError

LOCK_NAME = "batchmod.lock"


@dataclass(frozen=True, slots=True)
class Lock:
    """``batchmod.lock``: what a cassette was recorded with (playbook, versions, model ids), its sha256 and size."""

    playbook: str  #: the playbook's file name
    playbook_sha256: str
    batchmod: str
    libcst: str
    anthropic: str
    models: tuple[tuple[str, str], ...]  #: (role, model id)
    cassette: str  #: the cassette's file name
    cassette_sha256: str
    exchanges: int


def render_lock(lock: Lock) -> str:
    """The lock file's text (JSON, stable key order, one trailing newline)."""
    data = asdict(lock)
    data["models"] = dict(lock.models)
    return json.dumps({"version": 1, **data}, indent=2) + "\n"


def parse_lock(text: str, path: str) -> Lock:
    """Read a lock file's text; a damaged one is bad input (exit 2)."""
    try:
        data = json.loads(text)
        return Lock(
            playbook=str(data["playbook"]), playbook_sha256=str(data["playbook_sha256"]),
            batchmod=str(data["batchmod"]), libcst=str(data["libcst"]), anthropic=str(data["anthropic"]),
            models=tuple(sorted((str(k), str(v)) for k, v in data["models"].items())),
            cassette=str(data["cassette"]), cassette_sha256=str(data["cassette_sha256"]), exchanges=int(data["exchanges"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: not a batchmod lock file ({exc}); delete it and record again "
                         "with `batchmod plan PLAYBOOK --model`") from None


def compare_lock(locked: Lock, now: Lock, path: str) -> tuple[str | None, tuple[str, ...]]:
    """(why the cassette is refused, or None; warnings about drift) of ``now`` against ``locked``."""
    refusal = None
    if now.cassette_sha256 != locked.cassette_sha256:
        refusal = (f"cassette {now.cassette} does not match {path} (sha256 {now.cassette_sha256[:12]}, "
                   f"{now.exchanges} exchanges; locked {locked.cassette_sha256[:12]}, {locked.exchanges}): restore the "
                   f"committed cassette, or record it again with `batchmod plan {now.playbook} --model`")
    warnings = []
    for name in ("batchmod", "libcst", "anthropic"):
        was, is_ = getattr(locked, name), getattr(now, name)
        if was != is_:
            warnings.append(f"{path}: recorded with {name} {was}, this is {is_}; replayed answers may not match")
    if now.playbook_sha256 != locked.playbook_sha256:
        warnings.append(f"{path}: {now.playbook} changed since the cassette was recorded; "
                        "requests that changed will not be found in it")
    if dict(now.models) != dict(locked.models):
        warnings.append(f"{path}: the model ids changed since the cassette was recorded "
                        f"({', '.join(f'{r} {m}' for r, m in locked.models)})")
    return refusal, tuple(warnings)
