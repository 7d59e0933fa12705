"""Compile the ``rules:`` list of a rewrite task: patterns, templates, where, imports."""
from __future__ import annotations

import dataclasses
import functools
import io
import json
import re
import tokenize
from dataclasses import dataclass
from typing import Mapping

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .errors import PatternError
from .fields import field_names
from .bindings import pattern_names
from .match import Matcher, SeqBinding
from .pattern import EXPRESSION, STATEMENT, Pattern, Template, compile_match, compile_template
from .text import ANONYMOUS

RULE_KEYS = ("match", "replace", "flag", "where", "imports", "id", "rename_attributes")
CONSTRAINT_KEYS = ("kind", "text", "not_text", "regex")


# Source text of bound values ---------------------------------------------------------

_EMPTY = cst.Module(body=[])


def _strip(node: cst.CSTNode) -> cst.CSTNode:
    changes = {}
    if getattr(node, "lpar", None) and not (type(node) is cst.Tuple and not node.elements):  # type: ignore[attr-defined]
        changes.update(lpar=(), rpar=())  # (``()`` keeps them: a zero-length tuple needs them)
    for sep in ("comma", "semicolon"):
        if sep in field_names(type(node)):
            changes[sep] = cst.MaybeSentinel.DEFAULT
    return node.with_changes(**changes) if changes else node


def source_of(value: object) -> str:
    """The source of a bound value as written, without its outer parentheses."""
    if isinstance(value, SeqBinding):
        if isinstance(value.whole_of, cst.Parameters):
            return _EMPTY.code_for_node(value.whole_of).strip()
        statements = any(isinstance(v, (cst.BaseStatement, cst.BaseSmallStatement)) for v in value)
        return ("\n" if statements else ", ").join(source_of(v) for v in value)
    if type(value) is cst.Name and not value.lpar:  # type: ignore[attr-defined]
        return value.value  # type: ignore[attr-defined]
    if isinstance(value, cst.CSTNode):
        return _EMPTY.code_for_node(_strip(value)).strip()
    return str(value)


def normalise(code: str) -> str:
    """Code with comments, line breaks and optional spaces removed (``a+b`` == ``a + b``);
    code that does not tokenize has its runs of whitespace made single spaces instead."""
    try:
        out: list[str] = []
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER):
                continue
            s = tok.string
            if out and (out[-1][-1].isalnum() or out[-1][-1] == "_") and (s[0].isalnum() or s[0] in "_'\""):
                out.append(" ")
            out.append(s)
        return "".join(out)
    except (tokenize.TokenError, SyntaxError):
        return " ".join(code.split())


# where: ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Constraint:
    """The ``where`` constraints of one metavariable, all of which its binding must meet
    (an empty Constraint accepts anything)."""

    kinds: tuple[type, ...] = ()
    texts: tuple[str, ...] = ()
    not_texts: tuple[str, ...] = ()
    regex: re.Pattern | None = None

    def accepts(self, value: object) -> bool:
        """Whether the bound ``value`` (a node, or a :class:`SeqBinding`) meets every
        constraint: each node (an argument's or element's value) is of one of ``kinds``;
        its normalised source is one of ``texts`` and none of ``not_texts``; ``regex``
        finds a match in its source as written."""
        if self.kinds:
            items = value if isinstance(value, SeqBinding) else (value,)
            for item in items:
                if isinstance(item, (cst.Arg, cst.Element, cst.StarredElement)):
                    item = item.value
                if not isinstance(item, self.kinds):
                    return False
        if self.texts or self.not_texts:
            norm = normalise(source_of(value))
            if self.texts and norm not in self.texts:
                return False
            if norm in self.not_texts:
                return False
        return self.regex is None or self.regex.search(source_of(value)) is not None


@dataclass(frozen=True)
class Checks:
    """The ``where`` constraints of a rule, as the matcher's binding filter (picklable)."""

    constraints: dict[str, Constraint]

    def __call__(self, name: str, value: object) -> bool:
        constraint = self.constraints.get(name)
        return constraint is None or constraint.accepts(value)


def _strings(value: object, err) -> tuple[str, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str) for v in values):
        raise err("expected a string or a list of strings")
    return tuple(values)


def compile_constraint(name: str, spec: object, err) -> Constraint:
    """The Constraint that ``spec`` (the ``where`` mapping of metavariable ``name``: kind,
    text, not_text, regex) states. Raises ``err(message, subpath)`` (a PatternError) for
    a spec that is not a mapping, an unknown key, a kind that is no libcst node class, a
    value that is not a string (or a list of strings) and an invalid regex."""
    if not isinstance(spec, dict):
        raise err("expected a mapping of constraints (kind, text, not_text, regex)", (name,))
    fields: dict[str, object] = {}
    for key, value in spec.items():
        sub = (name, key)
        if key == "kind":
            kinds = []
            for kind in _strings(value, lambda m: err(m, sub)):
                cls = getattr(cst, kind, None)
                if not (isinstance(cls, type) and issubclass(cls, cst.CSTNode)):
                    raise err(f"unknown node kind {kind!r} (a libcst class name such as Name, Call, Attribute)", sub)
                kinds.append(cls)
            fields["kinds"] = tuple(kinds)
        elif key in ("text", "not_text"):
            texts = tuple(normalise(t) for t in _strings(value, lambda m: err(m, sub)))
            fields["texts" if key == "text" else "not_texts"] = texts
        elif key == "regex":
            if not isinstance(value, str):
                raise err("expected a regular expression string", sub)
            try:
                fields["regex"] = re.compile(value)
            except re.error as e:
                raise err(f"invalid regular expression: {e}", sub) from None
        else:
            raise err(f"unknown constraint {key!r} (expected one of: {', '.join(CONSTRAINT_KEYS)})", sub)
    return Constraint(**fields)  # type: ignore[arg-type]


def _name_binding(name: str, spec: object, err) -> str:
    """``where: {name: {binding: any}}``: the pattern's ``name`` matches as written, whatever it is bound to."""
    if not isinstance(spec, dict) or set(spec) != {"binding"} or spec["binding"] != "any":
        raise err(f"a name of the pattern takes only `binding: any` (match it as written, whatever it is bound to)", (name,))
    return name


# imports: ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportSpec:
    """An import a rule adds or removes: ``import module [as asname]`` or ``from module import obj [as asname]`` (``relative``: leading dots)."""

    module: str
    obj: str | None = None
    asname: str | None = None
    relative: int = 0


def parse_import(text: object) -> list[ImportSpec]:
    """``import a.b [as c]`` / ``from a import b [as c], ...`` -> specs; ValueError if not."""
    if not isinstance(text, str):
        raise ValueError("expected an import statement string")
    try:
        stmt = cst.parse_statement(text.strip())
    except cst.ParserSyntaxError:
        stmt = None
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
    if isinstance(small, cst.Import):
        return [
            ImportSpec(get_full_name_for_node(a.name) or "", None, a.evaluated_alias)  # type: ignore[arg-type]
            for a in small.names
        ]
    if isinstance(small, cst.ImportFrom) and not isinstance(small.names, cst.ImportStar):
        module = get_full_name_for_node(small.module) if small.module is not None else ""
        return [
            ImportSpec(module or "", a.evaluated_name, a.evaluated_alias, len(small.relative)) for a in small.names
        ]
    raise ValueError(f"invalid import {text!r}: expected 'import a.b [as c]' or 'from a import b [as c]'")


# rules -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Rule:
    """One compiled entry of ``rules:``, the ``index``-th. ``template`` is None for a
    ``flag`` rule, which only reports; ``matcher`` applies the ``where`` constraints and
    the names matched as written. Holds no per-file state; compared by identity."""

    index: int
    pattern: Pattern  #: effective pattern (an expression match replaced by statements matches expression statements)
    template: Template | None
    flag: str | None
    matcher: Matcher
    add_imports: tuple[ImportSpec, ...] = ()
    remove_imports: tuple[ImportSpec, ...] = ()
    #: ``rename_attributes``: metavariable -> {old attribute: new attribute} (see ``attributes``)
    rename_attributes: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)

    @property
    def needles(self) -> tuple[str, ...]:
        """The pattern's needles: a file without any of them cannot match the rule."""
        return self.pattern.needles

    @property
    def label(self) -> str:
        """How gaps and reports name the rule: ``rules[3]``."""
        return f"rules[{self.index}]"


def compile_rules(rules: list) -> tuple[Rule, ...]:
    """Every rule of a ``rules:`` list compiled, in order (raises PatternError on the first
    bad one). Cached by the list's JSON text: compiled rules hold no per-file state, and a
    plan builds the same task type's rules in several places."""
    try:
        key = json.dumps(rules, sort_keys=True)
    except (TypeError, ValueError):
        return tuple(compile_rule(i, raw) for i, raw in enumerate(rules))
    return _compile_rules_json(key)


@functools.lru_cache(maxsize=64)
def _compile_rules_json(text: str) -> tuple[Rule, ...]:
    return tuple(compile_rule(i, raw) for i, raw in enumerate(json.loads(text)))


def duplicate_ids(rules: list) -> list[PatternError]:
    """An error for each rule whose ``id`` an earlier rule of the list already has."""
    seen: dict[str, int] = {}
    errors = []
    for i, raw in enumerate(rules):
        ident = raw.get("id") if isinstance(raw, dict) else None
        if isinstance(ident, str) and ident in seen:
            errors.append(PatternError(f"id {ident!r} is already the id of rules[{seen[ident]}]; ids name one rule each",
                                       rule_index=i, field="id"))
        elif isinstance(ident, str):
            seen[ident] = i
    return errors


_COMPILED: dict[str, Rule] = {}
_COMPILED_MAX = 4096


def compile_rule(index: int, raw: object) -> Rule:
    """The rule ``raw`` (a ``rules:`` entry) compiled as rule ``index``; PatternError if invalid.

    Compiled rules are kept per process by their text (validation compiles each rule on
    its own, then the plan the whole list, then each worker): the same entry is parsed once.
    """
    try:
        key = json.dumps(raw, sort_keys=True)
    except (TypeError, ValueError):
        key = None
    found = _COMPILED.get(key) if key is not None else None
    if found is not None:
        return found if found.index == index else dataclasses.replace(found, index=index)
    rule = _compile_rule(index, raw)
    if key is not None and len(_COMPILED) < _COMPILED_MAX:
        _COMPILED[key] = rule
    return rule


def _compile_rule(index: int, raw: object) -> Rule:
    """Rule ``index`` compiled from ``raw``, checked in this order (the first problem is
    raised, a PatternError located in the rule): its keys, its match and replacement,
    ``where``, ``imports``, ``rename_attributes``."""
    def err(detail: str, field: str | None = None, subpath: tuple = (), **kw) -> PatternError:
        return PatternError(detail, rule_index=index, field=field, subpath=subpath, **kw)

    def err_in(field: str):
        return lambda m, sub=(): err(m, field, sub)

    raw = _checked_shape(raw, err)
    pattern, template = _match_and_template(index, raw)
    constraints, any_binding = _where(raw.get("where") or {}, pattern, err_in("where"))
    adds, removes = _imports(raw.get("imports") or {}, template, err_in("imports"))
    renames = _rename_attributes(raw.get("rename_attributes"), pattern, template, err_in("rename_attributes"))
    matcher = Matcher(pattern.node, Checks(constraints) if constraints else None, frozenset(any_binding))
    return Rule(index, pattern, template, raw.get("flag"), matcher, tuple(adds), tuple(removes), renames)


def _checked_shape(raw: object, err) -> dict:
    """``raw`` if it is a mapping of known keys with a valid ``id``, a ``match`` string and
    either a ``replace`` string or a non-empty ``flag``; else ``err(message, field)``."""
    if not isinstance(raw, dict):
        raise err("a rule must be a mapping with 'match' and 'replace' or 'flag'")
    for key in raw:
        if key not in RULE_KEYS:
            raise err(f"unknown key {key!r} (expected one of: {', '.join(RULE_KEYS)})", str(key))
    if "id" in raw and (not isinstance(raw["id"], str) or not raw["id"].strip() or "\n" in raw["id"]):
        raise err("'id' must be a short name on one line", "id")
    if not isinstance(raw.get("match"), str):
        raise err("a rule needs 'match': a pattern string", "match")
    replace, flag = raw.get("replace"), raw.get("flag")
    if replace is None and flag is None:
        raise err("a rule needs 'replace' (a template) or 'flag' (a reason)")
    if replace is not None and flag is not None:
        raise err("'replace' and 'flag' cannot be combined: a rule either rewrites or reports", "flag")
    if replace is not None and not isinstance(replace, str):
        raise err("'replace' must be a string", "replace")
    if flag is not None and (not isinstance(flag, str) or not flag.strip()):
        raise err("'flag' must be a non-empty string", "flag")
    return raw


def _match_and_template(index: int, raw: dict) -> tuple[Pattern, Template | None]:
    """The compiled ``match`` and ``replace`` (None for a flag rule) of rule ``index``;
    an expression match replaced by statements becomes a match of expression
    statements. Raises their PatternError, located in the rule."""
    replace = raw.get("replace")
    try:
        pattern = compile_match(raw["match"])
    except PatternError as e:
        raise e.located(rule_index=index, field="match") from None
    template = None
    if replace is not None:
        try:
            template = compile_template(replace, pattern.metavars)
        except PatternError as e:
            raise e.located(rule_index=index, field="replace") from None
        if pattern.kind == EXPRESSION and template.expression is None:
            node = cst.Expr(value=pattern.node)  # type: ignore[arg-type]
            pattern = dataclasses.replace(pattern, kind=STATEMENT, node=node)
    return pattern, template


def _where(where: object, pattern: Pattern, err) -> tuple[dict[str, Constraint], set[str]]:
    """``where:`` checked against ``pattern``: the constraints by metavariable, and the
    names of the pattern to match as written (``binding: any``). Raises
    ``err(message, subpath)`` for a bad entry or a name the match does not bind."""
    constraints: dict[str, Constraint] = {}
    if not isinstance(where, dict):
        raise err("'where' must map metavariable names to constraints")
    any_binding: set[str] = set()
    for key, spec in where.items():
        name = str(key).lstrip("$")
        if not str(key).startswith("$") and name not in pattern.metavars and name in pattern_names(pattern.node):
            any_binding.add(_name_binding(name, spec, err))
            continue
        if name == ANONYMOUS or name not in pattern.metavars:
            known = ", ".join(("$$$" if s else "$") + n for n, s in pattern.metavars.items() if n != ANONYMOUS)
            raise err(f"unknown metavariable ${name} (the match binds {known or 'nothing'})", (str(key),))
        constraints[name] = compile_constraint(str(key), spec, err)
    return constraints, any_binding


def _imports(imports: object, template: Template | None, err) -> tuple[list[ImportSpec], list[ImportSpec]]:
    """``imports:`` (``add`` and ``remove``, each an import or a list of them) parsed: the
    imports to add and those to remove. Raises ``err(message, subpath)`` for imports on
    a flag rule, a key other than add/remove, an invalid import, a relative one to remove."""
    adds: list[ImportSpec] = []
    removes: list[ImportSpec] = []
    if imports and template is None:
        raise err("'imports' only apply to rules with 'replace'")
    if not isinstance(imports, dict):
        raise err("'imports' must be a mapping with 'add' and/or 'remove'")
    for key, items in imports.items():
        if key not in ("add", "remove"):
            raise err(f"unknown key {key!r} (expected add or remove)", (str(key),))
        if not isinstance(items, list):
            items = [items]
        for k, text in enumerate(items):
            try:
                specs = parse_import(text)
            except ValueError as e:
                raise err(str(e), (key, k)) from None
            if key == "remove" and any(s.relative for s in specs):
                raise err("relative imports cannot be removed", (key, k))
            (adds if key == "add" else removes).extend(specs)
    return adds, removes


def _rename_attributes(spec: object, pattern: Pattern, template: Template | None, err) -> dict[str, dict[str, str]]:
    """``rename_attributes: {cm: {exception: value}}``: checked against the match and the replacement."""
    if spec is None:
        return {}
    if template is None:
        raise err("'rename_attributes' only applies to rules with 'replace'")
    if not isinstance(spec, dict) or not spec:
        raise err("expected a mapping of metavariable names to {old attribute: new attribute}")
    out: dict[str, dict[str, str]] = {}
    for key, renames in spec.items():
        name = str(key).lstrip("$")
        if pattern.metavars.get(name) is not False or name == ANONYMOUS:
            singles = ", ".join("$" + n for n, seq in pattern.metavars.items() if not seq and n != ANONYMOUS)
            raise err(f"${name} is not a $metavariable of the match (it binds {singles or 'none'})", (str(key),))
        if template.metavars.get(name) is not False:
            raise err(f"${name} must stay in the replacement: its attributes are renamed where it is used", (str(key),))
        if not isinstance(renames, dict) or not renames:
            raise err("expected a mapping {old attribute: new attribute}", (str(key),))
        for old, new in renames.items():
            if not (isinstance(old, str) and isinstance(new, str) and old.isidentifier() and new.isidentifier()):
                raise err(f"attribute names must be identifiers: {old!r}: {new!r}", (str(key), str(old)))
        out[name] = dict(renames)
    return out
