"""The fork pool: results in item order whatever the chunks, a failing or dying worker is an error, never a hang."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from runner.adapters.fork_pool import ForkPool
from runner.transforms.pool import SerialExecutor, make_executor

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork pool is Linux's")


def _square(x: int) -> int:
    return x * x


def _pid(_: int) -> int:
    return os.getpid()


def _fails_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


def _dies_on_seven(x: int) -> int:
    if x == 7:
        os._exit(9)
    return x


@linux_only
@pytest.mark.parametrize(("jobs", "chunksize"), [(2, 1), (2, 3), (3, 64), (2, 100)])
def test_results_come_in_item_order(jobs: int, chunksize: int) -> None:
    with ForkPool(jobs) as pool:
        assert list(pool.map(_square, range(50), chunksize=chunksize)) == [x * x for x in range(50)]


@linux_only
def test_the_work_runs_in_other_processes_that_are_reaped() -> None:
    with ForkPool(2) as pool:
        pids = set(pool.map(_pid, range(40)))
        workers = list(pool._pids)
    assert os.getpid() not in pids and pids <= set(workers)
    for pid in workers:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


@linux_only
@pytest.mark.parametrize(("fn", "message"), [(_fails_on_seven, "a pool worker failed: ValueError: seven"),
                                             (_dies_on_seven, "a pool worker died before it sent its results")])
def test_a_worker_that_fails_or_dies_is_an_error(fn: object, message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        with ForkPool(2) as pool:
            list(pool.map(fn, range(20)))  # type: ignore[arg-type]


@linux_only
def test_a_plan_sized_pool_forks_and_a_big_one_is_a_process_pool_executor() -> None:
    assert isinstance(make_executor(1, 100), SerialExecutor)
    assert isinstance(make_executor(2, 3), SerialExecutor)
    assert isinstance(make_executor(2, 22), ForkPool)
    probe = ("import sys; from runner.transforms.pool import make_executor; p = make_executor(2, 100000, 64); "
             "print(type(p).__name__, 'concurrent.futures' in sys.modules); p.shutdown()")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out == "ProcessPoolExecutor True\n"
    probe = ("import sys; from runner.transforms.pool import make_executor; p = make_executor(2, 22); "
             "print(list(p.map(abs, [-1, -2, -3, -4])), 'multiprocessing' in sys.modules, 'concurrent.futures' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60).stdout
    assert out == "[1, 2, 3, 4] False False\n"


@linux_only
@pytest.mark.parametrize(("jobs", "chunksize"), [(2, 1), (3, 4), (2, 100)])
def test_a_sharing_pool_runs_chunks_here_too_and_keeps_item_order(jobs: int, chunksize: int) -> None:
    with ForkPool(jobs, share=True) as pool:
        pids = list(pool.map(_pid, range(60), chunksize=chunksize))
        workers = list(pool._pids)
    assert len(workers) == min(jobs - 1, -(-60 // chunksize))
    assert set(pids) <= {os.getpid(), *workers}
    with ForkPool(jobs, share=True) as pool:
        assert list(pool.map(_square, range(60), chunksize=chunksize)) == [x * x for x in range(60)]


@linux_only
def test_a_chunk_that_fails_here_is_a_failed_worker_s_error() -> None:
    with pytest.raises(RuntimeError, match="a pool worker failed: ValueError: seven"):
        with ForkPool(2, share=True) as pool:
            list(pool.map(_fails_on_seven, range(20)))


@linux_only
def test_a_forked_call_returns_its_value_or_fails_loudly() -> None:
    from runner.adapters.fork_pool import ForkedCall

    call = ForkedCall(_pid, 0)
    assert call.result() not in (os.getpid(), None)
    with pytest.raises(RuntimeError, match="ValueError: seven"):
        ForkedCall(_fails_on_seven, 7).result()
    with pytest.raises(RuntimeError, match="died before it sent its result"):
        ForkedCall(_dies_on_seven, 7).result()
    waiting = ForkedCall(_sleeps, 30)
    pid = waiting._pid
    waiting.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _sleeps(seconds: int) -> int:
    import time

    time.sleep(seconds)
    return seconds
