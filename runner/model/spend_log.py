"""The run's model spending on disk: one JSON line per charged call, so a resumed run
counts what the killed one spent against the same budgets.

``render_charge`` gives the line of a ``Charge``; ``parse_charges`` reads a log back,
skipping a torn last line (the process killed mid-append) and lines it does not know.
The lines hold counts, model ids and dollars only: never a prompt, an answer or a key.
"""
from __future__ import annotations

import json

from runner.model.budget import Charge
from runner.model.client import Usage

SPEND_LOG = "model-spend.jsonl"  #: its name in the run folder


def render_charge(charge: Charge) -> bytes:
    """One line (newline included) recording ``charge``."""
    u = charge.usage
    doc = {"v": 1, "ledger": charge.ledger, "role": charge.role, "model": charge.model, "calls": charge.calls,
           "input": u.input_tokens, "output": u.output_tokens, "cache_write": u.cache_creation_input_tokens,
           "cache_read": u.cache_read_input_tokens, "cost_usd": charge.cost_usd}
    return (json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


def parse_charges(data: bytes) -> list[Charge]:
    """The charges of a log, in order; a torn last line and malformed lines are skipped."""
    lines = data.split(b"\n")
    lines.pop()  # what follows the last newline: empty, or a line a kill cut short
    charges = []
    for line in lines:
        try:
            doc = json.loads(line)
            usage = Usage(int(doc["input"]), int(doc["output"]), int(doc["cache_write"]), int(doc["cache_read"]))
            cost = doc["cost_usd"]
            charges.append(Charge(str(doc["ledger"]), str(doc["role"]), str(doc["model"]), int(doc["calls"]), usage,
                                  None if cost is None else float(cost)))
        except (ValueError, KeyError, TypeError):
            continue
    return charges
