"""Checks of meaning beyond the schema, like a linter: every finding has a position."""
from __future__ import annotations

import difflib
import os
import shlex
import shutil
from typing import Any

from runner.errors import Diagnostic
from runner.playbook.read import PathKey, RawPlaybook, format_json_path
from runner.planning.render import RUNTIME_NAMES, RenderError, render_value, strings_in, undeclared_names


def check_meaning(raw: RawPlaybook, variables: dict[str, Any], root: str, candidates: tuple[str, ...] | None) -> list[Diagnostic]:
    """Semantic diagnostics of schema-valid data. ``candidates`` None skips glob coverage."""
    out: list[Diagnostic] = []
    data = raw.data

    def report(path: PathKey, message: str, *, severity: str = "error", key: bool = False) -> None:
        line, col = raw.source_map.position(path, key=key)
        out.append(Diagnostic(raw.path, line, col, message, format_json_path(path), severity))

    declared = list(data["task_types"])
    used: set[str] = set()
    seen_phases: dict[str, int] = {}
    var_names = set(variables)

    def check_template(path: PathKey, text: str, runtime: tuple[str, ...]) -> None:
        try:
            unknown = undeclared_names(text) - var_names - set(runtime)
        except RenderError as exc:
            report(path, str(exc))
            return
        for name in sorted(unknown):
            hint = difflib.get_close_matches(name, sorted(var_names | set(runtime)), n=1)
            extra = f" (did you mean `{hint[0]}`?)" if hint else ""
            report(path, f"unknown variable `{name}`{extra}; define it under `vars:` or pass --var {name}=VALUE")

    for i, phase in enumerate(data["phases"]):
        if phase["name"] in seen_phases:
            report(("phases", i, "name"), f"phase name `{phase['name']}` is used twice (first by phases[{seen_phases[phase['name']]}]); phase names must be unique")
        seen_phases.setdefault(phase["name"], i)
        for j, task in enumerate(phase["tasks"]):
            at = ("phases", i, "tasks", j)
            if task["type"] not in data["task_types"]:
                close = difflib.get_close_matches(task["type"], declared, n=1)
                hint = f" (did you mean `{close[0]}`?)" if close else ""
                report((*at, "type"), f"task type `{task['type']}` is not declared{hint}; declared: {', '.join(declared)}")
            used.add(task["type"])
            for field in ("files", "exclude"):
                for k, glob in enumerate(task.get(field, ())):
                    check_template((*at, field, k), glob, ())
        for field in ("format",):
            if field in phase:
                check_template(("phases", i, field), phase[field], RUNTIME_NAMES["checks"])
        for k, check in enumerate(phase.get("checks", ())):
            check_template(("phases", i, "checks", k, "run"), check["run"], RUNTIME_NAMES["checks"])
            if "junit" in check:
                check_template(("phases", i, "checks", k, "junit"), check["junit"], RUNTIME_NAMES["checks"])
        _check_phase_budget(data, i, report)
        if phase.get("gate", {}).get("review") == "model" and _model_off(data):
            report(("phases", i, "gate", "review"), "review: model needs a `model:` section with provider anthropic or replay")

    for k, glob in enumerate(data.get("select", {}).get("exclude", ())):
        check_template(("select", "exclude", k), glob, ())

    for name, spec in data["task_types"].items():
        at = ("task_types", name)
        if name not in used:
            report(at, f"task type `{name}` is declared but no phase uses it", severity="warning", key=True)
        with_value = spec.get("with", {})
        runtime = RUNTIME_NAMES["files"] if spec["transform"] == "command" else ()
        for text in strings_in(with_value):
            check_template((*at, "with"), text, runtime)
        if spec.get("on_gap") == "model" and _model_off(data):
            report((*at, "on_gap"), "on_gap: model without a usable `model:` section; gaps will only be reported", severity="warning")
        if not spec.get("examples") and spec["transform"] != "command":
            report(at, f"task type `{name}` has no `examples:`; add a before/after pair so `batchmod test` can check it", severity="warning", key=True)

    model = data.get("model", {})
    if model.get("provider") == "replay" and model.get("cassette"):
        if not os.path.isfile(os.path.join(os.path.dirname(os.path.abspath(raw.path)), model["cassette"])):
            report(("model", "cassette"), f"cassette `{model['cassette']}` does not exist beside the playbook; provider replay needs recorded answers", severity="warning")
    elif model.get("provider") == "replay":
        report(("model", "provider"), "provider replay needs `cassette:` (the recorded answers)")

    out.extend(_check_transforms(raw, variables, root))
    out.extend(_check_globs_and_commands(raw, variables, root, candidates))
    return out


def _model_off(data: dict[str, Any]) -> bool:
    return data.get("model", {}).get("provider", "none" if "model" not in data else "anthropic") == "none"


def _check_phase_budget(data: dict[str, Any], i: int, report: Any) -> None:
    run_budget = data.get("budget", {})
    for key, value in data["phases"][i].get("budget", {}).items():
        limit = run_budget.get(key)
        if limit is not None and value > limit:
            report(("phases", i, "budget", key), f"phase budget {key}={value} exceeds the run budget {key}={limit}; lower it or raise the run budget")


def _check_transforms(raw: RawPlaybook, variables: dict[str, Any], root: str) -> list[Diagnostic]:
    """Build every task type's transform: imports, constructor arguments, patterns."""
    out = []
    for name, spec in raw.data["task_types"].items():
        at: PathKey = ("task_types", name)
        unset = {k for k, v in variables.items() if v is None}
        try:
            names = set().union(*(undeclared_names(t) for t in strings_in(spec.get("with", {}))))
        except RenderError:
            continue  # reported with the template checks
        if names & unset or names - set(variables) - set(RUNTIME_NAMES["files"]):
            continue  # unset (plan/run require it) or unknown (reported already)
        try:
            with_value = render_value(spec.get("with", {}), variables) if spec["transform"] != "command" else spec.get("with", {})
            for error in _transform_errors(name, spec["transform"], with_value, root):
                path, message = _locate_transform_error(at, error)
                line, col = raw.source_map.position(path)
                out.append(Diagnostic(raw.path, line, col, message, format_json_path(path)))
        except RenderError:
            pass  # reported with the template checks
        for k, entry in enumerate(spec.get("expect_absent", ())):
            error = _check_expect_absent(entry)
            if error:
                line, col = raw.source_map.position((*at, "expect_absent", k))
                out.append(Diagnostic(raw.path, line, col, error, format_json_path((*at, "expect_absent", k))))
    return out


def _transform_errors(name: str, transform: str, with_value: dict[str, Any], root: str) -> list[Exception]:
    """Why the task type's transform cannot be built; each rewrite rule on its own, so
    every bad rule is reported at once."""
    from runner.playbook.spec import TaskTypeSpec, canonical_json
    from runner.transforms.registry import build_transform

    def attempt(value: dict[str, Any]) -> Exception | None:
        try:
            build_transform(TaskTypeSpec(name=name, transform=transform, with_json=canonical_json(value)), root)
        except Exception as exc:  # each transform reports its own error class; all become diagnostics
            return exc
        return None

    if transform == "rewrite" and len(with_value.get("rules", ())) > 1:
        errors = []
        for index, rule in enumerate(with_value["rules"]):
            error = attempt({**with_value, "rules": [rule]})
            if error is not None and hasattr(error, "located"):
                errors.append(error.located(rule_index=index, field=getattr(error, "field", None)))
            elif error is not None:
                errors.append(error)
        return errors
    error = attempt(with_value)
    return [error] if error is not None else []


def _locate_transform_error(at: PathKey, exc: Exception) -> tuple[PathKey, str]:
    from runner.transforms.codemod import TransformLoadError

    rule_index = getattr(exc, "rule_index", None)
    if rule_index is not None:  # a rewrite PatternError: the JSON path names the rule's field
        field = getattr(exc, "field", None) or "match"
        return (*at, "with", "rules", rule_index, field, *getattr(exc, "subpath", ())), exc.short  # type: ignore[attr-defined]
    if isinstance(exc, TransformLoadError):
        where = "with" if "arguments do not fit" in str(exc) else "transform"
        return (*at, where), str(exc)
    if isinstance(exc, ModuleNotFoundError):
        return (*at, "transform"), f"this transform is not available in this batchmod: {exc}"
    return (*at, "with"), f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)


def _check_expect_absent(entry: str) -> str | None:
    try:
        from runner.transforms.rewrite import compile_pattern, looks_like_pattern
    except ImportError:
        return None
    if not looks_like_pattern(entry):
        return None
    try:
        compile_pattern(entry)
    except ValueError as exc:
        return getattr(exc, "short", None) or f"invalid pattern: {exc}"
    return None


def _check_globs_and_commands(
    raw: RawPlaybook, variables: dict[str, Any], root: str, candidates: tuple[str, ...] | None
) -> list[Diagnostic]:
    from runner.planning.render import render_text
    from runner.planning.select import compile_globs

    out = []

    def note(path: PathKey, message: str, severity: str) -> None:
        line, col = raw.source_map.position(path)
        out.append(Diagnostic(raw.path, line, col, message, format_json_path(path), severity))

    for i, phase in enumerate(raw.data["phases"]):
        for j, task in enumerate(phase["tasks"]):
            for field in ("files", "exclude"):
                for k, glob in enumerate(task.get(field, ())):
                    path = ("phases", i, "tasks", j, field, k)
                    try:
                        rendered = render_text(glob, variables)
                    except ValueError:
                        continue  # unknown variable or syntax: reported with the template checks
                    try:
                        spec = compile_globs([rendered])
                    except ValueError as exc:
                        note(path, str(exc), "error")
                        continue
                    if field == "files" and candidates is not None and not any(spec.match_file(f) for f in candidates):
                        note(path, f"glob `{rendered}` matches no file under the root {root}", "warning")
        for k, check in enumerate(phase.get("checks", ())):
            try:
                command = render_text(check["run"], {**variables, "changed_files": [], "phase": phase["name"]})
                program = _program_of(command)
            except ValueError:
                continue
            if program and not _program_exists(program, root):
                note(("phases", i, "checks", k, "run"), f"program `{program}` is not on PATH (the check would fail to start)", "warning")
    return out


def _program_of(command: str) -> str | None:
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    for word in words:
        if "=" in word.split("/")[0] and not word.startswith("="):
            continue  # FOO=bar environment assignment
        if word in ("exec", "env", "command", "time", "nice"):
            continue
        return word if not any(c in word for c in "$`(){};|&<>") else None
    return None


def _program_exists(program: str, root: str) -> bool:
    if "/" in program:
        return os.path.exists(os.path.join(root, program))
    return shutil.which(program) is not None or program in ("cd", "test", "[", "true", "false", "echo", "exit", "set")
