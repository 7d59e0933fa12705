"""A step's part of the cache key is computed once per Step object: the keys are the
ones a computation from scratch gives, for equal, distinct and changed steps alike."""
from __future__ import annotations

import dataclasses
import hashlib

from runner.planning import cache
from runner.planning.cache import job_key, result_inputs
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.engine import FileJob, Step


def _from_scratch(job: FileJob, extra: str = "") -> str:
    h = hashlib.sha256()
    h.update(cache.version_salt().encode())
    h.update(b"\0" + job.path.encode("utf-8", "surrogateescape"))
    h.update(b"\0" + (b"gen" if job.include_generated else b"nogen"))
    for step in job.steps:
        h.update(b"\0" + repr((step.task_index, result_inputs(step.spec), step.needles)).encode())
    h.update(b"\0" + extra.encode())
    h.update(b"\0" + hashlib.sha256(job.source).digest())
    return h.hexdigest()


def _spec(**changes: object) -> TaskTypeSpec:
    spec = TaskTypeSpec(name="t", transform="libcst.codemod.commands.rename.RenameCommand")
    return dataclasses.replace(spec, **changes) if changes else spec


def test_keys_equal_a_computation_from_scratch() -> None:
    one = Step(0, _spec(), None)
    jobs = [FileJob("/r", f"m{i}.py", b"x = %d\n" % i, (one,)) for i in range(3)]
    jobs.append(FileJob("/r", "m.py", b"x\n", (Step(0, _spec(), ("x",)), Step(1, _spec(), None))))
    for job in jobs + jobs:  # the second time from the memo
        assert job_key(job, "salt") == _from_scratch(job, "salt")


def test_a_changed_step_changes_the_key_after_the_memo_is_full() -> None:
    source = b"print(1)\n"
    first = job_key(FileJob("/r", "m.py", source, (Step(0, _spec(), None),)))
    for i in range(300):  # past the memo's bound: it is cleared, never wrong
        job_key(FileJob("/r", "m.py", source, (Step(i, _spec(), None),)))
    other = FileJob("/r", "m.py", source, (Step(0, _spec(needles=("x",)), None),))
    assert job_key(other) == _from_scratch(other) != first
    again = FileJob("/r", "m.py", source, (Step(0, _spec(), None),))
    assert job_key(again) == first
