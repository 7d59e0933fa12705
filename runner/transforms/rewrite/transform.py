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
import re

import libcst as cst

from dataclasses import dataclass

from ..depth import may_hold_flat_chain
from ..base import Changed, FileContext, Gap, Outcome, RuleTally, TreeResult, Unchanged
from ..statements import Scope, file_gaps, open_scope, read_source, split_lines
from ..validation import whitespace_only
from .accounting import tally_rules
from .attributes import AttributePlan, plan_attributes
from .bindings import Resolver
from .candidates import Scan, as_written, flag_sites, scan
from .errors import PatternError
from ..import_clash import clashes, maybe_bound
from .imports import ModuleNames, add_imports, remove_imports
from .rendering import Rendered, render
from .rules import ImportSpec, Rule, compile_rules, duplicate_ids
from .scoped import FileResolver, ScopeNeeded, edit_imports, is_import_rule, known_tree, sites_of
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
        found, resolver, refused = None, None, {}
        if active:
            index, resolver = RuleIndex(active), Resolver(module, code)
            if not everywhere:
                found = scan(module, index, resolver, self._flag_searches(code, resolver))
            applier, tree, out = _walk(module, rendered, index, resolver, found)
            refused = _import_refusals(module, code, applier.importing)
            if refused:  # an added import would rebind a name: walk again without those sites
                applier, tree, out = _walk(module, rendered, index, resolver, found, refused=refused)
            if applier.bound:  # rename_attributes: decide per name, walk again with the plan
                plan = plan_attributes(module, applier.bound, resolver)
                applier, tree, out = _walk(module, rendered, index, resolver, found, plan, refused)
                if applier.reverted or not plan.allowed <= {id(b.site) for b in applier.bound}:
                    plan = plan.refusing_all("its uses could not be renamed with it (a statement around them did not parse)")
                    applier, tree, out = _walk(module, rendered, index, resolver, found, plan, refused)
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
        if refused and out_code != code:
            gaps = _relined(gaps, code, out_code)
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


    #: ``precheck`` answers with gaps too (the engine applies ``on_gap`` to them)
    precheck_gaps = True

    def precheck(self, source: bytes, ctx: FileContext) -> Outcome | None:
        """What ``transform_module`` gives on the whole file, found by parsing only the
        statements where a rule may match (``scoped``): an Unchanged or a Changed with
        its gaps and per-rule tallies, byte for byte the whole-file run's. None when that
        cannot be exact, or a tree of this text is at hand (the whole-file run is then
        cheaper); it never raises for a bad file (the whole-file run reports it). A
        file libcst does not write back as written (a form feed in an indentation: the
        engine's whole-file path fails it) is answered too: a statement whose text
        libcst would not give back is left as it was, each of its sites a gap naming
        the line (``Scope.frozen``), and every other byte is the file's own."""
        if any(rendered.code.encode("utf-8") == source for _, rendered in _RENDERED):
            return None
        try:
            run = self._scoped(source, ctx)
        except (ScopeNeeded, RecursionError, MemoryError, cst.ParserSyntaxError):
            return None
        if run is None:
            return None
        after, gaps, tallies = run
        if after == source:
            return Unchanged("", (), gaps, tallies)
        if whitespace_only(source, after):
            return Unchanged("whitespace-only change dropped", (), gaps, tallies)
        return Changed(source, after, (), gaps, tallies)

    def _scoped(self, source: bytes, ctx: FileContext) -> tuple[bytes, tuple[Gap, ...], tuple[RuleTally, ...]] | None:
        """``precheck``'s run: (the file's new bytes, its gaps, the tallies), or None."""
        read = read_source(source, known_tree)
        if read is None:
            return None
        text, tree = read
        keep_parse(text, tree)  # (the binding facts, if a name needs them, start from it)
        active = _active_rules(self.rules, text)
        made = "".join(f"\n{rule.template.text}" for rule in active if rule.template is not None)
        made += "".join(f"\n{spec.module} {spec.obj} {spec.asname}" for rule in active
                        for spec in (*rule.add_imports, *rule.remove_imports))
        flags = {r.index for r in self.rules if r.flag is not None and all(n in text or n in made for n in r.needles)}
        sites = sites_of(text, tree)
        spans = sites.spans([*active, *(self.rules[i] for i in sorted(flags))])
        if not spans:  # None: a rule cannot be placed; []: no rule can match
            return None if spans is None else (source, (), tally_rules(self.rules, self._labels, {}, []))
        scope = open_scope(text, tree, spans)
        if scope is None:
            return None
        if may_hold_flat_chain(scope.scoped_text):
            return None  # (a statement too deep for libcst: the engine masks it)
        module = cst.parse_module(scope.scoped_text)
        resolver = FileResolver(module, text, sites.imports)
        if _scaffold_matched(module, [*active, *(self.rules[i] for i in flags)], resolver):
            return None
        edited = self._scoped_edit(scope, module, resolver, active, ctx)
        if edited is None:
            return None
        flag_gaps = self._scoped_flags(edited, resolver, flags, ctx, scope.columns)
        if flag_gaps is None:
            return None
        if edited.final_tree is not None:
            sites_of(edited.final, edited.final_tree)  # the next task's input, most likely
        gaps = sorted([*edited.gaps, *flag_gaps], key=lambda g: (g.line, g.column))
        if edited.final != text and any(_LINES_NAMED.search(g.reason) for g in edited.gaps):
            gaps = _relined(gaps, text, edited.final)  # (a frozen statement's reason names a line of ``text``)
        tallies = tally_rules(self.rules, self._labels, edited.counts, gaps)
        return edited.final.encode("utf-8"), tuple(gaps), tallies

    def _scoped_edit(self, scope: Scope, module: cst.Module, resolver: FileResolver, active: list[Rule],
                     ctx: FileContext) -> "_Edited | None":
        """The walk of ``active`` over the scoped module, spliced into the file, then the
        imports of the rules that fired (``_Edited``); None when not exact."""
        found, tree, counts, failures = None, module, {}, []
        spliced, walked_tree = None if active else scope.splice(module, module), None
        if active:
            index = RuleIndex(active)
            found = scan(module, index, resolver, self._flag_searches(scope.text, resolver))
            applier, tree, spliced, walked_tree = _scoped_walk(scope, module, index, resolver, found)
            if applier.bound or resolver.needed:
                return None  # (which attributes to rename is decided over the whole module)
            if _may_clash(scope.text, scope.tree, applier.importing):
                return None  # (which sites an added import refuses is decided over the whole module)
            counts, failures = applier.counts, applier.failures
        if spliced is None:
            return None
        walked, line_map, _ = spliced
        gaps = _scoped_failure_gaps(tree, module, failures, ctx.path, line_map, scope.input_map(), scope.columns)
        fired = [r for r in active if r.index in counts and counts[r.index].changes > 0]
        if gaps is None:
            return None
        if not fired:
            return _Edited(scope.text, scope.text, scope.tree, module, found, gaps, scope.input_map(), counts)
        imported = _scoped_imports(walked, walked_tree, fired, ctx) if walked_tree is not None else None
        if imported is None:
            return None
        final, final_imports = imported
        if final == walked:
            return _Edited(walked, final, walked_tree, tree, found, gaps, line_map, counts)
        gaps = _moved(gaps, walked, final)
        return _Edited(walked, final, None, tree, found, gaps, line_map, counts, final_imports)

    def _scoped_flags(self, edited: "_Edited", resolver: FileResolver, spanned: set[int],
                      ctx: FileContext, columns: dict[int, tuple[int, int]]) -> list[Gap] | None:
        """The flag rules' gaps in the final text, or None when the scoped output cannot
        show them all (a flag rule whose sites were not parsed, or one that matches
        import statements after the imports changed)."""
        walked, final = edited.walked, edited.final
        flags = [r for r in self.rules if r.flag is not None and all(n in final for n in r.needles)]
        if not flags:
            return []
        if any(r.index not in spanned for r in flags) or (final != walked and any(is_import_rule(r) for r in flags)):
            return None
        out_resolver = FileResolver(edited.tree, final, edited.final_file_imports())
        searches = [self._searches[r.index] for r in flags]
        found = flag_sites(edited.tree, searches, ctx.path, final, edited.found, resolver, out_resolver)
        gaps = file_gaps(found, edited.line_map, columns)
        if gaps is None or out_resolver.needed:
            return None
        return _shifted(list(gaps), walked, final) if final != walked else list(gaps)


@dataclass(frozen=True, slots=True)
class _Edited:
    """A scoped run's rewrite of a file, before its flag rules."""

    walked: str  #: the whole file after the walk
    final: str  #: and after the imports of the rules that fired
    final_tree: ast.Module | None  #: the ast of ``final``; None: not parsed (the import edits changed it)
    tree: cst.Module  #: the scoped module after the walk (its input when no rule fired)
    found: Scan | None  #: the scan of the scoped input
    gaps: list[Gap]  #: the failure gaps, in ``final``'s lines
    line_map: list[tuple[int, int, int]]  #: ``tree``'s units in ``walked``
    counts: dict[int, RuleCount]
    final_imports: dict[str, frozenset[str]] | None = None  #: ``file_imports`` of ``final`` when ``final_tree`` is None

    def final_file_imports(self) -> dict[str, frozenset[str]]:
        """``file_imports`` of ``final``; with its ast at hand, ``final``'s ``FileSites``
        (kept for the binding facts and the next task) give them."""
        if self.final_tree is None:
            return self.final_imports or {}
        keep_parse(self.final, self.final_tree)  # (for the facts of ``final``, if a name needs them)
        return sites_of(self.final, self.final_tree).imports


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
          attributes: AttributePlan | None = None, refused: dict[tuple[int, int], str] | None = None,
          ) -> tuple[RuleApplier, cst.Module, Rendered]:
    """One walk of the rules over ``module``; a second, checking each statement, when
    the output does not parse (the statements that broke are kept as they were).
    ``found``: where the rules match (the walk visits only there); None: everywhere.
    ``refused``: the sites left as failures (``RuleApplier.refused``)."""
    marks = None if found is None else found.marks(attributes.renames if attributes is not None else ())
    applier = RuleApplier(index, resolver, attributes=attributes, marks=marks, refused=refused)
    tree = module.visit(applier)
    out = render(tree, rendered)
    if not _parses(out.code) and _parses(rendered.code):
        applier = RuleApplier(index, resolver, verify=True, attributes=attributes, marks=marks, refused=refused)
        tree = module.visit(applier)
        out = render(tree, rendered)
    return applier, tree, out


def _scoped_walk(scope: Scope, module: cst.Module, index: RuleIndex, resolver: Resolver, found: Scan):  # type: ignore[no-untyped-def]
    """``_walk`` over a scoped module: (the applier, the output tree, ``scope.splice`` of
    it, the ast of the spliced file or None). The file's new text is spliced from the
    units, not rendered; a second walk checks each statement when it does not parse."""
    marks, quiet, frozen = found.marks(), scope.without_hash(module), scope.frozen(module)
    applier = RuleApplier(index, resolver, marks=marks, quiet=quiet, frozen=frozen)
    tree = module.visit(applier)
    spliced = _spliced(scope, tree, module)
    parsed = _parsed(spliced[0]) if spliced is not None else None
    if spliced is not None and parsed is None:
        applier = RuleApplier(index, resolver, verify=True, marks=marks, quiet=quiet, frozen=frozen)
        tree = module.visit(applier)
        spliced = _spliced(scope, tree, module)
        parsed = _parsed(spliced[0]) if spliced is not None else None
    return applier, tree, spliced, parsed


def _import_refusals(module: cst.Module, code: str, sites: list) -> dict[tuple[int, int], str]:  # type: ignore[type-arg]
    """The sites (``RuleApplier.importing``: rewritten by a rule that adds imports) of
    ``module`` (whose text is ``code``) where a name an added import binds is bound to
    something else (``import_clash``), by (site id, rule index), with the reason."""
    specs = list(dict.fromkeys(spec for site in sites for spec in site.rule.add_imports))
    if not specs or not maybe_bound(code, specs):
        return {}
    tree = known_tree(code) or _parsed(code)
    found = clashes(tree, split_lines(code), specs) if tree is not None else None
    if not found:
        return {}
    positions = positions_of(module, (site.original for site in sites))
    out = {}
    for site in sites:
        line, column = positions.get(id(site.original), (0, 1))
        reasons = (found.reason(spec, (line, column - 1)) for spec in site.rule.add_imports)
        reason = next((r for r in reasons if r is not None), None)
        if reason is not None:
            out[(id(site.original), site.rule.index)] = reason
    return out


def _may_clash(text: str, tree: ast.Module, sites: list) -> bool:  # type: ignore[type-arg]
    """Whether some site may be refused by ``_import_refusals`` (``text`` is the file, ``tree`` its ast)."""
    specs = list(dict.fromkeys(spec for site in sites for spec in site.rule.add_imports))
    return bool(specs) and maybe_bound(text, specs) and bool(clashes(tree, split_lines(text), specs))


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
    """Whether Python parses ``code``; its tree is kept for the binding facts (``keep_parse``)."""
    tree = _parsed(code)
    if tree is None:
        return False
    keep_parse(code, tree)  # the binding facts of this code, if asked for, start from it
    return True


def _parsed(code: str) -> ast.Module | None:
    """``ast.parse(code)``, or None when Python cannot parse it."""
    try:
        return ast.parse(code)
    except (SyntaxError, ValueError):
        return None


def _scaffold_matched(module: cst.Module, rules: list[Rule], resolver: Resolver) -> bool:
    """Whether an ``if`` rule matches an ``if 1:`` of the scoped module (the headers that
    hold its indented units are not the file's: such a match is not one of the file's)."""
    tests = [r for r in rules if type(r.matcher.pattern) is cst.If]
    for stmt in module.body if tests else ():
        if type(stmt) is cst.If and type(stmt.test) is cst.Integer and stmt.test.value == "1":
            if any(r.matcher.match(stmt, resolver) is not None for r in tests):
                return True
    return False


def _spliced(scope: Scope, tree: cst.Module, before: cst.Module):  # type: ignore[no-untyped-def]
    """``scope.splice(tree, before)`` where the rules emptied an indented unit (its
    ``if 1:`` got ``pass``): a unit that is its whole block keeps the ``pass`` (its block
    gets it too), another one is taken out (its block holds more); None when unsure (a
    ``pass`` beside other lines, comment lines above the unit)."""
    spliced = scope.splice(tree, before)
    if spliced is None:
        return None
    pieces, changed = spliced[2], False
    for k, (unit, piece) in enumerate(zip(scope.units, pieces)):
        lines = piece.splitlines()
        if not unit.indent or not lines or lines[-1].strip() != "pass" or scope.lines[unit.end - 1].strip() == "pass":
            continue
        block = scope.block_of(unit)
        if block is None or unit.first != unit.stmt or len(lines) != 1:
            return None
        if not (_first_line(block[0]) >= unit.stmt + 1 and (block[-1].end_lineno or 0) <= unit.end):
            pieces[k], changed = "", True
    return (*scope.respliced(pieces), pieces) if changed else spliced


def _first_line(stmt: ast.stmt) -> int:
    decorators = getattr(stmt, "decorator_list", None) or ()
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _scoped_imports(walked: str, tree: ast.Module, fired: list[Rule], ctx: FileContext
                    ) -> tuple[str, dict[str, frozenset[str]] | None] | None:
    """``walked`` (the whole file after the walk; ``tree`` its ast) with the imports of
    the rules that fired, as ``_apply_imports`` makes them, and its ``file_imports`` when
    they changed it (``edit_imports``); None when not exact."""
    adds, removes = _import_specs(fired)
    if not adds and not removes:
        return walked, None
    keep_parse(walked, tree)  # (whether an import is used is read from this text's names)
    return edit_imports(walked, tree, ctx, adds, removes)


def _scoped_failure_gaps(tree: cst.Module, before: cst.Module, failures: list[Failure], path: str,
                         out_map, in_map, columns=None) -> list[Gap] | None:  # type: ignore[no-untyped-def]
    """``_failure_gaps`` of a scoped run, moved to the file's lines (a gap positioned in
    the output by ``out_map``, one positioned in the input by ``in_map``; ``columns``:
    ``Scope.columns``); None when one lies outside the units."""
    out = []
    for gap, in_input in _failure_gaps_where(tree, before, failures, path):
        moved = file_gaps((gap,), in_map if in_input else out_map, columns)
        if moved is None:
            return None
        out.extend(moved)
    return out


def _shifted(gaps: list[Gap], before: str, after: str) -> list[Gap] | None:
    """Gaps positioned in ``before``, on the same lines of ``after``, which differs from it
    in one run of lines (the imports); None when a gap lies in that run."""
    old, new = split_lines(before), split_lines(after)
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    out = []
    for gap in gaps:
        if gap.line > len(old) - tail:
            out.append(dataclasses.replace(gap, line=gap.line + len(new) - len(old)))
        elif gap.line <= head:
            out.append(gap)
        else:
            return None
    return out


def _moved(gaps: list[Gap], before: str, after: str) -> list[Gap]:
    """Gaps positioned in ``before``, moved to the same lines of ``after`` (imports added
    or removed above them)."""
    if not gaps:
        return gaps
    line_map = _line_map(before, after)
    return [dataclasses.replace(g, line=line_map.get(g.line, g.line)) for g in gaps]


#: a line a failure's reason names: a binding's (``import_clash``), a form feed's (``lossy_reason``)
_LINES_NAMED = re.compile(r"(` is bound at line |the form feed in the indentation of line )(\d+)")


def _relined(gaps: list[Gap], before: str, after: str) -> list[Gap]:
    """Gaps whose reason names a line of ``before`` (``_LINES_NAMED``), naming that
    line in ``after`` instead (where it was not changed)."""
    line_map = _line_map(before, after)

    def moved(m: re.Match[str]) -> str:
        return f"{m[1]}{line_map.get(int(m[2]), int(m[2]))}"

    return [dataclasses.replace(g, reason=_LINES_NAMED.sub(moved, g.reason)) for g in gaps]


def _line_map(before: str, after: str) -> dict[int, int]:
    """1-based lines of ``before`` -> the same lines of ``after`` (those left as they were)."""
    old, new = before.splitlines(), after.splitlines()
    line_map: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, old, new, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            line_map[block.a + k + 1] = block.b + k + 1
    return line_map


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


def _import_specs(fired: list[Rule]) -> tuple[list[ImportSpec], list[ImportSpec]]:
    """The imports to add and to remove for the rules that fired, in order, without repeats."""
    adds: list[ImportSpec] = []
    removes: list[ImportSpec] = []
    for rule in fired:
        adds.extend(s for s in rule.add_imports if s not in adds)
        removes.extend(s for s in rule.remove_imports if s not in removes)
    return adds, removes


def _apply_imports(tree: cst.Module, ctx: FileContext, fired: list[Rule], code: str) -> cst.Module:
    adds, removes = _import_specs(fired)
    if not adds and not removes:
        return tree
    context = ModuleNames(ctx.path, ctx.full_module_name, ctx.full_package_name)
    added = add_imports(tree, context, adds)
    return remove_imports(added, context, removes, code if added is tree else None)


def _failure_gaps(tree: cst.Module, before: cst.Module, failures: list[Failure], path: str) -> list[Gap]:
    """Gaps of the sites left unrewritten, positioned in the output (in the input when the
    output no longer holds the node as such: a rule around it rewrote it)."""
    return [gap for gap, _ in _failure_gaps_where(tree, before, failures, path)]


def _failure_gaps_where(tree: cst.Module, before: cst.Module, failures: list[Failure], path: str
                        ) -> list[tuple[Gap, bool]]:
    """``_failure_gaps``, each with whether it is positioned in the input."""
    if not failures:
        return []
    positions = positions_of(tree, (f.node for f in failures))
    missing = [f.node for f in failures if id(f.node) not in positions]
    in_input = positions_of(before, missing) if missing else {}
    out = []
    for f in failures:
        where = positions.get(id(f.node)) or in_input.get(id(f.node))
        if where is None:
            continue  # a rule around the site replaced it
        reason = f"rules[{f.rule.index}]: cannot rewrite this match: {f.reason}"
        gap = Gap(path, where[0], where[1], reason, site_source(f.node), rule=f.rule.label)
        out.append((gap, id(f.node) not in positions))
    return out
