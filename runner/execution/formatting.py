"""A phase's ``format:`` command, run only on the files the phase changed, before its checks.

The command edits files in place, so its journal entry is ``format_started`` (files and
pre hashes) before it runs and ``done`` (post hashes) after; an interrupted format is
run again on resume (formatters are idempotent). Each formatted file must re-parse
with libcst; one that does not, or a command that fails, gets its pre-format content back.
"""
from __future__ import annotations

from runner.adapters.shell import run_command
from runner.adapters.workspace import sha256_bytes
from runner.errors import InputError
from runner.execution.context import RunContext
from runner.execution.records import FileDelta, FormatOutcome
from runner.planning.plan import file_change
from runner.planning.render import RenderError, render_text
from runner.transforms.validation import parse_python

FORMAT_TIMEOUT = 600.0


def format_phase(ctx: RunContext, name: str) -> FormatOutcome | None:
    """Run the phase's formatter; None when it has none or changed nothing."""
    spec, record, ps = ctx.spec(name), ctx.record(name), ctx.phase_state(name)
    if not spec.format:
        return None
    key = ctx.key(ps, "format")
    started = _open_start(ctx, key)
    if started is None:
        pre = dict(record.preimages)
        started = {p: ctx.writer.disk_sha(p) for p in record.changed_files if ctx.writer.disk_sha(p) != pre[p]}
        if not started:
            return None
        ctx.journal.append("format_started", key=key, phase=name, files=[{"path": p, "pre": h} for p, h in started.items()])
    files = tuple(started)
    try:
        command = render_text(spec.format, ctx.check_context(name, files))
    except RenderError as exc:
        raise InputError(f"phase {name}, format: {exc}") from None
    result = run_command(command, cwd=ctx.root, shell=True, timeout=FORMAT_TIMEOUT, die_with_parent=True)
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    ctx.folder.write_text(f"checks/{name}/format.log", f"$ {command}\n[batchmod] exit {result.returncode}\n{output}")
    deltas, dropped, diffs = [], [], []
    for path in files:
        data = ctx.writer.read(path)
        if data is not None and sha256_bytes(data) == started[path]:
            continue
        if not result.ok or data is None or not _parses(path, data):
            ctx.writer.put(path, started[path])
            dropped.append(path)
            continue
        post = ctx.folder.put_blob(data)
        change = file_change(path, ctx.folder.blob(started[path]), data)
        deltas.append(FileDelta(path, started[path], post, change.added, change.removed))
        diffs.append(f"# format {path}\n{change.diff}")
    finals = {path: started[path] for path in files} | {d.path: d.post for d in deltas}
    ctx.journal.append("done", key=key, label="format", files=[{"path": p, "post": h} for p, h in finals.items()])
    ctx.folder.write_text(f"diffs/{name}.format.diff", "".join(diffs))
    note = ""
    if not result.ok:
        why = "timed out" if result.timed_out else f"exited {result.returncode}"
        note = f"the format command {why}; its edits were dropped (see checks/{name}/format.log)"
    elif dropped:
        note = f"formatted {', '.join(dropped)} does not re-parse; kept unformatted"
    ctx.io.notify(f"phase {name}: format changed {len(deltas)} file(s)" + (f" — {note}" if note else ""))
    return FormatOutcome(command, -1 if result.timed_out else result.returncode, tuple(deltas), note)


def _open_start(ctx: RunContext, key: str) -> dict[str, str] | None:
    """The pre hashes of a format run an interrupted process started and did not finish."""
    events = ctx.journal.events()
    if any(e["kind"] == "done" and e["key"] == key for e in events):
        return None
    for event in events:
        if event["kind"] == "format_started" and event["key"] == key:
            return {f["path"]: f["pre"] for f in event["files"]}
    return None


def _parses(path: str, data: bytes) -> bool:
    if not path.endswith((".py", ".pyi")):
        return True
    try:
        parse_python(data)
    except Exception:
        return False
    return True
