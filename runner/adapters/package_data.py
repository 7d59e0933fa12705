"""Files shipped with batchmod (the playbook schema), read from the wheel or the checkout."""
from __future__ import annotations

import os

import runner

_PACKAGE_DIR = os.path.dirname(os.path.abspath(runner.__file__))


def package_text(relpath: str) -> str:
    """The shipped file ``relpath`` as text: package data ``runner/<relpath>`` in a wheel,
    else ``<checkout>/<relpath>`` in a source checkout. OSError when neither exists.

    A package installed as plain files is read directly; importlib.resources (and the
    pathlib, zipfile and tempfile it brings) is asked only for one that is not (a zip).
    """
    beside = os.path.join(_PACKAGE_DIR, *relpath.split("/"))
    if os.path.isfile(beside):
        return _read_text(beside)
    if not os.path.isdir(_PACKAGE_DIR):
        from importlib import resources

        packaged = resources.files("runner").joinpath(relpath)
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    return _read_text(os.path.join(os.path.dirname(_PACKAGE_DIR), *relpath.split("/")))


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as fp:
        return fp.read()
