"""A small job queue (typing-modernize golden input)."""
from __future__ import annotations

import typing
from collections import deque
from typing import Any, Callable, List

Number = int | float
Handlers = dict[str, list[Callable[..., Any]]]  # a module-level alias: a runtime type expression, converted too


class Job:
    def __init__(self, name: str, args: tuple[Any, ...] = (), retries: int | None = None) -> None:
        self.name = name
        self.args = args
        self.retries = retries
        self.parent: "Job | None" = None  # string forward reference: one string annotation
        self.tags: set[str] = set()

    def describe(self, verbose: bool = False) -> str:
        return f"{self.name}{self.args!r}" if verbose else self.name


class Queue:
    def __init__(self) -> None:
        self._jobs: deque[Job] = deque()
        self._by_name: dict[str, list[Job]] = {}
        self._kinds: frozenset[type[Job]] = frozenset({Job})

    def list(self) -> List[Job]:  # `list` is this method here: List stays (a warning)
        return list(self._jobs)

    def push(self, job: Job, *, priority: int | float | None = None) -> None:
        self._jobs.append(job)
        self._by_name.setdefault(job.name, []).append(job)

    def pop(self) -> Job | None:
        return self._jobs.popleft() if self._jobs else None

    def find(self, name: str) -> typing.List[Job] | None:
        return self._by_name.get(name)


def weights(jobs: list[Job], scale: int | float | None = 1) -> dict[str, Number]:
    return {job.name: (job.retries or 0) * (scale or 1) for job in jobs}


def is_number(value: object) -> bool:
    return isinstance(value, (int, float))
