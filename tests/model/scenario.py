"""A small gap-fill scenario: compat.ensure_text(raw, "latin-1") is a gap the rule left."""
from __future__ import annotations

from runner.model.jobs import GapJob
from runner.playbook.spec import Example, TaskTypeSpec
from runner.transforms.base import Gap
from tests.model_server import reply, tool_block

SPEC = TaskTypeSpec(
    name="drop-ensure-text", transform="rewrite",
    with_json='{"rules":[{"match":"compat.ensure_text($x)","replace":"str($x)"}]}',
    expect_absent=("compat.ensure_text",), on_gap="model",
    instructions="Replace the remaining uses of compat.ensure_text with str() or bytes.decode, same behaviour.",
    examples=(Example(before="name = compat.ensure_text(raw)", after="name = str(raw)"),))

SOURCE = '''import compat


def load(raw):
    name = str(raw)
    label = compat.ensure_text(raw, "latin-1")
    return name, label
'''
GAP_CALL = 'compat.ensure_text(raw, "latin-1")'
FIXED_CALL = 'raw.decode("latin-1") if isinstance(raw, bytes) else str(raw)'
FIXED = SOURCE.replace(GAP_CALL, FIXED_CALL)
CONTEXT = ("src/compat.py", b"def ensure_text(s, encoding='utf-8'):\n    return s.decode(encoding) if isinstance(s, bytes) else s\n")


def job(path: str = "src/app.py", source: str = SOURCE, **kw) -> GapJob:
    line = source.splitlines().index('    label = compat.ensure_text(raw, "latin-1")') + 1
    gap = Gap(path, line, 13, "`compat.ensure_text` remains (expect_absent)", GAP_CALL)
    kw.setdefault("model", "claude-haiku-4-5")
    kw.setdefault("context", (CONTEXT,))
    return GapJob(subtask_id=f"tests/drop-ensure-text/{path}", spec=SPEC, files=((path, source.encode()),),
                  gaps=(gap,), **kw)


def fix(path: str = "src/app.py", old: str = GAP_CALL, new: str = FIXED_CALL):
    return tool_block("replace_in_file", {"path": path, "old": old, "new": new})


def done(summary: str = "used bytes.decode"):
    return tool_block("done", {"summary": summary})


def fix_and_done(path: str = "src/app.py"):
    """One answer that edits and finishes (one call per job)."""
    return reply(fix(path), done())


def subtask_path(body) -> str:
    """The file of the subtask a first request is about (``Subtask `tests/drop-ensure-text/<path>```)."""
    opening = body["messages"][0]["content"][0]["text"]
    return opening.split("`")[1].removeprefix("tests/drop-ensure-text/")
