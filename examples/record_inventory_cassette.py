"""Re-record examples/inventory's cassette: `batchmod plan --model` against a local server.

The answers are written here by hand for the demo (no real model is asked): the local
Messages API server of the test suite plays the model, and batchmod records what it
answers, exactly as it records the Anthropic API. Run from the checkout:

    .venv/bin/python examples/record_inventory_cassette.py
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tests.model_server import MessagesServer, tool_use  # noqa: E402

ANSWER = {"path": "src/inventory/report.py", "old": '"== %s ==" % ensure_text(title)',
          "new": 'f"== {ensure_text(title)} =="'}


def respond(body: dict) -> object:
    turn = sum(1 for m in body["messages"] if m["role"] == "assistant")
    if turn == 0:
        return tool_use("replace_in_file", ANSWER, say="The %-format becomes an f-string with the same output.")
    return tool_use("done", {"summary": "converted the %-formatted title line to an f-string"})


def main() -> int:
    example = HERE / "inventory"
    for name in ("inventory-modernize.cassette.jsonl", "batchmod.lock"):
        (example / name).unlink(missing_ok=True)
    server = MessagesServer().start()
    server.script(respond)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "inventory"
        shutil.copytree(example, copy, ignore=shutil.ignore_patterns(".batchmod", "__pycache__", ".pytest_cache"))
        for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=demo", "-c", "user.email=demo@example.invalid",
                                                      "commit", "-qm", "before"]):
            subprocess.run(["git", "-C", str(copy), *args], check=True)
        env = {**os.environ, "ANTHROPIC_API_KEY": "demo-key-for-the-local-server", "ANTHROPIC_BASE_URL": server.base_url}
        batchmod = shutil.which("batchmod", path=str(Path(sys.executable).parent)) or "batchmod"
        done = subprocess.run([batchmod, "plan", "playbook.yaml", "--model", "--diff"], cwd=copy, env=env)
        server.stop()
        if done.returncode != 0:
            return done.returncode
        for name in ("inventory-modernize.cassette.jsonl", "batchmod.lock"):
            shutil.copy(copy / name, example / name)
    print(f"recorded {len(server.message_requests())} exchanges into {example}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
