"""Which task types may declare ``scope: statement`` (validate refuses the others).

A statement-scoped task is run on the statements that hold one of its needles, parsed
alone (``runner.transforms.statements``). That is exact only for a libcst codemod
whose edit of a statement depends on that statement alone: one that declares no
metadata (scope, qualified names, parents and positions all depend on the rest of the
module) and has needles to find its statements by. ``rewrite`` does the same by itself
wherever it is exact (``RewriteTransform.precheck``), so it takes no ``scope:``.
"""
from __future__ import annotations

from runner.playbook.spec import TaskTypeSpec

_BUILTIN_REASONS = {
    "rewrite": "rewrite already parses only the statements where its rules may match, whenever that is exact",
    "fstring": "fstring infers what names hold from every binding in their scope",
    "rename": "rename follows imports and bindings across the module",
    "replace": "replace edits text and parses nothing",
    "command": "command runs a program on whole files",
    "model": "model edits whole files",
}


def statement_scope_refusal(spec: TaskTypeSpec, root: str, needles: tuple[str, ...] | None = None) -> str | None:
    """None when ``spec`` may run with ``scope: statement``; else why not, with what to do.

    ``needles`` (a task's override) replace the task type's own when given.
    """
    fix = "remove `scope: statement` (the default, `file`, parses whole files)"
    if spec.transform in _BUILTIN_REASONS:
        return f"`scope: statement` is for libcst codemods; {_BUILTIN_REASONS[spec.transform]}; {fix}"
    if spec.expect_absent:
        return f"`scope: statement` cannot check `expect_absent` (it needs the whole file); {fix}"
    if not (spec.needles if needles is None else needles):
        return f"`scope: statement` needs `needles` (they find the statements to parse); add them or {fix}"
    from runner.transforms.codemod import import_codemod

    try:
        cls = import_codemod(spec.transform, root)
    except Exception:  # the transform check reports it
        return None
    metadata = sorted(p.__name__ for p in cls.get_inherited_dependencies())
    if metadata:
        return (f"{cls.__name__} asks for metadata ({', '.join(metadata)}), which depends on more than "
                f"the statement; {fix}")
    return None
