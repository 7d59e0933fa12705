"""The model flags of ``plan`` and ``run``, and whether they need a model session at all.

Kept apart from ``model_setup`` (the client, cassette, budgets): a playbook without model
work never imports the model stack.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

from runner.errors import InputError
from runner.playbook.spec import Playbook


@dataclass(frozen=True, slots=True)
class ModelFlags:
    """The model flags of ``plan`` and ``run`` (--model, --replay, --batch), as the session needs them."""

    ask: bool = False  #: plan --model
    replay: bool = False  #: --replay
    batch: bool = False  #: --batch (or model.batch): first attempts of a phase as one Message Batch
    batch_state: str = ""  #: where submitted batch ids are kept (the root's .batchmod/batches.json)
    notify: Callable[[str], None] | None = None  #: batch progress lines


def batch_state(root: str) -> str:
    """Where the ids of submitted Message Batches are kept, so an interrupted command polls them again."""
    return os.path.join(os.path.abspath(root), ".batchmod", "batches.json")


def session_needed(playbook: Playbook, flags: ModelFlags) -> bool:
    """Whether the command needs a model session: the playbook has a usable model and gives it work.

    Raises InputError for flags that cannot be honoured (``--model`` or ``--replay`` without
    a usable model, or both together), whatever the answer would be.
    """
    model = playbook.model
    usable = model is not None and model.provider != "none"
    if (flags.ask or flags.replay) and not usable:
        flag = "--model" if flags.ask else "--replay"
        raise InputError(f"{flag}: {playbook.path} has no model to ask; add a `model:` section with "
                         "provider anthropic (or replay) and a cassette")
    if flags.ask and flags.replay:
        raise InputError("--model asks the model and --replay forbids it; pass one of them")
    return usable and _needs_model(playbook)


def _needs_model(playbook: Playbook) -> bool:
    """A task type hands work to the model, or a phase has it review or fix."""
    from runner.planning.gapfill import wants_model  # asked only of a playbook with a usable model

    return (any(wants_model(t) for t in playbook.task_types)
            or any(p.gate.review == "model" or p.on_failure == "fix" for p in playbook.phases))
