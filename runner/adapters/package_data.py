"""Files shipped with batchmod (the playbook schema), read from the wheel or the checkout."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def package_text(relpath: str) -> str:
    """The shipped file ``relpath`` as text: package data ``runner/<relpath>`` in a wheel,
    else ``<checkout>/<relpath>`` in a source checkout. OSError when neither exists."""
    packaged = resources.files("runner").joinpath(relpath)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / relpath).read_text(encoding="utf-8")
