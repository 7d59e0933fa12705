"""The model part of a dry run: gaps become jobs, jobs become edits in memory (or a forecast).

After a task's deterministic edits, each of its subtasks with gaps (``on_gap: model``),
and every subtask of a ``transform: model`` task, becomes a ``GapJob``: the subtask's
files as they are now, its gaps, the task type's read-only ``context:`` files. In *ask*
mode the worker answers through the client the commands built; its edits join the
subtask's in-memory result and are diffed, budgeted and written like any other edit.
In *forecast* mode nothing is asked: calls, tokens and cost are estimated.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable

from runner.model.client import ModelClient, ModelError, ModelReply, ModelRequest, Usage
from runner.model.forecast import CostOf, CountTokens, ModelForecast, forecast_job
from runner.model.jobs import GapFill, GapJob
from runner.planning.expand import ExpandedPhase, ExpandedTask, Subtask
from runner.planning.gapcheck import Check, make_check
from runner.planning.plan import FileChange, ModelWork, file_change
from runner.planning.render import render_text
from runner.planning.select import select_files
from runner.playbook.spec import ModelSpec, PhaseSpec, TaskTypeSpec
from runner.transforms.base import Changed, Gap, Outcome, Unchanged


def _no_cost(model: str, usage: Usage, batched: bool = False) -> float:
    return 0.0


@dataclass(frozen=True, slots=True)
class ModelAccess:
    """How a dry run may use the model; built by the commands (the only place clients are made)."""

    spec: ModelSpec
    mode: str  #: "ask" (the client answers) | "forecast" (estimate only)
    client_for_phase: Callable[[PhaseSpec], ModelClient] | None = None  #: ask mode: a client under the phase's budget
    cost_of: CostOf = _no_cost
    count_tokens: CountTokens | None = None  #: forecast mode, when a key is present
    forecast_misses: bool = False  #: ask mode: a job the cassette cannot answer is forecast, not failed
    batch: Callable[[list[ModelRequest]], None] | None = None  #: model.batch: send these first attempts as one batch
    batched_first: bool = False  #: forecast mode: first attempts would go in a Message Batch (half price)

    @property
    def asks(self) -> bool:
        """The model is really asked (mode ``ask`` with a client), not only forecast."""
        return self.mode == "ask" and self.client_for_phase is not None


def wants_model(spec: TaskTypeSpec) -> bool:
    """The task type hands work to the model: ``transform: model`` or ``on_gap: model``."""
    return spec.transform == "model" or spec.on_gap == "model"


@dataclass
class PhaseModel:
    """The model's part of one phase while it is planned (mutable inside the dry run only)."""

    access: ModelAccess
    phase: PhaseSpec
    works: dict[str, ModelWork]
    forecasts: dict[str, ModelForecast]
    budget_spent: str = ""  #: set when a budget refused a call: no more calls were made
    _client: ModelClient | None = None

    def client(self) -> ModelClient:
        """The phase's model client, made on first use and then reused."""
        if self._client is None:
            assert self.access.client_for_phase is not None
            self._client = self.access.client_for_phase(self.phase)
        return self._client


Read = Callable[[str], "bytes | None"]


def model_for_task(pm: PhaseModel, phase: ExpandedPhase, task: ExpandedTask, outcomes: dict[tuple[int, str], Outcome],
                   read: Read, overlay: dict[str, bytes], candidates: tuple[str, ...], root: str,
                   variables: dict[str, Any]) -> None:
    """Fill (or forecast) the gaps of ``task``'s subtasks; updates ``outcomes`` and ``overlay`` in place."""
    jobs = [job for s in phase.subtasks if s.task_index == task.index
            for job in [_job(pm.access.spec, task, s, outcomes, read, candidates, variables)] if job is not None]
    if not jobs:
        return
    if not pm.access.asks:
        for job in jobs:
            pm.forecasts[job.subtask_id] = forecast_job(job, pm.access.cost_of, pm.access.count_tokens,
                                                        pm.access.batched_first)
        return
    check = make_check(task, root, variables, phase.spec.name)
    if pm.access.batch is not None:  # the first attempts are answered from one Message Batch
        from runner.model.batch import first_requests

        pm.access.batch(first_requests(jobs, _worker()))
    fills = _fill_all(jobs, pm.client(), check, pm.access.spec.concurrency)
    for job, (fill, kinds) in zip(jobs, fills):
        kind = (fill.error_kind or (kinds[-1] if kinds else "other")) if fill.error else ""
        if kind == "budget" and not pm.budget_spent:
            pm.budget_spent = fill.error
        if kind == "no-key" and pm.access.forecast_misses:
            pm.forecasts[job.subtask_id] = forecast_job(job, pm.access.cost_of, pm.access.count_tokens)
            continue
        pm.works[job.subtask_id] = _merge(pm, task, job, fill, kind, outcomes, read, overlay)


def _job(model: ModelSpec, task: ExpandedTask, subtask: Subtask, outcomes: dict[tuple[int, str], Outcome],
         read: Read, candidates: tuple[str, ...], variables: dict[str, Any]) -> GapJob | None:
    files, gaps = [], []
    for f in subtask.files:
        outcome = outcomes.get((task.index, f))
        data = read(f)
        if data is None or outcome is None or not isinstance(outcome, (Changed, Unchanged)):
            return None  # a failed file fails the subtask; the model is not asked to repair it
        files.append((f, data))
        gaps.extend(outcome.gaps)
    whole = task.spec.transform == "model"
    if not whole and not gaps:
        return None
    context = tuple((p, d) for p in _context_paths(task.spec, variables, candidates, set(subtask.files))
                    for d in [read(p)] if d is not None)
    return GapJob(subtask.id, task.spec, tuple(files), () if whole else tuple(gaps), context,
                  model.worker_model, model.max_tokens, model.max_attempts, params=model.params_json)


def _context_paths(spec: TaskTypeSpec, variables: dict[str, Any], candidates: tuple[str, ...], own: set[str]) -> list[str]:
    if not spec.context:
        return []
    globs = tuple(render_text(g, variables) for g in spec.context)
    return [p for p in select_files(candidates, globs, ()) if p not in own]


class _Watch:
    """Sees each job's calls on their way to the shared client: which errors stopped it."""

    def __init__(self, inner: ModelClient) -> None:
        self.inner = inner
        self.kinds: list[str] = []

    def create(self, request: ModelRequest) -> ModelReply:
        try:
            return self.inner.create(request)
        except ModelError as exc:
            self.kinds.append(exc.kind)
            raise


def _worker() -> Callable[..., GapFill]:
    from runner.model.worker import fill_gaps

    return fill_gaps


def _fill_all(jobs: list[GapJob], client: ModelClient, check: Check, concurrency: int) -> list[tuple[GapFill, list[str]]]:
    fill_gaps = _worker()

    def one(job: GapJob) -> tuple[GapFill, list[str]]:
        watch = _Watch(client)
        return fill_gaps(job, watch, check), watch.kinds

    if len(jobs) == 1 or concurrency <= 1:
        return [one(job) for job in jobs]
    from concurrent.futures import ThreadPoolExecutor  # threads only for several jobs at once

    with ThreadPoolExecutor(max_workers=min(concurrency, len(jobs))) as pool:
        return list(pool.map(one, jobs))  # in job order, whatever order they finish in


def _merge(pm: PhaseModel, task: ExpandedTask, job: GapJob, fill: GapFill, kind: str,
           outcomes: dict[tuple[int, str], Outcome], read: Read, overlay: dict[str, bytes]) -> ModelWork:
    new = dict(fill.files) if not fill.error else {}
    left = list(fill.left) if (fill.filled or fill.left) else list(job.gaps)
    if fill.error:
        left = [replace(g, reason=f"{g.reason} (not filled: {fill.error})") for g in job.gaps]
    changes: list[FileChange] = []
    for path, current in job.files:
        outcome = outcomes[(task.index, path)]
        gaps = tuple(g for g in left if g.file == path)
        if task.spec.transform == "model" and (fill.error or fill.left) and path not in new:
            gaps = outcome.gaps  # the whole file stays the model's to do
        if path in new and new[path] != current:
            before = outcome.before if isinstance(outcome, Changed) else current
            outcomes[(task.index, path)] = Changed(before, new[path], outcome.warnings, gaps, outcome.rules)
            overlay[path] = new[path]
            changes.append(file_change(path, current, new[path]))
        else:
            outcomes[(task.index, path)] = replace(outcome, gaps=gaps)
    asked = [e for e in fill.exchanges if not e.replayed]
    cost = sum(pm.access.cost_of(e.model, Usage(e.input_tokens, e.output_tokens, e.cache_creation_input_tokens,
                                                 e.cache_read_input_tokens), e.batched) for e in asked)
    return ModelWork(tuple(changes), fill.filled, fill.exchanges, fill.attempts, fill.error, kind,
                     fill.refused_paths, round(cost, 6))
