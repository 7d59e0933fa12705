"""``--only`` / ``--skip``: prune subtasks by id before planning them (Terraform's ``-target``).

Patterns are fnmatch patterns over subtask ids (``phase/task/path``; ``*`` also
matches ``/``): ``--only 'library/*'`` keeps one phase, ``--skip '*/tests/*'`` leaves
out the tests. A subtask is kept when it matches some ``--only`` (or none is given)
and no ``--skip``.
"""
from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Iterable

from runner.errors import InputError


@dataclass(frozen=True, slots=True)
class Targets:
    """``--only`` / ``--skip`` patterns over subtask ids (fnmatch)."""

    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    strict: bool = True  #: an --only that matches no id is an error (off when one phase of a run is planned)

    def __bool__(self) -> bool:
        return bool(self.only or self.skip)

    def selects(self, subtask_id: str) -> bool:
        """The subtask is kept."""
        wanted = not self.only or any(fnmatchcase(subtask_id, p) for p in self.only)
        return wanted and not any(fnmatchcase(subtask_id, p) for p in self.skip)

    def flags(self) -> str:
        """As typed: ``--only a --skip b``."""
        return " ".join([*(f"--only {p}" for p in self.only), *(f"--skip {p}" for p in self.skip)])


def targeted_ids(ids: Iterable[str], targets: Targets) -> frozenset[str]:
    """The ids ``targets`` keeps; an --only matching none of ``ids`` is exit 2 with the closest ids."""
    ids = list(ids)
    if targets.strict:
        for pattern in targets.only:
            if not any(fnmatchcase(i, pattern) for i in ids):
                import difflib

                close = difflib.get_close_matches(pattern, ids, n=3, cutoff=0.3)
                hint = f"; closest: {', '.join(close)}" if close else ("; the plan has no subtasks" if not ids else "")
                raise InputError(f"--only {pattern}: matches no subtask id{hint} (ids are phase/task/path; `*` matches any part)")
    return frozenset(i for i in ids if targets.selects(i))
