"""Which check commands give per-test results: pytest runs that batchmod can ask for a JUnit report.

A check judged per test blocks only on tests that did not fail on the untouched tree;
any other check is judged as a whole. batchmod adds ``--junitxml=FILE`` itself to a
plain pytest command, one simple command with no shell operators:

- ``pytest ...``, ``py.test ...`` (or a path ending in them, e.g. ``.venv/bin/pytest``);
- ``python -m pytest ...`` with any ``python``/``python3``/``python3.12`` (flags before
  ``-m`` allowed, e.g. ``python -X dev -m pytest``);
- the same after ``VAR=value`` assignments, ``env``, or a runner that passes its
  arguments through: ``uv run``, ``poetry run``, ``pipenv run``, ``pdm run``,
  ``coverage run -m pytest``.

Wrappers that hide the pytest command line (``tox -e py``, ``nox``, ``make test``,
``cd x && pytest``, scripts) are not detected: give ``junit:`` (with the wrapper
writing that report) to judge them per test.
"""
from __future__ import annotations

import os
import re
import shlex

_PYTHON = re.compile(r"^python(\d+(\.\d+)?)?$")
_PASS_THROUGH = (("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"))
_SHELL_SPECIAL = set("();<>|&`$\n")
_JUNIT_FLAG = re.compile(r"^--junit-?xml(=(?P<path>.+))?$")


def _words(command: str) -> list[str] | None:
    if any(c in _SHELL_SPECIAL for c in command):
        return None
    try:
        return shlex.split(command)
    except ValueError:
        return None


def _pytest_args(words: list[str]) -> list[str] | None:
    """The arguments after the pytest program, or None when ``words`` is not a pytest run."""
    i = 0
    while i < len(words) and ("=" in words[i] and not words[i].startswith("-") or words[i] == "env"):
        i += 1
    for prefix in _PASS_THROUGH:
        if tuple(words[i:i + len(prefix)]) == prefix:
            i += len(prefix)
            break
    if words[i:i + 2] == ["coverage", "run"]:
        i += 2
        return words[i + 2:] if words[i:i + 2] == ["-m", "pytest"] else None
    if i >= len(words):
        return None
    program = os.path.basename(words[i])
    if program in ("pytest", "py.test"):
        return words[i + 1:]
    if _PYTHON.match(program):
        j = i + 1
        while j < len(words) and words[j].startswith("-") and words[j] not in ("-m", "-c"):
            j += 2 if words[j] in ("-X", "-W") else 1  # these two take a separate argument
        if words[j:j + 2] == ["-m", "pytest"]:
            return words[j + 2:]
    return None


def is_pytest_command(command: str) -> bool:
    """A plain pytest run (see the module docstring): batchmod can add ``--junitxml`` to it."""
    words = _words(command)
    return words is not None and _pytest_args(words) is not None


def junitxml_of(command: str) -> str | None:
    """The report a pytest command already asks for (``--junitxml=PATH``), else None."""
    words = _words(command)
    args = _pytest_args(words) if words is not None else None
    for k, word in enumerate(args or ()):
        m = _JUNIT_FLAG.match(word)
        if m:
            return m.group("path") or (args[k + 1] if k + 1 < len(args) else None)  # type: ignore[index]
    return None


def with_junitxml(command: str, path: str) -> str:
    """``command`` asking pytest for a JUnit report at ``path`` (pytest takes options after paths too)."""
    return f"{command} --junitxml={shlex.quote(path)}"


def whole_check_warning(name: str) -> str:
    """What ``validate`` says of a check judged as a whole."""
    return (f"check `{name}` is judged as a whole (not a plain pytest command, no `junit:`): if it already fails on "
            "the untouched tree, a new failure in it does not block the gate; give `junit:` to judge it per test, "
            "or `must_pass: true` if it has to pass after the migration")
