"""Model budgets: a ledger of what was spent and a wrapper client that refuses before a call.

``Ledger`` counts calls (SDK retries included), tokens (input, output, cache writes and
reads) and dollars, in total and by role. A phase gets ``run_ledger.child(limits)``:
its own limits, and every charge also lands on the run's ledger, whose limits hold too.
``Budgeted(inner, ledger)`` checks the ledger before each call and raises
``ModelError("budget")`` when a limit is reached; answers replayed from a cassette
cost nothing (wrap it as ``Cassette(Budgeted(api, ledger))`` so that a spent budget
still replays what is recorded).

A limit is *reached* when calls + calls in flight would pass ``max_calls``, or tokens
or cost spent are at or over their limit. Calls in flight count so that concurrent
workers cannot all pass the last free call; tokens and cost are only known after a
call, so the last call may overshoot those by its own size.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Callable

from runner.model.client import ModelClient, ModelError, ModelReply, ModelRequest, Usage
from runner.model.prices import PriceTable


@dataclass(frozen=True, slots=True)
class Limits:
    """A model budget: calls, tokens and dollars a ledger may spend; None means no limit."""

    max_calls: int | None = None
    max_tokens: int | None = None  #: input + output, cache writes and reads included
    max_cost_usd: float | None = None


@dataclass(frozen=True, slots=True)
class Spent:
    """What a ledger (or one role in it) has used."""

    calls: int = 0
    usage: Usage = Usage()  #: input, output, cache write and cache read tokens
    cost_usd: float = 0.0
    unpriced_calls: int = 0  #: calls on a model without a price (their cost is not in cost_usd)
    refused: int = 0  #: calls refused because a limit was reached

    @property
    def tokens(self) -> int:
        """All tokens, cache included (what ``max_tokens`` limits)."""
        return self.usage.total

    def plus(self, calls: int, usage: Usage, cost: float | None) -> "Spent":
        """A copy with ``calls``, ``usage`` and ``cost`` added (a None cost counts the calls as unpriced)."""
        return replace(self, calls=self.calls + calls, usage=self.usage.plus(usage),
                       cost_usd=self.cost_usd + (cost or 0.0),
                       unpriced_calls=self.unpriced_calls + (1 if cost is None and calls else 0))


@dataclass(frozen=True, slots=True)
class Charge:
    """One settled call (or the attempts of a failed one), as a ledger's listener hears it
    and as a resumed run replays it into a fresh ledger (``Ledger.preload``)."""

    ledger: str  #: the name of the ledger it was charged to ("run", "phase lib", ...)
    role: str
    model: str
    calls: int
    usage: Usage
    cost_usd: float | None  #: None when the model has no price


@dataclass
class _Account:
    total: Spent = field(default_factory=Spent)
    by_role: dict[str, Spent] = field(default_factory=dict)
    in_flight: int = 0


class Ledger:
    """Thread-safe totals with limits; ``child`` ledgers charge their parents too."""

    def __init__(self, limits: Limits = Limits(), prices: PriceTable | None = None, *,
                 name: str = "run", parent: "Ledger | None" = None) -> None:
        self.limits, self.name, self.parent = limits, name, parent
        self.prices = prices if prices is not None else (parent.prices if parent else PriceTable())
        self._lock = parent._lock if parent is not None else threading.RLock()
        self._account = _Account()
        self.listener: Callable[[Charge], None] | None = None  #: hears every charge (the root's is used)
        self._prior: dict[str, list[Charge]] = {}  #: preloaded charges by ledger name, for children made later

    def child(self, limits: Limits = Limits(), name: str = "phase") -> "Ledger":
        """A ledger with its own ``limits`` whose charges also count against this one;
        it starts with what was preloaded under ``name`` (already counted here)."""
        ledger = Ledger(limits, self.prices, name=name, parent=self)
        with self._lock:
            for charge in self._prior.get(name, ()):
                ledger._add(charge.role, charge.calls, charge.usage, charge.cost_usd)
        return ledger

    def preload(self, charges: list[Charge]) -> None:
        """Count ``charges`` made by an earlier process of the same run (killed or stopped):
        they count against this ledger's limits now, and against a child's when a child of
        their ledger's name is made. No listener hears them again."""
        with self._lock:
            for charge in charges:
                self._add(charge.role, charge.calls, charge.usage, charge.cost_usd)
                if charge.ledger != self.name:
                    self._prior.setdefault(charge.ledger, []).append(charge)

    def spent(self) -> Spent:
        """The totals so far."""
        with self._lock:
            return self._account.total

    def by_role(self) -> dict[str, Spent]:
        """The totals per role (worker, reviewer, ...)."""
        with self._lock:
            return dict(self._account.by_role)

    def reserve(self, model: str) -> str | None:
        """Take one call in flight, or return why not (the first reached limit, this
        ledger's or an ancestor's). A reservation is ended by ``settle``."""
        with self._lock:
            chain = list(self._chain())
            for ledger in chain:
                reason = ledger._reached(model)
                if reason:
                    for each in chain:
                        each._account.total = replace(each._account.total, refused=each._account.total.refused + 1)
                    return reason
            for ledger in chain:
                ledger._account.in_flight += 1
            return None

    def settle(self, role: str, model: str, usage: Usage, calls: int, batched: bool = False) -> None:
        """End a reservation: charge ``calls`` and ``usage`` here and on every ancestor
        (at the batch price when ``batched``)."""
        cost = self.prices.cost(model, usage, batched) if calls else 0.0
        with self._lock:
            chain = list(self._chain())
            for ledger in chain:
                ledger._account.in_flight = max(0, ledger._account.in_flight - 1)
                ledger._add(role, calls, usage, cost)
        listener = chain[-1].listener
        if listener is not None and calls:  # outside the lock: it writes to disk
            listener(Charge(self.name, role, model, calls, usage, cost))

    def _add(self, role: str, calls: int, usage: Usage, cost: float | None) -> None:
        account = self._account
        account.total = account.total.plus(calls, usage, cost)
        account.by_role[role] = account.by_role.get(role, Spent()).plus(calls, usage, cost)

    def _chain(self):  # type: ignore[no-untyped-def]
        ledger: Ledger | None = self
        while ledger is not None:
            yield ledger
            ledger = ledger.parent

    def _reached(self, model: str) -> str | None:
        limits, total = self.limits, self._account.total
        where = f"{self.name} budget"
        if limits.max_calls is not None and total.calls + self._account.in_flight + 1 > limits.max_calls:
            return f"{where}: max_model_calls {limits.max_calls} reached ({total.calls} made)"
        if limits.max_tokens is not None and total.tokens >= limits.max_tokens:
            return f"{where}: max_model_tokens {limits.max_tokens} reached ({total.tokens} used)"
        if limits.max_cost_usd is not None:
            if self.prices.price(model) is None:
                return (f"{where}: max_cost_usd is set but model {model} has no price; "
                        "give it under model.prices")
            if total.cost_usd >= limits.max_cost_usd:
                return f"{where}: max_cost_usd {limits.max_cost_usd:g} reached (${total.cost_usd:.4f} spent)"
        return None


class Budgeted:
    """``ModelClient`` that asks ``inner`` only while ``ledger`` has room, and charges it."""

    def __init__(self, inner: ModelClient, ledger: Ledger) -> None:
        self.inner, self.ledger = inner, ledger

    def create(self, request: ModelRequest) -> ModelReply:
        """``inner.create(request)``, or ``ModelError("budget")`` without calling when spent.

        Failed calls are charged their HTTP attempts (they may have been billed);
        replayed replies are charged nothing.
        """
        reason = self.ledger.reserve(request.model)
        if reason is not None:
            raise ModelError("budget", reason, request.key())
        try:
            reply = self.inner.create(request)
        except ModelError as exc:
            self.ledger.settle(request.role, request.model, Usage(), exc.calls)
            raise
        except BaseException:
            self.ledger.settle(request.role, request.model, Usage(), 0)
            raise
        if reply.replayed:
            self.ledger.settle(request.role, reply.model, Usage(), 0)
        else:
            self.ledger.settle(request.role, reply.model or request.model, reply.usage, reply.calls,
                               reply.batched)
        return reply
