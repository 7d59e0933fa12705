"""Report lines for a stock listing."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def row(sku: str, name: str, count: int, price: float) -> str:
    return "%-8s|%-12s|%5d|%8.2f" % (sku, name, int(count), price)


def header(title: str, width: int = 20) -> str:
    return "{0:=^{1}}\n{title}".format(" stock ", width, title=title.upper())


def summary(items: dict[str, int]) -> str:
    total = sum(items.values())
    return "%(n)d items, %(total)s units (%(share).1f%% of %(cap)s)" % {
        "n": len(items),
        "total": total,
        "share": 100.0 * total / 1000,
        "cap": 1000,
    }


def describe(item) -> str:
    # `item` may be anything: left by the first phase, converted by assume-not-tuple
    label = "item %s" % item
    log.info("described %s", label)
    return ("{}: {!r} "
            "({} chars)".format(label, item, len(label)))


def shout(words: list[str]) -> str:
    return "%s!" % " ".join(words)
