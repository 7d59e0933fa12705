"""``batchmod validate PLAYBOOK``: schema and meaning, every problem at once."""
from __future__ import annotations

import os

from runner.commands.result import CommandResult
from runner.commands.validate_explain import explain_rules
from runner.errors import InputError, PlaybookError
from runner.playbook.load import load_playbook
from runner.planning.select import list_candidates


def validate_command(path: str, root: str, overrides: dict[str, str], explain: bool = False) -> CommandResult:
    """Validate the playbook; ``explain``: also list each rule-based task type's rules and warn
    about rules that cannot match any file under ``root``."""
    root = os.path.abspath(root)
    try:
        candidates = list_candidates(root).files
    except InputError:
        candidates = None  # an unusable root only disables glob-coverage warnings here
    try:
        loaded = load_playbook(path, root=root, overrides=overrides, candidates=candidates, require_values=False)
    except PlaybookError as exc:
        errors = exc.error_count
        warnings = len(exc.diagnostics) - errors
        tail = f"{path}: {errors} error{'s' if errors != 1 else ''}" + (f", {warnings} warning{'s' if warnings != 1 else ''}" if warnings else "")
        return CommandResult(stderr=str(exc) + "\n" + tail + "\n", exit_code=2)
    pb = loaded.playbook
    warnings = "".join(d.render() + "\n" for d in loaded.warnings)
    tasks = sum(len(p.tasks) for p in pb.phases)
    summary = (
        f"{path}: valid — playbook {pb.name}: {len(pb.phases)} phase{'s' if len(pb.phases) != 1 else ''}, "
        f"{tasks} task{'s' if tasks != 1 else ''}, {len(pb.task_types)} task type{'s' if len(pb.task_types) != 1 else ''}"
        + (f", {len(loaded.warnings)} warning{'s' if len(loaded.warnings) != 1 else ''}" if loaded.warnings else "")
        + "\n"
    )
    if explain:
        listing, cannot_match = explain_rules(loaded, root, candidates)
        return CommandResult(stdout=summary + listing, stderr=warnings + cannot_match, exit_code=0)
    return CommandResult(stdout=summary, stderr=warnings, exit_code=0)
