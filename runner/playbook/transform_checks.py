"""Meaning checks of task types' transforms: each is built as a plan would build it."""
from __future__ import annotations

from typing import Any

from runner.errors import Diagnostic
from runner.playbook.prune import PRUNED, entries, members
from runner.playbook.read import PathKey, RawPlaybook, format_json_path
from runner.planning.render import RUNTIME_NAMES, RenderError, render_value, strings_in, undeclared_names


def check_transforms(raw: RawPlaybook, variables: dict[str, Any], root: str) -> list[Diagnostic]:
    """Build every task type's transform that passed the schema: imports, constructor
    arguments, patterns; a task type whose `with:` depends on an unset variable waits for it."""
    out = []
    for name, spec in members(raw.data.get("task_types")):
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
        scope_error = _check_scope(name, spec, root) if spec.get("scope") == "statement" else None
        if scope_error:
            line, col = raw.source_map.position((*at, "scope"))
            out.append(Diagnostic(raw.path, line, col, scope_error, format_json_path((*at, "scope"))))
        for k, entry in entries(spec.get("expect_absent")):
            error = _check_expect_absent(entry)
            if error:
                line, col = raw.source_map.position((*at, "expect_absent", k))
                out.append(Diagnostic(raw.path, line, col, error, format_json_path((*at, "expect_absent", k))))
    return out


def _check_scope(name: str, spec: dict[str, Any], root: str) -> str | None:
    from runner.playbook.spec import TaskTypeSpec
    from runner.transforms.scope import statement_scope_refusal

    record = TaskTypeSpec(name=name, transform=spec["transform"], needles=tuple(spec.get("needles", ())),
                          expect_absent=tuple(spec.get("expect_absent", ())), scope="statement")
    return statement_scope_refusal(record, root)


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

    rules = with_value.get("rules")
    if transform == "rewrite" and isinstance(rules, list) and (len(rules) > 1 or PRUNED in rules):
        from runner.transforms.rewrite.rules import duplicate_ids  # the rewrite package, for rewrite tasks only

        errors = []
        for index, rule in entries(rules):
            error = attempt({**with_value, "rules": [rule]})
            if error is not None and hasattr(error, "located"):
                errors.append(error.located(rule_index=index, field=getattr(error, "field", None)))
            elif error is not None:
                errors.append(error)
        return errors + duplicate_ids(rules)
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
    field = getattr(exc, "field", None)  # e.g. replace's `regex`: point at the key itself
    where = (*at, "with", field) if isinstance(field, str) else (*at, "with")
    return where, f"{type(exc).__name__}: {exc}" if not isinstance(exc, ValueError) else str(exc)


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
