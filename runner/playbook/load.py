"""One way in for a playbook: read with positions, schema, meaning, frozen records."""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from runner.errors import Diagnostic, InputError, PlaybookError
from runner.playbook.read import read_playbook
from runner.playbook.schema import check_schema
from runner.playbook.prune import PRUNED, prune_invalid
from runner.playbook.lints import CandidateFiles
from runner.playbook.semantics import check_meaning
from runner.playbook.spec import Playbook, build_playbook
from runner.playbook.unimplemented import check_unimplemented
from runner.playbook.variables import resolve_variables

if TYPE_CHECKING:
    from runner.planning.cache_checks import CheckVerdicts


@dataclass(frozen=True, slots=True)
class LoadedPlaybook:
    """A playbook that passed every check, with its variables resolved and the warnings it drew."""

    playbook: Playbook
    variables: tuple[tuple[str, Any], ...]  #: playbook vars with --var overrides applied
    warnings: tuple[Diagnostic, ...]

    def context(self) -> dict[str, Any]:
        """The resolved variables as a fresh dict (a Jinja render context to extend)."""
        return dict(self.variables)


def parse_var_overrides(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``--var key=value`` pairs; a pair without ``=`` is bad input."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--var {item!r}: expected KEY=VALUE, e.g. --var src=src/mypkg")
        out[key.strip()] = value
    return out


def load_playbook(
    path: str,
    *,
    root: str = ".",
    overrides: dict[str, Any] | None = None,
    candidates: CandidateFiles = None,
    require_values: bool = True,
    verdicts: CheckVerdicts | None = None,
) -> LoadedPlaybook:
    """Load, validate and build a playbook; raise PlaybookError listing every error.

    ``candidates`` (the root's selectable files, or a function that gives them: asked
    for them last) enables the glob-coverage warnings.
    ``require_values`` False (``validate``) lets variables declared null stay unset.
    ``verdicts`` remembers transform checks passed (see ``check_meaning``).
    """
    raw = read_playbook(path)
    schema = check_schema(raw) + check_unimplemented(raw)
    valid = prune_invalid(raw.data) if schema else raw.data
    if valid is None:
        raise PlaybookError(_sorted(schema))
    declared = valid.get("vars", {})
    variables = None
    if declared is not PRUNED:
        variables = resolve_variables(declared, overrides or {}, path, require_values and not schema)
    diagnostics = schema + check_meaning(replace(raw, data=valid), variables, os.path.abspath(root), candidates, verdicts)
    if any(d.severity == "error" for d in diagnostics):
        raise PlaybookError(_sorted(diagnostics))
    assert variables is not None  # no schema error, so `vars:` is valid
    playbook = build_playbook(path, raw.sha256, raw.data, raw.source_map)
    return LoadedPlaybook(playbook, tuple(sorted(variables.items())), tuple(diagnostics))


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    unique = {(d.line, d.column, d.json_path, d.message): d for d in diagnostics}
    return sorted(unique.values(), key=lambda d: (d.line, d.column))

