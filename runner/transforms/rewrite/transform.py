"""The ``rewrite`` tree transform: declarative match/replace rules.

Rules with ``replace`` run in order, one pass over the tree each. Within a pass the
tree is rewritten bottom-up (inner-first): a node's children are rewritten before the
node itself is matched, so a match inside another match's metavariable is rewritten
too, and the outer match then sees (and substitutes) the rewritten inner code. Every
node is visited once per pass, so a replacement that matches its own pattern is not
rewritten again in that pass. Imports of the rules that fired are added/removed after
all passes. ``flag`` rules are then evaluated on the resulting tree, and the sites a
rule could not rewrite are found again on it (a dry pass of that rule), so every gap
points into the file as this transform returns it.
"""
from __future__ import annotations

import ast

import libcst as cst
from libcst.codemod import CodemodContext

from ..base import FileContext, Gap, TreeResult
from .comments import lost_comments, with_comments_above
from .errors import PatternError
from .pattern import COMPOUND, EXPRESSION, STATEMENT
from .precedence import fix_children
from .replace import ReplacementError, build_expression, build_statements
from .imports import add_imports, remove_imports
from .rules import ImportSpec, Rule, compile_rule, source_of
from .sites import ASSIGNABLE, Context, find_sites, is_a, positions_of, site_source

_EMPTY = cst.Module(body=[])


class RewriteTransform:
    """Implements :class:`runner.transforms.base.TreeTransform` for ``transform: rewrite``.

    ``rules`` is the ``with: rules:`` list of the playbook task. Invalid rules raise
    :class:`PatternError` here. Holds no per-file state.
    """

    def __init__(self, rules: list[dict]) -> None:
        if not isinstance(rules, list) or not rules:
            raise PatternError("expected a non-empty list of rules", field="rules")
        self.rules: tuple[Rule, ...] = tuple(compile_rule(i, raw) for i, raw in enumerate(rules))
        if any(not rule.needles for rule in self.rules):
            self._needles: tuple[str, ...] = ()
        else:
            seen: dict[str, None] = {}
            for rule in self.rules:
                for needle in rule.needles:
                    seen.setdefault(needle)
            self._needles = tuple(seen)

    def needles(self) -> tuple[str, ...]:
        """All identifiers and attribute names of all match patterns; ``()`` when some
        rule's pattern has none (e.g. ``$a == $a``), since that rule may match anywhere."""
        return self._needles

    def transform_module(self, module: cst.Module, ctx: FileContext) -> TreeResult:
        gaps: list[Gap] = []
        tree, code, changed = module, None, False
        adds: list[ImportSpec] = []
        removes: list[ImportSpec] = []
        unfit: list[Rule] = []  # rules that left sites unrewritten
        for rule in self.rules:
            if rule.template is None:
                continue
            if rule.needles:
                code = tree.code if code is None else code
                if not all(needle in code for needle in rule.needles):
                    continue
            applier = _RuleApplier(rule)
            new_tree = tree.visit(applier)
            if applier.failures:
                unfit.append(rule)
            if applier.count:
                tree, code, changed = new_tree, None, True  # type: ignore[assignment]
                adds.extend(s for s in rule.add_imports if s not in adds)
                removes.extend(s for s in rule.remove_imports if s not in removes)
        if adds or removes:
            context = CodemodContext(
                filename=ctx.path, full_module_name=ctx.full_module_name, full_package_name=ctx.full_package_name
            )
            tree = remove_imports(add_imports(tree, context, adds), context, removes)
            code = None
        for rule in unfit:  # found again on the output, so that positions point into it
            applier = _RuleApplier(rule, dry_run=True)
            tree.visit(applier)
            gaps.extend(_failure_gaps(tree, applier.failures, rule, ctx.path))
        flag_rules = [r for r in self.rules if r.flag is not None]
        if flag_rules:
            code = tree.code if code is None else code
            searches = [(r.matcher, r.pattern.kind, r.flag or "") for r in flag_rules if all(n in code for n in r.needles)]
            gaps.extend(find_sites(tree, searches, ctx.path))
        if changed:
            _check_parses(module, tree)
        gaps.sort(key=lambda g: (g.line, g.column))
        return TreeResult(module=tree if changed else module, gaps=tuple(gaps))


def _check_parses(before: cst.Module, after: cst.Module) -> None:
    """The output must parse (a safety net: a wrong replacement fails this file only).
    Python's own parser is tried first (fast); libcst's when Python cannot read the
    input either (e.g. syntax newer than the running Python)."""
    code = after.code
    try:
        ast.parse(code)
        return
    except (SyntaxError, ValueError):
        pass
    try:
        ast.parse(before.code)
    except (SyntaxError, ValueError):
        try:
            cst.parse_module(code)
            return
        except cst.ParserSyntaxError as e:
            raise RuntimeError(f"rewrite produced code that does not parse: {e.message}") from None
    raise RuntimeError("rewrite produced code that does not parse (a replacement does not fit its site)")


def _failure_gaps(tree: cst.Module, failures: list[tuple[cst.CSTNode, str]], rule: Rule, path: str) -> list[Gap]:
    positions = positions_of(tree, (node for node, _ in failures))
    out = []
    for node, reason in failures:
        line, column = positions.get(id(node), (1, 1))
        out.append(Gap(path, line, column, f"rules[{rule.index}]: cannot rewrite this match: {reason}", site_source(node)))
    return out


def _quote(fstring: cst.FormattedString) -> str:
    return fstring.start.lstrip("rRbBuUfF")


class _RuleApplier(cst.CSTTransformer):
    """One pass of one rule over one file (created per file: holds per-file state)."""

    def __init__(self, rule: Rule, dry_run: bool = False) -> None:
        super().__init__()
        self.rule = rule
        self.dry_run = dry_run  # only collect the sites that cannot be rewritten
        self.kind = rule.pattern.kind
        self.root = rule.matcher.root_type  # None: the pattern is a metavariable
        self.template = rule.template
        self.count = 0
        self.failures: list[tuple[cst.CSTNode, str]] = []
        self.fresh: set[int] = set()
        self.context = Context()
        self.quotes: list[str] = []
        self.depth = 0  # number of enclosing statements
        self.pending: dict[int, list[str]] = {}  # depth -> comments to put above that statement

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.context.visit(node)
        tp = type(node)
        if tp is cst.FormattedString:
            self.quotes.append(_quote(node))  # type: ignore[arg-type]
        elif is_a(tp, cst.BaseStatement):
            self.depth += 1
        return True

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        pass  # (the default looks up visit_<Node>_<attribute> on every field)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        pass

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
        tp = type(original_node)
        if tp is cst.FormattedString:
            self.quotes.pop()
        node = fix_children(updated_node, self.fresh) if self.fresh else updated_node
        if self.kind == EXPRESSION:
            if (self.root is None or tp is self.root) and self.context.is_candidate(EXPRESSION, node, original_node):
                return self._expression(original_node, node)  # type: ignore[arg-type]
        elif self.kind == STATEMENT:
            if tp is cst.SimpleStatementLine or tp is cst.SimpleStatementSuite:
                node = self._line(original_node, node)  # type: ignore[arg-type]
        elif tp is self.root and self.context.is_candidate(COMPOUND, node, original_node):
            node = self._compound(original_node, node)
        if is_a(tp, cst.BaseStatement):
            comments = self.pending.pop(self.depth, None)
            self.depth -= 1
            if comments:
                if isinstance(node, cst.FlattenSentinel):
                    first, *rest = node.nodes
                    node = cst.FlattenSentinel([with_comments_above(first, comments), *rest])  # type: ignore[arg-type]
                elif isinstance(node, cst.BaseStatement):
                    node = with_comments_above(node, comments)
        return node

    def _keep_comments(self, old: cst.CSTNode, new: list[cst.CSTNode]) -> None:
        lost = lost_comments(old, new)
        if lost:
            self.pending.setdefault(self.depth, []).extend(lost)

    def _fail(self, original: cst.CSTNode, err: ReplacementError) -> None:
        self.failures.append((original, str(err)))

    def _expression(self, original: cst.BaseExpression, node: cst.BaseExpression):
        bindings = self.rule.matcher.match(node)
        if bindings is None:
            return node
        try:
            new = build_expression(self.template, bindings, node)  # type: ignore[arg-type]
            if id(original) in self.context.targets and not isinstance(new, ASSIGNABLE):
                raise ReplacementError("the match is assigned to here and the replacement cannot be")
            if self.quotes:
                _check_fstring(node, new, self.quotes)
        except ReplacementError as err:
            self._fail(original, err)
            return node
        if self.dry_run:
            return node
        self.count += 1
        self.fresh.add(id(new))
        self._keep_comments(node, [new])
        return new

    def _line(self, original: cst.BaseSuite, line: cst.SimpleStatementLine | cst.SimpleStatementSuite):
        out: list[cst.BaseSmallStatement] = []
        changed = False
        for i, stmt in enumerate(line.body):
            bindings = self.rule.matcher.match(stmt)
            if bindings is None:
                out.append(stmt)
                continue
            try:
                stmts = build_statements(self.template, bindings)  # type: ignore[arg-type]
                one_line = len(stmts) == 1 and isinstance(stmts[0], cst.SimpleStatementLine)
                if self.dry_run and (one_line or len(line.body) == 1 and isinstance(line, cst.SimpleStatementLine)):
                    out.append(stmt)
                    continue
                if len(line.body) == 1 and isinstance(line, cst.SimpleStatementLine) and not one_line:
                    self.count += 1
                    self._keep_comments(stmt, stmts)  # type: ignore[arg-type]
                    return _place_statements(line, stmts)
                if len(stmts) > 1 or (stmts and not one_line):
                    raise ReplacementError("the replacement spans lines but the match shares its line with other statements")
            except ReplacementError as err:
                self._fail(original.body[i], err)  # type: ignore[attr-defined]
                out.append(stmt)
                continue
            smalls = list(stmts[0].body) if stmts else []  # type: ignore[attr-defined]
            self._keep_comments(stmt, smalls)
            if smalls:
                smalls[-1] = smalls[-1].with_changes(semicolon=stmt.semicolon)
            out.extend(smalls)
            changed = True
            self.count += 1
        if not changed:
            return line
        if not out:
            return cst.RemoveFromParent() if isinstance(line, cst.SimpleStatementLine) else line.with_changes(body=[cst.Pass()])
        last = out[-1]
        if isinstance(last.semicolon, cst.Semicolon) and not isinstance(line.body[-1].semicolon, cst.Semicolon):
            out[-1] = last.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        return line.with_changes(body=out)

    def _compound(self, original: cst.CSTNode, node: cst.BaseCompoundStatement):
        bindings = self.rule.matcher.match(node)
        if bindings is None:
            return node
        try:
            stmts = build_statements(self.template, bindings)  # type: ignore[arg-type]
        except ReplacementError as err:
            self._fail(original, err)
            return node
        if self.dry_run:
            return node
        self.count += 1
        if stmts:
            stmts[0] = _keep_block_comments(node, stmts[0])
        self._keep_comments(node.with_changes(leading_lines=()), stmts)  # type: ignore[arg-type]
        if not stmts:
            return cst.RemoveFromParent()
        stmts[0] = stmts[0].with_changes(leading_lines=[*node.leading_lines, *stmts[0].leading_lines])
        return cst.FlattenSentinel(stmts)


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
