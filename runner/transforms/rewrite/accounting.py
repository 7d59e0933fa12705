"""What each rule of a ``rewrite`` task is (label, place in the playbook, needles) and did.

The walk counts matches and changes per rule as it goes (``walk.RuleCount``);
``tally_rules`` adds the gaps each rule left and freezes the counts for the outcome.
``rule_catalogue`` describes a task type's rules for plans, reports and
``validate --explain``; ``attribute_hunk`` names the rules that made a diff hunk, from
the text the hunk removes (no walk, no positions: the rules' names must be in it).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Gap, RuleTally

from .errors import PatternError
from .rules import Rule, compile_rules

#: transforms whose ``with: rules:`` are counted per rule
RULE_TRANSFORMS = ("rewrite",)


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """One rule of a task type, as plans and reports name it."""

    index: int  #: position in ``with: rules:``
    kind: str  #: replace | flag
    label: str  #: its ``id``, else the first line of its ``match``
    line: int  #: of the rule in the playbook file (1-based; 0: unknown)
    column: int
    needles: tuple[str, ...]  #: names the file must hold for the rule to match
    produces: str  #: the replacement's text ("" for a flag rule)
    imports: tuple[str, ...]  #: modules of its ``imports`` (an import hunk names the rule)


def tally_rules(rules: Sequence[Rule], by_label: Mapping[str, int], counts: Mapping[int, object],
                gaps: Iterable[Gap]) -> tuple[RuleTally, ...]:
    """The per-rule counts of one file: the walk's matches and changes of each ``replace``
    rule, the gaps each rule left (a flag rule matches where it leaves a gap). ``rules``
    by index, ``by_label`` their labels → index. Rules that did nothing are left out; the
    cost follows the rules that did something, not all rules."""
    left: dict[int, int] = {}
    for gap in gaps:
        index = by_label.get(gap.rule)
        if index is not None:
            left[index] = left.get(index, 0) + 1
    out = []
    for index in sorted({*counts, *left}):
        count, replaces = counts.get(index), rules[index].template is not None
        matches = getattr(count, "matches", 0) if replaces else left.get(index, 0)
        changes = getattr(count, "changes", 0) if replaces else 0
        if matches or changes or left.get(index):
            out.append(RuleTally(index, matches, changes, left.get(index, 0)))
    return tuple(out)


@functools.lru_cache(maxsize=256)
def rule_catalogue(spec: TaskTypeSpec) -> tuple[RuleInfo, ...]:
    """The rules of a rule-based task type, in order (``()`` for other transforms, or
    rules that do not compile: ``validate`` reports those)."""
    if spec.transform not in RULE_TRANSFORMS:
        return ()
    raw = spec.args().get("rules")
    try:
        compiled = compile_rules(raw)  # type: ignore[arg-type]
    except (PatternError, TypeError, ValueError):
        return ()
    out = []
    for rule, entry in zip(compiled, raw):  # type: ignore[arg-type]
        line, column = spec.rule_positions[rule.index] if rule.index < len(spec.rule_positions) else (0, 0)
        label = entry.get("id") or (entry["match"].strip().splitlines() or [""])[0].strip()
        modules = tuple(dict.fromkeys(s.obj or s.module for s in (*rule.add_imports, *rule.remove_imports)))
        out.append(RuleInfo(rule.index, "replace" if rule.template is not None else "flag", label, line, column,
                            rule.needles, rule.template.text if rule.template is not None else "", modules))
    return tuple(out)


def missing_needles(infos: Sequence[RuleInfo], texts: Iterable[str]) -> dict[int, tuple[str, ...]]:
    """Rules that cannot match any of ``texts`` (the task's files): rule index → its needles
    found in none of them (nor in a replacement of the task's rules, which a later rule
    or a flag may see). A rule without needles may match anywhere and is never listed."""
    made = "\n".join(i.produces for i in infos)
    wanted = {n for i in infos for n in i.needles if n not in made}
    seen: set[str] = set()
    for text in texts:
        seen.update(n for n in wanted - seen if n in text)
        if seen == wanted:
            break
    out = {}
    for info in infos:
        absent = tuple(n for n in info.needles if n in wanted and n not in seen)
        if absent:
            out[info.index] = absent
    return out


def attribute_hunk(removed: str, added: str, infos: Sequence[RuleInfo], changers: Sequence[int]) -> tuple[int, ...]:
    """The rules (indices, of ``changers``: those that rewrote this file) that made a hunk
    removing ``removed`` and adding ``added``: those whose needles are all in the removed
    text; for a hunk of import lines only, the rules whose imports it edits; failing both,
    every changer (the hunk is theirs together)."""
    rules = [i for i in infos if i.index in changers]
    found = tuple(i.index for i in rules if i.needles and all(n in removed for n in i.needles))
    if found:
        return found
    lines = [ln.strip() for ln in (removed + added).splitlines() if ln.strip()]
    if lines and all(ln.startswith(("import ", "from ")) for ln in lines):
        by_import = tuple(i.index for i in rules if i.imports and any(m in ln for m in i.imports for ln in lines))
        if by_import:
            return by_import
    return tuple(i.index for i in rules)
