"""Where the Anthropic API key comes from, without importing the SDK (slow to import).

The key goes nowhere but the SDK: never into a request record, a reply, a log line or
an error message.
"""
from __future__ import annotations

import os

KEY_VARIABLE = "ANTHROPIC_API_KEY"
NO_KEY_HINT = (f"{KEY_VARIABLE} is not set: export your Anthropic API key, "
               "or answer from the recorded cassette with --replay")


def api_key_from_env() -> str | None:
    """The API key from the environment, or None when unset or blank."""
    key = os.environ.get(KEY_VARIABLE, "").strip()
    return key or None
