"""``batchmod plan PLAYBOOK``: the dry run; writes nothing to the migrated repository."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from runner.adapters.workspace import write_text_atomic
from runner.commands.result import CommandResult
from runner.errors import InputError
from runner.playbook.load import load_playbook
from runner.planning.dryrun import PlanOptions, Progress, plan_playbook
from runner.planning.select import list_candidates
from runner.reporting.plan_json import render_plan_json
from runner.reporting.plan_text import render_plan_text
from runner.reporting.summary import summarize_plan
from runner.reporting.summary_text import render_failed_line


@dataclass(frozen=True, slots=True)
class PlanRequest:
    playbook: str
    root: str
    overrides: dict[str, str]
    phase: str | None = None
    jobs: int = 1
    diff: bool = False
    as_json: bool = False
    out: str | None = None
    use_cache: bool = True
    executor: str = "local"  #: local | dask://HOST:PORT


def plan_command(request: PlanRequest, progress: Progress | None = None) -> CommandResult:
    root = os.path.abspath(request.root)
    candidates = list_candidates(root)
    loaded = load_playbook(request.playbook, root=root, overrides=request.overrides, candidates=candidates.files)
    plan = plan_playbook(
        loaded, PlanOptions(root=root, phase=request.phase, jobs=request.jobs, use_cache=request.use_cache,
                           executor=request.executor), progress, candidates
    )
    document = render_plan_json(plan)
    if request.out:
        try:
            write_text_atomic(request.out, json.dumps(document, indent=2) + "\n")
        except OSError as exc:
            raise InputError(f"--out {request.out}: cannot write the plan: {exc.strerror or exc}") from None
    # `validate` shows every warning; a plan repeats only those about this root's files
    stderr = "".join(d.render() + "\n" for d in loaded.warnings if "matches no file" in d.message)
    summary = summarize_plan(plan)
    failed_line = render_failed_line(summary, "plan")
    if request.as_json:
        return CommandResult(stdout=json.dumps(document, indent=2) + "\n", stderr=stderr + failed_line, exit_code=summary.exit_code)
    text = render_plan_text(plan, diff=request.diff)
    if request.out:
        text += f"plan saved to {request.out}\n"
    return CommandResult(stdout=text + failed_line, stderr=stderr, exit_code=summary.exit_code)
