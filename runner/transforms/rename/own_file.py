"""Planning what the old module's own file needs: the gap for moving the file of a
renamed module, and the module-level definition of a renamed name (renamed in place
by the binding step, or reported when it has to move to another module)."""
from __future__ import annotations

from libcst.metadata import BaseAssignment

from runner.transforms.base import Gap
from runner.transforms.rename.analysis import FileAnalysis


def plan_own_file(file: FileAnalysis) -> list[BaseAssignment]:
    """Gaps for what cannot happen in place (moving the file of a renamed module, or a
    definition to another module); returns the module-level bindings of the old name
    that :func:`.bindings.plan_bindings` renames with their references (none elsewhere)."""
    spec, ctx = file.spec, file.ctx
    if ctx.full_module_name == spec.old:
        file.related = True
        old_path = "/".join(spec.old.split("."))
        new_path = "/".join(spec.new.split("."))
        where = (
            f"the package directory {old_path}/ to {new_path}/"
            if ctx.path.endswith("__init__.py")
            else f"{ctx.path} to {new_path}.py"
        )
        file.gaps.append(Gap(ctx.path, 1, 1, (
            f"module {spec.old} is renamed to {spec.new}; move {where} "
            "(file moves are out of scope)"
        )))
    if not file.is_defining:
        return []
    file.related = True
    assignments = sorted(
        (
            a for a in file.global_scope.assignments[spec.old_last]
            if not file.imports_renamed(a)  # `from . import b` of module a.b itself
        ),
        key=lambda a: file.positions[a.node].start.line,
    )
    if assignments and spec.is_move:
        # Code is not moved between files: references elsewhere already point to
        # the new location, so the definition must be moved by hand.
        file.all_ok.add(spec.old_last)
        renamed = f" and rename it to {spec.new_last}" if spec.new_last != spec.old_last else ""
        file.gap(assignments[0].node, (
            f"definition of {spec.old} stays in {ctx.path}; move it to "
            f"{spec.new_mod}{renamed}"
        ), source=spec.old_last)
        return []
    return assignments
