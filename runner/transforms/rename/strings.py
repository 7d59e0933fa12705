"""Planning string literals: ``__all__`` entries follow renamed module-level
bindings; any other mention of a renamed name is reported, never rewritten."""
from __future__ import annotations

import re

import libcst as cst

from runner.transforms.rename.analysis import FileAnalysis
from runner.transforms.rename.scan import string_value
from runner.transforms.rename.spec import last_of


#: ``a.b.name`` or ``a.b:name`` (an entry point); the last part follows the last separator
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*[.:][A-Za-z_]\w*")


def with_string_value(node: cst.SimpleString, value: str) -> cst.SimpleString:
    """The same literal (prefix and quotes kept) holding ``value`` (an identifier)."""
    return node.with_changes(value=f"{node.prefix}{node.quote}{value}{node.quote}")


def plan_dunder_all(file: FileAnalysis) -> None:
    """Rename the ``__all__`` entries of module-level bindings renamed here."""
    for node in file.dunder_all:
        value = string_value(node)
        if value in file.global_renames:
            file.plan.replace[node] = with_string_value(node, file.global_renames[value])


def plan_strings(file: FileAnalysis) -> None:
    """Report (never rewrite) other string mentions of renamed names: a dotted name
    anywhere in a literal, or a literal equal to a bare old name in a file that the
    rename concerns (run last: "concerns" counts every edit and gap planned)."""
    patterns = [
        (source, re.compile(rf"(?<![\w.]){re.escape(source)}(?!\w)")) for source in file.targets
    ]
    related = file.related or bool(file.gaps) or not file.plan.empty
    bare = {last_of(s): s for s in file.targets} if related else {}
    # ``mock.patch("app.views.name")`` patches the name where it is used: a dotted path
    # ending in an old name is reported even though its module is not the old one.
    dotted_tail = {last_of(s): s for s in file.targets}
    all_strings = set(file.dunder_all)
    for node in file.nodes.strings:
        if node in file.plan.replace:
            continue
        if node in all_strings and string_value(node) in file.all_ok:
            continue
        if isinstance(node, cst.SimpleString):
            value, source_text = string_value(node), node.value
        else:
            value = source_text = file.module.code_for_node(node)
        hit = next((s for s, pattern in patterns if pattern.search(value)), None)
        if hit is not None:
            file.gap(node, (
                f"string mentions {hit}, which is renamed to {file.targets[hit]}; "
                "not rewritten"
            ), source=source_text)
        elif _DOTTED.fullmatch(value) and re.split(r"[.:]", value)[-1] in dotted_tail:
            old = dotted_tail[re.split(r"[.:]", value)[-1]]
            file.gap(node, (
                f"string {value!r} may name {old} where it is used (renamed to "
                f"{file.targets[old]}), e.g. a mock.patch target; not rewritten"
            ), source=source_text)
        elif value in bare:
            old = bare[value]
            file.gap(node, (
                f"string {value!r} may name {old} (renamed to {file.targets[old]}); "
                "not rewritten"
            ), source=source_text)
