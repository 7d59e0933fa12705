"""The Dask distributed executor: file jobs go to a cluster, results come back in order.

The only code that talks to a Dask scheduler. Workers run ``apply_file_job`` on the
bytes a job carries and return outcomes; they never write: the driver applies, budgets
and journals as with the local pool. ``distributed`` is an optional extra
(``pip install 'batchmod[dask]'``).
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator, TypeVar

from runner.errors import InputError

T = TypeVar("T")
R = TypeVar("R")

SCHEME = "dask://"
CONNECT_TIMEOUT = 10.0  #: seconds to reach the scheduler before giving up


def parse_executor(value: str) -> str:
    """Check an ``--executor`` value: ``local`` or ``dask://HOST:PORT``; raise InputError else."""
    if value == "local":
        return value
    if value.startswith(SCHEME) and ":" in value[len(SCHEME):] and value[len(SCHEME):].rsplit(":", 1)[1].isdigit():
        return value
    raise InputError(f"--executor {value!r}: expected `local` or `dask://HOST:PORT` (e.g. dask://127.0.0.1:8786)")


class DaskExecutor:
    """A context manager with the executor interface of the local pool (``map`` in order)."""

    def __init__(self, address: str) -> None:
        self.address = address
        self._client = None

    def __enter__(self) -> "DaskExecutor":
        try:
            from distributed import Client
        except ImportError:
            raise InputError("--executor dask://... needs the Dask extra: pip install 'batchmod[dask]'") from None
        target = "tcp://" + self.address[len(SCHEME):]
        try:
            self._client = Client(target, timeout=CONNECT_TIMEOUT, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {self.address}: {_one_line(exc)}; "
                             "start it (`dask scheduler`) or use --executor local") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def map(self, fn: Callable[[T], R], items: Iterable[T], chunksize: int = 1) -> Iterator[R]:
        """Results of ``fn`` over ``items``, in order; a job lost with its worker is rerun by Dask."""
        assert self._client is not None, "use DaskExecutor as a context manager"
        # pure=False: every job runs even if two carry equal bytes (results are keyed by position)
        futures = self._client.map(fn, list(items), pure=False, retries=2)
        try:
            for future in futures:
                yield future.result()
        finally:
            self._client.cancel([f for f in futures if not f.done()])

    def workers(self) -> int:
        """How many workers the cluster has now (for progress and the plan's summary)."""
        assert self._client is not None
        return len(self._client.scheduler_info().get("workers", {}))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__
