"""Error classes, each with the exit code the CLI maps it to.

Library code raises these; only ``runner/cli.py`` turns them into output and exit
codes. Exit codes: 0 done, 1 a gate stopped the run, 2 bad input, 3 internal error,
130 interrupted.
"""
from __future__ import annotations

from dataclasses import dataclass


class BatchmodError(Exception):
    """Base class: a failure batchmod expects and can explain in one line."""

    exit_code = 3


class InputError(BatchmodError):
    """Bad input: playbook, arguments, paths, a stale plan. Exit 2."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a playbook, with its position (1-based line and column)."""

    path: str
    line: int
    column: int
    message: str
    json_path: str = "$"
    severity: str = "error"  #: "error" | "warning"

    def render(self) -> str:
        """``path:line:col: [warning: ]$.json.path: message``, the one-line form validate prints."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.column}: {prefix}{self.json_path}: {self.message}"


class PlaybookError(InputError):
    """A playbook that cannot be used; carries every diagnostic found at once."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity == "error"]
        super().__init__("\n".join(d.render() for d in diagnostics) or "invalid playbook")
        self.error_count = len(errors)


class StalePlanError(InputError):
    """A saved plan whose files changed since it was planned."""


class StateDamaged(InputError):
    """A run's files under ``.batchmod/`` are unreadable or of the wrong shape. Exit 2."""

    def __init__(self, message: str) -> None:
        super().__init__(f"run state damaged: {message}")


class WriteError(BatchmodError):
    """The machine refused a write (disk full, read-only folder or file system, immutable file). Exit 1.

    Nothing is half written (writes are atomic) and the journal keeps the write open,
    so running the same command again, once the cause is fixed, finishes it.
    """

    exit_code = 1

    def __init__(self, shown_path: str, exc: OSError) -> None:
        super().__init__(f"cannot write {shown_path}: {exc.strerror or exc}")


class GateStopped(BatchmodError):
    """A gate stopped the run: checks failed, budget exceeded, review, approval. Exit 1."""

    exit_code = 1


class InternalError(BatchmodError):
    """A bug in batchmod. Exit 3, with the traceback in a log file."""

    exit_code = 3
