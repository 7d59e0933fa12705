"""A small job queue (typing-modernize golden input)."""
from __future__ import annotations

import typing
from collections import deque
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Set, Text, Tuple, Type, Union

Number = Union[int, float]
Handlers = Dict[str, List[Callable[..., Any]]]  # a module-level alias: a runtime type expression, converted too


class Job:
    def __init__(self, name: Text, args: Tuple[Any, ...] = (), retries: Optional[int] = None) -> None:
        self.name = name
        self.args = args
        self.retries = retries
        self.parent: Optional["Job"] = None  # string forward reference: one string annotation
        self.tags: Set[str] = set()

    def describe(self, verbose: bool = False) -> typing.Text:
        return f"{self.name}{self.args!r}" if verbose else self.name


class Queue:
    def __init__(self) -> None:
        self._jobs: deque[Job] = deque()
        self._by_name: Dict[str, List[Job]] = {}
        self._kinds: FrozenSet[Type[Job]] = frozenset({Job})

    def list(self) -> List[Job]:  # `list` is this method here: List stays (a warning)
        return list(self._jobs)

    def push(self, job: Job, *, priority: Optional[Union[int, float]] = None) -> None:
        self._jobs.append(job)
        self._by_name.setdefault(job.name, []).append(job)

    def pop(self) -> Optional[Job]:
        return self._jobs.popleft() if self._jobs else None

    def find(self, name: typing.Text) -> typing.Optional[typing.List[Job]]:
        return self._by_name.get(name)


def weights(jobs: List[Job], scale: Union[int, float, None] = 1) -> Dict[Text, Number]:
    return {job.name: (job.retries or 0) * (scale or 1) for job in jobs}


def is_number(value: object) -> bool:
    return isinstance(value, (int, float))
