"""``batchmod validate --explain``: each rule-based task type's rules, and the rules that
cannot match any file of the root (a name of their ``match`` occurs in none of the
task type's files). A plain text search: nothing is parsed, nothing is written."""
from __future__ import annotations

import os

from runner.adapters.workspace import read_bytes_or_none
from runner.errors import InputError
from runner.playbook.load import LoadedPlaybook
from runner.playbook.spec import TaskTypeSpec
from runner.planning.expand import expand_playbook
from runner.transforms.rewrite.accounting import RuleInfo, missing_needles, rule_catalogue


def explain_rules(loaded: LoadedPlaybook, root: str, candidates: tuple[str, ...] | None) -> tuple[str, str]:
    """(stdout, stderr): the rules of every rule-based task type with their place and kind;
    a warning per rule that cannot match any file its tasks select under ``root``."""
    pb = loaded.playbook
    specs, files, note = _rendered(loaded, candidates)
    out, warnings = [], []
    for raw in pb.task_types:
        infos = rule_catalogue(specs.get(raw.name, raw))
        if not infos:
            continue
        out.append(f"task type {raw.name} ({raw.transform}): {len(infos)} rule{'s' if len(infos) != 1 else ''}")
        out.extend(f"  {pb.path}:{i.line}:{i.column}: rules[{i.index}] {i.label} ({i.kind})" for i in infos)
        paths = files.get(raw.name, ())
        if paths:
            texts = (_text(root, p) for p in paths)
            warnings.extend(_warning(pb.path, raw.name, infos[k], absent, len(paths))
                            for k, absent in missing_needles(infos, texts).items())
    if note:
        out.append(note)
    return "".join(line + "\n" for line in out), "".join(line + "\n" for line in warnings)


def _rendered(loaded: LoadedPlaybook, candidates: tuple[str, ...] | None
              ) -> tuple[dict[str, TaskTypeSpec], dict[str, tuple[str, ...]], str]:
    """Task types as the plan renders them, and the files their tasks select (none without a root)."""
    if candidates is None:
        return {}, {}, "(no file was searched: the root cannot be listed)"
    try:
        phases = expand_playbook(loaded.playbook, loaded.context(), candidates)
    except InputError as exc:
        return {}, {}, f"(no file was searched: {exc})"
    specs: dict[str, TaskTypeSpec] = {}
    files: dict[str, dict[str, None]] = {}
    for phase in phases:
        for task in phase.tasks:
            specs.setdefault(task.spec.name, task.spec)
            files.setdefault(task.spec.name, {}).update(dict.fromkeys(task.files))
    return specs, {name: tuple(paths) for name, paths in files.items()}, ""


def _text(root: str, path: str) -> str:
    data = read_bytes_or_none(os.path.join(root, *path.split("/")))
    return data.decode("utf-8", "replace") if data is not None else ""


def _warning(playbook: str, type_name: str, info: RuleInfo, absent: tuple[str, ...], files: int) -> str:
    names = ", ".join(f"`{n}`" for n in absent)
    verb = "occurs" if len(absent) == 1 else "occur"
    return (f"{playbook}:{info.line}:{info.column}: warning: rule '{info.label}' of task type {type_name} cannot match: "
            f"{names} {verb} in none of its {files} file{'s' if files != 1 else ''}")
