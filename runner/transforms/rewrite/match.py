"""Structural matching of a pattern tree against libcst nodes.

Formatting never matters: whitespace, comments, line breaks, commas/semicolons that are
optional and parentheses (``lpar``/``rpar``; the tree already encodes grouping) are
skipped. String and number literals compare by value (``'a'`` matches ``"a"``, ``1_000``
matches ``1000``). Keyword arguments of a call match by name in any order. A
metavariable used twice must bind structurally equal code (equal once formatting is
ignored, i.e. the same normalised code).
"""
from __future__ import annotations

import re
from typing import Callable, Mapping

import libcst as cst

from .fields import field_names

from .bindings import Resolver, pattern_refs, written_as
from .placeholders import mv_name, mvs_name, params_mv_name, seq_mv_name
from .text import ANONYMOUS

Bindings = Mapping[str, object]


class SeqBinding(tuple):
    """The nodes bound by ``$$$name``; ``whole_of`` is the call/parameter list when the
    metavariable took all of its arguments/parameters (so its layout can be kept);
    ``entries``: taken from a dict display (so that, even empty, it makes a dict)."""

    whole_of: cst.CSTNode | None
    entries: bool

    def __new__(cls, items, whole_of: cst.CSTNode | None = None, entries: bool = False) -> "SeqBinding":
        obj = super().__new__(cls, items)
        obj.whole_of = whole_of
        obj.entries = entries or type(whole_of) is cst.Dict
        return obj


_SKIP = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "lines_after_decorator",
        "trailing_whitespace",
        "header",
        "footer",
        "indent",
        "newline",
        "empty_lines",
        "first_line",
        "last_line",
        "default_indent",
        "default_newline",
        "has_trailing_newline",
        "encoding",
    }
)
_SKIP_BY_TYPE: dict[type, frozenset[str]] = {
    cst.Arg: frozenset({"equal"}),
    cst.Param: frozenset({"equal"}),
    cst.AnnAssign: frozenset({"equal"}),
    cst.FormattedString: frozenset({"start", "end"}),
}
_FORMATTING = (
    cst.SimpleWhitespace,
    cst.ParenthesizedWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.Comment,
)
_LITERALS = (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)
_FIELDS: dict[type, tuple[str, ...]] = {}


# Fields compared first, so that a metavariable used twice binds its first occurrence
# in source order (the one whose text the replacement then uses).
_SOURCE_ORDER: dict[type, tuple[str, ...]] = {
    cst.IfExp: ("body", "test"),
    cst.FunctionDef: ("decorators",),
    cst.ClassDef: ("decorators",),
}


def compared_fields(tp: type) -> tuple[str, ...]:
    """The fields of node type ``tp`` that matching compares: its dataclass fields without
    the formatting ones (whitespace, parentheses, optional separators, blank lines and
    comments), those of ``_SOURCE_ORDER`` first; cached per type."""
    names = _FIELDS.get(tp)
    if names is None:
        skip = _SKIP | _SKIP_BY_TYPE.get(tp, frozenset())
        names = tuple(f for f in field_names(tp) if f not in skip and not f.startswith("whitespace"))
        first = _SOURCE_ORDER.get(tp, ())
        names = first + tuple(f for f in names if f not in first)
        _FIELDS[tp] = names
    return names


#: (the (type, field) steps from a pattern's root to an attribute, that attribute's name,
#: or the regex its metavariable's name must meet)
Probe = tuple[tuple[tuple[type, str], ...], "str | None", "re.Pattern[str] | None"]


def _probe_of(pattern: cst.CSTNode, refs: Mapping[int, object], check: object) -> Probe | None:
    """Where a node may be refused before matching: the attribute the pattern reaches
    through expression statements and calls (``self.assertEqual($a, $b)``: the called
    ``.assertEqual``), when its name is written out or is a metavariable whose only
    ``where`` is a regex. None when there is no such attribute."""
    path: list[tuple[type, str]] = []
    node = pattern
    while type(node) in (cst.Expr, cst.Call):
        field = "value" if type(node) is cst.Expr else "func"
        path.append((type(node), field))
        node = getattr(node, field)
    if type(node) is not cst.Attribute:
        return None
    attr = node.attr
    var = mv_name(attr)
    if var is None:
        return None if mvs_name(attr) is not None else (tuple(path), attr.value, None)
    found = (getattr(check, "constraints", None) or {}).get(var)
    if var == ANONYMOUS or id(node) in refs or found is None or found.kinds or found.texts or found.not_texts \
            or found.regex is None:
        return None
    return tuple(path), None, found.regex


def _refused(probe: Probe, node: cst.CSTNode) -> bool:
    """Whether ``node`` surely does not match: along the probe's steps it reaches an
    attribute whose name is not the pattern's (or fails its metavariable's regex). A
    pattern's dotted reference matches only names that end as it does, so this holds
    for those too; a node of another shape on the way is left to the full match."""
    steps, name, regex = probe
    for tp, field in steps:
        if type(node) is not tp:
            return False
        node = getattr(node, field)
    if type(node) is not cst.Attribute:
        return False
    value = node.attr.value  # type: ignore[attr-defined]
    return value != name if regex is None else regex.search(value) is None


def _literal_equal(p: cst.CSTNode, t: cst.CSTNode) -> bool:
    try:
        a, b = p.evaluated_value, t.evaluated_value  # type: ignore[attr-defined]
        return type(a) is type(b) and a == b
    except Exception:
        return p.value == t.value  # type: ignore[attr-defined]


Check = Callable[[str, object], bool]


class Matcher:
    """Matches one pattern tree; ``check(name, value)`` filters bindings (``where:``).

    The pattern's references (dotted and bare names, see ``bindings``) match through
    ``resolver.refers(node, ref)`` when a resolver is given, as written otherwise.
    """

    def __init__(self, pattern: cst.CSTNode, check: Check | None = None,
                 any_binding: frozenset[str] = frozenset()) -> None:
        self.pattern = pattern
        self.check = check
        self.any_binding = any_binding
        self.refs = pattern_refs(pattern, any_binding)
        self.root_type = None if mv_name(pattern) is not None else type(pattern)
        #: the node types a match can have (None: any)
        self.root_types: tuple[type, ...] | None = (
            None if self.root_type is None
            else (cst.Name, cst.Attribute) if id(pattern) in self.refs
            else (cst.Set, cst.Dict) if braces_of_sequences(pattern)
            else (self.root_type,)
        )
        self._resolver: Resolver | None = None
        self._probe = _probe_of(pattern, self.refs, check)

    def __reduce__(self):  # node ids key ``refs``: rebuild them in the receiving process
        return (Matcher, (self.pattern, self.check, self.any_binding))

    def match(self, node: cst.CSTNode, resolver: "Resolver | None" = None) -> dict[str, object] | None:
        """The bindings of a match of the pattern at ``node`` (itself, not its subtree), or
        None. Bindings: metavariable name -> the node ``$name`` took or the
        :class:`SeqBinding` ``$$$name`` took (``$_`` binds nothing); every ``check`` held.
        ``resolver``: the file's, so that names match by binding; None: as written. Not
        reentrant (the resolver is held for the call)."""
        if self.root_types is not None and type(node) not in self.root_types:
            return None
        if self._probe is not None and _refused(self._probe, node):
            return None
        self._resolver = resolver
        try:
            result = self._node(self.pattern, node, {})
        finally:
            self._resolver = None
        return None if result is None else dict(result)

    # bindings ---------------------------------------------------------------------

    def _bind(self, b: dict, name: str, value: object) -> dict | None:
        if name == ANONYMOUS:
            return b
        if name in b:
            return b if values_equal(b[name], value) else None
        if self.check is not None and not self.check(name, value):
            return None
        nb = dict(b)
        nb[name] = value
        return nb

    # nodes ------------------------------------------------------------------------

    def _node(self, p: cst.CSTNode, t: cst.CSTNode, b: dict) -> dict | None:
        name = mv_name(p)
        if name is not None:
            return self._bind(b, name, t)
        ref = self.refs.get(id(p)) if self.refs else None
        if ref is not None:
            resolver = self._resolver
            found = resolver.refers(t, ref) if resolver is not None else written_as(t, ref)
            return b if found else None
        tp = type(p)
        if tp is not type(t):
            if type(t) is cst.Dict and braces_of_sequences(p):  # ``{$$$items}`` takes a dict's entries too
                slots = [cst.StarredDictElement(value=e.value) for e in p.elements]  # type: ignore[attr-defined]
                return self._seq(slots, list(t.elements), b)  # type: ignore[attr-defined]
            return None
        if tp is cst.Name:
            return b if p.value == t.value else None  # type: ignore[attr-defined]
        if tp in _LITERALS:
            return b if _literal_equal(p, t) else None
        if tp is cst.Call:
            b2 = self._node(p.func, t.func, b)  # type: ignore[attr-defined]
            return None if b2 is None else self._args(p.args, t.args, b2, t)  # type: ignore[attr-defined]
        if tp is cst.Parameters:
            whole = params_mv_name(p)  # type: ignore[arg-type]
            if whole is not None:
                return self._bind(b, whole, SeqBinding(_all_params(t), whole_of=t))
        for f in compared_fields(tp):
            pv, tv = getattr(p, f), getattr(t, f)
            if isinstance(pv, cst.CSTNode):
                if isinstance(pv, _FORMATTING):
                    continue
                if not isinstance(tv, cst.CSTNode):
                    return None
                b = self._node(pv, tv, b)  # type: ignore[assignment]
            elif isinstance(pv, (tuple, list)):
                if not isinstance(tv, (tuple, list)):
                    return None
                b = self._seq(list(pv), list(tv), b)  # type: ignore[assignment]
            elif pv != tv:
                return None
            if b is None:
                return None
        return b

    def _args(self, pargs, targs, b: dict, call: cst.Call) -> dict | None:
        if len(pargs) == 1 and seq_mv_name(pargs[0]) is not None:
            return self._bind(b, seq_mv_name(pargs[0]), SeqBinding(targs, whole_of=call))  # type: ignore[arg-type]
        remaining = list(targs)
        ordered = []
        for pa in pargs:
            if pa.keyword is None or mv_name(pa.keyword) is not None:
                ordered.append(pa)
                continue
            for i, ta in enumerate(remaining):
                if ta.keyword is not None and ta.keyword.value == pa.keyword.value:
                    break
            else:
                return None
            b2 = self._node(pa.value, remaining[i].value, b)
            if b2 is None:
                return None
            b = b2
            del remaining[i]
        return self._seq(ordered, remaining, b)

    def _seq(self, p: list, t: list, b: dict, i: int = 0, j: int = 0) -> dict | None:
        if i == len(p):
            return b if j == len(t) else None
        name = seq_mv_name(p[i])
        if name is not None:
            ends = [len(t)] if i == len(p) - 1 else range(j, len(t) + 1)
            for k in ends:
                b2 = self._bind(b, name, SeqBinding(t[j:k], entries=type(p[i]) is cst.StarredDictElement))
                if b2 is not None:
                    r = self._seq(p, t, b2, i + 1, k)
                    if r is not None:
                        return r
            return None
        if j == len(t):
            return None
        b2 = self._node(p[i], t[j], b)
        return None if b2 is None else self._seq(p, t, b2, i + 1, j + 1)


def braces_of_sequences(p: cst.CSTNode) -> bool:
    """A set display whose elements are all ``$$$`` (``{$$$items}``): it matches dicts too."""
    return type(p) is cst.Set and all(seq_mv_name(e) is not None for e in p.elements)  # type: ignore[attr-defined]


def _all_params(p: cst.Parameters) -> tuple[cst.CSTNode, ...]:
    items: list[cst.CSTNode] = [*p.posonly_params]
    if isinstance(p.posonly_ind, cst.ParamSlash):
        items.append(p.posonly_ind)
    items.extend(p.params)
    if isinstance(p.star_arg, (cst.Param, cst.ParamStar)):
        items.append(p.star_arg)
    items.extend(p.kwonly_params)
    if p.star_kwarg is not None:
        items.append(p.star_kwarg)
    return tuple(items)


_PLAIN = Matcher(cst.Name("_"))
_PLAIN.refs = {}  # bound values compare as written


def values_equal(a: object, b: object) -> bool:
    """Structural equality of two bound values (nodes or sequences), formatting ignored."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        if not (isinstance(a, tuple) and isinstance(b, tuple)) or len(a) != len(b):
            return False
        return all(values_equal(x, y) for x, y in zip(a, b))
    if not (isinstance(a, cst.CSTNode) and isinstance(b, cst.CSTNode)):
        return a == b
    if mv_name(a) is not None or mvs_name(a) is not None:
        return type(b) is cst.Name and a.value == b.value  # type: ignore[attr-defined]
    return _PLAIN._node(a, b, {}) is not None
