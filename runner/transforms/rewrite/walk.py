"""One walk over a file that applies every ``replace`` rule of a task, site by site.

Rules are indexed by the node type their pattern's root has, so a node is only tried
against the rules that can match it. The walk is bottom-up: a node's children are
rewritten before the node is tried, so a rule sees the output of every rule on the code
inside its match; at one node the rules are tried in declared order, and once one has
replaced the node only the rules after it are tried on the replacement.

Each site is isolated: a replacement that cannot be built (a ReplacementError or a
libcst validation error) leaves that site unchanged and records a failure; a statement
whose rewritten form does not parse (Python's parser, on that statement alone) goes back
to its original text and its sites become failures. The other sites are still rewritten.
An indented block that the rules emptied gets an explicit ``pass`` (so what follows the
walk — flags, ``expect_absent`` — sees the tree as it will be written).

Given ``marks`` (``candidates.Scan.marks``), the walk enters only the nodes on the way
to a node some rule matches in the input: the rest of the tree is left as it is (the
same objects), which is what the walk over every node would give, for far less.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import libcst as cst

from .attributes import AttributePlan, BoundSite
from .bindings import Resolver
from .candidates import BLOCK as _BLOCK, COMMENT as _COMMENT, COMPOUND_STATEMENT as _COMPOUND, FSTRING as _FSTRING
from .candidates import LINE as _LINE, NAME as _NAME, OTHER as _OTHER, SUITE as _SUITE, kind_of as _kind
from .comments import lost_comments, with_comments_above
from .pattern import COMPOUND, EXPRESSION, STATEMENT
from .precedence import fix_children, plain_text
from .replace import ReplacementError, build_expression, build_statements
from .rules import Rule, source_of
from .sites import ASSIGNABLE, Context, is_a

_EMPTY = cst.Module(body=[])
_SUITE_FIELDS = frozenset({"body", "orelse", "handlers", "finalbody"})


@dataclass(frozen=True, slots=True)
class Failure:
    """A site a rule matched but could not rewrite."""

    node: cst.CSTNode  #: the node left in the tree at that site
    rule: Rule
    reason: str
    original: cst.CSTNode | None = None  #: the site as it is in the input


@dataclass(slots=True)
class RuleCount:
    """One rule's sites in one file: matched, and rewritten."""

    matches: int = 0  #: sites the rule matched
    changes: int = 0  #: sites it rewrote (and that stayed rewritten)


@dataclass(frozen=True, slots=True)
class _Site:
    rule: Rule
    original: cst.CSTNode  #: the matched node as it is in the input


class RuleIndex:
    """The ``replace`` rules of a task by the node type their match can have."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._by_kind: dict[str, dict[type, list[Rule]]] = {EXPRESSION: {}, STATEMENT: {}, COMPOUND: {}}
        self._any: dict[str, list[Rule]] = {EXPRESSION: [], STATEMENT: [], COMPOUND: []}
        for rule in rules:
            kind = rule.pattern.kind
            types = rule.matcher.root_types
            if types is None:
                self._any[kind].append(rule)
            else:
                for tp in types:
                    self._by_kind[kind].setdefault(tp, []).append(rule)
        self._cache: dict[tuple[str, type], tuple[Rule, ...]] = {}
        self.statements = bool(self._by_kind[STATEMENT] or self._any[STATEMENT])
        self.quiet = all(r.template is None or "#" not in r.template.text for r in rules)  #: no template holds a comment
        #: no template spells ``await``, ``yield`` nor ``async`` (``precedence.plain_text``)
        self.plain = all(r.template is None or plain_text(r.template.text) for r in rules)

    def rules_for(self, kind: str, tp: type) -> tuple[Rule, ...]:
        """The rules of ``kind`` that can match a node of type ``tp``, in declared order."""
        key = (kind, tp)
        found = self._cache.get(key)
        if found is None:
            merged = self._by_kind[kind].get(tp, []) + self._any[kind]
            found = self._cache[key] = tuple(sorted(merged, key=lambda r: r.index))
        return found


class RuleApplier(cst.CSTTransformer):
    """One walk of one file (created per file: holds per-file state).

    ``module.visit(applier)`` returns the rewritten tree (a node it passes over, off
    ``marks``, is the input's object) and leaves the walk's results on the applier: ``counts`` (rule
    index -> :class:`RuleCount`), ``failures`` (the sites left as they were, and why),
    ``bound`` (the sites of ``rename_attributes`` rules it rewrote), ``importing`` (the
    sites it rewrote with a rule that adds imports) and ``reverted``.
    ``index``: the rules; ``resolver``: the file's (names match as written without one);
    ``verify``, ``attributes``, ``marks``, ``refused`` and ``frozen``: see the attributes below.
    """

    def __init__(self, index: RuleIndex, resolver: Resolver | None = None, verify: bool = False,
                 attributes: AttributePlan | None = None, marks: tuple[set[int], set[int]] | None = None,
                 quiet: set[int] | None = None, refused: Mapping[tuple[int, int], str] | None = None,
                 frozen: Mapping[int, str] | None = None) -> None:
        super().__init__()
        self.index = index
        #: id of an input statement -> why it must stay as it is: the walk gives it back
        #: itself (the same object), each site it rewrote inside a failure with that reason
        self.frozen = frozen or {}
        self.frozen_in: cst.CSTNode | None = None  # the frozen statement the walk is in
        self.frozen_sites: list[_Site] = []  # the sites rewritten in it
        self.frozen_failures = 0  # ``failures`` when it was entered
        #: (id of an input site, rule index) -> why that rule may not rewrite it (the
        #: site becomes a failure with that reason)
        self.refused = refused or {}
        self.importing: list[_Site] = []
        #: ids of input statements that surely hold no comment (their rewrites keep every
        #: comment without looking, when no template holds one)
        self.quiet = quiet if quiet and index.quiet else None
        self.quiet_in: cst.CSTNode | None = None  # the quiet statement the walk is in
        #: ``candidates.Scan.marks``: (ids of the input nodes to visit, ids of those whose
        #: children to visit); None: every node (the other nodes are left as they are)
        self.visit_only, self.enter_only = marks if marks is not None else (None, None)
        self.passed: cst.CSTNode | None = None  # the node passed over (its on_leave is a no-op)
        #: ``rename_attributes``: None on a first walk (its sites are rewritten and
        #: collected in ``bound``); then the plan says which sites may be rewritten and
        #: which attributes are renamed
        self.attributes = attributes
        self.renames = attributes.renames if attributes is not None else {}
        self.bound: list[BoundSite] = []
        self.reverted = 0  # statements put back as they were (verify) that held renames or sites of the plan
        #: check that each rewritten statement parses (slower: the caller first tries
        #: without, and walks again with it when the whole output does not parse)
        self.verify = verify
        self.resolver = resolver
        #: no replacement can hold ``await``, ``yield``, ``async`` (``precedence.needs_parens``)
        self.plain = index.plain and resolver is not None and resolver.code is not None and plain_text(resolver.code)
        self.counts: dict[int, RuleCount] = {}
        self.failures: list[Failure] = []
        self.fresh: set[int] = set()  # replacements whose parent must check their parentheses
        self.context = Context()
        self.quotes: list[str] = []
        self.sites: list[list[_Site]] = []  # per enclosing statement: the sites rewritten in it
        self.pending: dict[int, list[str]] = {}  # depth -> comments to put above that statement
        self.comments = 0  # comments left so far
        self.comments_at: list[int] = []  # per enclosing statement: ``comments`` when it was entered
        self.expression_rules: dict[type, tuple[Rule, ...]] = {}

    # bookkeeping ----------------------------------------------------------------------

    def _count(self, rule: Rule) -> RuleCount:
        count = self.counts.get(rule.index)
        if count is None:
            count = self.counts[rule.index] = RuleCount()
        return count

    def _rewrote(self, rule: Rule, original: cst.CSTNode, bound: tuple[BoundSite, ...] = ()) -> None:
        self._count(rule).changes += 1
        self.bound.extend(bound)
        site = _Site(rule, original)
        if rule.add_imports:
            self.importing.append(site)
        if self.frozen_in is not None:
            self.frozen_sites.append(site)
        if self.sites:
            self.sites[-1].append(site)

    def _keep_comments(self, old: cst.CSTNode, new: Sequence[cst.CSTNode]) -> None:
        if self.comments_at and self.comments == self.comments_at[-1]:
            return  # no comment in the statement so far, so none in ``old``
        if self.quiet_in is not None:
            return  # no comment in the statement around ``old``, nor in any template
        lost = lost_comments(old, new)
        if lost:
            self.pending.setdefault(len(self.sites), []).extend(lost)

    def _refuse(self, rule: Rule, original: cst.CSTNode) -> None:
        """A ReplacementError when ``refused`` says ``rule`` may not rewrite this site."""
        if self.refused:
            reason = self.refused.get((id(original), rule.index))
            if reason is not None:
                raise ReplacementError(reason)

    def _bound_sites(self, rule: Rule, original: cst.CSTNode, bindings: dict) -> tuple[BoundSite, ...]:
        """The names whose attributes ``rule`` renames at this site (whose replacement was
        built); a ReplacementError when the plan refuses the site, or the metavariable
        is not bound to a name."""
        if not rule.rename_attributes:
            return ()
        out = []
        for var, renames in rule.rename_attributes.items():
            value = bindings.get(var)
            if type(value) is not cst.Name:
                raise ReplacementError(f"${var} is bound to `{source_of(value)}`, not a name: its attributes cannot be renamed")
            entry = self.resolver.origins.get(id(value)) if self.resolver is not None else None
            out.append(BoundSite(original, entry[1] if entry is not None and entry[0] is value else value, renames))  # type: ignore[arg-type]
        plan = self.attributes
        if plan is not None and id(original) not in plan.allowed:
            raise ReplacementError(plan.refused.get(id(original), "the uses of its names were not checked"))
        return tuple(out)

    # the walk -------------------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        """Enter ``node``: note its context, the f-string it opens or the statement it
        starts. False, leaving it as it is, for a node off ``marks``; False, visiting it
        without its children, for one that is marked to visit but not to enter."""
        if self.visit_only is not None and id(node) not in self.visit_only:
            self.passed = node
            return False
        if self.quiet is not None and self.quiet_in is None and id(node) in self.quiet:
            self.quiet_in = node
        if self.frozen and self.frozen_in is None and id(node) in self.frozen:
            self.frozen_in, self.frozen_failures = node, len(self.failures)
        self.context.visit(node)
        kind = _kind(type(node))
        if kind is _FSTRING:
            self.quotes.append(node.start.lstrip("rRbBuUfF"))  # type: ignore[attr-defined]
        elif kind is _LINE or kind is _COMPOUND:
            self.sites.append([])
            self.comments_at.append(self.comments)
        if self.enter_only is not None and id(node) not in self.enter_only:
            self.comments += 1  # (its comments are not counted: a rewrite here looks for them)
            return False
        return True

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        """Nothing (the default looks up ``visit_<Node>_<attribute>`` on every field)."""

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        """Nothing (the default looks up ``leave_<Node>_<attribute>`` on every field)."""

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        """``updated_node`` (its children rewritten) with the rules of its kind applied:
        expression rules at an expression, statement rules on a line's small statements,
        compound rules at a compound statement; then a renamed attribute, the parentheses
        its fresh children need, ``pass`` in an emptied block, and the comments a rewrite
        dropped above the statement. A node passed over is returned as it is."""
        if original_node is self.passed:
            self.passed = None
            self.comments += 1  # (as if it held one: a rewrite around it looks for them)
            return updated_node
        node = self._leave(original_node, updated_node)
        if original_node is self.quiet_in:
            self.quiet_in = None
        if original_node is self.frozen_in:
            self.frozen_in = None
            node = self._thawed(original_node)
        return node

    def _thawed(self, original: cst.CSTNode) -> cst.CSTNode:
        """A frozen statement, left: itself, its sites' rewrites undone and reported (the
        sites that failed in it are then those of the input)."""
        at = self.frozen_failures
        self.failures[at:] = [replace(f, node=f.original) if f.original is not None else f for f in self.failures[at:]]
        for site in self.frozen_sites:
            self._count(site.rule).changes -= 1
            self.failures.append(Failure(site.original, site.rule, self.frozen[id(original)]))
        self.frozen_sites = []
        return original

    def _leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[no-untyped-def]
        tp = type(original_node)
        kind = _kind(tp)
        node = fix_children(updated_node, self.fresh, self.plain) if self.fresh else updated_node
        if kind is _OTHER or kind is _NAME:
            if self.renames and tp is cst.Attribute and id(original_node) in self.renames:
                node = node.with_changes(attr=node.attr.with_changes(value=self.renames[id(original_node)]))  # type: ignore[attr-defined]
            if kind is _NAME and self.resolver is not None:
                self.resolver.origins[id(node)] = (node, original_node)
            rules = self.expression_rules.get(tp)
            if rules is None:
                rules = self.expression_rules[tp] = self.index.rules_for(EXPRESSION, tp)
            if rules and self.context.is_candidate(EXPRESSION, node, original_node):
                node = self._expression(original_node, node, rules)  # type: ignore[arg-type]
            return node
        if kind is _COMMENT:
            self.comments += 1
        elif kind is _FSTRING:
            self.quotes.pop()
        elif kind is _LINE or kind is _SUITE:
            if self.index.statements:
                node = self._line(original_node, node)  # type: ignore[arg-type]
        elif kind is _BLOCK:
            if not node.body:  # type: ignore[attr-defined]
                node = node.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        elif kind is _COMPOUND:
            rules = self.index.rules_for(COMPOUND, tp)
            if rules and self.context.is_candidate(COMPOUND, node, original_node):
                node = self._compound(original_node, node, rules)  # type: ignore[arg-type]
        if kind is _LINE or kind is _COMPOUND:
            node = self._close_statement(original_node, node)
        return node

    def _close_statement(self, original: cst.CSTNode, node):  # type: ignore[no-untyped-def]
        comments = self.pending.pop(len(self.sites), None)
        sites = self.sites.pop()
        self.comments_at.pop()
        if sites and self.verify:
            error = parse_error(node)
            if error is not None and parse_error(original) is None:
                if self.attributes is not None and self.attributes.touches(original):
                    self.reverted += 1
                for site in sites:
                    self._count(site.rule).changes -= 1
                    reason = f"the rewritten statement does not parse ({error}); left as it was"
                    self.failures.append(Failure(site.original, site.rule, reason))
                if self.frozen_sites:  # (undone here: not again when the frozen statement is left)
                    self.frozen_sites = [s for s in self.frozen_sites if all(s is not t for t in sites)]
                return _header_reverted(original, node)
        if comments:
            if isinstance(node, cst.FlattenSentinel):
                first, *rest = node.nodes
                node = cst.FlattenSentinel([with_comments_above(first, comments), *rest])  # type: ignore[arg-type]
            elif isinstance(node, cst.BaseStatement):
                node = with_comments_above(node, comments)
        return node

    # expressions ----------------------------------------------------------------------

    def _expression(self, original: cst.BaseExpression, node: cst.BaseExpression, rules: tuple[Rule, ...]):
        failures: list[Failure] = []
        last = -1
        while rules:
            for rule in rules:
                if rule.index <= last:
                    continue
                bindings = rule.matcher.match(node, self.resolver)
                if bindings is None:
                    continue
                self._count(rule).matches += 1
                try:
                    self._refuse(rule, original)
                    new = build_expression(rule.template, bindings, node, self.plain)  # type: ignore[arg-type]
                    if id(original) in self.context.targets and not isinstance(new, ASSIGNABLE):
                        raise ReplacementError("the match is assigned to here and the replacement cannot be")
                    if self.quotes:
                        _check_fstring(node, new, self.quotes)
                    bound = self._bound_sites(rule, original, bindings)
                except Exception as err:  # noqa: BLE001 - one site, never the file
                    failures.append(Failure(node, rule, describe(err), original))
                    continue
                self._rewrote(rule, original, bound)
                self.fresh.discard(id(node))
                self.fresh.add(id(new))
                self._keep_comments(node, [new])
                failures = [f for f in failures if f.node is not node]
                node, last = new, rule.index
                rules = self.index.rules_for(EXPRESSION, type(new))
                break
            else:
                break
        self.failures.extend(failures)
        return node

    # statements -----------------------------------------------------------------------

    def _line(self, original: cst.BaseSuite, line: cst.SimpleStatementLine | cst.SimpleStatementSuite):
        whole_line = isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
        out: list[cst.BaseSmallStatement] = []
        changed = False
        for i, stmt in enumerate(line.body):
            new = self._small(original.body[i], stmt, whole_line)  # type: ignore[attr-defined]
            if new is None:
                out.append(stmt)
                continue
            changed = True
            if whole_line and not _one_line(new):
                self._keep_comments(stmt, new)
                return _place_statements(line, new)  # type: ignore[arg-type]
            smalls = list(new[0].body) if new else []  # type: ignore[attr-defined]
            self._keep_comments(stmt, smalls)
            if smalls:
                smalls[-1] = smalls[-1].with_changes(semicolon=stmt.semicolon)
            out.extend(smalls)
        if not changed:
            return line
        if not out:
            return cst.RemoveFromParent() if isinstance(line, cst.SimpleStatementLine) else line.with_changes(body=[cst.Pass()])
        last = out[-1]
        if isinstance(last.semicolon, cst.Semicolon) and not isinstance(line.body[-1].semicolon, cst.Semicolon):
            out[-1] = last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return line.with_changes(body=out)

    def _small(self, original: cst.BaseSmallStatement, stmt: cst.BaseSmallStatement, whole_line: bool):
        """The statements replacing one small statement (``[]``: deleted), None if unchanged."""
        rules = self.index.rules_for(STATEMENT, type(stmt))
        failures: list[Failure] = []
        result, last = None, -1
        while rules:
            for rule in rules:
                if rule.index <= last:
                    continue
                bindings = rule.matcher.match(stmt, self.resolver)
                if bindings is None:
                    continue
                self._count(rule).matches += 1
                try:
                    self._refuse(rule, original)
                    stmts = build_statements(rule.template, bindings, self.plain)  # type: ignore[arg-type]
                    if not whole_line and stmts and not _one_line(stmts):
                        raise ReplacementError("the replacement spans lines but the match shares its line with other statements")
                    if self.verify:
                        _check_parses(stmts)
                    bound = self._bound_sites(rule, original, bindings)
                except Exception as err:  # noqa: BLE001 - one site, never the file
                    failures.append(Failure(stmt, rule, describe(err), original))
                    continue
                self._rewrote(rule, original, bound)
                failures = [f for f in failures if f.node is not stmt]
                result, last, rules = stmts, rule.index, ()
                if _one_line(stmts) and len(stmts[0].body) == 1:  # type: ignore[attr-defined]
                    stmt = stmts[0].body[0]  # type: ignore[attr-defined]
                    rules = self.index.rules_for(STATEMENT, type(stmt))
                break
            else:
                break
        self.failures.extend(failures)
        return result

    def _compound(self, original: cst.CSTNode, node: cst.BaseCompoundStatement, rules: tuple[Rule, ...]):
        failures: list[Failure] = []
        for rule in rules:
            bindings = rule.matcher.match(node, self.resolver)
            if bindings is None:
                continue
            self._count(rule).matches += 1
            try:
                self._refuse(rule, original)
                stmts = build_statements(rule.template, bindings, self.plain)  # type: ignore[arg-type]
                if self.verify:
                    _check_parses(stmts)
                bound = self._bound_sites(rule, original, bindings)
            except Exception as err:  # noqa: BLE001 - one site, never the file
                failures.append(Failure(node, rule, describe(err), original))
                continue
            self._rewrote(rule, original, bound)
            if stmts:
                stmts[0] = _keep_block_comments(node, stmts[0])
            self._keep_comments(node.with_changes(leading_lines=()), stmts)  # type: ignore[arg-type]
            if not stmts:
                return cst.RemoveFromParent()
            stmts[0] = stmts[0].with_changes(leading_lines=[*node.leading_lines, *stmts[0].leading_lines])
            return cst.FlattenSentinel(stmts)
        self.failures.extend(failures)
        return node


# helpers ----------------------------------------------------------------------------


def describe(err: Exception) -> str:
    """One line for a site's failure: a ReplacementError's message, else the error's type too."""
    text = " ".join(str(err).split())
    return text if isinstance(err, ReplacementError) else f"{type(err).__name__}: {text}"


def parse_error(node: object) -> str | None:
    """Why the statement(s) ``node`` do not parse on their own with Python's parser (None: they do)."""
    if isinstance(node, cst.RemovalSentinel):
        return None
    nodes = node.nodes if isinstance(node, cst.FlattenSentinel) else [node]
    code = "".join(_EMPTY.code_for_node(n) for n in nodes)  # type: ignore[arg-type]
    try:
        ast.parse(code)
    except SyntaxError as err:
        return f"{err.msg} at line {err.lineno or 1} of the statement"
    except ValueError as err:
        return str(err)
    return None


def _check_parses(stmts: list[cst.BaseStatement]) -> None:
    error = parse_error(cst.FlattenSentinel(stmts)) if stmts else None
    if error is not None:
        raise ReplacementError(f"the replacement does not parse ({error})")


def _header_reverted(original: cst.CSTNode, node: object) -> cst.CSTNode:
    """``original``'s header with ``node``'s blocks (whose statements were checked on their
    own), when that parses; else ``original``."""
    if isinstance(node, cst.CSTNode) and type(node) is type(original) and is_a(type(node), cst.BaseCompoundStatement):
        header = {f: getattr(original, f) for f in ("leading_lines",) + _header_fields(node)}
        candidate = node.with_changes(**header)
        if parse_error(candidate) is None:
            return candidate
    return original


def _header_fields(node: cst.CSTNode) -> tuple[str, ...]:
    from .fields import field_names

    return tuple(f for f in field_names(type(node)) if f not in _SUITE_FIELDS and f != "leading_lines")


def _one_line(stmts: list[cst.BaseStatement]) -> bool:
    return len(stmts) == 1 and isinstance(stmts[0], cst.SimpleStatementLine)


def _keep_block_comments(old: cst.BaseCompoundStatement, new: cst.BaseStatement) -> cst.BaseStatement:
    """A statement replacing one of its kind keeps the comment after the colon and the
    comments closing the block, unless the template has its own."""
    ob, nb = getattr(old, "body", None), getattr(new, "body", None)
    if type(old) is not type(new) or not isinstance(ob, cst.IndentedBlock) or not isinstance(nb, cst.IndentedBlock):
        return new
    changes = {}
    if nb.header.comment is None and ob.header.comment is not None:
        changes["header"] = ob.header
    if not nb.footer and ob.footer:
        changes["footer"] = ob.footer
    return new.with_changes(body=nb.with_changes(**changes)) if changes else new


def _place_statements(line: cst.SimpleStatementLine, stmts: list[cst.BaseStatement]):
    """Statements replacing a whole line: keep the line's comments above and after it."""
    if not stmts:
        return cst.RemoveFromParent()
    stmts = list(stmts)
    stmts[0] = stmts[0].with_changes(leading_lines=[*line.leading_lines, *stmts[0].leading_lines])
    last = stmts[-1]
    if isinstance(last, cst.SimpleStatementLine):
        stmts[-1] = last.with_changes(trailing_whitespace=line.trailing_whitespace)
    elif line.trailing_whitespace.comment is not None:
        note = cst.EmptyLine(comment=line.trailing_whitespace.comment)
        stmts[0] = stmts[0].with_changes(leading_lines=[*stmts[0].leading_lines, note])
    return cst.FlattenSentinel(stmts)


def _check_fstring(old: cst.CSTNode, new: cst.CSTNode, quotes: list[str]) -> None:
    """Refuse a replacement inside an f-string that would end or break it (Python < 3.12)."""
    before, after = source_of(old), _EMPTY.code_for_node(new)
    risky = {q[0] for q in quotes} | {"\\", "#"}
    if any(len(q) == 1 for q in quotes):
        risky.add("\n")
    for ch in sorted(risky):
        if ch in after and ch not in before:
            raise ReplacementError(f"the replacement would put {ch!r} inside an f-string")
