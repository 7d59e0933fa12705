"""Errors raised while compiling rewrite rules and patterns."""
from __future__ import annotations


class PatternError(ValueError):
    """An invalid rule or pattern, raised when a :class:`RewriteTransform` is built.

    ``rule_index`` (0-based) and ``field`` ("match", "replace", "where", "imports", "flag",
    ...) say where in the playbook's ``rules`` list the problem is; ``subpath`` refines it
    (``("obj", "kind")`` for ``where: {obj: {kind: ...}}``, ``("add", 0)`` for
    ``imports.add[0]``). ``line`` and ``column`` are 1-based positions *inside the
    pattern text* of that field, when the problem has one. ``detail`` is the message
    without the location prefix; ``str(err)`` is the full one-line message, e.g.
    ``rules[0].match: invalid pattern at 1:18: invalid syntax``.
    """

    def __init__(
        self,
        detail: str,
        *,
        rule_index: int | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
        headline: str | None = None,
        subpath: tuple[str | int, ...] = (),
    ) -> None:
        self.detail = detail
        self.rule_index = rule_index
        self.field = field
        self.line = line
        self.column = column
        self.headline = headline
        self.subpath = tuple(subpath)
        super().__init__(self._render())

    @property
    def location(self) -> str:
        """``rules[0].where.obj.kind``-style path of the offending field ('' if none)."""
        parts: list[str] = []
        if self.rule_index is not None:
            parts.append(f"rules[{self.rule_index}]")
        if self.field is not None:
            parts.append(self.field)
        text = ".".join(parts)
        for key in self.subpath:
            text += f"[{key}]" if isinstance(key, int) else f".{key}"
        return text

    @property
    def message(self) -> str:
        """The full one-line message, as ``str(err)``."""
        return str(self)

    @property
    def short(self) -> str:
        """The message without the location prefix: ``invalid pattern at 1:18: invalid
        syntax`` (for callers that print the playbook path themselves)."""
        head = self.headline or ""
        if self.line is not None and self.column is not None:
            head = f"{head or 'error'} at {self.line}:{self.column}"
        return f"{head}: {self.detail}" if head else self.detail

    def _render(self) -> str:
        loc = self.location
        return f"{loc}: {self.short}" if loc else self.short

    def located(self, *, rule_index: int | None, field: str | None) -> "PatternError":
        """A new error with this one's detail, position and subpath, attributed to field
        ``field`` of rule ``rule_index``; an "invalid pattern" found in a ``replace`` text
        becomes an "invalid replacement". ``self`` is left as it is."""
        headline = self.headline
        if field == "replace" and headline == "invalid pattern":
            headline = "invalid replacement"
        return PatternError(
            self.detail,
            rule_index=rule_index,
            field=field,
            line=self.line,
            column=self.column,
            headline=headline,
            subpath=self.subpath,
        )

    def __reduce__(self):  # keep picklable despite keyword-only arguments
        return (
            _rebuild,
            (self.detail, self.rule_index, self.field, self.line, self.column, self.headline, self.subpath),
        )


def _rebuild(detail, rule_index, field, line, column, headline, subpath) -> PatternError:
    return PatternError(
        detail,
        rule_index=rule_index,
        field=field,
        line=line,
        column=column,
        headline=headline,
        subpath=subpath,
    )
