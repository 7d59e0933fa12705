"""The ``rewrite`` tree transform: declarative match/replace rules.

The rules that may match the file (their needles occur in it) are applied in one walk
(``walk.RuleApplier``); imports of the rules that fired are then added/removed. The
sites a rule matched but could not rewrite are gaps positioned in the output; ``flag``
rules are evaluated on the output last, so every gap points into the file as this
transform returns it.
"""
from __future__ import annotations

import ast
import dataclasses
import difflib

import libcst as cst
from libcst.codemod import CodemodContext

from dataclasses import dataclass

from ..base import FileContext, Gap, TreeResult
from .accounting import tally_rules
from .attributes import AttributePlan, plan_attributes
from .bindings import Resolver
from .candidates import Scan, as_written, flag_sites, scan
from .errors import PatternError
from .imports import add_imports, remove_imports
from .rendering import Rendered, render
from .rules import ImportSpec, Rule, compile_rules, duplicate_ids
from .scopes import keep_parse
from .sites import Search, positions_of, site_source
from .walk import Failure, RuleApplier, RuleCount, RuleIndex


class RewriteTransform:
    """Implements :class:`runner.transforms.base.TreeTransform` for ``transform: rewrite``.

    ``rules`` is the ``with: rules:`` list of the playbook task. Invalid rules raise
    :class:`PatternError` here. Holds no per-file state.
    """

    def __init__(self, rules: list[dict]) -> None:
        if not isinstance(rules, list) or not rules:
            raise PatternError("expected a non-empty list of rules", field="rules")
        self.rules: tuple[Rule, ...] = compile_rules(rules)
        self._labels = {rule.label: rule.index for rule in self.rules}
        self._searches = {r.index: Search(r.matcher, r.pattern.kind, r.flag or "", r.label) for r in self.rules if r.flag is not None}
        for error in duplicate_ids(rules):
            raise error
        if any(not rule.needles for rule in self.rules):
            self._needles: tuple[str, ...] = ()
        else:
            seen: dict[str, None] = {}
            for rule in self.rules:
                for needle in rule.needles:
                    seen.setdefault(needle)
            self._needles = tuple(seen)

    def _flag_searches(self, code: str, resolver: Resolver) -> list[Search]:
        """The flag rules that may match in ``code``, as searches, when the scan of the
        input can find their sites for ``flag_sites`` (else none: it searches the output)."""
        searches = [self._searches[r.index] for r in self.rules if r.flag is not None and all(n in code for n in r.needles)]
        return searches if as_written(searches, resolver) else []

    def needles(self) -> tuple[str, ...]:
        """All identifiers and attribute names of all match patterns; ``()`` when some
        rule's pattern has none (e.g. ``$a == $a``), since that rule may match anywhere."""
        return self._needles

    def transform_module(self, module: cst.Module, ctx: FileContext) -> TreeResult:
        """The module with every rule applied (see ``apply``, which also counts per rule)."""
        return self.apply(module, ctx).result

    def apply(self, module: cst.Module, ctx: FileContext, everywhere: bool = False) -> "RewriteOutcome":
        """``transform_module`` with the per-rule counts (matches, changes) of this file.
        ``everywhere``: the walk visits every node, not only where a rule matches the
        input (the same result, slower; for tests that compare the two)."""
        rendered = _rendered(module)
        code = rendered.code
        active = _active_rules(self.rules, code)
        tree, counts, failures, out_code, rendered_out = module, {}, [], code, rendered
        found, resolver = None, None
        if active:
            index, resolver = RuleIndex(active), Resolver(module, code)
            if not everywhere:
                found = scan(module, index, resolver, self._flag_searches(code, resolver))
            applier, tree, out = _walk(module, rendered, index, resolver, found)
            if applier.bound:  # rename_attributes: decide per name, walk again with the plan
                plan = plan_attributes(module, applier.bound, resolver)
                applier, tree, out = _walk(module, rendered, index, resolver, found, plan)
                if applier.reverted or not plan.allowed <= {id(b.site) for b in applier.bound}:
                    plan = plan.refusing_all("its uses could not be renamed with it (a statement around them did not parse)")
                    applier, tree, out = _walk(module, rendered, index, resolver, found, plan)
            counts, failures, out_code = applier.counts, applier.failures, out.code
            rendered_out = out
        fired = [r for r in active if r.index in counts and counts[r.index].changes > 0]
        gaps = _failure_gaps(tree, module, failures, ctx.path)  # (the walk's tree holds the failed nodes)
        if not fired:
            tree, out_code, rendered_out = module, code, rendered
        if fired:
            with_imports = _apply_imports(tree, ctx, fired, out_code)
            if with_imports is not tree:
                tree, before_imports = with_imports, out_code
                rendered_out = render(tree, rendered_out)
                out_code = rendered_out.code
                gaps = _moved(gaps, before_imports, out_code)
        flags = [r for r in self.rules if r.flag is not None and all(n in out_code for n in r.needles)]
        if flags:
            searches = [self._searches[r.index] for r in flags]
            gaps.extend(flag_sites(tree, searches, ctx.path, out_code, found, resolver))
        checked = _check_parses(code, out_code) if fired else False
        gaps.sort(key=lambda g: (g.line, g.column))
        tallies = tally_rules(self.rules, self._labels, counts, gaps)
        result = TreeResult(module=tree, gaps=tuple(gaps), checked=checked, rules=tallies, code=out_code)
        _keep_rendered(tree, rendered_out)
        return RewriteOutcome(result, counts)


# The last trees this process returned, with their text: the engine hands a file's
# output tree to its next task (a phase with several rewrite tasks), whose input it is.
_RENDERED: list[tuple[cst.Module, Rendered]] = []


def _rendered(module: cst.Module) -> Rendered:
    """``render(module)``, or the rendering of it kept when it was an output."""
    for tree, rendered in _RENDERED:
        if tree is module:
            return rendered
    return render(module)


def _keep_rendered(tree: cst.Module, rendered: Rendered) -> None:
    _RENDERED.insert(0, (tree, rendered))
    del _RENDERED[2:]


def _walk(module: cst.Module, rendered: Rendered, index: RuleIndex, resolver: Resolver, found: Scan | None,
          attributes: AttributePlan | None = None) -> tuple[RuleApplier, cst.Module, Rendered]:
    """One walk of the rules over ``module``; a second, checking each statement, when
    the output does not parse (the statements that broke are kept as they were).
    ``found``: where the rules match (the walk visits only there); None: everywhere."""
    marks = None if found is None else found.marks(attributes.renames if attributes is not None else ())
    applier = RuleApplier(index, resolver, attributes=attributes, marks=marks)
    tree = module.visit(applier)
    out = render(tree, rendered)
    if not _parses(out.code) and _parses(rendered.code):
        applier = RuleApplier(index, resolver, verify=True, attributes=attributes, marks=marks)
        tree = module.visit(applier)
        out = render(tree, rendered)
    return applier, tree, out


def _check_parses(before: str, after: str) -> bool:
    """The output must parse (a safety net: the statements that broke were found and
    left as they were). Python's own parser is tried first (fast: True); libcst's when
    Python cannot read the input either (e.g. syntax newer than the running Python)."""
    if _parses(after):
        return True
    try:
        ast.parse(before)
    except (SyntaxError, ValueError):
        try:
            cst.parse_module(after)
            return False
        except cst.ParserSyntaxError as e:
            raise RuntimeError(f"rewrite produced code that does not parse: {e.message}") from None
    raise RuntimeError("rewrite produced code that does not parse (a replacement does not fit its site)")


def _parses(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    keep_parse(code, tree)  # the binding facts of this code, if asked for, start from it
    return True


def _moved(gaps: list[Gap], before: str, after: str) -> list[Gap]:
    """Gaps positioned in ``before``, moved to the same lines of ``after`` (imports added
    or removed above them)."""
    if not gaps:
        return gaps
    old, new = before.splitlines(), after.splitlines()
    line_map: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            line_map[block.a + k + 1] = block.b + k + 1
    return [dataclasses.replace(g, line=line_map.get(g.line, g.line)) for g in gaps]


@dataclass(frozen=True, slots=True)
class RewriteOutcome:
    """What ``apply`` gives for one file: the tree result, and per rule its matches and changes."""

    result: TreeResult
    counts: dict[int, RuleCount]  #: rule index -> matches and changes in this file


def _active_rules(rules: tuple[Rule, ...], code: str) -> list[Rule]:
    """The replace rules that may match: all their needles are in the file, or in the
    replacement of an earlier rule that may match (``assertEquals`` -> ``assertEqual``)."""
    active: list[Rule] = []
    made = ""
    for rule in rules:
        if rule.template is None:
            continue
        if all(n in code or n in made for n in rule.needles):
            active.append(rule)
            made += "\n" + rule.template.text
    return active


def _apply_imports(tree: cst.Module, ctx: FileContext, fired: list[Rule], code: str) -> cst.Module:
    adds: list[ImportSpec] = []
    removes: list[ImportSpec] = []
    for rule in fired:
        adds.extend(s for s in rule.add_imports if s not in adds)
        removes.extend(s for s in rule.remove_imports if s not in removes)
    if not adds and not removes:
        return tree
    context = CodemodContext(filename=ctx.path, full_module_name=ctx.full_module_name, full_package_name=ctx.full_package_name)
    added = add_imports(tree, context, adds)
    return remove_imports(added, context, removes, code if added is tree else None)


def _failure_gaps(tree: cst.Module, before: cst.Module, failures: list[Failure], path: str) -> list[Gap]:
    """Gaps of the sites left unrewritten, positioned in the output (in the input when the
    output no longer holds the node as such: a rule around it rewrote it)."""
    if not failures:
        return []
    positions = positions_of(tree, (f.node for f in failures))
    missing = [f.node for f in failures if id(f.node) not in positions]
    if missing:
        positions.update(positions_of(before, missing))
    out = []
    for f in failures:
        if id(f.node) not in positions:
            continue  # a rule around the site replaced it
        line, column = positions[id(f.node)]
        reason = f"rules[{f.rule.index}]: cannot rewrite this match: {f.reason}"
        out.append(Gap(path, line, column, reason, site_source(f.node), rule=f.rule.label))
    return out
