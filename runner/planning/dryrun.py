"""The dry run: apply every phase in memory, phase after phase; write nothing to the repo.

Each file is read once and parsed at most once per phase (the phase's tree tasks run
in declared order on that tree); files whose text holds none of a transform's needles
are never parsed. Later phases see the in-memory output of earlier ones.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable, Container, Iterator

from runner.adapters.dask import DaskExecutor
from runner.adapters.crashpoints import kill_point
from runner.adapters.workspace import ensure_dir, read_bytes, write_new_file
from runner.playbook.load import LoadedPlaybook
from runner.planning.accounting import account_phase, attribute_hunks
from runner.planning.budget import phase_budget, run_budget
from runner.planning.cache import ResultCache, job_key, needles_key
from runner.planning.cache_diffs import Diffs
from runner.planning.cache_identity import transform_identity
from runner.planning.expand import ExpandedPhase, ExpandedTask, Subtask
from runner.planning.expansion import Expansion, PlanOptions, expanded_phases, keep_subtasks  # noqa: F401 - re-exported
from runner.planning.plan import FileChange, PhaseResult, Plan, PlanStats, SubtaskResult
from runner.planning.scan import Scanned, chunk_files, may_change, scan_files
from runner.transforms.gap_needles import with_gap_needles
from runner.planning.select import Candidates, list_candidates
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Changed, Failed, Gap, Outcome, Unchanged
from runner.transforms.engine import FileJob, FileResult, Step, apply_file_job
from runner.transforms.portability import driver_only_reason, reads_other_files
from runner.transforms.registry import build_transform, transform_kind

if TYPE_CHECKING:  # the model's part (runner.planning.gapfill) is imported by a plan that gives the model work
    from runner.planning.gapfill import PhaseModel

Progress = Callable[[str, int, int], None]  #: (label, done, total)

#: the outcome of a file that holds none of its task's needles (one record for all of them: outcomes are frozen)
_NO_NEEDLE = Unchanged("no needle")


class _Workspace:
    """Current content of every file: disk at first, then each phase's output.

    Files are streamed, not all held: what was read from disk stays in a cache of at
    most ``cache_bytes`` (least recently used out), so memory does not grow with the
    repository. A file read again must still have the sha256 it had the first time;
    one that changed meanwhile becomes an error of its subtask ("plan again").
    """

    def __init__(self, root: str, cache_bytes: int = 64 << 20, sizes: dict[str, int] | None = None) -> None:
        self.root = root
        self.sizes = sizes or {}  #: each file's size as listed (its read skips the fstat)
        self.overlay: dict[str, bytes] = {}
        self.errors: dict[str, str] = {}
        self.files_read = 0
        self.diffed: list[FileChange] = []  #: changes the pool's workers diffed (``Diffs.seed``)
        self._digests: dict[str, str] = {}
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cached = 0
        self._cache_bytes = cache_bytes
        self._prefix = os.path.join(root, "") if os.sep == "/" else ""  #: a listed path under it is the file's path

    def read(self, path: str) -> bytes | None:
        """The file as the plan sees it now (an earlier phase's output, else the disk's)."""
        if path in self.overlay:
            return self.overlay[path]
        return self.disk(path)

    def disk(self, path: str) -> bytes | None:
        """The file's bytes on disk (None when it cannot be read: see ``errors``)."""
        if path in self.errors:
            return None
        data = self._cache.get(path)
        if data is not None:
            self._cache.move_to_end(path)
            return data
        try:
            data = read_bytes(self._prefix + path if self._prefix else os.path.join(self.root, *path.split("/")),
                              self.sizes.get(path, -1))
        except OSError as exc:
            self.errors[path] = f"cannot read: {exc.strerror or exc}"
            return None
        if not self.admit(path, hashlib.sha256(data).hexdigest()):
            return None
        self.remember(path, data)
        return data

    def admit(self, path: str, digest: str) -> bool:
        """Take the sha256 of bytes just read from disk: the file's digest when it is its
        first read; False (and the file's error) when an earlier read saw other bytes."""
        known = self._digests.get(path)
        if known is None:
            self._digests[path] = digest
            self.files_read += 1
        elif known != digest:
            self.errors[path] = "changed on disk while it was being planned; plan again"
            return False
        return True

    def readable(self, path: str) -> bool:
        """The plan has the file's bytes, or can read them (read now when it never was)."""
        if path in self.overlay or path in self._digests and path not in self.errors:
            return True
        return self.disk(path) is not None

    def remember(self, path: str, data: bytes) -> None:
        """Keep bytes read from disk for the next read (the least recently used go first)."""
        self._cache[path] = data
        self._cached += len(data)
        while self._cached > self._cache_bytes and len(self._cache) > 1:
            _, old = self._cache.popitem(last=False)
            self._cached -= len(old)

    def sha256(self, path: str) -> str:
        """sha256 of the file's bytes on disk when first read ("" when it could not be read)."""
        return self._digests.get(path, "")


def plan_playbook(loaded: LoadedPlaybook, options: PlanOptions, progress: Progress | None = None,
                  candidates: Candidates | None = None, expansion: Expansion | None = None) -> Plan:
    """Expand and dry-run the playbook under ``options.root``: every subtask's outcome and
    diff, nothing written under the root except the result cache (``options.use_cache``).
    ``candidates`` is the file listing when the caller already has one, ``expansion``
    what ``expanded_phases`` gave for these ``candidates`` and ``options``."""
    started = time.monotonic()
    candidates = candidates or list_candidates(options.root)
    playbook = loaded.playbook
    variables = loaded.context()
    phases, oversized, pruned, targeted_out = expansion or expanded_phases(loaded, variables, options, candidates)
    ws = _Workspace(options.root, sizes=candidates.sizes)
    cache = ResultCache(os.path.join(options.root, ".batchmod", "cache") if options.use_cache else None)
    if options.use_cache:
        _ensure_state_gitignore(options.root)
    counters = {"parsed": 0, "hits": 0, "uncached": 0}
    results = []
    try:
        for phase in phases:
            results.append(_plan_phase(phase, ws, options, cache, counters, playbook.select.include_generated,
                                       variables, progress, candidates.files))
    finally:
        cache.close()
    phase_results = tuple(results)
    stats = PlanStats(ws.files_read, counters["parsed"], counters["hits"], time.monotonic() - started,
                      counters["uncached"])
    return Plan(
        playbook_name=playbook.name, playbook_path=playbook.path, playbook_sha256=playbook.sha256,
        root=options.root, variables=loaded.variables, phases=phase_results,
        budget=run_budget(playbook, phase_results), skipped=candidates.skipped + tuple(oversized.items()),
        pruned=pruned, targets=options.targets, targeted_out=targeted_out, stats=stats,
        shard=str(options.shard) if options.shard else None,
    )


def _ensure_state_gitignore(root: str) -> None:
    folder = os.path.join(root, ".batchmod")
    try:
        ensure_dir(folder)
        write_new_file(os.path.join(folder, ".gitignore"), b"# batchmod's run state and cache; not for version control\n*\n")
    except OSError:
        pass


def _segments(tasks: tuple[ExpandedTask, ...], asks: bool) -> list[tuple[str, list[ExpandedTask]]]:
    """Runs of tree tasks share one parse; when the model is asked, a task whose gaps go to
    it ends its run, so its gaps are filled before the next task sees the file."""
    if asks:
        from runner.planning.gapfill import wants_model
    out: list[tuple[str, list[ExpandedTask]]] = []
    for task in tasks:
        kind = transform_kind(task.spec)
        if out and out[-1][0] == kind == "tree" and not (asks and wants_model(out[-1][1][-1].spec)):
            out[-1][1].append(task)
        else:
            out.append((kind, [task]))
    return out


def _plan_phase(phase: ExpandedPhase, ws: _Workspace, options: PlanOptions, cache: ResultCache,
                counters: dict[str, int], include_generated: bool, variables: dict[str, Any],
                progress: Progress | None, candidates: tuple[str, ...]) -> PhaseResult:
    """Plan the phase on what will really be written: a failed subtask's edits are dropped,
    so the phase is planned again without them until no failed subtask changes a file."""
    at_start = dict(ws.overlay)
    masked: dict[tuple[int, str], Outcome] = {}  #: (task, file) of failed subtasks → their outcome, kept for the report
    pm = None
    if options.model is not None:
        from runner.planning.gapfill import PhaseModel

        pm = PhaseModel(options.model, phase.spec, {}, {})
    diffs = Diffs(cache if options.use_cache else None)  #: each file's change is diffed once
    while True:
        ws.overlay = dict(at_start)
        start, outcomes = _apply_segments(phase, ws, options, cache, counters, include_generated, variables, progress, masked,
                                            pm, candidates)
        diffs.seed(ws.diffed)
        ws.diffed = []
        outcomes.update(masked)
        specs = {t.index: t.spec for t in phase.tasks}
        subtasks = tuple(_summarise(specs[s.task_index], s, outcomes, ws, pm, diffs) for s in phase.subtasks)
        dropped = {
            (s.subtask.task_index, f): outcomes.get((s.subtask.task_index, f), Unchanged("not reached"))
            for s in subtasks if s.changes and _failed(s) for f in s.subtask.files
        }
        if dropped.keys() <= masked.keys():
            break
        masked.update({k: v for k, v in dropped.items() if k not in masked})
    files = tuple(
        diffs.change(path, before, ws.overlay[path])
        for path, readable in sorted(start.items()) if readable and path in ws.overlay
        for before in [at_start[path] if path in at_start else ws.disk(path)]
        if before is not None and ws.overlay[path] != before
    )
    diffs.flush()
    return PhaseResult(phase.spec.name, subtasks, phase_budget(phase.spec, subtasks, files), files,
                       pm.budget_spent if pm is not None else "", account_phase(phase, outcomes))


def _failed(s: SubtaskResult) -> bool:
    """A subtask whose edits are not written (the execution's rule too)."""
    return bool(s.errors) or (s.on_gap == "fail" and bool(s.gaps))


def _apply_segments(phase: ExpandedPhase, ws: _Workspace, options: PlanOptions, cache: ResultCache,
                    counters: dict[str, int], include_generated: bool, variables: dict[str, Any],
                    progress: Progress | None, masked: Container[tuple[int, str]], pm: PhaseModel | None,
                    candidates: tuple[str, ...]) -> tuple[dict[str, bool], dict[tuple[int, str], Outcome]]:
    start: dict[str, bool] = {}  #: every file of the phase: readable at its start?
    outcomes: dict[tuple[int, str], Outcome] = {}
    for kind, tasks in _segments(phase.tasks, pm is not None and pm.access.asks):
        if kind == "tree":  # its files are read as its jobs are made (by the workers, without a cache)
            _run_tree_segment(phase, tasks, ws, options, cache, counters, include_generated, outcomes, progress, masked)
            _note_readable(tasks, ws, start)
        elif kind == "command":
            _note_readable(tasks, ws, start)
            _run_command_segment(phase, tasks[0], ws, options, variables, outcomes, masked)
        else:
            _note_readable(tasks, ws, start)
            _run_model_segment(tasks[0], ws, outcomes)
        for task in tasks if pm is not None else ():
            from runner.planning.gapfill import model_for_task, wants_model

            if wants_model(task.spec):
                model_for_task(pm, phase, task, outcomes, ws.read, ws.overlay, candidates, options.root, variables)
    return start, outcomes


def _note_readable(tasks: list[ExpandedTask], ws: _Workspace, start: dict[str, bool]) -> None:
    """Note in ``start`` whether each file of ``tasks`` not noted yet was readable when the
    phase began (a tree segment changes only files it could read: asked after it, the answer holds)."""
    for task in tasks:
        for f in task.files:
            if f not in start:
                start[f] = ws.readable(f)


def _run_tree_segment(phase: ExpandedPhase, tasks: list[ExpandedTask], ws: _Workspace, options: PlanOptions,
                      cache: ResultCache, counters: dict[str, int], include_generated: bool,
                      outcomes: dict[tuple[int, str], Outcome], progress: Progress | None,
                      masked: Container[tuple[int, str]] = ()) -> None:
    """Run a segment's tree tasks on their files: from the cache when every file's result
    and every task's needles are there (nothing built nor imported), else each transform
    is built and the files that miss are run."""
    steps = {t.index: Step(t.index, t.spec, t.needles) for t in tasks}
    if not cache.enabled and options.executor == "local":
        needles = _built_needles(tasks, steps, options, cache, outcomes)
        _run_scanned(phase, tasks, _steps_by_file([t for t in tasks if t.index in needles], steps, masked), needles,
                     ws, options, counters, include_generated, outcomes, progress)
        return
    identities = {t.index: transform_identity(t.spec.transform, options.root) for t in tasks}
    salt = ",".join(identities[t.index] for t in tasks)
    needles = _cached_needles(tasks, steps, identities, cache, options.root)
    looked: dict[str, FileResult] = {}
    if needles is not None and _replay_segment(tasks, steps, needles, ws, options, cache, counters, include_generated,
                                               outcomes, masked, salt, looked):
        return
    needles = _built_needles(tasks, steps, options, cache, outcomes, identities)
    pending: list[tuple[str, FileJob]] = []
    for path, file_steps in _steps_by_file([t for t in tasks if t.index in needles], steps, masked):
        job = _file_job(path, file_steps, needles, ws, options, include_generated, outcomes)
        if job is None:
            continue
        key = job_key(job, salt)
        cached = looked.get(key) or cache.get(key, job)
        if cached is not None:
            counters["hits"] += 1
            _record(cached, ws, outcomes)
            continue
        pending.append((key, job))
    _run_pending(phase, pending, tasks, ws, options, cache, counters, outcomes, progress)


def _built_needles(tasks: list[ExpandedTask], steps: dict[int, Step], options: PlanOptions, cache: ResultCache,
                   outcomes: dict[tuple[int, str], Outcome], identities: dict[int, str] | None = None,
                   ) -> dict[int, tuple[bytes, ...]]:
    """Each task's needles (with its gap needles, encoded) from a build of its transform,
    kept in the cache under the task's identity when ``identities`` are given; a task
    whose transform does not build fails its files and has none."""
    needles = {}
    for task in tasks:
        try:
            own = build_transform(task.spec, options.root, task.needles).needles()
        except Exception as exc:  # validation builds these too; keep the plan going regardless
            for f in task.files:
                outcomes[(task.index, f)] = Failed(f"transform does not load: {exc}")
            continue
        needles[task.index] = _encoded(with_gap_needles(own, task.spec.expect_absent))
        if identities is not None:
            cache.put_needles(needles_key(steps[task.index], options.root, identities[task.index]), tuple(own))
    return needles


def _run_scanned(phase: ExpandedPhase, tasks: list[ExpandedTask], files: list[tuple[str, list[Step]]],
                 needles: dict[int, tuple[bytes, ...]], ws: _Workspace, options: PlanOptions, counters: dict[str, int],
                 include_generated: bool, outcomes: dict[tuple[int, str], Outcome], progress: Progress | None) -> None:
    """Without a result cache: the files are read, hashed and searched where their jobs
    run (``planning.scan``, in the pool's workers), and only digests and results come
    back. A file the plan holds (an earlier phase's output) goes with its bytes; one that
    could not be read before fails again without a read."""
    todo = []
    for path, steps in files:
        if path in ws.errors and path not in ws.overlay:
            _fail(path, steps, ws, outcomes)
        else:
            todo.append((path, tuple(steps)))
    given = {path: ws.overlay[path] for path, _ in todo if path in ws.overlay}
    jobs = chunk_files(options.root, todo, given, needles, include_generated, ws.sizes)
    specs = {t.index: t.spec for t in tasks}
    volatile: dict[int, bool] = {}  #: task index -> its results depend on other files (asked at its first job)
    done = 0
    with _scan_executor(options.jobs, len(jobs)) as executor:
        for job, found in zip(jobs, executor.map(scan_files, jobs)):
            for path, steps, scanned in zip(job.paths, job.steps, found):
                result = _take_scanned(path, steps, scanned, ws, outcomes)
                if result is None:
                    continue
                ws.diffed += scanned.changes
                counters["parsed"] += 1
                for s in steps:
                    if s.task_index not in volatile:
                        volatile[s.task_index] = reads_other_files(specs[s.task_index], options.root) is not None
                counters["uncached"] += any(volatile[s.task_index] for s in steps)
                kill_point("planning")
                _record(result, ws, outcomes)
            done += len(job.paths)
            if progress:
                progress(f"phase {phase.spec.name}", done, len(todo))


def _scan_executor(jobs: int, chunks: int) -> Any:
    """``make_executor``'s, but where it forks this process takes chunks too: one worker
    fewer to fork, and the work that runs here touches no page a fork would copy."""
    from runner.adapters.fork_pool import ForkPool
    from runner.transforms.pool import make_executor

    executor = make_executor(jobs, chunks)
    return ForkPool(jobs, share=True) if isinstance(executor, ForkPool) else executor


def _take_scanned(path: str, steps: tuple[Step, ...], scanned: Any, ws: _Workspace,
                  outcomes: dict[tuple[int, str], Outcome]) -> FileResult | None:
    """Take what a worker found for one file (``scan.scan_files``): its digest into the
    workspace, its outcomes when they are known without a job (unreadable, changed since
    an earlier read, no needle); else the result of the job it ran."""
    if isinstance(scanned, Scanned):
        if scanned.error:
            ws.errors[path] = scanned.error
        elif not scanned.sha256 or ws.admit(path, scanned.sha256):
            if scanned.source is not None:
                ws.remember(path, scanned.source)
            return scanned.result
    elif not scanned or ws.admit(path, scanned):
        for step in steps:
            outcomes[(step.task_index, path)] = _NO_NEEDLE
        return None
    _fail(path, steps, ws, outcomes)
    return None


def _fail(path: str, steps: Any, ws: _Workspace, outcomes: dict[tuple[int, str], Outcome]) -> None:
    for step in steps:
        outcomes[(step.task_index, path)] = Failed(ws.errors[path])


def _steps_by_file(tasks: list[ExpandedTask], steps: dict[int, Step],
                   masked: Container[tuple[int, str]]) -> list[tuple[str, list[Step]]]:
    """(path, its steps in task order) for every file of ``tasks`` not masked, by path."""
    by_file: dict[str, list[Step]] = {}
    for task in tasks:
        for f in task.files:
            if (task.index, f) not in masked:
                by_file.setdefault(f, []).append(steps[task.index])
    return sorted(by_file.items())


def _file_job(path: str, steps: list[Step], needles: dict[int, tuple[bytes, ...]], ws: _Workspace, options: PlanOptions,
              include_generated: bool, outcomes: dict[tuple[int, str], Outcome]) -> FileJob | None:
    """The file's job; None when its outcomes are known without one (recorded: unreadable, no needle)."""
    source = ws.read(path)
    if source is None:
        for step in steps:
            outcomes[(step.task_index, path)] = Failed(ws.errors[path])
        return None
    for step in steps:
        if may_change(needles[step.task_index], source):
            return FileJob(options.root, path, source, tuple(steps), include_generated)
    for step in steps:
        outcomes[(step.task_index, path)] = _NO_NEEDLE
    return None


def _encoded(needles: tuple[str, ...]) -> tuple[bytes, ...]:
    """Needles as the bytes searched for in a file (UTF-8)."""
    return tuple(n.encode("utf-8") for n in needles)


def _cached_needles(tasks: list[ExpandedTask], steps: dict[int, Step], identities: dict[int, str],
                    cache: ResultCache, root: str) -> dict[int, tuple[bytes, ...]] | None:
    """Every task's needles (with its gap needles) as a build of its transform gave them
    before; None when one of them is not in the cache."""
    out = {}
    for task in tasks:
        own = cache.needles(needles_key(steps[task.index], root, identities[task.index]))
        if own is None:
            return None
        out[task.index] = _encoded(with_gap_needles(own, task.spec.expect_absent))
    return out


def _replay_segment(tasks: list[ExpandedTask], steps: dict[int, Step], needles: dict[int, tuple[bytes, ...]],
                    ws: _Workspace, options: PlanOptions, cache: ResultCache, counters: dict[str, int],
                    include_generated: bool, outcomes: dict[tuple[int, str], Outcome],
                    masked: Container[tuple[int, str]], salt: str, looked: dict[str, FileResult]) -> bool:
    """Record the segment from the cache alone when every file that needs a job has its
    result there: True. False when one misses; then only the files' outcomes known without
    a job are recorded (the caller records them again) and ``looked`` holds the hits by key."""
    hits = []
    for path, file_steps in _steps_by_file(tasks, steps, masked):
        job = _file_job(path, file_steps, needles, ws, options, include_generated, outcomes)
        if job is None:
            continue
        key = job_key(job, salt)
        cached = cache.get(key, job)
        if cached is None:
            return False
        looked[key] = cached
        hits.append(cached)
    counters["hits"] += len(hits)
    for cached in hits:
        _record(cached, ws, outcomes)
    return True


def _run_pending(phase: ExpandedPhase, pending: list[tuple[str, FileJob]], tasks: list[ExpandedTask], ws: _Workspace,
                 options: PlanOptions, cache: ResultCache, counters: dict[str, int],
                 outcomes: dict[tuple[int, str], Outcome], progress: Progress | None) -> None:
    """Run the jobs the cache did not have, record their outcomes and store those of tasks
    that read no other file (``reads_other_files``): a result that depends on files
    besides its own is never stored, hence never served (counted as ``uncached``)."""
    counters["parsed"] += len(pending)
    volatile = {t.index for t in tasks if reads_other_files(t.spec, options.root) is not None} if pending else set()
    fresh: list[tuple[str, FileResult]] = []
    total = len(pending)
    results = _map_jobs([job for _, job in pending], tasks, options)
    for done, ((key, job), result) in enumerate(zip(pending, results), start=1):
        _record(result, ws, outcomes)
        if any(s.task_index in volatile for s in job.steps):
            counters["uncached"] += 1
        else:
            fresh.append((key, result))
        kill_point("planning")
        if progress:
            progress(f"phase {phase.spec.name}", done, total)
    cache.put_many(fresh)


def _map_jobs(jobs: list[FileJob], tasks: list[ExpandedTask], options: PlanOptions) -> Iterator[FileResult]:
    """Results of ``apply_file_job`` in job order: the local pool, or Dask for the portable jobs.

    With a Dask executor, jobs of a task type that reads the repository run on the driver.
    """
    local = jobs
    remote: list[FileJob] = []
    if options.executor != "local" and jobs:
        stay = {t.index for t in tasks if driver_only_reason(t.spec, options.root) is not None}
        remote = [j for j in jobs if not any(s.task_index in stay for s in j.steps)]
        local = [j for j in jobs if any(s.task_index in stay for s in j.steps)]
    from runner.transforms.pool import chunk_size, make_executor  # a plan served from the cache starts no pool

    by_path: dict[str, FileResult] = {}
    if remote:
        with DaskExecutor(options.executor) as executor:
            by_path.update((r.path, r) for r in executor.map(apply_file_job, remote))
    chunks = chunk_size(len(local), options.jobs)
    with make_executor(options.jobs, len(local), chunks) as executor:
        if not remote:
            yield from executor.map(apply_file_job, local, chunksize=chunks)
            return
        by_path.update((r.path, r) for r in executor.map(apply_file_job, local, chunksize=chunks))
    for job in jobs:
        yield by_path[job.path]


def _record(result: FileResult, ws: _Workspace, outcomes: dict[tuple[int, str], Outcome]) -> None:
    for index, outcome in result.outcomes:
        outcomes[(index, result.path)] = outcome
    if result.final != ws.read(result.path):
        ws.overlay[result.path] = result.final


def _run_command_segment(phase: ExpandedPhase, task: ExpandedTask, ws: _Workspace, options: PlanOptions,
                         variables: dict[str, Any], outcomes: dict[tuple[int, str], Outcome],
                         masked: Container[tuple[int, str]] = ()) -> None:
    from runner.transforms.command import apply_expect_absent

    transform = build_transform(task.spec, options.root)
    for subtask in phase.subtasks:
        if subtask.task_index != task.index or any((task.index, f) in masked for f in subtask.files):
            continue
        sources = {}
        for f in subtask.files:
            data = ws.read(f)
            if data is None:
                outcomes[(task.index, f)] = Failed(ws.errors[f])
            else:
                sources[f] = data
        context = {**variables, "phase": phase.spec.name, "task": task.label}
        results = apply_expect_absent(task.spec, sources, transform.apply_files(options.root, sources, context))
        for f, outcome in results.items():
            outcomes[(task.index, f)] = outcome
            if isinstance(outcome, Changed):
                ws.overlay[f] = outcome.after


def _run_model_segment(task: ExpandedTask, ws: _Workspace, outcomes: dict[tuple[int, str], Outcome]) -> None:
    reason = "needs model: " + (task.spec.instructions.strip().splitlines() or ["(no instructions)"])[0]
    for f in task.files:
        if ws.read(f) is None:
            outcomes[(task.index, f)] = Failed(ws.errors[f])
        else:
            outcomes[(task.index, f)] = Unchanged("", (), (Gap(f, 1, 1, reason),))


def _summarise(spec: TaskTypeSpec, subtask: Subtask, outcomes: dict[tuple[int, str], Outcome], ws: _Workspace,
               pm: PhaseModel | None, diffs: Diffs) -> SubtaskResult:
    if pm is None and len(subtask.files) == 1:  # the common case, a file without needles: nothing to gather
        f = subtask.files[0]
        if outcomes.get((subtask.task_index, f)) is _NO_NEEDLE:
            return SubtaskResult(subtask, "no-change", ((f, ws.sha256(f)),), (), (), (), (), (), spec.on_gap, False)
    changes, gaps, errors, warnings, notes = [], [], [], [], []
    tallies = {}
    for f in subtask.files:
        outcome = outcomes.get((subtask.task_index, f), Unchanged("not reached"))
        warnings.extend(f"{f}: {w}" for w in outcome.warnings)
        gaps.extend(outcome.gaps)
        if isinstance(outcome, Changed):
            changes.append(diffs.change(f, outcome.before, outcome.after))
            tallies[f] = outcome.rules
        elif isinstance(outcome, Failed):
            errors.append(f"{f}: {outcome.reason}")
        elif outcome.reason and outcome.reason != "no needle":
            notes.append(f"{f}: {outcome.reason}")
    work = pm.works.get(subtask.id) if pm is not None else None
    forecast = pm.forecasts.get(subtask.id) if pm is not None else None
    if work is not None and work.error and work.error_kind != "budget":
        errors.append(f"model: {work.error}")
    status = "error" if errors else "gap" if gaps else "change" if changes else "no-change"
    result = SubtaskResult(
        subtask=subtask,
        status=status,
        file_sha256=tuple((f, ws.sha256(f)) for f in subtask.files),
        changes=tuple(changes),
        gaps=tuple(gaps),
        errors=tuple(errors),
        warnings=tuple(warnings),
        notes=tuple(notes),
        on_gap=spec.on_gap,
        needs_model=work is not None or forecast is not None,
        forecast=forecast,
        model=work,
    )
    return replace(result, hunk_rules=attribute_hunks(spec, result, tallies)) if changes else result
