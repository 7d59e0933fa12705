"""The funnel: where each site of a migration was closed, and what the model's part cost.

Per phase and for the run: sites closed by deterministic transforms (their hunks in
the written subtasks), gaps filled by the model's first attempt and by later attempts,
failures closed by fix round N, and what is left to people (gaps still open, failure
clusters the fix loop left); tokens and cost per site the model closed, the prompt
cache hit rate, reviews approved and rejected, time to plan and to review. Read-only:
from the phase records, the state and the journal.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runner.execution.journal import Journal
from runner.execution.overview import PhaseView, RunOverview
from runner.execution.store import RunFolder
from runner.model.client import Usage
from runner.model.prices import PriceTable
from runner.reporting.report import phase_hunks


@dataclass
class Funnel:
    """One phase's funnel (or the run's, summed)."""

    name: str
    deterministic: int = 0  #: hunks written by deterministic transforms
    model_first: int = 0  #: gaps the model filled at its first attempt
    model_later: int = 0  #: gaps filled at a later attempt
    fix_rounds: dict[int, int] = field(default_factory=dict)  #: round → failures its fixes closed
    left_gaps: int = 0  #: gaps left to people
    left_failures: int = 0  #: failures of clusters the fix loop left
    reviews_approved: int = 0
    reviews_rejected: int = 0
    tokens: int = 0  #: every model token (gap fill, review, fix), cache included
    cost_usd: float = 0.0
    cache_read: int = 0
    prompt_tokens: int = 0  #: input + cache writes + cache reads
    plan_seconds: float = 0.0
    review_seconds: float = 0.0

    @property
    def model_closed(self) -> int:
        """Sites the model closed: at its first attempt, at later ones, and in the fix rounds."""
        return self.model_first + self.model_later + sum(self.fix_rounds.values())

    @property
    def cache_hit_rate(self) -> float | None:
        """Prompt tokens read from the prompt cache, as a share of all prompt tokens; None without any."""
        return self.cache_read / self.prompt_tokens if self.prompt_tokens else None

    def add(self, other: "Funnel") -> None:
        """Add ``other``'s counts to this funnel (in place; fix rounds added round by round)."""
        for name in ("deterministic", "model_first", "model_later", "left_gaps", "left_failures", "reviews_approved",
                     "reviews_rejected", "tokens", "cost_usd", "cache_read", "prompt_tokens", "plan_seconds", "review_seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for r, n in other.fix_rounds.items():
            self.fix_rounds[r] = self.fix_rounds.get(r, 0) + n


def compute_funnel(view: RunOverview, folder: RunFolder, prices: PriceTable) -> tuple[list[Funnel], Funnel]:
    """The funnel of each phase and of the whole run."""
    usage = _orchestrator_usage(folder)
    phases = [_phase_funnel(p, folder, prices, usage.get(p.state.name, [])) for p in view.phases]
    total = Funnel("run", plan_seconds=round(view.state.plan_seconds, 3))
    for f in phases:
        plan = total.plan_seconds
        total.add(f)
        total.plan_seconds = plan  # the run's planning time is counted once, at its level
    return phases, total


def _phase_funnel(p: PhaseView, folder: RunFolder, prices: PriceTable, orchestrator: list[tuple[str, Usage, bool]]) -> Funnel:
    ps = p.state
    f = Funnel(ps.name, plan_seconds=round(ps.plan_seconds, 3))
    kept = {v.record.id for v in p.subtasks if v.state in ("done", "gap")}
    if p.record is not None and ps.state not in ("pending", "rolled_back"):
        hunks = phase_hunks(folder, ps.name, ps.format.command if ps.format else "")
        f.deterministic = sum(1 for h in hunks if h.subtask in kept and not h.made_by.startswith(("model", "format")))
        for v in p.subtasks:
            work = getattr(v.record, "model", None)
            if work is not None:
                filled = int(getattr(work, "filled", 0) or 0) if v.record.id in kept else 0
                if getattr(work, "attempts", 0) == 1:
                    f.model_first += filled
                else:
                    f.model_later += filled
                for e in getattr(work, "exchanges", ()):  # priced by the run (the playbook's prices), below
                    _charge(f, None, e.model, Usage(e.input_tokens, e.output_tokens, e.cache_creation_input_tokens,
                                                     e.cache_read_input_tokens), e.replayed)
                f.cost_usd += float(getattr(work, "cost_usd", 0.0) or 0.0)
            if v.state == "gap":
                f.left_gaps += len(v.record.gaps)
    if ps.review is not None:
        f.reviews_approved, f.reviews_rejected, f.review_seconds = ps.review.approved, len(ps.review.rejected), ps.review.seconds
    if ps.fix is not None:
        for c in ps.fix.clusters:
            if c.resolved_in:
                f.fix_rounds[c.resolved_in] = f.fix_rounds.get(c.resolved_in, 0) + c.count
            else:
                f.left_failures += c.count
    for model, u, replayed in orchestrator:
        _charge(f, prices, model, u, replayed)
    return f


def _charge(f: Funnel, prices: PriceTable | None, model: str, u: Usage, replayed: bool) -> None:
    f.tokens += u.total
    f.cache_read += u.cache_read_input_tokens
    f.prompt_tokens += u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens
    if prices is not None and not replayed:
        f.cost_usd += prices.cost(model, u) or 0.0


def _orchestrator_usage(folder: RunFolder) -> dict[str, list[tuple[str, Usage, bool]]]:
    """The reviewer's and the fix loop's exchanges by phase, from the journal."""
    out: dict[str, list[tuple[str, Usage, bool]]] = {}
    for event in Journal(folder.events_path).events():
        if event.get("kind") not in ("review", "fix_proposal"):
            continue
        for e in event.get("exchanges", ()):
            u = Usage(e.get("input", 0), e.get("output", 0), e.get("cache_write", 0), e.get("cache_read", 0))
            out.setdefault(str(event.get("phase")), []).append((str(e.get("model", "")), u, bool(e.get("replayed"))))
    return out


def funnel_json(f: Funnel) -> dict[str, Any]:
    """The funnel as the report's JSON: sites closed by whom, left to people, tokens, cost per model site, reviews."""
    closed = f.model_closed
    return {
        "closed": {"deterministic": f.deterministic, "model_first_attempt": f.model_first, "model_later_attempts": f.model_later,
                   "fix_rounds": {str(r): n for r, n in sorted(f.fix_rounds.items())}},
        "left_to_people": {"gaps": f.left_gaps, "failures": f.left_failures},
        "tokens": f.tokens, "cost_usd": round(f.cost_usd, 6),
        "tokens_per_model_site": round(f.tokens / closed, 1) if closed else None,
        "cost_per_model_site_usd": round(f.cost_usd / closed, 6) if closed else None,
        "cache_hit_rate": round(f.cache_hit_rate, 4) if f.cache_hit_rate is not None else None,
        "reviews": {"approved": f.reviews_approved, "rejected": f.reviews_rejected},
        "plan_seconds": round(f.plan_seconds, 3), "review_seconds": round(f.review_seconds, 3),
    }


def render_funnel_md(phases: list[Funnel], total: Funnel) -> list[str]:
    """A table: one column per phase and one for the run."""
    cols = [*phases, total] if len(phases) > 1 else [total]
    rows: list[tuple[str, list[str]]] = [
        ("closed by deterministic transforms", [str(f.deterministic) for f in cols]),
        ("closed by the model's first attempt", [str(f.model_first) for f in cols]),
        ("closed by later attempts", [str(f.model_later) for f in cols]),
    ]
    for r in sorted({r for f in cols for r in f.fix_rounds}):
        rows.append((f"failures closed by fix round {r}", [str(f.fix_rounds.get(r, 0)) for f in cols]))
    rows += [
        ("left to people (gaps / failures)", [f"{f.left_gaps} / {f.left_failures}" for f in cols]),
        ("model tokens (per site it closed)", [f"{f.tokens}" + (f" ({f.tokens // f.model_closed})" if f.model_closed else "") for f in cols]),
        ("model cost (per site it closed)", [f"${f.cost_usd:.4f}" + (f" (${f.cost_usd / f.model_closed:.4f})" if f.model_closed else "") for f in cols]),
        ("prompt cache hit rate", [f"{f.cache_hit_rate:.0%}" if f.cache_hit_rate is not None else "-" for f in cols]),
        ("reviews approved / rejected", [f"{f.reviews_approved} / {f.reviews_rejected}" for f in cols]),
        ("time to plan / to review", [f"{f.plan_seconds:.2f}s / {f.review_seconds:.2f}s" for f in cols]),
    ]
    head = "| site | " + " | ".join(f.name for f in cols) + " |"
    return [head, "|---" * (len(cols) + 1) + "|"] + [f"| {k} | " + " | ".join(v) + " |" for k, v in rows]
