"""``batchmod plan PLAYBOOK``: the dry run; writes nothing to the migrated repository."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from runner.adapters.workspace import write_text_atomic
from runner.commands.model_flags import ModelFlags, session_needed
from runner.commands.result import CommandResult
from runner.errors import InputError
from runner.playbook.load import LoadedPlaybook, load_playbook
from runner.planning.accounting import render_unmatched, unmatched_rules
from runner.planning.cache_checks import CheckVerdicts
from runner.planning.dryrun import PlanOptions, Progress, plan_playbook
from runner.planning.plan import Plan
from runner.planning.select import list_candidates
from runner.planning.shard import Shard
from runner.reporting.plan_json import render_plan_json
from runner.planning.targets import Targets
from runner.reporting.plan_text import render_plan_text
from runner.reporting.summary import summarize_plan
from runner.reporting.summary_text import render_failed_line


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What ``batchmod plan`` was asked: the playbook, the root, and the flags given."""

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
    shard: Shard | None = None  #: ``--shard K/N``
    model: ModelFlags = ModelFlags()
    targets: Targets = Targets()  #: --only / --skip


def plan_command(request: PlanRequest, progress: Progress | None = None) -> CommandResult:
    """Plan the playbook on the tree as it is, as text or JSON; the exit code is the plan summary's.

    Never writes the tree: only ``--out``, the planning cache and, with ``--model``, the
    cassette and its lock. Bad input raises InputError or PlaybookError (exit 2).
    """
    root = os.path.abspath(request.root)
    candidates = list_candidates(root)
    verdicts = CheckVerdicts(os.path.join(root, ".batchmod", "cache", "checks") if request.use_cache else None)
    loaded = load_playbook(request.playbook, root=root, overrides=request.overrides, candidates=candidates.files,
                           verdicts=verdicts)
    session = None
    if session_needed(loaded.playbook, request.model):  # the model stack is imported only then
        from runner.commands.model_setup import ModelSession

        session = ModelSession(loaded.playbook, request.model)
    notes: list[str] = []
    access = None
    if session is not None:
        if session.mode == "replay" and request.model.replay:
            notes.extend(session.check_lock())
        access = session.asking() if (request.model.ask or request.model.replay) else session.forecasting()
    options = PlanOptions(root=root, phase=request.phase, jobs=request.jobs, use_cache=request.use_cache,
                          executor=request.executor, shard=request.shard, model=access, targets=request.targets)
    plan = plan_playbook(loaded, options, progress, candidates)
    if session is not None and request.model.ask:
        from runner.commands.model_setup import refuse_unanswerable

        refuse_unanswerable(plan, session)
        if session.records and session.write_lock():
            notes.append(f"recorded the model's answers in {os.path.relpath(session.cassette_path)} "
                         f"(lock: {os.path.relpath(session.lock_path)}); `batchmod run` replays them")
    wanted = request.out or request.as_json  # the JSON is rendered once for both, and only when asked
    encoded = json.dumps(render_plan_json(plan), indent=2) + "\n" if wanted else ""
    if request.out:
        try:
            write_text_atomic(request.out, encoded)
        except OSError as exc:
            raise InputError(f"--out {request.out}: cannot write the plan: {exc.strerror or exc}") from None
    stderr = _stderr(loaded, plan, notes)
    summary = summarize_plan(plan)
    failed_line = render_failed_line(summary, "plan")
    exit_code = summary.exit_code
    if request.as_json:
        return CommandResult(stdout=encoded, stderr=stderr + failed_line, exit_code=exit_code)
    text = render_plan_text(plan, diff=request.diff)
    if request.out:
        text += f"plan saved to {request.out}\n"
    return CommandResult(stdout=text + failed_line, stderr=stderr, exit_code=exit_code)


def _stderr(loaded: LoadedPlaybook, plan: Plan, notes: list[str]) -> str:
    """What a plan tells on stderr: `validate` shows every warning, a plan repeats only
    those about this root's files; then the rules that matched nowhere, notes and model failures."""
    stderr = "".join(d.render() + "\n" for d in loaded.warnings if "matches no file" in d.message)
    stderr += "".join(line + "\n" for line in render_unmatched(unmatched_rules(plan.phases), loaded.playbook.path))
    return stderr + "".join(f"batchmod: {line}\n" for line in [*notes, *model_failures(plan)])


def model_failures(plan: Plan) -> list[str]:
    """One line per subtask the model could not serve (a replay miss names the request key),
    and per phase whose model budget ran out."""
    out = [f"subtask {s.subtask.id}: {s.model.error}" for p in plan.phases for s in p.subtasks
           if s.model is not None and s.model.error and s.model.error_kind != "budget"]
    out += [f"phase {p.name}: {p.model_budget_spent}; no more calls were made, the remaining gaps stay reported"
            for p in plan.phases if p.model_budget_spent]
    return out
