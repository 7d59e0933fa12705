"""A phase's gate: the next phase starts only when its checks pass and, if asked, a person approved."""
from __future__ import annotations

from dataclasses import dataclass

from runner.execution.baseline import describe_verdicts
from runner.execution.records import CheckVerdict
from runner.playbook.spec import PhaseSpec

@dataclass(frozen=True, slots=True)
class GateDecision:
    passed: bool  #: the checks show no new failure
    needs_approval: bool  #: passed, and a person must approve before the run goes on
    reason: str  #: in words, for the state and the report


def decide_gate(spec: PhaseSpec, verdicts: tuple[CheckVerdict, ...], approved: bool) -> GateDecision:
    blocking = [v for v in verdicts if v.blocking]
    if blocking:
        return GateDecision(False, False, describe_verdicts(verdicts))
    ran = f"{len(verdicts)} check{'s' if len(verdicts) != 1 else ''} passed" if verdicts else "no checks"
    old = [v for v in verdicts if v.preexisting]
    if old:
        ran += f" ({len(old)} with failures the untouched tree had too)"
    if spec.gate.approval == "manual" and not approved:
        return GateDecision(True, True, f"{ran}; waiting for manual approval")
    return GateDecision(True, False, ran + ("; approved" if approved else ""))


def unsupported_gate(spec: PhaseSpec) -> str | None:
    """Why the phase cannot run yet (model review or the model fix loop), or None."""
    if spec.gate.review == "model":
        return (
            f"phase {spec.name}: `gate.review: model` is not supported by this batchmod yet (model review comes with "
            "the model issue, see DESIGN.md \"Model use\"); set `review: none` or review the diff with `approval: manual`"
        )
    if spec.on_failure == "fix":
        return (
            f"phase {spec.name}: `on_failure: fix` is not supported by this batchmod yet (the model fix loop comes with "
            "the model issue, see DESIGN.md \"Model use\"); use stop, rollback or bisect"
        )
    return None
