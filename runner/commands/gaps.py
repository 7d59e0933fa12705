"""``batchmod gaps``: the people's queue of the current run (or of a plan), optionally annotated in place."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

from runner.adapters.workspace import write_text_atomic
from runner.commands.result import CommandResult
from runner.errors import BatchmodError, InputError
from runner.execution.annotate import annotate_sites
from runner.execution.gap_queue import GapQueue, collect_plan_gaps, collect_run_gaps
from runner.execution.journal import Journal, TreeWriter
from runner.execution.store import RunStore
from runner.playbook.load import load_playbook
from runner.playbook.spec import Playbook
from runner.reporting.gap_pack import gaps_json, render_gaps_md


@dataclass(frozen=True, slots=True)
class GapsRequest:
    """What ``batchmod gaps`` was asked: the root, a playbook to plan when there is no run, the format, the output, ``--annotate``."""

    root: str
    playbook: str | None = None  #: plan this playbook when there is no run (or to list a plan's gaps)
    fmt: str = "md"
    out: str | None = None
    annotate: bool = False


def gaps_command(request: GapsRequest) -> CommandResult:
    """List the gaps left; with ``annotate`` also write the TODO comments (needs a run to journal into)."""
    root = os.path.abspath(request.root)
    store = RunStore(root)
    folder = store.current()
    if folder is None and request.playbook is None:
        raise InputError(f"no batchmod run under {root}; name a playbook (`batchmod gaps PLAYBOOK`) to list the gaps its plan leaves")
    if folder is not None and (request.playbook is None or _same_playbook(folder.load_state().playbook_abspath, request.playbook)):
        state = folder.load_state()
        queue = collect_run_gaps(root, folder, state, _playbook_or_none(state.playbook_abspath, root, dict(state.overrides)))
        note = ""
        if request.annotate:
            with store.lock():
                outcome = annotate_sites(TreeWriter(root, folder, Journal(folder.events_path)), folder, queue.sites)
            note = (f"annotated {outcome.comments} site(s) in {len(outcome.files)} file(s); `batchmod rollback` removes them\n"
                    + "".join(f"  not annotated: {s}\n" for s in outcome.skipped))
    else:
        if request.annotate:
            raise InputError("--annotate writes through a run's journal; run the playbook first (`batchmod run`), then annotate")
        queue = _plan_queue(request.playbook or "", root)
        note = ""
    text = json.dumps(gaps_json(queue), indent=2) + "\n" if request.fmt == "json" else render_gaps_md(queue)
    if request.out is None:
        return CommandResult(stdout=text, stderr=note)
    try:
        write_text_atomic(request.out, text)
    except OSError as exc:
        raise InputError(f"--out {request.out}: cannot write the gap list: {exc.strerror or exc}") from None
    return CommandResult(stdout=f"{len(queue.sites)} gap(s) written to {request.out}\n", stderr=note)


def _plan_queue(playbook: str, root: str) -> GapQueue:
    from runner.planning.dryrun import PlanOptions, plan_playbook
    from runner.planning.select import list_candidates

    candidates = list_candidates(root)
    loaded = load_playbook(playbook, root=root, overrides={}, candidates=candidates.files)
    plan = plan_playbook(loaded, PlanOptions(root), None, candidates)
    return collect_plan_gaps(plan, loaded.playbook)


def _playbook_or_none(path: str, root: str, overrides: dict[str, object]) -> Playbook | None:
    """The run's playbook for the instructions; a playbook since deleted or broken only loses them."""
    try:
        return load_playbook(path, root=root, overrides=overrides).playbook  # type: ignore[arg-type]
    except (BatchmodError, OSError):
        return None


def _same_playbook(run_playbook: str, given: str) -> bool:
    return os.path.abspath(given) == run_playbook
