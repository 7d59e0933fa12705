"""What asking the model would take, before it is asked: calls, tokens and cost per job.

``plan`` never calls the model unless ``--model`` is given; it forecasts instead. The
prompt's size comes from the API's token counting when a counter is given (a key is
present), else from bytes (about four per token), and the forecast says which.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from runner.model.client import Usage
from runner.model.jobs import GapJob

BYTES_PER_TOKEN = 4
#: system prompt, tool definitions and the gap list's framing, per call
CALL_OVERHEAD_TOKENS = 1500
#: a typical job: one reply with the edits, one that says it is done
CALLS_PER_JOB = 2
#: output of an edit (a replace_in_file call) per gap, and of the closing call
OUTPUT_TOKENS_PER_GAP = 200
OUTPUT_TOKENS_PER_CALL = 60

CostOf = Callable[[str, Usage, bool], float]  #: (model id, usage, answered in a batch) → US dollars
CountTokens = Callable[[GapJob], int]  #: the prompt of a job's first call, counted by the API


@dataclass(frozen=True, slots=True)
class ModelForecast:
    """What asking the model for one subtask is expected to take."""

    calls: int
    tokens: int  #: input + output, over all calls
    cost_usd: float
    method: str  #: "bytes" (estimated from file sizes) | "count_tokens" (the API counted the prompt)


def prompt_bytes(job: GapJob) -> int:
    """Bytes of what the first call carries besides the fixed framing."""
    size = sum(len(data) for _, data in job.files) + sum(len(data) for _, data in job.context)
    size += len(job.spec.instructions.encode("utf-8"))
    size += sum(len(e.before) + len(e.after) for e in job.spec.examples)
    return size + sum(80 + len(g.source) for g in job.gaps)


def forecast_job(job: GapJob, cost_of: CostOf, count: CountTokens | None = None,
                 batched_first: bool = False) -> ModelForecast:
    """Calls, tokens and cost of filling ``job``; ``count`` (the API's counter) when a key is
    present; ``batched_first`` when the first call goes in a Message Batch (half price)."""
    method = "bytes"
    prompt = CALL_OVERHEAD_TOKENS + prompt_bytes(job) // BYTES_PER_TOKEN
    if count is not None:
        try:
            prompt = count(job)
            method = "count_tokens"
        except Exception:  # the counter is a convenience: a failure falls back to bytes
            pass
    edited = sum(len(data) for _, data in job.files) // BYTES_PER_TOKEN
    output = OUTPUT_TOKENS_PER_GAP * len(job.gaps) if job.gaps else edited
    output += OUTPUT_TOKENS_PER_CALL * CALLS_PER_JOB
    input_tokens = prompt * CALLS_PER_JOB + output  # the second call re-sends the first reply
    usage = Usage(input_tokens=input_tokens, output_tokens=output)
    first = Usage(input_tokens=prompt, output_tokens=output // CALLS_PER_JOB)
    rest = Usage(input_tokens=input_tokens - first.input_tokens, output_tokens=output - first.output_tokens)
    cost = cost_of(job.model, first, batched_first) + cost_of(job.model, rest, False)
    return ModelForecast(CALLS_PER_JOB, usage.total, round(cost, 6), method)
