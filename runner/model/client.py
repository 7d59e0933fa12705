"""The one narrow interface every model user talks to: ``ModelClient.create``.

The gap worker, the reviewer and the fix loop build a ``ModelRequest`` and get a
``ModelReply``; they never know whether the answer came from the Anthropic API, a
cassette or the test suite's local server. Record/replay and budgets are *wrapper*
clients around the real one (``Cassette(client)``, ``Budgeted(client)``), the way
vcrpy wraps a transport. Requests and replies are frozen, hashable and picklable;
their JSON-like parts are kept as canonical JSON text.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol


def canonical(value: Any) -> str:
    """Canonical JSON text of ``value``: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """One Messages API call, exactly as it will be sent (minus transport and key).

    ``system``, ``messages`` and ``tools`` are canonical JSON of the API's shapes
    (content blocks, ``cache_control`` markers included). ``params`` holds every other
    parameter that is sent (e.g. ``temperature`` only when the playbook sets it);
    nothing that is not sent may appear here, so ``key`` names the real request.
    """

    model: str
    max_tokens: int
    system: str = "[]"  #: canonical JSON list of system text blocks
    messages: str = "[]"  #: canonical JSON list of messages
    tools: str = "[]"  #: canonical JSON list of tool definitions
    params: str = "{}"  #: canonical JSON of any other parameter sent
    role: str = "worker"  #: worker | reviewer; for accounting only, not part of the key

    def payload(self) -> dict[str, Any]:
        """The keyword arguments for ``client.messages.create`` (tool_choice is never forced)."""
        out: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens,
                               "messages": json.loads(self.messages)}
        system, tools = json.loads(self.system), json.loads(self.tools)
        if system:
            out["system"] = system
        if tools:
            out["tools"] = tools
        out.update(json.loads(self.params))
        return out

    def key(self) -> str:
        """sha256 of the canonical request: the cassette key (file contents are in the messages)."""
        return hashlib.sha256(canonical(self.payload()).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts as the API's ``usage`` reports them."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0

    @property
    def total(self) -> int:
        """Input + output, cache writes and reads included (what ``max_model_tokens`` counts)."""
        return (self.input_tokens + self.output_tokens
                + self.cache_creation_input_tokens + self.cache_read_input_tokens)

    def plus(self, other: "Usage") -> "Usage":
        """The sum of two usages."""
        return Usage(self.input_tokens + other.input_tokens, self.output_tokens + other.output_tokens,
                     self.cache_creation_input_tokens + other.cache_creation_input_tokens,
                     self.cache_read_input_tokens + other.cache_read_input_tokens)


@dataclass(frozen=True, slots=True)
class ModelReply:
    """One answer: content blocks as canonical JSON, why it stopped, what it cost."""

    content: str  #: canonical JSON list of content blocks (text, tool_use)
    stop_reason: str  #: end_turn | tool_use | max_tokens | refusal | ...
    usage: Usage
    model: str  #: the model id that answered
    request_key: str  #: ``ModelRequest.key()`` of the request this answers
    replayed: bool = False  #: True when it came from the cassette, not the network
    calls: int = 1  #: API calls this took (SDK retries included); 0 when replayed
    batched: bool = False  #: True when answered through a Message Batch (billed at half price)

    def blocks(self) -> list[dict[str, Any]]:
        """The content blocks as plain JSON values."""
        return json.loads(self.content)

    def tool_uses(self) -> list[dict[str, Any]]:
        """The ``tool_use`` blocks, in order."""
        return [b for b in self.blocks() if b.get("type") == "tool_use"]


class ModelError(Exception):
    """A call that produced no usable reply (transport gave up, cassette miss, budget spent).

    ``kind`` is one of: ``transport`` (transient failures, SDK retries exhausted), ``api``
    (any other refusal by the API), ``replay-miss``, ``no-key`` (the API is needed but no
    key is set), ``budget``. ``calls`` counts the HTTP attempts made before it gave up
    (they are charged to the budget). Callers turn it into a failed attempt or a
    reported gap, never into a traceback. The message never holds the API key.
    """

    def __init__(self, kind: str, message: str, request_key: str = "", calls: int = 0) -> None:
        super().__init__(message)
        self.kind = kind
        self.request_key = request_key
        self.calls = calls


class ModelClient(Protocol):
    """Anything that answers a ``ModelRequest``: the API adapter, a cassette, a budget."""

    def create(self, request: ModelRequest) -> ModelReply:
        """Answer ``request`` or raise ``ModelError``; never any other exception."""
        ...
