"""The model client of ``plan`` and ``run``, built from its pieces (the only place it is built).

    AnthropicClient (network, key) → Budgeted (the phase's ledger, a child of the run's)
    → Cassette (record: known answers replayed free, new ones appended; replay: misses fail)

The result goes into planning and execution as a ``ModelAccess``: they only ever see
``ModelClient.create``. ``plan`` forecasts unless ``--model``; ``--replay`` answers
from the cassette only; ``provider: none`` (or no ``model:``) leaves gaps reported.
"""
from __future__ import annotations

import os
from importlib import metadata

from runner.adapters.api_key import api_key_from_env
from runner.adapters.workspace import append_line_bytes_durable, read_bytes_or_none, write_text_atomic
from runner.commands.model_flags import ModelFlags, batch_state, session_needed  # noqa: F401 (re-exported)
from runner.errors import InputError
from runner.model.batch import prefill_first_attempts
from runner.model.budget import Budgeted, Ledger, Limits
from runner.model.cassette import Cassette
from runner.model.client import ModelClient, ModelError, ModelRequest, Usage
from runner.model.lock import LOCK_NAME, Lock, compare_lock, parse_lock, render_lock
from runner.model.prices import PriceTable
from runner.model.spend_log import SPEND_LOG, parse_charges, render_charge
from runner.model.worker import opening_request
from runner.planning.gapfill import ModelAccess
from runner.planning.plan import Plan
from runner.playbook.spec import Budget, PhaseSpec, Playbook

NEEDS_KEY = ("the model must be asked for {n} subtask(s) whose answers are not in {cassette}: "
             "set ANTHROPIC_API_KEY to ask it, or use --replay to use only the recorded answers")


def _limits(budget: Budget) -> Limits:
    return Limits(budget.max_model_calls, budget.max_model_tokens, budget.max_cost_usd)


class ModelSession:
    """The model side of one command: cassette path, mode, prices, the run's ledger."""

    def __init__(self, playbook: Playbook, flags: ModelFlags) -> None:
        assert playbook.model is not None
        self.playbook = playbook
        self.spec = playbook.model
        self.flags = flags
        name = self.spec.cassette or os.path.splitext(os.path.basename(playbook.path))[0] + ".cassette.jsonl"
        self.cassette_path = os.path.join(playbook.folder, name)
        self.mode = "replay" if flags.replay or self.spec.provider == "replay" else "record"
        self.key_present = self.mode == "record" and api_key_from_env() is not None
        try:
            self.prices = PriceTable(self.spec.prices())
        except ValueError as exc:
            raise InputError(f"{playbook.path}: {exc}") from None
        self.ledger = Ledger(_limits(playbook.budget), self.prices)
        self._api: ModelClient | None = None

    def bind(self, run_folder: str) -> None:
        """Keep this run's spending in ``run_folder``: what an earlier process of the run
        spent (a killed or stopped run now resumed) counts against the budgets again, and
        every new charge is appended (durably) as it is made."""
        path = os.path.join(run_folder, SPEND_LOG)
        data = read_bytes_or_none(path)
        if data:
            self.ledger.preload(parse_charges(data))
        self.ledger.listener = lambda charge: append_line_bytes_durable(path, render_charge(charge))

    def cost_of(self, model: str, usage: Usage, batched: bool = False) -> float:
        """Dollars for ``usage`` on ``model`` at the playbook's prices (0 when unpriced);
        half when the answer came through a Message Batch."""
        return self.prices.cost(model, usage, batched) or 0.0

    def _api_client(self) -> ModelClient | None:
        if self._api is None and self.key_present:
            from runner.adapters.anthropic_api import AnthropicClient  # the SDK takes seconds to import

            self._api = AnthropicClient()
        return self._api

    def _phase_client(self, phase: PhaseSpec) -> ModelClient:
        api = self._api_client()
        inner = Budgeted(api, self.ledger.child(_limits(phase.budget), name=f"phase {phase.name}")) if api else None
        return Cassette(inner, self.cassette_path, self.mode)

    def asking(self) -> ModelAccess:
        """The model answers (the cassette first; the API for what it lacks, when a key is set)."""
        batch = self._batch if (self.flags.batch or self.spec.batch) and self.flags.batch_state else None
        return ModelAccess(self.spec, "ask", self._phase_client, self.cost_of, batch=batch)

    def _batch(self, requests: list[ModelRequest]) -> None:
        """Send the requests the cassette lacks as one batch, as many as the run's budget leaves calls for."""
        api = self._api_client()
        if api is None or self.mode == "replay":
            return
        known = Cassette(None, self.cassette_path, "replay").keys()
        wanted = [r for r in requests if r.key() not in known]
        fits = []
        for r in wanted:  # budgets are checked before submitting: each request is one call
            if self.ledger.reserve(r.model) is not None:
                break
            fits.append(r)
        for r in fits:
            self.ledger.settle(r.role, r.model, Usage(), 0)  # released: the answers are charged as they are used
        notify = self.flags.notify or (lambda line: None)
        try:
            prefill_first_attempts(api, fits, self.flags.batch_state, notify)
        except ModelError as exc:  # the first attempts are then asked one by one
            notify(f"batch not used: {exc}")

    def cassette_only(self) -> ModelAccess:
        """Recorded answers only; what is missing is forecast when a key could ask it later."""
        return ModelAccess(self.spec, "ask", lambda phase: Cassette(None, self.cassette_path, self.mode),
                           self.cost_of, forecast_misses=self.key_present)

    def forecasting(self) -> ModelAccess:
        """Nothing is asked: calls, tokens and cost are estimated (the prompt counted by the
        API's token counter when a key is set, else from bytes)."""
        api = self._api_client()
        count = (lambda job: api.count_tokens(opening_request(job))) if api is not None else None
        return ModelAccess(self.spec, "forecast", cost_of=self.cost_of, count_tokens=count,
                           batched_first=bool(self.flags.batch or self.spec.batch))

    @property
    def records(self) -> bool:
        """New answers may be recorded (so the lock is rewritten afterwards)."""
        return self.key_present

    # the lock ---------------------------------------------------------------------

    @property
    def lock_path(self) -> str:
        """The path of ``batchmod.lock`` beside the playbook (what the cassette was recorded with)."""
        return os.path.join(self.playbook.folder, LOCK_NAME)

    def current_lock(self) -> Lock | None:
        """The lock as the cassette is now (None when there is no cassette)."""
        if read_bytes_or_none(self.cassette_path) is None:
            return None
        cassette = Cassette(None, self.cassette_path, "replay")
        models = {("worker", self.spec.worker_model), ("reviewer", self.spec.reviewer_model)}
        return Lock(os.path.basename(self.playbook.path), self.playbook.sha256, _version("batchmod"), _version("libcst"),
                    _version("anthropic"), tuple(sorted(models)), os.path.basename(self.cassette_path),
                    cassette.sha256(), cassette.count())

    def write_lock(self) -> str | None:
        """Rewrite ``batchmod.lock`` from the cassette; returns its path (None: no cassette)."""
        lock = self.current_lock()
        if lock is None:
            return None
        try:
            write_text_atomic(self.lock_path, render_lock(lock))
        except OSError as exc:
            raise InputError(f"{self.lock_path}: cannot write the lock file: {exc.strerror or exc}") from None
        return self.lock_path

    def check_lock(self) -> tuple[str, ...]:
        """For a replay: refuse (exit 2) a cassette that differs from the lock; return drift warnings."""
        data = read_bytes_or_none(self.lock_path)
        now = self.current_lock()
        if data is None or now is None:
            return ()
        shown = os.path.relpath(self.lock_path)
        refusal, warnings = compare_lock(parse_lock(data.decode("utf-8", "replace"), shown), now, shown)
        if refusal:
            raise InputError(refusal)
        return warnings


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def model_session(playbook: Playbook, flags: ModelFlags) -> ModelSession | None:
    """The session, or None when the playbook gives the model nothing to do (gaps are reported)."""
    return ModelSession(playbook, flags) if session_needed(playbook, flags) else None


def refuse_unanswerable(plan: Plan, session: ModelSession) -> None:
    """Exit 2 when the model would have to be asked without a key (nothing is written yet)."""
    missing = [s for p in plan.phases for s in p.subtasks if s.model is not None and s.model.error_kind == "no-key"]
    if missing:
        raise InputError(NEEDS_KEY.format(n=len(missing), cassette=os.path.relpath(session.cassette_path)))
