"""``on_failure: fix``: the orchestrator model fixes what the phase broke, a bounded number of rounds.

Each round: the new failures (baseline excluded) as structured data, clustered by
signature; one request per cluster with the phase's diff; the edits (confined to the
files the phase changed, validated by the guard) written through the journal like any
write, attributed to the round and the cluster; then the checks again. A round that
makes the checks run fewer tests is undone and counted as refused. After
``model.max_attempts`` rounds the phase falls back to ``stop`` (or what ``[fix, X]`` names).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

from runner.adapters.workspace import read_bytes_or_none, sha256_bytes
from runner.execution.checks import render_check
from runner.execution.context import RunContext
from runner.execution.records import CheckVerdict, ClusterRecord, FileDelta, FixOutcome
from runner.execution.review_gate import exchanges_json
from runner.execution.verify import run_phase_checks
from runner.model.client import ModelClient
from runner.model.clusters import Cluster, Failure, cluster_failures, count_tests, failures_from_junit, failures_from_output
from runner.model.fix import FixJob, FixProposal, propose_fix
from runner.model.guard import guard_test_count

EXAMPLES = 3


@dataclass(frozen=True, slots=True)
class _Round:
    """What one round's checks said: the failures, the verdicts, how many tests ran."""

    verdicts: tuple[CheckVerdict, ...]
    clusters: tuple[Cluster, ...]
    tests: int | None


def fix_phase(ctx: RunContext, name: str, client: ModelClient) -> tuple[FixOutcome, tuple[CheckVerdict, ...]]:
    """Run the fix rounds on the phase's failed checks; the outcome and the last verdicts."""
    model = ctx.loaded.playbook.model
    assert model is not None  # validate refuses on_failure: fix without a model section
    files = ctx.record(name).changed_files
    current = _read_round(ctx, name, ctx.phase_state(name).checks)
    seen: dict[str, ClusterRecord] = {}
    refused: list[str] = []
    touched: set[str] = set()
    calls = tokens = rounds = 0
    note = ""
    for round_no in range(1, model.max_attempts + 1):
        _track(seen, current.clusters, round_no)
        if not current.clusters:
            break
        rounds = round_no
        ctx.io.notify(f"phase {name}: fix round {round_no}: {len(current.clusters)} failure cluster(s)")
        proposals = _ask(ctx, name, client, round_no, current.clusters, files)
        for p in proposals:
            calls += sum(e.calls for e in p.exchanges if not e.replayed)
            tokens += sum(e.input_tokens + e.output_tokens + e.cache_creation_input_tokens + e.cache_read_input_tokens
                          for e in p.exchanges if not e.replayed)
            refused += [v.explain() for v in p.violations if v.kind != "no-edit"]
            if p.error:
                seen[p.cluster] = replace(seen[p.cluster], note=p.error)
        deltas = _write_round(ctx, name, round_no, proposals)
        if not deltas:
            note = "; ".join(sorted({p.error for p in proposals if p.error})[:2]) or "the model proposed no edit"
            break
        after = _read_round(ctx, name, run_phase_checks(ctx, name, files, f"fix round {round_no}"))
        dropped = guard_test_count(current.tests, after.tests)
        if dropped is not None:
            refused.append(dropped.explain())
            ctx.writer.apply(ctx.key(ctx.phase_state(name), f"fix/{round_no}/undo"), f"undo of fix round {round_no} ({dropped.detail})",
                             [FileDelta(d.path, d.post, d.pre) for d in deltas], phase=name)
            continue
        touched |= {d.path for d in deltas}
        current = after
        if not any(v.blocking for v in current.verdicts):
            _track(seen, (), round_no + 1)
            break
    passed = not any(v.blocking for v in current.verdicts)
    outcome = FixOutcome(rounds, tuple(seen.values()), tuple(refused), tuple(sorted(touched)), calls, tokens, passed, note)
    _charge_record(ctx, name, calls, tokens)
    ctx.journal.append("fix_done", phase=name, rounds=rounds, passed=passed, refused=refused, files=sorted(touched))
    return outcome, current.verdicts


def _charge_record(ctx: RunContext, name: str, calls: int, tokens: int) -> None:
    """The fix loop's calls and tokens join the phase's model budget use (status and report show them)."""
    record = ctx.record(name)
    extra = {"model_calls": calls, "model_tokens": tokens}
    budget = tuple(replace(b, amount=b.amount + extra[b.key]) if b.key in extra else b for b in record.budget)
    ctx.folder.save_phase(replace(record, budget=budget))


def _track(seen: dict[str, ClusterRecord], clusters: tuple[Cluster, ...], round_no: int) -> None:
    """New clusters are recorded in this round; earlier ones that no longer fail were resolved by the last."""
    now = {c.key for c in clusters}
    for key, rec in list(seen.items()):
        if key not in now and not rec.resolved_in:
            seen[key] = replace(rec, resolved_in=round_no - 1, note="")
    for c in clusters:
        if c.key not in seen:
            seen[c.key] = ClusterRecord(c.key, c.signature, len(c.failures), tuple(f.test_id for f in c.failures[:EXAMPLES]), round_no)


def _ask(ctx: RunContext, name: str, client: ModelClient, round_no: int, clusters: tuple[Cluster, ...],
         files: tuple[str, ...]) -> list[FixProposal]:
    """One request (conversation) per cluster, each on the files as the previous proposals left them."""
    model = ctx.loaded.playbook.model
    assert model is not None
    diff = ctx.folder.read_text(f"diffs/{name}.diff") or ""
    contents = {p: ctx.writer.read(p) or b"" for p in files}
    out = []
    for cluster in clusters:
        job = FixJob(name, round_no, cluster, diff, tuple(contents.items()), model.reviewer_model,
                     model.reviewer_tokens, params=model.params_json)
        proposal = propose_fix(client, job)
        contents.update(dict(proposal.files))
        ctx.journal.append("fix_proposal", phase=name, round=round_no, cluster=cluster.key, signature=cluster.signature,
                           files=[p for p, _ in proposal.files], summary=proposal.summary, error=proposal.error,
                           refused=[v.explain() for v in proposal.violations],
                           exchanges=exchanges_json(proposal.exchanges))
        out.append(proposal)
        if proposal.error_kind == "budget":
            break  # no more calls; what is proposed so far is still tried
    return out


def _write_round(ctx: RunContext, name: str, round_no: int, proposals: list[FixProposal]) -> list[FileDelta]:
    """Journal and write the round's edits (one intent), attributed to the round and its clusters."""
    final: dict[str, bytes] = {}
    for p in proposals:
        final.update(dict(p.files))
    deltas = []
    for path, data in sorted(final.items()):
        before = ctx.writer.read(path)
        if before is None or before == data:
            continue
        ctx.folder.put_blob(before)
        deltas.append(FileDelta(path, sha256_bytes(before), ctx.folder.put_blob(data)))
    if deltas:
        ps = ctx.phase_state(name)
        ctx.writer.apply(ctx.key(ps, f"fix/{round_no}"), f"fix round {round_no} of phase {name}", deltas, phase=name,
                         fix_round=round_no, clusters=[p.cluster for p in proposals if p.files])
    return deltas


def _read_round(ctx: RunContext, name: str, verdicts: tuple[CheckVerdict, ...]) -> _Round:
    failures: list[Failure] = []
    total, known = 0, False
    checks = {c.name: c for c in ctx.spec(name).checks}
    context = ctx.check_context(name, ctx.record(name).changed_files)
    for v in verdicts:
        spec = checks.get(v.result.name)
        junit = render_check(spec, context, name).junit if spec is not None else None
        xml = _read_text(os.path.join(ctx.root, *junit.split("/"))) if junit and v.result.junit_read else None
        log = ctx.folder.read_text(v.result.log) or v.result.tail
        count = count_tests(xml, log)
        if count is not None:
            total, known = total + count, True
        if v.blocking:
            failures += _new_failures(v, xml, log, ctx.root)
    return _Round(verdicts, cluster_failures(failures), total if known else None)


def _new_failures(v: CheckVerdict, xml: str | None, log: str, root: str) -> list[Failure]:
    name = v.result.name
    parsed = failures_from_junit(xml, name, root) if xml is not None else None
    if parsed:
        new = set(v.new_failures)
        return [f for f in parsed if f.test_id in new]
    found = list(failures_from_output(log, name, root))
    new = set(v.new_failures) - {name}
    return [f for f in found if not new or f.test_id in new or f.test_id == name] or found


def _read_text(path: str) -> str | None:
    data = read_bytes_or_none(path)
    return data.decode("utf-8", "replace") if data is not None else None
