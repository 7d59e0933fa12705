"""batchmod's dataclasses with their rarely called methods compiled on first call
(runner.records): they behave as dataclasses makes them, before and after that call."""
from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
import textwrap

import pytest

from runner.records import install
from runner.transforms.base import Changed, FileContext, Unchanged


def test_a_record_compares_hashes_prints_and_stays_frozen_as_a_dataclass_does() -> None:
    install()  # a second install changes nothing
    ctx = FileContext("/r", "a.py", "a", "")
    twin = FileContext("/r", "a.py", "a", "")
    assert ctx == twin and ctx != FileContext("/r", "b.py", "b", "") and ctx != ("/r", "a.py", "a", "")
    assert hash(ctx) == hash(twin) == hash(("/r", "a.py", "a", ""))
    assert repr(ctx) == "FileContext(root='/r', path='a.py', full_module_name='a', full_package_name='')"
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'path'"):
        ctx.path = "b.py"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'path'"):
        del ctx.path  # type: ignore[misc]
    assert {ctx: 1}[twin] == 1
    assert pickle.loads(pickle.dumps(ctx)) == ctx == copy.deepcopy(ctx)
    assert dataclasses.replace(ctx, path="b.py").path == "b.py"
    assert Changed(b"a", b"b") == Changed(b"a", b"b") and Unchanged("x") != Unchanged("y")


def test_after_its_first_call_a_method_is_the_one_dataclasses_makes_and_named_so() -> None:
    ctx = FileContext("/r", "a.py", None, None)
    hash(ctx)
    assert ctx == ctx
    for name in ("__eq__", "__hash__"):
        method = FileContext.__dict__[name]
        assert method.__qualname__ == f"FileContext.{name}" and method.__module__ == "runner.transforms.base"
        assert method.__code__.co_name == name  # the compiled method itself, no longer the stand-in
    assert FileContext.__repr__.__wrapped__.__qualname__ == "__create_fn__.<locals>.__repr__"


def test_another_package_s_dataclasses_and_every_init_are_compiled_at_once() -> None:
    script = textwrap.dedent("""\
        import dataclasses, runner
        from runner.transforms.base import FileContext
        @dataclasses.dataclass(frozen=True)
        class Other:
            a: int
        print(Other.__eq__.__code__.co_name, Other.__hash__.__code__.co_name,
              FileContext.__init__.__code__.co_name, FileContext.__eq__.__code__.co_name)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out[:3] == ["__eq__", "__hash__", "__init__"]
    expected = "__eq__" if not hasattr(dataclasses, "_create_fn") else "method"  # the stand-in until called
    assert out[3] == expected
