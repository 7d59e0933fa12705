"""The ``model`` transform: no deterministic part; every subtask is a gap for the model."""
from __future__ import annotations


class ModelOnlyTransform:
    kind = "model"

    def needles(self) -> tuple[str, ...]:
        return ()
