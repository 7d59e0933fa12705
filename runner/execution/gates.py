"""A phase's gate: the next phase starts only when its checks pass and, if asked, a person approved."""
from __future__ import annotations

from dataclasses import dataclass

from runner.execution.baseline import describe_unblamed, describe_verdicts
from runner.execution.records import CheckVerdict
from runner.playbook.spec import PhaseSpec

@dataclass(frozen=True, slots=True)
class GateDecision:
    """A phase gate's verdict: whether the checks passed and whether a person must approve."""

    passed: bool  #: the checks show no new failure
    needs_approval: bool  #: passed, and a person must approve before the run goes on
    reason: str  #: in words, for the state and the report


def decide_gate(spec: PhaseSpec, verdicts: tuple[CheckVerdict, ...], approved: bool, rejected: int = 0) -> GateDecision:
    """Checks first; then review rejections (``rejected`` subtasks) and manual approval hold the phase."""
    blocking = [v for v in verdicts if v.blocking]
    if blocking:
        return GateDecision(False, False, describe_verdicts(verdicts))
    passed = sum(1 for v in verdicts if v.result.passed)
    parts = [f"{passed} check{'s' if passed != 1 else ''} passed"] if passed else []
    parts.extend(describe_unblamed(v) for v in verdicts if not v.result.passed)
    ran = "; ".join(parts) if verdicts else "no checks"
    if rejected:
        ran += f"; {rejected} subtask{'s' if rejected != 1 else ''} rejected by review (not written)"
        if spec.gate.on_reject != "continue" and not approved:
            return GateDecision(True, True, f"{ran}; waiting for manual approval")
    if spec.gate.approval == "manual" and not approved:
        return GateDecision(True, True, f"{ran}; waiting for manual approval")
    return GateDecision(True, False, ran + ("; approved" if approved else ""))

