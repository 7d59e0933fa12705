"""Small builders shared by the model room's tests."""
from __future__ import annotations

from runner.adapters.anthropic_api import AnthropicClient
from runner.model.client import ModelRequest, canonical

TEST_KEY = "test-key-0123456789"


def api_client(server, **kw) -> AnthropicClient:
    """The real adapter (real SDK) pointed at the local test server; one per server and
    options (building an SDK client takes a noticeable fraction of a second)."""
    kw.setdefault("max_retries", 2)
    cache = server.__dict__.setdefault("_api_clients", {})
    options = tuple(sorted(kw.items()))
    if options not in cache:
        cache[options] = AnthropicClient(api_key=TEST_KEY, base_url=server.base_url, **kw)
    return cache[options]


def request(text: str = "hi", **kw) -> ModelRequest:
    kw.setdefault("model", "claude-haiku-4-5")
    kw.setdefault("max_tokens", 64)
    return ModelRequest(messages=canonical([{"role": "user", "content": text}]), **kw)
