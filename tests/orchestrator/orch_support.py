"""Helpers for the orchestrator's end-to-end tests: small git repositories, playbooks, the CLI, the model server."""
from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from runner.cli import cli

PY = shlex.quote(sys.executable)
MODEL = "model: {provider: anthropic, name: claude-sonnet-4-5, reviewer: claude-opus-4-6, cassette: pb.cassette.jsonl, max_attempts: 2}\n"


def make_repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "initial"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def cli_run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run(pb: Path, root: Path, *extra: str) -> Result:
    return cli_run("run", str(pb), "--root", str(root), "--yes", "--jobs", "1", *extra)


def status_json(root: Path) -> dict[str, Any]:
    return json.loads(cli_run("status", "--root", str(root), "--json").stdout)  # type: ignore[no-any-return]


def use_server(monkeypatch: pytest.MonkeyPatch, server: Any) -> None:
    """The run's model is the local server, through the real SDK (no network, a test key)."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)


def review(verdict: str, *reasons: tuple[str, int, str]) -> dict[str, Any]:
    return {"verdict": verdict, "reasons": [{"file": f, "line": n, "reason": r} for f, n, r in reasons]}


def first_text(body: dict[str, Any]) -> str:
    """All the text of a request's first user message."""
    content = body["messages"][0]["content"]
    return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)

