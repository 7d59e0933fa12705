"""What the model did in a run: calls, tokens (cache writes and reads apart), cost, gaps filled.

Built from the phase records (each subtask keeps its exchanges), so ``status`` and
``report`` say the same thing. Answers replayed from the cassette cost nothing now; their
recorded usage is shown apart.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runner.execution.overview import RunOverview
from runner.execution.records import ModelExchange


@dataclass(frozen=True, slots=True)
class TokenSum:
    """Exchanges, API calls and tokens summed over model exchanges."""

    exchanges: int = 0
    calls: int = 0  #: API calls, SDK retries included
    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    def plus(self, e: ModelExchange) -> "TokenSum":
        """A new sum with exchange ``e`` added."""
        return TokenSum(self.exchanges + 1, self.calls + e.calls, self.input_tokens + e.input_tokens,
                        self.output_tokens + e.output_tokens,
                        self.cache_creation_input_tokens + e.cache_creation_input_tokens,
                        self.cache_read_input_tokens + e.cache_read_input_tokens)


@dataclass(frozen=True, slots=True)
class ModelFigures:
    """What the model did in a run: subtasks asked for, tokens asked and replayed, cost, gaps filled and left."""

    subtasks: int  #: subtasks the model was asked for
    asked: TokenSum  #: exchanges sent to the API in this run
    replayed: TokenSum  #: exchanges answered from the cassette (usage as recorded)
    cost_usd: float  #: of the asked exchanges
    gaps_filled: int
    gaps_left: int
    first_attempt: int  #: subtasks whose edits held at the first attempt
    failed: tuple[str, ...]  #: "subtask: error"
    budget_spent: tuple[str, ...]  #: "phase: why"

    @property
    def first_attempt_rate(self) -> float | None:
        """The share of subtasks whose edits held at the first attempt; None when the model was asked for none."""
        return self.first_attempt / self.subtasks if self.subtasks else None


def compute_model_figures(view: RunOverview) -> ModelFigures | None:
    """The run's model figures, or None when the model had nothing to do in it."""
    asked, replayed = TokenSum(), TokenSum()
    subtasks = filled = left = first = 0
    cost = 0.0
    failed, spent = [], []
    for phase in view.phases:
        if phase.record is None:
            continue
        if phase.record.model_budget_spent:
            spent.append(f"{phase.record.phase}: {phase.record.model_budget_spent}")
        for sub in phase.record.subtasks:
            m = sub.model
            if m is None:
                continue
            subtasks += 1
            filled += m.filled
            left += len(sub.gaps)
            first += 1 if m.attempts == 1 and m.files and not m.error else 0
            cost += m.cost_usd
            if m.error and m.error_kind != "budget":
                failed.append(f"{sub.id}: {m.error}")
            for e in m.exchanges:
                if e.replayed:
                    replayed = replayed.plus(e)
                else:
                    asked = asked.plus(e)
    if not subtasks and not spent:
        return None
    return ModelFigures(subtasks, asked, replayed, round(cost, 6), filled, left, first, tuple(failed), tuple(spent))


def render_model_lines(f: ModelFigures) -> list[str]:
    """Plain lines for ``status`` and the report."""
    rate = f"{f.first_attempt}/{f.subtasks}" + (f" ({f.first_attempt_rate:.0%})" if f.first_attempt_rate is not None else "")
    out = [f"model: {f.subtasks} subtask(s), {f.gaps_filled} gap(s) filled, {f.gaps_left} left; first-attempt {rate}"]
    if f.asked.exchanges:
        out.append(f"  asked the API: {f.asked.calls} call(s) ({f.asked.exchanges} exchange(s)), input {f.asked.input_tokens}, "
                   f"output {f.asked.output_tokens}, cache write {f.asked.cache_creation_input_tokens}, "
                   f"cache read {f.asked.cache_read_input_tokens} tokens, ${f.cost_usd:.4f}")
    else:
        out.append("  asked the API: nothing")
    if f.replayed.exchanges:
        out.append(f"  replayed from the cassette (free): {f.replayed.exchanges} exchange(s), recorded input "
                   f"{f.replayed.input_tokens}, output {f.replayed.output_tokens}, cache write "
                   f"{f.replayed.cache_creation_input_tokens}, cache read {f.replayed.cache_read_input_tokens} tokens")
    out += [f"  budget spent: {line}" for line in f.budget_spent]
    out += [f"  not served: {line}" for line in f.failed]
    return out


def model_figures_json(f: ModelFigures | None) -> dict[str, Any] | None:
    """The figures as JSON (None stays None: the run did not use the model)."""
    if f is None:
        return None

    def tokens(t: TokenSum) -> dict[str, int]:
        return {"exchanges": t.exchanges, "calls": t.calls, "input_tokens": t.input_tokens, "output_tokens": t.output_tokens,
                "cache_creation_input_tokens": t.cache_creation_input_tokens, "cache_read_input_tokens": t.cache_read_input_tokens}

    return {"subtasks": f.subtasks, "asked": tokens(f.asked), "replayed": tokens(f.replayed), "cost_usd": f.cost_usd,
            "gaps_filled": f.gaps_filled, "gaps_left": f.gaps_left, "first_attempt": f.first_attempt,
            "first_attempt_rate": f.first_attempt_rate, "failed": list(f.failed), "budget_spent": list(f.budget_spent)}
