"""What model calls cost: a dated table of list prices, overridable from the playbook.

Prices are US dollars per million tokens, for input, output, cache writes (5-minute
prompt cache) and cache reads. The playbook's ``model.prices`` replaces or completes
entries: ``{claude-haiku-4-5: {input: 1.0, output: 5.0}}``; a field left out keeps the
shipped value, or for an unknown model is derived from ``input`` as the API prices
caching (writes 1.25x, reads 0.1x).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from runner.model.client import Usage

PRICES_AS_OF = "2025-11-24"  #: the date the shipped table was checked against the public price list


@dataclass(frozen=True, slots=True)
class Price:
    """$ per million tokens."""

    input: float
    output: float
    cache_write: float
    cache_read: float

    def cost(self, usage: Usage) -> float:
        """Dollars for ``usage`` at this price."""
        return (usage.input_tokens * self.input + usage.output_tokens * self.output
                + usage.cache_creation_input_tokens * self.cache_write
                + usage.cache_read_input_tokens * self.cache_read) / 1_000_000


def _price(input: float, output: float) -> Price:
    return Price(input, output, round(input * 1.25, 4), round(input * 0.1, 4))


SHIPPED: Mapping[str, Price] = {
    "claude-opus-4-5": _price(5.0, 25.0),
    "claude-sonnet-4-5": _price(3.0, 15.0),
    "claude-haiku-4-5": _price(1.0, 5.0),
    "claude-opus-4-1": _price(15.0, 75.0),
    "claude-opus-4-0": _price(15.0, 75.0),
    "claude-sonnet-4-0": _price(3.0, 15.0),
    "claude-3-7-sonnet": _price(3.0, 15.0),
    "claude-3-5-sonnet": _price(3.0, 15.0),
    "claude-3-5-haiku": _price(0.8, 4.0),
    "claude-3-opus": _price(15.0, 75.0),
    "claude-3-haiku": Price(0.25, 1.25, 0.30, 0.03),
}

_ALIASES = {"claude-opus-4": "claude-opus-4-0", "claude-sonnet-4": "claude-sonnet-4-0",
            "claude-4-opus": "claude-opus-4-0", "claude-4-sonnet": "claude-sonnet-4-0"}
_SUFFIX = re.compile(r"(-\d{8}|-latest|-v\d+(:\d+)?|@\d{8})$")

FIELDS = ("input", "output", "cache_write", "cache_read")
BATCH_DISCOUNT = 0.5  #: Message Batches bill every kind of token at half the list price


def model_family(model: str) -> str:
    """The table's name for a model id: dated snapshots and ``-latest`` map to their family
    (``claude-sonnet-4-5-20250929`` → ``claude-sonnet-4-5``); a provider prefix is dropped."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    name = name.removeprefix("anthropic.")
    while True:
        stripped = _SUFFIX.sub("", name)
        if stripped == name:
            break
        name = stripped
    return _ALIASES.get(name, name)


class PriceTable:
    """The shipped prices with the playbook's overrides on top."""

    def __init__(self, overrides: Mapping[str, Mapping[str, float]] | None = None) -> None:
        """``overrides`` maps a model id to some of ``input``/``output``/``cache_write``/
        ``cache_read``; an unknown model must give at least ``input`` and ``output``
        (``ValueError`` otherwise: the caller reports it as bad input)."""
        self._table: dict[str, Price] = dict(SHIPPED)
        for model, fields in (overrides or {}).items():
            self._table[model_family(model)] = _merge(model, self._table.get(model_family(model)), fields)

    def price(self, model: str) -> Price | None:
        """The price of ``model``, or None when neither the table nor the overrides know it."""
        return self._table.get(model_family(model))

    def cost(self, model: str, usage: Usage, batched: bool = False) -> float | None:
        """Dollars for ``usage`` on ``model`` (half of it when ``batched``: answered
        through a Message Batch); None when the model has no price."""
        price = self.price(model)
        if price is None:
            return None
        return price.cost(usage) * (BATCH_DISCOUNT if batched else 1.0)


def _merge(model: str, base: Price | None, fields: Mapping[str, float]) -> Price:
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValueError(f"model.prices.{model}: unknown field(s) {', '.join(unknown)}; "
                         f"known: {', '.join(FIELDS)}")
    if base is None:
        missing = [f for f in ("input", "output") if f not in fields]
        if missing:
            raise ValueError(f"model.prices.{model}: {model} has no shipped price, so "
                             f"{' and '.join(missing)} must be given")
        base = _price(float(fields["input"]), float(fields["output"]))
    return Price(**{f: float(fields.get(f, getattr(base, f))) for f in FIELDS})
