"""Fixtures for the end-to-end tests (helpers live in e2e_support.py)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e_support import SOURCES, TWO_PHASES, make_repo, playbook


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the checkout: the working folder is the test's, git identity is local."""
    monkeypatch.chdir(tmp_path)
    for key, value in {
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("BATCHMOD_TEST_CRASH_AFTER_WRITES", raising=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", SOURCES)


@pytest.fixture
def two_phase(tmp_path: Path) -> Path:
    return playbook(tmp_path / "modernize.yaml", TWO_PHASES)
