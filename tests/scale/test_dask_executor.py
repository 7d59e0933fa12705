"""The Dask executor: a LocalCluster with two worker processes gives the local pool's plan."""
from __future__ import annotations

import json
import os
import socket
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from runner.cli import cli
from tests.conftest import git_init, write_tree

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow  # a two-process LocalCluster takes seconds to start

FSTRING = "libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand"
PLAYBOOK = textwrap.dedent(f"""\
    version: 1
    name: scale
    task_types:
      fstring:
        transform: {FSTRING}
        needles: [".format("]
      helper:
        transform: rename
        with: {{old: pkg.util.helper, new: pkg.util.assist}}
      pep604:
        transform: rewrite
        with:
          rules:
            - match: "typing.Optional[$x]"
              replace: "$x | None"
    phases:
      - name: one
        tasks:
          - {{type: fstring, files: ["pkg/m00*.py"]}}
          - {{type: pep604, files: ["pkg/**/*.py"]}}
      - name: two
        tasks:
          - {{type: helper, files: ["pkg/**/*.py"]}}
    """)


def _files(count: int) -> dict[str, str]:
    files = {"pkg/__init__.py": "", "pkg/util.py": "def helper(x):\n    return x\n"}
    for i in range(count):
        files[f"pkg/m{i:03d}.py"] = (
            "import typing\nfrom pkg.util import helper\n\n\n"
            f"def f{i}(a: typing.Optional[int]) -> str:\n"
            f"    return '{{}} and {{}}'.format(a, helper({i}))\n"
            + ("" if i % 3 else "\n\ndef g():\n    return 'untouched'\n")
        )
    return files


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as local:
        yield local


def _plan(root: Path, *extra: str) -> dict:
    result = CliRunner().invoke(cli, ["plan", str(root / "playbook.yaml"), "--root", str(root), "--json",
                                      "--no-cache", *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    document.pop("stats", None)
    return document


def _repo(tmp_path: Path, count: int) -> Path:
    root = write_tree(tmp_path / "repo", _files(count))
    (root / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    return git_init(root)


def test_dask_plan_equals_the_local_pool_plan(tmp_path: Path, cluster) -> None:
    root = _repo(tmp_path, 16)
    local = _plan(root, "--jobs", "2")
    address = cluster.scheduler_address.replace("tcp://", "dask://")
    remote = _plan(root, "--executor", address)
    assert remote == local
    changed = [s["id"] for p in local["phases"] for s in p["subtasks"] if s["status"] == "change"]
    assert len(changed) >= 16 + 10  # pep604 changes every module, fstring ten: the comparison means something


def test_a_worker_killed_during_the_plan_gives_the_same_plan(tmp_path: Path, cluster, monkeypatch) -> None:
    from runner.adapters import dask as dask_adapter

    root = _repo(tmp_path, 24)
    expected = _plan(root, "--jobs", "1")
    real_map = dask_adapter.DaskExecutor.map
    killed: list[str] = []

    def map_and_kill(self, fn, items, chunksize=1):  # type: ignore[no-untyped-def]
        results = real_map(self, fn, items, chunksize)
        first = next(results)
        victim = sorted(self._client.scheduler_info()["workers"])[0]
        try:
            self._client.run(os._exit, 1, workers=[victim], wait=False)
        except Exception:
            pass
        killed.append(victim)
        yield first
        yield from results

    monkeypatch.setattr(dask_adapter.DaskExecutor, "map", map_and_kill)
    address = cluster.scheduler_address.replace("tcp://", "dask://")
    assert _plan(root, "--executor", address) == expected
    assert killed


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path: Path, monkeypatch) -> None:
    from runner.adapters import dask as dask_adapter

    monkeypatch.setattr(dask_adapter, "CONNECT_TIMEOUT", 1.0)
    root = _repo(tmp_path, 3)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(cli, ["plan", str(root / "playbook.yaml"), "--root", str(root),
                                      "--executor", f"dask://127.0.0.1:{port}"], catch_exceptions=False)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"cannot reach the Dask scheduler at dask://127.0.0.1:{port}" in lines[0]
    assert not (root / ".batchmod" / "runs").exists()


@pytest.mark.parametrize("value", ["dask://nohost", "spark://x:1", "dask://h:port"])
def test_a_bad_executor_value_is_exit_2(tmp_path: Path, value: str) -> None:
    root = _repo(tmp_path, 1)
    result = CliRunner().invoke(cli, ["plan", str(root / "playbook.yaml"), "--root", str(root), "--executor", value])
    assert result.exit_code == 2
    assert "expected `local` or `dask://HOST:PORT`" in result.output
