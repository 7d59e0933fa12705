"""The ``model`` transform: no deterministic part; every subtask is a gap for the model."""
from __future__ import annotations


class ModelOnlyTransform:
    """``transform: model``: no deterministic edit; every selected file goes to the model."""

    kind = "model"

    def needles(self) -> tuple[str, ...]:
        """No needles (``()``): every selected file is the model's."""
        return ()
