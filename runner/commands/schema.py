"""``batchmod schema``: print the playbook JSON Schema."""
from __future__ import annotations

from runner.commands.result import CommandResult
from runner.playbook.schema import schema_text


def schema_command() -> CommandResult:
    """The shipped playbook JSON Schema, ending in a newline."""
    text = schema_text()
    return CommandResult(stdout=text if text.endswith("\n") else text + "\n")
