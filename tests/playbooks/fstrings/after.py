"""Report lines for a stock listing."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def row(sku: str, name: str, count: int, price: float) -> str:
    return f"{sku!s:<8}|{name!s:<12}|{int(count):5d}|{price:8.2f}"


def header(title: str, width: int = 20) -> str:
    return f"{' stock ':=^{width}}\n{title.upper()}"


def summary(items: dict[str, int]) -> str:
    total = sum(items.values())
    return f"{len(items)} items, {total!s} units ({100.0 * total / 1000:.1f}% of 1000)"


def describe(item) -> str:
    # `item` may be anything: left by the first phase, converted by assume-not-tuple
    label = f"item {item!s}"
    log.info("described %s", label)
    return (f"{label}: {item!r} "
            f"({len(label)} chars)")


def shout(words: list[str]) -> str:
    return f"{' '.join(words)}!"
