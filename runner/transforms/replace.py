"""``transform: replace``: regex or literal edits of any file, validated in its language.

``with: {regex: PATTERN, to: REPLACEMENT}`` (``re.sub`` syntax: ``\\1``, ``\\g<name>``)
or ``with: {literal: TEXT, to: REPLACEMENT}`` (plain text both ways); ``count``: at
most this many replacements per file (0, the default: all); ``flags``: any of
``ignorecase``, ``multiline``, ``dotall``, ``verbose``. The file is edited as text
(UTF-8); the result must still be valid in the file's language (see
:mod:`runner.transforms.validation`): a TOML file that no longer parses fails its
subtask and nothing is written.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from runner.transforms.base import FileContext

FLAGS = {"ignorecase": re.IGNORECASE, "multiline": re.MULTILINE, "dotall": re.DOTALL, "verbose": re.VERBOSE}


class ReplaceArgumentError(ValueError):
    """A bad ``with:`` value; ``field`` names the key (for the playbook position)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class TextResult:
    """What a text transform returns for one file."""

    text: str
    replacements: int
    warnings: tuple[str, ...] = ()


class ReplaceTransform:
    """One regex (or literal) substitution per file; stateless, so reusable across files."""

    def __init__(self, to: str, regex: str | None = None, literal: str | None = None, count: int = 0,
                 flags: list[str] | tuple[str, ...] = (), language: str | None = None) -> None:
        if (regex is None) == (literal is None):
            raise ReplaceArgumentError("regex", "give exactly one of `regex` and `literal`")
        unknown = [f for f in flags if f not in FLAGS]
        if unknown:
            raise ReplaceArgumentError("flags", f"unknown flag `{unknown[0]}`; use {', '.join(FLAGS)}")
        if literal is not None and flags:
            raise ReplaceArgumentError("flags", "`flags` apply to `regex`, not to `literal`")
        if count < 0:
            raise ReplaceArgumentError("count", "`count` must be 0 (all) or more")
        bits = 0
        for name in flags:
            bits |= FLAGS[name]
        source = regex if regex is not None else re.escape(literal or "")
        try:
            self.pattern = re.compile(source, bits)
        except re.error as exc:
            where = f" at position {exc.pos}" if exc.pos is not None else ""
            raise ReplaceArgumentError("regex", f"`regex` does not compile: {exc.msg}{where}") from None
        if literal is None:
            try:
                self.pattern.sub(to, "")  # a bad group reference is found at the first match only
                _check_groups(self.pattern, to)
            except (re.error, IndexError) as exc:
                raise ReplaceArgumentError("to", f"`to` is not a valid replacement for `regex`: {exc}") from None
        self.to = to if literal is None else to.replace("\\", "\\\\")
        self.count = count
        self.literal = literal
        self.language = language

    def needles(self) -> tuple[str, ...]:
        """The literal text to replace, or none for a regex (every file is read)."""
        return (self.literal,) if self.literal else ()

    def transform_text(self, text: str, ctx: FileContext) -> TextResult:
        """The file's text with the substitution applied."""
        new, n = self.pattern.subn(self.to, text, count=self.count)
        return TextResult(new, n)


def _check_groups(pattern: re.Pattern[str], to: str) -> None:
    """Group references in ``to`` must exist in ``pattern`` (re checks only when it matches)."""
    for match in re.finditer(r"\\(\d+)|\\g<([^>]*)>", to):
        number, name = match.group(1), match.group(2)
        if number is not None and int(number) > pattern.groups:
            raise re.error(f"invalid group reference {number}")
        if name is not None and not name.isdigit() and name not in pattern.groupindex:
            raise re.error(f"unknown group name {name!r}")
        if name is not None and name.isdigit() and int(name) > pattern.groups:
            raise re.error(f"invalid group reference {name}")
