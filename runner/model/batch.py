"""Message Batches: the first attempt of every gap fill of a phase, sent as one batch (half price).

``prefill_first_attempts`` submits the requests once, keeps the batch id in a state file
(the run folder's, so a killed run resumes polling instead of submitting again), polls
until the batch ends, and hands the answers to the API client, which returns each one
when the worker asks that request. The worker never knows: its first ``create`` is
answered from the batch and goes through the cassette and the budget like any
exchange; its follow-up attempts are interactive.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Callable, Protocol

from runner.adapters.workspace import read_bytes_or_none, write_bytes_durable
from runner.model.client import ModelError, ModelReply, ModelRequest
from runner.model.jobs import GapJob

POLL_SECONDS = 0.5  #: the first wait between polls; it doubles up to POLL_MAX
POLL_MAX = 30.0


class BatchApi(Protocol):
    """What the Anthropic adapter offers for batches."""

    def submit_batch(self, requests: list[ModelRequest]) -> str:
        """Submit ``requests`` as one batch (each named by its request key); the batch id. ModelError when refused."""

    def poll_batch(self, batch_id: str) -> tuple[str, int, int]:
        """(processing status, requests done, requests in all) of the batch; ModelError when it cannot be read."""

    def batch_results(self, batch_id: str) -> dict[str, ModelReply | ModelError]:
        """The ended batch's answers by request key: a reply, or the error that request met."""

    def prefill(self, replies: dict[str, ModelReply]) -> None:
        """Answers already paid for: the client returns each once instead of calling the API."""


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """How a phase's batch of first attempts went: its id, whether this run submitted it, how many were answered."""

    batch_id: str
    submitted: bool  #: False when an earlier, interrupted run had submitted it
    requests: int
    answered: int  #: requests that got a message (the others are asked interactively)


def prefill_first_attempts(api: BatchApi, requests: list[ModelRequest], state_path: str, notify: Callable[[str], None],
                           sleep: Callable[[float], None] = time.sleep, poll_seconds: float = POLL_SECONDS) -> BatchOutcome | None:
    """Submit (or resume) the batch of ``requests``, wait for it, prefill ``api`` with the answers.

    Raises ``ModelError`` when the batch cannot be submitted or read; the caller then asks
    interactively. Budgets are the caller's to check before: every request here is one call.
    """
    if not requests:
        return None
    ident = hashlib.sha256("\n".join(sorted({r.key() for r in requests})).encode()).hexdigest()
    known = _load(state_path)
    batch_id = known.get(ident)
    submitted = batch_id is None
    if batch_id is None:
        unique = list({r.key(): r for r in requests}.values())
        batch_id = api.submit_batch(unique)
        _save(state_path, {**known, ident: batch_id})  # before waiting: a killed run polls this one again
        notify(f"batch {batch_id}: submitted {len(unique)} first attempt(s)")
    else:
        notify(f"batch {batch_id}: submitted by an earlier run; polling it (not submitted again)")
    wait = poll_seconds
    while True:
        status, done, total = api.poll_batch(batch_id)
        notify(f"batch {batch_id}: {done}/{total} answered ({status.replace('_', ' ')})")
        if status == "ended":
            break
        sleep(wait)
        wait = min(wait * 2, POLL_MAX)
    results = api.batch_results(batch_id)
    replies = {k: v for k, v in results.items() if isinstance(v, ModelReply)}
    api.prefill(replies)
    return BatchOutcome(batch_id, submitted, len(requests), len(replies))


class _FirstOnly:
    """A client that keeps the first request it is asked and answers none (the worker then stops)."""

    def __init__(self) -> None:
        self.request: ModelRequest | None = None

    def create(self, request: ModelRequest) -> ModelReply:
        if self.request is None:
            self.request = request
        raise ModelError("transport", "collecting the first request for a batch", request.key())


def first_requests(jobs: list[GapJob], fill: Callable[[GapJob, object, None], object]) -> list[ModelRequest]:
    """The first request the gap worker makes for each job, exactly as it will make it again."""
    out = []
    for job in jobs:
        first = _FirstOnly()
        fill(job, first, None)
        if first.request is not None:
            out.append(first.request)
    return out


def _load(path: str) -> dict[str, str]:
    data = read_bytes_or_none(path)
    if not data:
        return {}
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _save(path: str, value: dict[str, str]) -> None:
    write_bytes_durable(path, (json.dumps(value, indent=1, sort_keys=True) + "\n").encode())
