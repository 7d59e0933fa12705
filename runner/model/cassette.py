"""Record and replay model exchanges: a wrapper client over a JSONL file beside the playbook.

One exchange per line, keyed by ``ModelRequest.key()``: the canonical request (file
contents included; never headers or keys) and the reply's content, stop reason, model
and usage. In ``record`` mode a known key is answered from the file (``replayed=True``,
``calls=0``) and a new one is asked through the inner client, then appended, flushed
and fsynced as it completes. In ``replay`` mode a miss is a ``ModelError("replay-miss")``.
A torn last line (the process killed mid-append: bytes after the last newline) is
ignored, so that exchange is asked again, and cut off before the next append. Several
cassettes may append to one file (e.g. one per phase): each append is one whole line.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from typing import Any

from runner.adapters.workspace import append_line_bytes_durable, read_bytes_or_none
from runner.errors import InputError
from runner.model.client import ModelClient, ModelError, ModelReply, ModelRequest, Usage, canonical

MODES = ("record", "replay")
FORMAT = 1  #: the ``v`` of every line; a line of another version is refused


class Cassette:
    """``ModelClient`` that answers from a cassette file and records what it had to ask.

    Thread-safe: several workers may call ``create`` at once; concurrent asks of one
    key are made once (the others wait for that answer).
    """

    def __init__(self, inner: ModelClient | None, path: str, mode: str = "record") -> None:
        """Load ``path`` (missing = empty). Raises ``InputError`` for a damaged complete line
        (a bad merge or a hand edit: fix or delete the cassette)."""
        if mode not in MODES:
            raise ValueError(f"cassette mode must be one of {MODES}, not {mode!r}")
        self.inner, self.path, self.mode = inner, path, mode
        self._lock = threading.Lock()
        self._asking: dict[str, threading.Event] = {}
        self._entries, self.torn = _load(path)

    # the ModelClient protocol ---------------------------------------------------

    def create(self, request: ModelRequest) -> ModelReply:
        """The recorded answer to ``request``, or (record mode) the inner client's, recorded."""
        key = request.key()
        while True:
            with self._lock:
                entry = self._entries.get(key)
                if entry is not None:
                    return _reply_from(entry, key)
                if self.mode == "replay" or self.inner is None:
                    raise self._miss(key)
                waiting = self._asking.get(key)
                if waiting is None:
                    self._asking[key] = threading.Event()
                    break
            waiting.wait()
        try:
            reply = self.inner.create(request)
            self._record(key, request, reply)
            return reply
        finally:
            with self._lock:
                self._asking.pop(key).set()

    # for the lock file ----------------------------------------------------------

    def sha256(self) -> str:
        """sha256 of the cassette file's complete lines, as they are now on disk (a torn
        tail is not counted: it is cut off at the next append)."""
        with self._lock:
            data = read_bytes_or_none(self.path) or b""
        return hashlib.sha256(data[: data.rfind(b"\n") + 1]).hexdigest()

    def count(self) -> int:
        """Number of exchanges recorded."""
        with self._lock:
            return len(self._entries)

    def keys(self) -> frozenset[str]:
        """The request keys recorded."""
        with self._lock:
            return frozenset(self._entries)

    # inside ---------------------------------------------------------------------

    def _record(self, key: str, request: ModelRequest, reply: ModelReply) -> None:
        entry = {"v": FORMAT, "key": key, "role": request.role, "request": request.payload(),
                 "reply": {"content": reply.blocks(), "stop_reason": reply.stop_reason,
                           "model": reply.model, "usage": _usage_json(reply.usage)}}
        line = (canonical(entry) + "\n").encode("utf-8")
        with self._lock:
            if key in self._entries:
                return
            append_line_bytes_durable(self.path, line)
            self._entries[key] = entry
            self.torn = False

    def _miss(self, key: str) -> ModelError:
        name = os.path.basename(self.path)
        if self.mode == "replay":
            return ModelError("replay-miss", f"no recorded answer for request {key[:12]} "
                              f"({name} holds {len(self._entries)} exchanges; "
                              "record it by running without --replay)", key)
        return ModelError("no-key", f"no recorded answer for request {key[:12]} in {name}, and the "
                          "API is not available: set ANTHROPIC_API_KEY to ask it", key)


def _load(path: str) -> tuple[dict[str, dict[str, Any]], bool]:
    """(entries by key, whether a torn tail — bytes after the last newline — was ignored)."""
    data = read_bytes_or_none(path) or b""
    lines = data.split(b"\n")
    tail = lines.pop()  # what follows the last newline: b"" unless the last append was cut
    entries: dict[str, dict[str, Any]] = {}
    for lineno, chunk in enumerate(lines, start=1):
        if not chunk.strip():
            continue
        entry = _parse_line(chunk)
        if entry is None:
            raise InputError(f"{path}:{lineno}: not a recorded exchange (damaged cassette line); "
                             "fix it or delete the cassette to record again")
        entries.setdefault(entry["key"], entry)
    return entries, bool(tail)


def _parse_line(chunk: bytes) -> dict[str, Any] | None:
    try:
        entry = json.loads(chunk)
    except ValueError:
        return None
    ok = (isinstance(entry, dict) and entry.get("v") == FORMAT and isinstance(entry.get("key"), str)
          and isinstance(entry.get("reply"), dict))
    return entry if ok else None


def _reply_from(entry: dict[str, Any], key: str) -> ModelReply:
    reply = entry["reply"]
    usage = Usage(**{k: int(v) for k, v in reply.get("usage", {}).items() if k in Usage.__slots__})
    return ModelReply(content=canonical(reply.get("content", [])), stop_reason=reply.get("stop_reason", ""),
                      usage=usage, model=reply.get("model", ""), request_key=key, replayed=True, calls=0)


def _usage_json(usage: Usage) -> dict[str, int]:
    return {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
            "cache_creation_input_tokens": usage.cache_creation_input_tokens,
            "cache_read_input_tokens": usage.cache_read_input_tokens}
