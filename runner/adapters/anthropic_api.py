"""The Anthropic Messages API through the official SDK: the only code that reaches the network.

``AnthropicClient`` implements ``ModelClient``. The key comes from ``ANTHROPIC_API_KEY``
(or is passed in) and goes nowhere but the SDK: never into a request record, a reply,
a log line or an error message. The endpoint is the SDK's own choice: an explicit
``base_url``, else ``ANTHROPIC_BASE_URL``, else the public API. Transient failures
(429, 408/409, 5xx, 529, timeouts, connection resets) are retried by the SDK with its
backoff (``retry-after`` honoured); a middleware counts every HTTP attempt so that
``ModelReply.calls`` (and the budget) see the retries.
"""
from __future__ import annotations

import inspect
import json
import threading
from typing import Any

import anthropic
from anthropic.resources.messages import Messages

from runner.adapters.api_key import KEY_VARIABLE, NO_KEY_HINT, api_key_from_env
from runner.errors import InputError
from runner.model.client import ModelError, ModelReply, ModelRequest, Usage, canonical

__all__ = ["AnthropicClient", "KEY_VARIABLE", "NO_KEY_HINT", "api_key_from_env", "describe_error"]

# Parameters the SDK's create() takes by name; any other one (temperature, top_p...) goes
# in extra_body, which the SDK merges into the JSON body unchanged.
_CREATE_PARAMS = frozenset(inspect.signature(Messages.create).parameters) - {"self", "extra_body"}
_COUNT_PARAMS = ("model", "messages", "system", "tools", "tool_choice", "thinking")


class _AttemptCounter:
    """SDK middleware: runs once per HTTP attempt, inside the SDK's retry loop.

    Counts per thread, so concurrent workers sharing one client count their own calls.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def reset(self) -> None:
        self._local.count = 0

    @property
    def count(self) -> int:
        return getattr(self._local, "count", 0)

    def __call__(self, request: Any, call_next: Any) -> Any:
        self._local.count = self.count + 1
        return call_next(request)


class AnthropicClient:
    """``ModelClient`` over ``anthropic.Anthropic``; thread-safe (one SDK client shared)."""

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 max_retries: int = 4, timeout: float = 300.0) -> None:
        """Build the SDK client. Raises ``InputError`` (exit 2) when there is no key.

        ``base_url=None`` lets the SDK read ``ANTHROPIC_BASE_URL`` exactly as it does.
        """
        key = api_key if api_key is not None else api_key_from_env()
        if not key:
            raise InputError(NO_KEY_HINT)
        self._key = key
        self._counter = _AttemptCounter()
        self._prefilled: dict[str, ModelReply] = {}
        self._prefill_lock = threading.Lock()
        # api_key= is explicit, so the SDK consults no profile or federation files.
        self._sdk = anthropic.Anthropic(api_key=key, base_url=base_url, max_retries=max_retries,
                                        timeout=timeout, middleware=[self._counter])

    @property
    def base_url(self) -> str:
        """The endpoint in use (for messages; never includes the key)."""
        return str(self._sdk.base_url)

    def create(self, request: ModelRequest) -> ModelReply:
        """Send ``request`` once (the SDK retries transient failures) and return its reply.

        Raises ``ModelError("transport")`` when the SDK gave up on a transient failure,
        ``ModelError("api")`` for any other refusal by the API; ``calls`` on the error
        says how many HTTP attempts were made.
        """
        key = request.key()
        with self._prefill_lock:
            ready = self._prefilled.pop(key, None)
        if ready is not None:
            return ready
        kwargs, extra = _split_payload(request.payload())
        self._counter.reset()
        try:
            message = self._sdk.messages.create(**kwargs, **({"extra_body": extra} if extra else {}))
        except anthropic.AnthropicError as exc:
            raise self._model_error(exc, key) from None
        calls = max(1, self._counter.count)
        return ModelReply(content=canonical([_block_json(b) for b in message.content]),
                          stop_reason=str(message.stop_reason or ""), usage=_usage(message.usage),
                          model=str(message.model), request_key=key, calls=calls)

    # Message Batches (half price; the first attempts of a phase's gap fills) -------------

    def submit_batch(self, requests: list[ModelRequest]) -> str:
        """Submit ``requests`` as one Message Batch (``custom_id`` = request key); its id."""
        items = []
        for request in requests:
            kwargs, extra = _split_payload(request.payload())
            items.append({"custom_id": request.key(), "params": {**kwargs, **extra}})
        try:
            return str(self._sdk.messages.batches.create(requests=items).id)
        except anthropic.AnthropicError as exc:
            raise self._model_error(exc, "") from None

    def poll_batch(self, batch_id: str) -> tuple[str, int, int]:
        """(processing status, requests done, requests in all) of a batch."""
        try:
            batch = self._sdk.messages.batches.retrieve(batch_id)
        except anthropic.AnthropicError as exc:
            raise self._model_error(exc, "") from None
        c = batch.request_counts
        total = c.processing + c.succeeded + c.errored + c.canceled + c.expired
        return str(batch.processing_status), total - c.processing, total

    def batch_results(self, batch_id: str) -> dict[str, ModelReply | ModelError]:
        """The ended batch's answers by request key: a reply, or the error that request met."""
        out: dict[str, ModelReply | ModelError] = {}
        try:
            for item in self._sdk.messages.batches.results(batch_id):
                key, result = item.custom_id, item.result
                if result.type == "succeeded":
                    m = result.message
                    out[key] = ModelReply(content=canonical([_block_json(b) for b in m.content]),
                                          stop_reason=str(m.stop_reason or ""), usage=_usage(m.usage),
                                          model=str(m.model), request_key=key, calls=1, batched=True)
                else:
                    out[key] = ModelError("api", f"batch request {result.type}", key)
        except anthropic.AnthropicError as exc:
            raise self._model_error(exc, "") from None
        return out

    def prefill(self, replies: dict[str, ModelReply]) -> None:
        """Answers already paid for (a batch's): ``create`` returns each once instead of calling."""
        with self._prefill_lock:
            self._prefilled.update(replies)

    def count_tokens(self, request: ModelRequest) -> int:
        """Input tokens of ``request`` by the API's counter (for forecasts; not a model call)."""
        payload = request.payload()
        kwargs = {k: payload[k] for k in _COUNT_PARAMS if k in payload}
        try:
            return int(self._sdk.messages.count_tokens(**kwargs).input_tokens)
        except anthropic.AnthropicError as exc:
            raise self._model_error(exc, request.key()) from None

    def _model_error(self, exc: anthropic.AnthropicError, key: str) -> ModelError:
        kind, reason = describe_error(exc)
        return ModelError(kind, _scrub(reason, self._key), key, calls=self._counter.count)


def describe_error(exc: anthropic.AnthropicError) -> tuple[str, str]:
    """(kind, one-line reason) for an SDK exception: transient ones are ``transport``."""
    if isinstance(exc, anthropic.APITimeoutError):
        return "transport", "the API did not answer in time (retries exhausted)"
    if isinstance(exc, anthropic.APIConnectionError):
        return "transport", f"cannot reach the API: {_first_line(exc)} (retries exhausted)"
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        body = exc.body if isinstance(exc.body, dict) else {}
        detail = body.get("error") if isinstance(body.get("error"), dict) else {}
        reason = f"{status} {detail.get('type', 'error')}: {_first_line(detail.get('message') or exc.message)}"
        transient = status in (408, 409, 429) or status >= 500
        return ("transport", reason + " (retries exhausted)") if transient else ("api", reason)
    return "api", f"{type(exc).__name__}: {_first_line(exc)}"


def _split_payload(payload: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    kwargs = {k: v for k, v in payload.items() if k in _CREATE_PARAMS}
    extra = {k: v for k, v in payload.items() if k not in _CREATE_PARAMS}
    return kwargs, extra


def _block_json(block: Any) -> dict[str, Any]:
    data = block.model_dump(mode="json", exclude_none=True)
    return json.loads(canonical(data))


def _usage(usage: Any) -> Usage:
    return Usage(input_tokens=int(usage.input_tokens or 0), output_tokens=int(usage.output_tokens or 0),
                 cache_creation_input_tokens=int(getattr(usage, "cache_creation_input_tokens", 0) or 0),
                 cache_read_input_tokens=int(getattr(usage, "cache_read_input_tokens", 0) or 0))


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0][:300] if text else ""


def _scrub(text: str, key: str) -> str:
    return text.replace(key, "***") if key else text
