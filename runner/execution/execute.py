"""``batchmod run``: start a run (or continue the current one) and take it phase by phase.

A run is continued when the current run is not finished and was started from the
same playbook bytes (and, when given again, the same --var, --phase, --plan and
--branch); otherwise a new run starts and says why.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace
from typing import Callable

from runner.adapters.git import git_branch_exists, git_current_branch, git_toplevel
from runner.adapters.workspace import read_bytes_or_none, sha256_bytes
from runner.errors import BatchmodError, InputError, WriteError
from runner.execution.baseline import BaselineCache, describe_baseline, tree_fingerprint
from runner.execution.checks import log_name, render_check, run_check
from runner.execution.context import RunContext, RunIO, RunModel, command_line, run_again, utc_now
from runner.execution.journal import ConflictError
from runner.execution.phase import advance_phase, failed_subtasks_stop
from runner.execution.prepare import plan_budget_stop
from runner.execution.records import TERMINAL_STATUSES, BaselineEntry, PhaseState, PlannedScope, RunOptions, RunState, Stop
from runner.execution.saved_plan import SavedPlan, load_saved_plan, note_pruned, refuse_different, refuse_stale, saved_subtask_ids
from runner.execution.store import RunFolder, RunStore
from runner.execution.vcs import refuse_dirty, require_branch, switch_branch
from runner.playbook.load import LoadedPlaybook, load_playbook
from runner.playbook.variables import type_override
from runner.playbook.spec import Playbook
from runner.planning.dryrun import PlanOptions, plan_playbook
from runner.planning.plan import Plan
from runner.planning.targets import Targets
from runner.planning.select import Candidates, list_candidates
from runner.planning.shard import Shard, parse_shard
from runner.reporting.plan_text import render_plan_text


@dataclass(frozen=True, slots=True)
class RunRequest:
    """What ``batchmod run`` was asked to do: the playbook, the root, and the flags given."""

    playbook: str
    root: str
    overrides: tuple[tuple[str, str], ...] = ()
    phase: str | None = None
    plan: str | None = None
    yes: bool = False
    jobs: int = 1
    executor: str = "local"  #: local | dask://HOST:PORT
    shard: Shard | None = None  #: ``--shard K/N``: this run migrates one shard's files
    branch: str | None = None
    commit: bool = False
    allow_dirty: bool = False
    new_run: bool = False  #: start a new run even when the current one is not finished (or is damaged)
    replay: bool = False  #: model answers from the cassette only
    targets: Targets = Targets()  #: --only / --skip; on resume, the run's own (given again, they must be the same)
    batch: bool = False  #: first attempts of gap fills as one Message Batch per phase


ModelFor = Callable[[Playbook], "RunModel | None"]  #: the run's model for its playbook (None: gaps are reported)


def _no_model(playbook: Playbook) -> RunModel | None:
    return None


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """Where ``execute_run`` left off; the exit code is the run summary's (reporting/summary.py)."""

    run_id: str | None  #: None when no run was started (nothing to change, refused before writing)
    stop: Stop | None
    message: str = ""
    failed: tuple[str, ...] = ()  #: failed subtasks of the plan, when no run was started


def execute_run(request: RunRequest, io: RunIO, model_for: ModelFor = _no_model) -> RunOutcome:
    """Run (or continue) the playbook under ``request.root``; a gate stop is an outcome, not an error."""
    if not request.yes and not io.interactive:
        raise InputError("no terminal to confirm the run on; pass --yes to run without asking")
    root = os.path.abspath(request.root)
    candidates = list_candidates(root)
    store = RunStore(root)
    with store.lock(io.notify):
        opened = _open_run(request, io, store, root, candidates, model_for)
        if isinstance(opened, RunOutcome):
            return opened
        ctx = opened
        started = time.monotonic()
        try:
            stop = _run_phases(ctx)
        except ConflictError as exc:
            stop = Stop(str(exc), f"put the file back as batchmod left it (or undo your edit), then {run_again(ctx.state)}; "
                        f"or {command_line('rollback', ctx.state)} to undo the run")
        except BatchmodError as exc:  # the run stays where it was; running it again retries the step
            try:
                ctx.save(replace(ctx.state, status="stopped", stop=Stop(f"error: {exc}", f"fix it, then {run_again(ctx.state)}"),
                                 execute_seconds=ctx.state.execute_seconds + time.monotonic() - started))
            except WriteError:
                pass  # a full disk refuses the state too; the first error is the one to tell, status says interrupted
            raise
        except BaseException:  # Ctrl-C and bugs: the status stays `running`; `status` shows it interrupted
            ctx.save(replace(ctx.state, execute_seconds=ctx.state.execute_seconds + time.monotonic() - started))
            raise
        ctx.save(replace(ctx.state, status="stopped" if stop else "done", stop=stop,
                         execute_seconds=ctx.state.execute_seconds + time.monotonic() - started))
        ctx.journal.append("run_stopped" if stop else "run_done", reason=stop.reason if stop else "")
        return RunOutcome(ctx.state.run_id, stop)


def _open_run(request: RunRequest, io: RunIO, store: RunStore, root: str, candidates: Candidates,
              model_for: ModelFor) -> RunContext | RunOutcome:
    folder = None if request.new_run else store.current()
    prev = folder.load_state() if folder else None
    if prev is not None and prev.status == "rolling_back":
        raise InputError(f"run {prev.run_id} was interrupted while rolling back; finish it with `{command_line('rollback', prev)}`")
    saved = load_saved_plan(request.plan) if request.plan else None
    if prev is not None and folder is not None and prev.status not in TERMINAL_STATUSES:
        if prev.playbook_abspath != os.path.abspath(request.playbook):
            io.notify(f"run {prev.run_id} of {prev.playbook_path} is not finished (its edits stay); starting a new run for {request.playbook}")
        else:
            why = _why_new_run(prev, request, saved)
            if why is None:  # the run's own variables, whatever --var repeats of them
                loaded = load_playbook(request.playbook, root=root, overrides=dict(prev.overrides), candidates=candidates.files)  # type: ignore[arg-type]
                return _resume(request, io, root, folder, prev, loaded, model_for(loaded.playbook))
            io.notify(f"{why}; starting a new run")
    overrides = _plan_overrides(saved, dict(request.overrides)) if saved else dict(request.overrides)
    loaded = load_playbook(request.playbook, root=root, overrides=overrides, candidates=candidates.files)  # type: ignore[arg-type]
    return _start(request, io, store, root, loaded, overrides, saved, candidates, model_for(loaded.playbook))


def _why_new_run(prev: RunState, request: RunRequest, saved: SavedPlan | None) -> str | None:
    data = read_bytes_or_none(request.playbook)
    if data is not None and sha256_bytes(data) != prev.playbook_sha256:
        return (f"{request.playbook} changed since run {prev.run_id} started "
                f"(sha256 {prev.playbook_sha256[:12]} → {sha256_bytes(data)[:12]})")
    had = {k: str(v) for k, v in prev.overrides}
    if any(had.get(k) != v for k, v in request.overrides):
        return f"--var values differ from run {prev.run_id}"
    if request.phase and request.phase != prev.options.phase:
        return f"--phase {request.phase} differs from run {prev.run_id}"
    if saved is not None and saved.sha256 != prev.options.plan_sha256:
        return f"--plan {saved.path} is not the plan run {prev.run_id} executes"
    if request.branch and request.branch != prev.options.branch:
        return f"--branch {request.branch} differs from run {prev.run_id}"
    if request.shard and str(request.shard) != prev.options.shard:
        return f"--shard {request.shard} differs from run {prev.run_id} (shard {prev.options.shard or 'none'})"
    if request.targets and (request.targets.only, request.targets.skip) != (prev.options.only, prev.options.skip):
        return f"{request.targets.flags()} differs from run {prev.run_id}'s targets"
    return None


def _with_saved_shard(request: RunRequest, saved: SavedPlan) -> RunRequest:
    """The saved plan's shard; ``--shard`` may repeat it, not change it."""
    if request.shard is not None and str(request.shard) != saved.shard:
        raise InputError(f"--shard {request.shard} differs from the saved plan's shard ({saved.shard or 'none'}); "
                         "plan again with that --shard or drop it")
    return replace(request, shard=parse_shard(saved.shard) if saved.shard else None)


def _run_targets(given: Targets, saved: SavedPlan | None) -> Targets:
    """The run's --only / --skip: a saved plan's own; given again with it, they must be the same."""
    if saved is None or not saved.targets:
        if saved is not None and given:
            raise InputError(f"{given.flags()}: the saved plan {saved.path} was planned without them; plan again with them or drop them")
        return given
    if given and (given.only, given.skip) != (saved.targets.only, saved.targets.skip):
        raise InputError(f"{given.flags()} differs from the saved plan's {saved.targets.flags()}; plan again or drop them")
    return saved.targets


def _plan_overrides(saved: SavedPlan, given: dict[str, str]) -> dict[str, object]:
    """The saved plan's variables; a --var may repeat one, not change it."""
    planned = dict(saved.variables)
    for key, value in given.items():
        if key in planned and type_override(key, planned[key], value) != planned[key]:
            raise InputError(f"--var {key}={value} differs from the saved plan's {key}={planned[key]}; plan again or drop --var")
    return planned


def _start(request: RunRequest, io: RunIO, store: RunStore, root: str, loaded: LoadedPlaybook,
           overrides: dict[str, object], saved: SavedPlan | None, candidates: Candidates,
           model: RunModel | None) -> RunOutcome | RunContext:
    """Plan a new run, show the plan and, once confirmed, create its folder, state and journal."""
    request, phase = _saved_phase(request, root, loaded.playbook, saved)
    git = git_toplevel(root) is not None
    if (request.branch or request.commit) and not git:
        raise InputError(f"--{'branch' if request.branch else 'commit'}: {root} is not a git repository")
    if request.branch and git_current_branch(root) != request.branch and git_branch_exists(root, request.branch):
        io.notify(switch_branch(root, request.branch))  # before planning: the switch may change the tree
        candidates = list_candidates(root)
    ids = saved_subtask_ids(saved)
    targets = _run_targets(request.targets, saved)
    started = time.monotonic()
    plan = plan_playbook(loaded, PlanOptions(root, phase=phase, jobs=request.jobs, executor=request.executor,
                                             shard=request.shard,
                                             model=model.start if model else None, subtask_ids=ids, targets=targets),
                         io.progress, candidates)
    note_pruned(plan, io.notify)
    plan_seconds = time.monotonic() - started
    if model is not None:
        model.refuse_unanswerable(plan)  # no key and answers missing: exit 2 before anything is written
    if saved is not None:
        refuse_different(saved, plan)
    io.notify(render_plan_text(plan).rstrip("\n"))
    refused = _refuse_before_writing(request, io, root, loaded.playbook, plan, git)
    if refused is not None:
        return refused
    if request.branch and git_current_branch(root) != request.branch:
        io.notify(switch_branch(root, request.branch))  # a new branch from HEAD: the tree stays as planned
    folder = store.create(loaded.playbook.name)
    options = RunOptions(phase, saved.path if saved else None, saved.sha256 if saved else None, request.branch, request.commit,
                         tuple(sorted(ids)) if ids is not None else None, str(request.shard) if request.shard else None,
                         targets.only, targets.skip)
    state = _new_state(folder, request, root, loaded, overrides, options, plan, plan_seconds)
    folder.save_state(state)
    store.set_current(folder)
    ctx = RunContext(root, folder, state, loaded, io, request.jobs, request.executor, model)
    ctx.journal.append("run_started", run_id=folder.run_id, playbook=loaded.playbook.name, sha256=loaded.playbook.sha256,
                       phases=[p.name for p in plan.phases])
    io.notify(f"run {folder.run_id}: started")
    return ctx


def _saved_phase(request: RunRequest, root: str, playbook: Playbook, saved: SavedPlan | None) -> tuple[RunRequest, str | None]:
    """The request and the phase to run, as a saved plan fixes them (its shard; its only phase)."""
    phase = request.phase
    if saved is None:
        return request, phase
    if phase is not None and phase not in saved.phase_names:
        raise InputError(f"--phase {phase}: the saved plan {saved.path} has phases {', '.join(saved.phase_names)}")
    if phase is None and len(saved.phase_names) == 1 and len(playbook.phases) > 1:
        phase = saved.phase_names[0]
    refuse_stale(saved, root, request.playbook, playbook.sha256)
    return _with_saved_shard(request, saved), phase


def _refuse_before_writing(request: RunRequest, io: RunIO, root: str, playbook: Playbook, plan: Plan,
                           git: bool) -> RunOutcome | None:
    """Why the planned run does not start (over budget, nothing to change, not confirmed), or None to go on.

    Raises InputError when the files to write have uncommitted changes (without --allow-dirty).
    """
    failed = tuple(sid for p in plan.phases for sid in p.failed)
    over = plan_budget_stop(plan)
    if over:
        return RunOutcome(None, Stop(over, "raise the limit or narrow the globs in the playbook, then run again"), failed=failed)
    files = sorted({c.path for p in plan.phases for c in p.files})
    will_ask = any(s.forecast is not None for p in plan.phases for s in p.subtasks)
    if not files and not will_ask:
        return RunOutcome(None, None, f"nothing to change: the plan of {playbook.name} changes no file under {root}\n", failed)
    if git and not request.allow_dirty:
        refuse_dirty(root, files)
    if not request.yes and not io.confirm(f"Write {len(files)} file(s) in {len(plan.phases)} phase(s) under {root}?"):
        return RunOutcome(None, Stop("not confirmed; nothing was written", "run again and answer yes, or pass --yes"))
    return None


def _new_state(folder: RunFolder, request: RunRequest, root: str, loaded: LoadedPlaybook, overrides: dict[str, object],
               options: RunOptions, plan: Plan, plan_seconds: float) -> RunState:
    """The first state of a run: every planned phase pending, each planned file's hash before the run."""
    playbook = loaded.playbook
    return RunState(
        run_id=folder.run_id,
        playbook_name=playbook.name,
        playbook_path=request.playbook,
        playbook_abspath=os.path.abspath(request.playbook),
        playbook_sha256=playbook.sha256,
        root=root,
        variables=loaded.variables,
        overrides=tuple(sorted(overrides.items())),
        options=options,
        status="running",
        created=utc_now(),
        updated=utc_now(),
        phases=tuple(PhaseState(p.name) for p in plan.phases),
        start_sha256=tuple(sorted({(f, h) for p in plan.phases for s in p.subtasks for f, h in s.file_sha256 if h})),
        planned=tuple(PlannedScope(p.name, tuple(c.path for c in p.files), sum(c.added + c.removed for c in p.files)) for p in plan.phases),
        limits=plan.budget,
        plan_seconds=plan_seconds,
    )


def _resume(request: RunRequest, io: RunIO, root: str, folder: RunFolder, prev: RunState, loaded: LoadedPlaybook,
            model: RunModel | None) -> RunOutcome | RunContext:
    if prev.options.branch:
        require_branch(root, prev.options.branch, prev.run_id)
    at = next((p for p in prev.phases if p.state != "done"), None)
    where = f"phase {at.name} ({at.state.replace('_', ' ')})" if at else "its end"
    io.notify(f"run {prev.run_id}: continuing at {where}")
    if not request.yes and not io.confirm(f"Continue run {prev.run_id} at {where}?"):
        return RunOutcome(prev.run_id, Stop("not confirmed; nothing was written", run_again(prev)))
    ctx = RunContext(root, folder, prev, loaded, io, request.jobs, request.executor, model)
    ctx.save(replace(prev, status="running", stop=None))
    return ctx


def _run_phases(ctx: RunContext) -> Stop | None:
    if ctx.model is not None:  # before any call: a resumed run's budgets count what it spent before
        ctx.model.bind(ctx.folder.path)
    finished = ctx.writer.resolve_open()
    if finished:
        ctx.io.notify(f"finished {len(finished)} write(s) an interrupted run left open: {', '.join(finished)}")
    if not ctx.state.baseline_done:
        _run_baseline(ctx)
    for n, phase in enumerate(ctx.state.phases):
        stop = advance_phase(ctx, phase.name)
        if stop is None and n + 1 < len(ctx.state.phases):
            stop = failed_subtasks_stop(ctx, phase.name, ctx.state.phases[n + 1].name)
        if stop is not None:
            return stop
    return _model_stop(ctx)


def _model_stop(ctx: RunContext) -> Stop | None:
    """A model budget that ran out leaves gaps the model was to fill: the run says so (exit 1)."""
    spent = [r for p in ctx.state.phases for r in [ctx.folder.load_phase(p.name)] if r is not None and r.model_budget_spent]
    if not spent:
        return None
    left = sum(len(s.gaps) for r in spent for s in r.subtasks if s.on_gap == "model" or s.transform == "model")
    where = "; ".join(f"phase {r.phase}: {r.model_budget_spent}" for r in spent)
    return Stop(f"model budget spent ({where}); no more calls were made, {left} gap(s) stay reported",
                "raise max_model_calls, max_model_tokens or max_cost_usd in the playbook and start a new run, "
                "or close the gaps by hand (`batchmod gaps`)")


def _run_baseline(ctx: RunContext) -> None:
    """Each check once on the untouched tree (cached per tree state), before the first write."""
    planned = {p.phase: p.paths for p in ctx.state.planned}
    rendered = [
        (phase.name, render_check(check, ctx.check_context(phase.name, planned.get(phase.name, ())), phase.name))
        for phase in ctx.state.phases
        for check in ctx.spec(phase.name).checks
    ]
    entries = []
    if rendered:
        cache = BaselineCache(ctx.root, tree_fingerprint(ctx.root, {r.junit for _, r in rendered if r.junit}))
        for n, (phase, check) in enumerate(rendered, start=1):
            log = log_name("checks/baseline", f"{phase}-{check.name}", n)
            result = cache.get(check)
            if result is None:
                result = run_check(check, ctx.root, ctx.folder, log)
                cache.put(check, result)
            else:
                ctx.folder.write_text(log, f"$ {check.command}\n[batchmod] cached baseline result (same tree)\n{result.tail}\n")
                result = replace(result, log=log)
            entries.append(BaselineEntry(phase, result))
            ctx.journal.append("baseline", phase=phase, name=check.name, exit_code=result.exit_code, failures=[f.id for f in result.failures])
            word = describe_baseline(result, check.must_pass)
            ctx.io.notify(f"baseline: check {check.name} ({phase}) on the untouched tree {word}")
    ctx.save(replace(ctx.state, baseline=tuple(entries), baseline_done=True))
