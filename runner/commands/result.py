"""What a subcommand hands back to the CLI layer: text to print and the exit code."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CommandResult:
    """Text for stdout and stderr and the exit code; the CLI prints it and exits."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
