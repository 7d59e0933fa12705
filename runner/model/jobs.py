"""What the driver hands the gap worker, and the outcome it gets back.

The worker proposes, the driver applies: ``GapFill.files`` are new contents held in
memory; planning diffs, budgets and journals them exactly like a deterministic edit.
All records are frozen and picklable (they may cross a process pool).
"""
from __future__ import annotations

from dataclasses import dataclass

from runner.model.client import ModelReply
from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Gap


@dataclass(frozen=True, slots=True)
class GapJob:
    """One subtask's open gaps, with only what the worker may see."""

    subtask_id: str  #: e.g. ``tests/drop-ensure-text/tests/test_a.py``
    spec: TaskTypeSpec  #: instructions, examples, expect_absent, transform
    files: tuple[tuple[str, bytes], ...]  #: the subtask's files after the deterministic edits
    gaps: tuple[Gap, ...]  #: empty for ``transform: model`` (the whole files are in scope)
    context: tuple[tuple[str, bytes], ...] = ()  #: read-only files from the task type's ``context:``
    model: str = ""  #: the worker model id
    max_tokens: int = 4096
    max_attempts: int = 3  #: ``done`` validations (and failed answers) before the gaps stay reported
    params: str = "{}"  #: canonical JSON of extra request parameters (sampling, only when the playbook sets them)
    max_turns: int = 0  #: requests in all for the job; 0 = 6 per attempt


@dataclass(frozen=True, slots=True)
class Exchange:
    """One model call made for a job, for the journal, the report and attribution."""

    request_key: str
    attempt: int  #: 1-based
    role: str  #: worker | reviewer
    model: str
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int
    calls: int  #: API calls (SDK retries included); 0 when replayed
    replayed: bool
    batched: bool = False  #: answered through a Message Batch (half price)

    @staticmethod
    def of(reply: ModelReply, attempt: int, role: str) -> "Exchange":
        """The record of one reply (its usage, key and whether it was replayed)."""
        u = reply.usage
        return Exchange(reply.request_key, attempt, role, reply.model, u.input_tokens, u.output_tokens,
                        u.cache_creation_input_tokens, u.cache_read_input_tokens, reply.calls, reply.replayed,
                        reply.batched)


@dataclass(frozen=True, slots=True)
class GapFill:
    """What the worker achieved for one job. Never raised, always returned."""

    subtask_id: str
    files: tuple[tuple[str, bytes], ...]  #: new contents of the files it changed (validated)
    filled: tuple[Gap, ...]  #: gaps closed
    left: tuple[Gap, ...]  #: gaps still open, ``reason`` says the last error
    exchanges: tuple[Exchange, ...] = ()
    attempts: int = 0  #: attempts made (1 = closed at the first try)
    refused_paths: int = 0  #: tool calls on paths outside the subtask, refused
    error: str = ""  #: set when the job could not run to its end (replay miss, budget spent, API error)
    refused_edits: int = 0  #: replace_in_file calls outside the editable regions, refused
    error_kind: str = ""  #: the ``ModelError.kind`` behind ``error`` (budget, replay-miss, ...), or internal
    summary: str = ""  #: the model's own one-line summary from ``done``
