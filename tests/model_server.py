"""A local Messages API server for tests: the real ``anthropic`` SDK talks to it.

It listens on 127.0.0.1 (port 0, a thread of stdlib ``http.server``), speaks
``POST /v1/messages`` and ``POST /v1/messages/count_tokens`` as the API does
(content blocks, ``tool_use`` blocks with ids, ``stop_reason``, ``usage`` with cache
counts, error bodies with the API's status codes, ``retry-after`` on 429), and answers
from a *script*: a list of steps consumed one request at a time, or one callable that
gets each request's JSON body and returns a step. Every request is recorded (path,
headers, body) so a test can assert what was sent.

    server.script([tool_use("replace_in_file", {...}), tool_use("done", {"summary": "ok"})])
    server.script([error(429, "rate_limit_error"), text("fine")])
    server.script(lambda body: text("seen " + body["model"]))

Prompt caching is simulated: each block marked with ``cache_control`` ends a cacheable
prefix (tools, then system, then messages); the longest prefix seen before counts as
``cache_read_input_tokens``, the rest up to the last mark as
``cache_creation_input_tokens``, what follows as ``input_tokens``. Tokens are counted
as UTF-8 bytes / 4 of the canonical JSON (a stable stand-in, not the real tokenizer).

Message Batches: ``POST /v1/messages/batches`` answers every request of the batch from
the script at once (in request order), ``GET /v1/messages/batches/{id}`` reports
``in_progress`` for ``server.batch_polls`` retrievals, then ``ended`` with a
``results_url`` that serves the JSONL results. More routes can be added with
``server.route(...)``.
"""
from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Steps ------------------------------------------------------------------------------

ERROR_STATUS = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "overloaded_error": 529,
}


@dataclass(frozen=True)
class Step:
    """One scripted answer: a message, an HTTP error, or a dropped connection."""

    kind: str  #: message | error | drop
    content: tuple[dict[str, Any], ...] = ()
    stop_reason: str = "end_turn"
    usage: dict[str, int] | None = None  #: overrides the simulated usage
    model: str | None = None  #: overrides the echoed model id
    status: int = 200
    error_type: str = ""
    message: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  #: seconds to wait before answering (timeouts)


def text_block(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_block(name: str, input: dict[str, Any]) -> dict[str, Any]:
    """A ``tool_use`` block; its id is assigned by the server when it is sent."""
    return {"type": "tool_use", "name": name, "input": input}


def reply(*blocks: dict[str, Any], stop_reason: str | None = None, usage: dict[str, int] | None = None,
          model: str | None = None, delay: float = 0.0) -> Step:
    """A message of several blocks; ``stop_reason`` defaults to tool_use when a tool is used."""
    if stop_reason is None:
        stop_reason = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
    return Step("message", tuple(blocks), stop_reason, usage, model, delay=delay)


def text(value: str, stop_reason: str = "end_turn", **kw: Any) -> Step:
    """A text-only answer (``stop_reason`` end_turn unless given: max_tokens, refusal...)."""
    return reply(text_block(value), stop_reason=stop_reason, **kw)


def tool_use(name: str, input: dict[str, Any], *, say: str = "", **kw: Any) -> Step:
    """An answer that calls one tool, optionally after a sentence of text."""
    blocks = ([text_block(say)] if say else []) + [tool_block(name, input)]
    return reply(*blocks, **kw)


def error(status: int, type: str | None = None, message: str = "", retry_after: float | None = None,
          headers: dict[str, str] | None = None) -> Step:
    """An API error with the API's body; 429 carries ``retry-after`` (seconds, default 0.01)."""
    if type is None:
        type = next((t for t, s in ERROR_STATUS.items() if s == status), "api_error")
    extra = dict(headers or {})
    if retry_after is None and status == 429:
        retry_after = 0.01
    if retry_after is not None:
        extra["retry-after"] = f"{retry_after:g}"
    return Step("error", status=status, error_type=type, message=message or f"scripted {type}",
                headers=tuple(extra.items()))


def drop() -> Step:
    """Close the connection without an answer (a connection reset for the client)."""
    return Step("drop")


ScriptItem = Step | Callable[[dict[str, Any]], Step]


# Recorded requests ------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]  #: lower-case names
    raw: bytes

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.raw) if self.raw else {}


def _tokens(value: Any) -> int:
    return max(1, len(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()) // 4)


def _blocks_in_order(body: dict[str, Any]) -> list[Any]:
    """The request's cacheable pieces in the API's prefix order: tools, system, messages."""
    pieces: list[Any] = list(body.get("tools") or [])
    system = body.get("system") or []
    pieces += [system] if isinstance(system, str) else list(system)
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            pieces.append({"role": message.get("role"), "text": content})
        else:
            pieces += [dict(block, _role=message.get("role")) for block in content or []]
    return pieces


def _unmarked(piece: Any) -> Any:
    return {k: v for k, v in piece.items() if k != "cache_control"} if isinstance(piece, dict) else piece


@dataclass
class _State:
    steps: list[ScriptItem] = field(default_factory=list)
    responder: Callable[[dict[str, Any]], Step] | None = None
    requests: list[Received] = field(default_factory=list)
    prefixes: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    counter: int = 0
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)


Route = Callable[["MessagesServer", Received], tuple[int, dict[str, str], Any]]


class MessagesServer:
    """The scripted server; ``start()`` then use ``base_url``; ``stop()`` at the end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _State()
        self._routes: dict[tuple[str, str], Route] = {
            ("POST", "/v1/messages"): MessagesServer._messages,
            ("POST", "/v1/messages/count_tokens"): MessagesServer._count_tokens,
            ("POST", "/v1/messages/batches"): MessagesServer._create_batch,
        }
        self.batch_polls = 1  #: retrievals that still say in_progress before a batch ends
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self.allow_invalid = False  #: set by a test that sends invalid requests on purpose
        self._thread: threading.Thread | None = None

    # set-up ---------------------------------------------------------------------

    def start(self) -> "MessagesServer":
        return self.start_on(0)

    def start_on(self, port: int) -> "MessagesServer":
        handler = _handler_for(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), name="messages-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and cut open keep-alive connections (a later call fails to connect)."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            for conn in list(self._connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self._connections.clear()
        self._httpd = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, steps: Iterable[ScriptItem] | Callable[[dict[str, Any]], Step]) -> "MessagesServer":
        """Replace the script: a list of steps (each a Step or a callable(body) -> Step), or
        one callable that answers every request. Returns the server (chainable)."""
        with self._lock:
            if callable(steps):
                self._state.steps, self._state.responder = [], steps
            else:
                self._state.steps, self._state.responder = list(steps), None
        return self

    def route(self, method: str, path: str, handler: Route) -> None:
        """Serve ``method path`` with ``handler(server, received) -> (status, headers, json_body)``."""
        self._routes[(method, path)] = handler

    # what happened --------------------------------------------------------------

    @property
    def requests(self) -> list[Received]:
        """Every request received, in arrival order (all routes)."""
        with self._lock:
            return list(self._state.requests)

    def message_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the ``POST /v1/messages`` requests."""
        return [r.body for r in self.requests if r.path == "/v1/messages"]

    @property
    def remaining(self) -> int:
        """Scripted steps not yet used."""
        with self._lock:
            return len(self._state.steps)

    @property
    def unexpected(self) -> list[str]:
        """Requests that found the script exhausted (answered 400)."""
        with self._lock:
            return list(self._state.unexpected)

    @property
    def invalid(self) -> list[str]:
        """Why requests were refused as the real API would refuse them (answered 400).
        The ``messages_server`` fixture fails a test that sent one, unless ``allow_invalid``."""
        with self._lock:
            return list(self._state.invalid)

    # routes ---------------------------------------------------------------------

    def next_step(self, body: dict[str, Any]) -> Step | None:
        with self._lock:
            if self._state.steps:
                item = self._state.steps.pop(0)
            elif self._state.responder is not None:
                item = self._state.responder
            else:
                self._state.unexpected.append(json.dumps(body)[:200])
                return None
        return item(body) if callable(item) else item

    def next_id(self, prefix: str) -> str:
        with self._lock:
            self._state.counter += 1
            return f"{prefix}_test_{self._state.counter:04d}"

    def usage_for(self, body: dict[str, Any], output: list[dict[str, Any]]) -> dict[str, int]:
        """Simulated usage: every block marked ``cache_control`` ends a cacheable prefix; the
        longest prefix seen before is read from the cache, the rest up to the last mark is written."""
        pieces = [_unmarked(p) for p in _blocks_in_order(body)]
        marks = [i + 1 for i, p in enumerate(_blocks_in_order(body)) if isinstance(p, dict) and "cache_control" in p]
        cut = marks[-1] if marks else 0
        keys = {m: json.dumps(pieces[:m], sort_keys=True) for m in marks}
        with self._lock:
            hit = max((m for m in marks if keys[m] in self._state.prefixes), default=0)
            self._state.prefixes.update(keys.values())
        read = _tokens(pieces[:hit]) if hit else 0
        written = (_tokens(pieces[:cut]) - read) if cut > hit else 0
        rest = pieces[cut:]
        return {"input_tokens": _tokens(rest) if rest else 1, "output_tokens": _tokens(output),
                "cache_creation_input_tokens": written, "cache_read_input_tokens": read}

    def _messages(self, received: Received) -> tuple[int, dict[str, str], Any]:
        body = received.body
        problem = request_problem(body)
        if problem:  # what the real API refuses, refused here too (before the script is consulted)
            with self._lock:
                self._state.invalid.append(problem)
            return _error_body(400, "invalid_request_error", problem)
        step = self.next_step(body)
        if step is None:
            return _error_body(400, "invalid_request_error", "test server: the script is exhausted")
        if step.kind == "error":
            return _error_body(step.status, step.error_type, step.message, dict(step.headers))
        if step.delay:
            time.sleep(step.delay)
        if step.kind == "drop":
            return -1, {}, None
        content = [dict(b, id=self.next_id("toolu")) if b["type"] == "tool_use" else dict(b)
                   for b in step.content]
        usage = step.usage if step.usage is not None else self.usage_for(body, content)
        message = {"id": self.next_id("msg"), "type": "message", "role": "assistant",
                   "model": step.model or body.get("model", ""), "content": content,
                   "stop_reason": step.stop_reason, "stop_sequence": None,
                   "usage": {"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, **usage}}
        return 200, {"request-id": self.next_id("req")}, message

    def _create_batch(self, received: Received) -> tuple[int, dict[str, str], Any]:
        results = []
        for item in received.body.get("requests") or []:
            status, _, payload = self._messages(Received("POST", "/v1/messages", {}, json.dumps(item["params"]).encode()))
            if status == 200:
                results.append({"custom_id": item["custom_id"], "result": {"type": "succeeded", "message": payload}})
            else:
                results.append({"custom_id": item["custom_id"], "result": {"type": "errored", "error": payload}})
        batch_id = self.next_id("msgbatch")
        with self._lock:
            self._state.batches[batch_id] = {"results": results, "polls": 0}
        self.route("GET", f"/v1/messages/batches/{batch_id}", lambda server, r: server._batch(batch_id))
        self.route("GET", f"/v1/messages/batches/{batch_id}/results", lambda server, r: server._batch_results(batch_id))
        return 200, {}, self._batch_object(batch_id, ended=False)

    def _batch(self, batch_id: str) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            batch = self._state.batches[batch_id]
            batch["polls"] += 1
            ended = batch["polls"] > self.batch_polls
        return 200, {}, self._batch_object(batch_id, ended)

    def _batch_object(self, batch_id: str, ended: bool) -> dict[str, Any]:
        with self._lock:
            results = self._state.batches[batch_id]["results"]
        n = len(results)
        ok = sum(1 for r in results if r["result"]["type"] == "succeeded")
        counts = {"processing": 0 if ended else n, "succeeded": ok if ended else 0,
                  "errored": n - ok if ended else 0, "canceled": 0, "expired": 0}
        stamp = "2026-01-01T00:00:00Z"
        return {"id": batch_id, "type": "message_batch", "processing_status": "ended" if ended else "in_progress",
                "request_counts": counts, "created_at": stamp, "expires_at": "2026-01-02T00:00:00Z",
                "ended_at": stamp if ended else None, "archived_at": None, "cancel_initiated_at": None,
                "results_url": f"{self.base_url}/v1/messages/batches/{batch_id}/results" if ended else None}

    def _batch_results(self, batch_id: str) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            results = self._state.batches[batch_id]["results"]
        return 200, {}, "".join(json.dumps(r) + "\n" for r in results).encode()

    def batch_requests(self) -> list[dict[str, Any]]:
        """The JSON bodies of the ``POST /v1/messages/batches`` requests (batch submissions)."""
        return [r.body for r in self.requests if r.path == "/v1/messages/batches" and r.method == "POST"]

    def _count_tokens(self, received: Received) -> tuple[int, dict[str, str], Any]:
        body = received.body
        return 200, {}, {"input_tokens": sum(_tokens(p) for p in _blocks_in_order(body))}

    def _dispatch(self, received: Received) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            self._state.requests.append(received)
        route = self._routes.get((received.method, received.path.split("?")[0]))
        if route is None:
            return _error_body(404, "not_found_error", f"test server: no route {received.method} {received.path}")
        return route(self, received)


def request_problem(body: dict[str, Any]) -> str:
    """Why the real API would refuse this Messages request ("" when it looks valid): roles
    must alternate from user, every tool_use needs its tool_result first thing in the next
    user turn, no empty text block, at most 4 cache breakpoints, max_tokens given."""
    if not isinstance(body.get("max_tokens"), int):
        return "max_tokens: Field required"
    messages = body.get("messages") or []
    if not messages:
        return "messages: at least one message is required"
    marks = sum(isinstance(p, dict) and "cache_control" in p for p in _blocks_in_order(body))
    if marks > 4:
        return f"A maximum of 4 blocks with cache_control may be provided. Found {marks}."
    pending: list[str] = []
    for i, message in enumerate(messages):
        role = message.get("role")
        if role != ("user" if i % 2 == 0 else "assistant"):
            return f"messages.{i}: roles must alternate between user and assistant, starting with user"
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        if not blocks:
            return f"messages.{i}: all messages must have non-empty content"
        for j, block in enumerate(blocks):
            if block.get("type") == "text" and not block.get("text"):
                return f"messages.{i}.content.{j}.text: text content blocks must be non-empty"
        if role == "user" and pending:
            answered = [b.get("tool_use_id") for b in blocks[:len(pending)] if b.get("type") == "tool_result"]
            if sorted(answered) != sorted(pending):
                return (f"messages.{i}: tool_use ids were found without tool_result blocks immediately after: "
                        + ", ".join(sorted(set(pending) - set(answered))))
        pending = [b["id"] for b in blocks if b.get("type") == "tool_use"] if role == "assistant" else []
    return ""


def _error_body(status: int, type: str, message: str, headers: dict[str, str] | None = None
                ) -> tuple[int, dict[str, str], Any]:
    return status, dict(headers or {}), {"type": "error", "error": {"type": type, "message": message},
                                         "request_id": "req_test_error"}


def _handler_for(server: MessagesServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 30

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server._connections.add(self.connection)

        def finish(self) -> None:
            with server._lock:
                server._connections.discard(self.connection)
            super().finish()

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            received = Received(method, self.path, {k.lower(): v for k, v in self.headers.items()}, raw)
            status, headers, payload = server._dispatch(received)
            if status < 0:  # drop: no answer at all
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


# Standalone use (trials, demos): python -m tests.model_server --answers answers.py ----------


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; ``answers.py`` defines ``answer(body) -> Step``.

    Prints the base URL on the first line of stdout (set ``ANTHROPIC_BASE_URL`` to it);
    with ``--log``, every request and the usage answered are appended there as JSON lines.
    """
    import argparse
    import runpy
    import signal
    import sys

    parser = argparse.ArgumentParser(prog="python -m tests.model_server")
    parser.add_argument("--answers", required=True, help="a Python file defining answer(body) -> Step")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append each request body and its usage here (JSON lines)")
    args = parser.parse_args(argv)
    answer = runpy.run_path(args.answers)["answer"]
    server = MessagesServer()

    def logged(body: dict[str, Any]) -> Step:
        step = answer(body)
        if args.log:
            with open(args.log, "a", encoding="utf-8") as fp:
                fp.write(json.dumps({"body": body, "step": step.kind}) + "\n")
        return step

    server.script(logged)
    server.start_on(args.port)
    print(server.base_url, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    server.stop()
    print(f"served {len(server.message_requests())} message requests", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
