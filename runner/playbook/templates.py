"""Every Jinja template of a playbook, checked before anything runs: syntax, unknown
variables, and a render in the sandbox with sample runtime values, so a sandbox
violation or a template that cannot render (``range(10**8)``, ``'x' * 5e9``) is a
``validate`` error with the template's position, never a failure mid-run."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Iterator

from runner.errors import Diagnostic
from runner.playbook.prune import entries, members
from runner.playbook.read import PathKey, RawPlaybook, format_json_path
from runner.planning.render import RUNTIME_NAMES, RenderError, render_text, undeclared_names

#: stand-ins for the values the runner provides at render time
_SAMPLES: dict[str, Any] = {"files": ["pkg/module.py"], "changed_files": ["pkg/module.py"], "task": "task"}


@dataclass(frozen=True, slots=True)
class TemplateSite:
    """A Jinja template in the playbook: where it is, its text, and the runtime names it may use."""

    path: PathKey  #: where the template is in the playbook
    text: str
    runtime: tuple[str, ...]  #: names the runner provides there besides the variables
    phase: str = "phase"  #: the phase name a render there sees


def template_sites(data: dict[str, Any]) -> Iterator[TemplateSite]:
    """Every template of the (pruned) playbook: globs, ``with:`` strings, checks, format."""
    for k, glob in entries(_get(_get(data, "select"), "exclude")):
        yield TemplateSite(("select", "exclude", k), glob, ())
    for name, spec in members(data.get("task_types")):
        runtime = RUNTIME_NAMES["files"] if spec.get("transform") == "command" else ()
        for sub, text in _strings(spec.get("with", {}), ()):
            yield TemplateSite(("task_types", name, "with", *sub), text, runtime)
    for i, phase in entries(data.get("phases")):
        name = phase.get("name", "phase")
        for j, task in entries(phase.get("tasks")):
            for field in ("files", "exclude"):
                for k, glob in entries(task.get(field)):
                    yield TemplateSite(("phases", i, "tasks", j, field, k), glob, (), name)
        if isinstance(phase.get("format"), str):
            yield TemplateSite(("phases", i, "format"), phase["format"], RUNTIME_NAMES["checks"], name)
        for k, check in entries(phase.get("checks")):
            for field in ("run", "junit"):
                if isinstance(check.get(field), str):
                    yield TemplateSite(("phases", i, "checks", k, field), check[field], RUNTIME_NAMES["checks"], name)


def check_templates(raw: RawPlaybook, variables: dict[str, Any] | None) -> list[Diagnostic]:
    """Diagnostics of every template; ``variables`` None (the `vars:` section itself is
    invalid) skips the unknown-variable and render checks."""
    out = []

    def report(site: TemplateSite, message: str) -> None:
        line, col = raw.source_map.position(site.path)
        out.append(Diagnostic(raw.path, line, col, message, format_json_path(site.path)))

    for site in template_sites(raw.data):
        try:
            names = undeclared_names(site.text)
        except RenderError as exc:
            report(site, str(exc))
            continue
        if variables is None:
            continue
        known = set(variables) | set(site.runtime)
        for name in sorted(names - known):
            hint = difflib.get_close_matches(name, sorted(known), n=1)
            extra = f" (did you mean `{hint[0]}`?)" if hint else ""
            report(site, f"unknown variable `{name}`{extra}; define it under `vars:` or pass --var {name}=VALUE")
        if names - known or any(variables.get(n) is None for n in names & set(variables)):
            continue  # unknown (reported) or unset: rendered once --var gives it
        try:
            render_text(site.text, {**variables, **{n: _SAMPLES.get(n, site.phase) for n in site.runtime}})
        except RenderError as exc:
            report(site, str(exc))
    return out


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _strings(value: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(value, str):
        yield at, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*at, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*at, key))
