"""All rename decisions for one module, step by step.

The order matters: the own-file and import steps record what the binding step
decides about; bindings claim their references before the dotted-reference step
looks at the rest; clean-up sees every reference re-pointed; strings come last
because whether a bare mention is reported depends on everything planned before.
"""
from __future__ import annotations

import libcst as cst

from runner.transforms.base import FileContext
from runner.transforms.rename.analysis import FileAnalysis
from runner.transforms.rename.bindings import plan_bindings
from runner.transforms.rename.docs import SnippetRenamer, plan_docs
from runner.transforms.rename.imports import plan_imports
from runner.transforms.rename.own_file import plan_own_file
from runner.transforms.rename.references import plan_cleanup, plan_references
from runner.transforms.rename.spec import RenameSpec
from runner.transforms.rename.strings import plan_dunder_all, plan_strings


def plan_rename(
    module: cst.Module, ctx: FileContext, spec: RenameSpec, aliases: dict[str, str],
    rename_snippet: SnippetRenamer | None = None,
) -> FileAnalysis:
    """Analyse ``module`` and plan the rename; the result holds the plan (keyed by
    the nodes of ``result.module``, a copy of ``module``), gaps, warnings and the
    module-level names renamed. ``aliases`` are the re-export aliases of the old name
    (see :mod:`.reexports`). With ``rename_snippet`` (``docs: true``), docstrings,
    doctests, comments and dotted-path strings are planned too (see :mod:`.docs`)."""
    file = FileAnalysis(module, ctx, spec, aliases)
    definition = plan_own_file(file)
    plan_imports(file)
    plan_bindings(file, definition)
    plan_references(file)
    plan_cleanup(file)
    plan_dunder_all(file)
    if rename_snippet is not None:
        plan_docs(file, rename_snippet)
    plan_strings(file)
    return file
