"""Test guards: no network but loopback, no API key, no state outside tmp dirs."""
from __future__ import annotations

import ipaddress
import socket
import subprocess
from pathlib import Path

import pytest

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address):  # type: ignore[no-untyped-def]
    if self.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            ok = ipaddress.ip_address(host).is_loopback
        except ValueError:
            ok = host == "localhost"
        if not ok:
            raise RuntimeError(f"test tried to reach the network: {address!r}; use a local server on 127.0.0.1")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _guard_outside_world(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "batchmod tests")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "tests@batchmod.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "batchmod tests")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "tests@batchmod.invalid")


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Create files (relative path → text) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def git_init(root: Path, commit: bool = True) -> Path:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    if commit:
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(root), "commit", "-qm", "initial"], check=True)
    return root


_CHECKOUT = Path(__file__).resolve().parents[1]


def _state_dirs() -> set[Path]:
    return {p for p in _CHECKOUT.rglob(".batchmod") if ".venv" not in p.parts}


@pytest.fixture(scope="session", autouse=True)
def _no_state_in_the_checkout() -> object:
    """Tests work on copies: a run or plan inside the checkout would leave .batchmod/ here."""
    before = _state_dirs()
    yield
    created = _state_dirs() - before
    assert not created, f"a test wrote batchmod state into the checkout: {sorted(map(str, created))}"


@pytest.fixture
def messages_server():  # type: ignore[no-untyped-def]
    """A scripted local Messages API server (see tests/model_server.py), stopped after the test."""
    from tests.model_server import MessagesServer

    server = MessagesServer().start()
    yield server
    server.stop()
    assert server.allow_invalid or not server.invalid, f"requests the real API would refuse: {server.invalid}"
