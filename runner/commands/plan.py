"""``batchmod plan PLAYBOOK``: the dry run; writes nothing to the migrated repository."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from runner.adapters.git import git_listing_walking
from runner.adapters.workspace import write_text_atomic
from runner.commands.model_flags import ModelFlags, session_needed
from runner.commands.result import CommandResult
from runner.errors import InputError
from runner.playbook.load import LoadedPlaybook, load_playbook
from runner.planning.cache_checks import CheckVerdicts
from runner.planning.cache_plans import KeptPlan, PlanKeeper, plan_keeper
from runner.planning.expansion import PlanOptions
from runner.planning.select import Candidates, start_candidates
from runner.planning.shard import Shard
from runner.planning.targets import Targets

if TYPE_CHECKING:  # the dry run and the reports are imported when a plan is made, not when it is kept
    from runner.planning.dryrun import Progress
    from runner.planning.plan import Plan


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
    cassette and its lock. Bad input raises InputError or PlaybookError (exit 2). A
    ``--json`` plan asked again of the same inputs is the one kept in the cache (``cache_plans``).
    """
    root = os.path.abspath(request.root)
    if git_listing_walking(root):  # the wait for git's walk is spent importing, not idle
        _import_planning()
    ahead = start_candidates(root)
    try:  # the playbook loads while a long listing is looked at elsewhere
        if ahead.forked:
            _import_planning()
        verdicts = CheckVerdicts(os.path.join(root, ".batchmod", "cache", "checks") if request.use_cache else None)
        loaded = load_playbook(request.playbook, root=root, overrides=request.overrides,
                               candidates=lambda: ahead.get().files, verdicts=verdicts)
        candidates = ahead.get()
    finally:
        ahead.cancel()
    session, access, notes = _model_session(request, loaded)
    options = PlanOptions(root=root, phase=request.phase, jobs=request.jobs, use_cache=request.use_cache,
                          executor=request.executor, shard=request.shard, model=access, targets=request.targets)
    # `validate` shows every warning; a plan repeats only those about this root's files
    warned = "".join(d.render() + "\n" for d in loaded.warnings if "matches no file" in d.message)
    keeper = plan_keeper(os.path.join(root, ".batchmod", "cache", "plans"), loaded, options, candidates) \
        if request.as_json else None
    kept = keeper.get() if keeper is not None else None
    if kept is not None:
        _save(request.out, kept.stdout)
        return CommandResult(stdout=kept.stdout, stderr=warned + kept.stderr, exit_code=kept.exit_code)
    return _planned(request, loaded, options, candidates, progress, (session, notes), warned, keeper)


def _import_planning() -> None:
    """Import what making a plan takes (the dry run, its pool, the reports) while git walks
    the tree or a long listing is looked at in another process: a plan kept in the cache
    does not need them, but importing them then costs it no time."""
    import runner.planning.dryrun  # noqa: F401
    import runner.planning.scan  # noqa: F401
    import runner.reporting.indented_json  # noqa: F401
    import runner.reporting.plan_json  # noqa: F401
    import runner.reporting.summary  # noqa: F401
    import runner.reporting.summary_text  # noqa: F401
    import runner.transforms.pool  # noqa: F401


def _planned(request: PlanRequest, loaded: LoadedPlaybook, options: PlanOptions, candidates: Candidates,
             progress: Progress | None, model: tuple[Any, list[str]], warned: str, keeper: PlanKeeper | None) -> CommandResult:
    """Make the plan, then print it as ``request`` asks (``keeper`` keeps a JSON plan for next time)."""
    from runner.planning.dryrun import plan_playbook
    from runner.reporting.plan_json import plan_json_text
    from runner.reporting.summary import summarize_plan
    from runner.reporting.summary_text import render_failed_line

    session, notes = model
    plan = plan_playbook(loaded, options, progress, candidates, keeper.expansion if keeper is not None else None)
    if session is not None and request.model.ask:
        _record_answers(plan, session, notes)
    encoded = plan_json_text(plan) + "\n" if (request.out or request.as_json) else ""
    _save(request.out, encoded)  # the JSON is rendered once for both, and only when asked
    told = _stderr(loaded, plan, notes)
    summary = summarize_plan(plan)
    failed_line = render_failed_line(summary, "plan")
    if request.as_json:
        if keeper is not None and not plan.stats.uncached:  # a plan of files besides its own is not kept
            keeper.put((f for p in plan.phases for s in p.subtasks for f in s.file_sha256),
                       KeptPlan(encoded, told + failed_line, summary.exit_code))
        return CommandResult(stdout=encoded, stderr=warned + told + failed_line, exit_code=summary.exit_code)
    from runner.reporting.plan_text import render_plan_text

    text = render_plan_text(plan, diff=request.diff)
    if request.out:
        text += f"plan saved to {request.out}\n"
    return CommandResult(stdout=text + failed_line, stderr=warned + told, exit_code=summary.exit_code)


def _model_session(request: PlanRequest, loaded: LoadedPlaybook) -> tuple[Any, Any, list[str]]:
    """(session, model access, notes): a model session when the playbook gives the model
    work (its stack is imported only then), else (None, None, [])."""
    notes: list[str] = []
    if not session_needed(loaded.playbook, request.model):
        return None, None, notes
    from runner.commands.model_setup import ModelSession

    session = ModelSession(loaded.playbook, request.model)
    if session.mode == "replay" and request.model.replay:
        notes.extend(session.check_lock())
    access = session.asking() if (request.model.ask or request.model.replay) else session.forecasting()
    return session, access, notes


def _record_answers(plan: Plan, session: Any, notes: list[str]) -> None:
    """After ``plan --model``: refuse what the model could not answer, write the cassette's lock."""
    from runner.commands.model_setup import refuse_unanswerable

    refuse_unanswerable(plan, session)
    if session.records and session.write_lock():
        notes.append(f"recorded the model's answers in {os.path.relpath(session.cassette_path)} "
                     f"(lock: {os.path.relpath(session.lock_path)}); `batchmod run` replays them")


def _save(out: str | None, encoded: str) -> None:
    """Write the plan's JSON to ``--out`` when given; InputError when it cannot be written."""
    if not out:
        return
    try:
        write_text_atomic(out, encoded)
    except OSError as exc:
        raise InputError(f"--out {out}: cannot write the plan: {exc.strerror or exc}") from None


def _stderr(loaded: LoadedPlaybook, plan: Plan, notes: list[str]) -> str:
    """What a plan itself tells on stderr: the rules that matched nowhere, notes and model failures."""
    from runner.planning.accounting import render_unmatched, unmatched_rules

    stderr = "".join(line + "\n" for line in render_unmatched(unmatched_rules(plan.phases), loaded.playbook.path))
    return stderr + "".join(f"batchmod: {line}\n" for line in [*notes, *model_failures(plan)])


def model_failures(plan: Plan) -> list[str]:
    """One line per subtask the model could not serve (a replay miss names the request key),
    and per phase whose model budget ran out."""
    out = [f"subtask {s.subtask.id}: {s.model.error}" for p in plan.phases for s in p.subtasks
           if s.model is not None and s.model.error and s.model.error_kind != "budget"]
    out += [f"phase {p.name}: {p.model_budget_spent}; no more calls were made, the remaining gaps stay reported"
            for p in plan.phases if p.model_budget_spent]
    return out
