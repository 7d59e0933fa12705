"""``transform: rewrite``: declarative structural match/replace rules over libcst trees.

Rules (``with: rules:``), each ``match`` plus either ``replace`` or ``flag``, and
optionally ``where`` and ``imports``::

    - match: "self.assertEqual($a, $b)"
      replace: "assert $a == $b"
    - match: "$obj.has_key($k)"
      replace: "$k in $obj"
      where: {obj: {not_text: "self.headers"}}
    - match: "compat.ensure_text($x)"
      flag: "ensure_text has no direct replacement here"

Patterns (modules: text -> placeholders -> pattern -> match)
    One Python expression, or one statement (``assert $x``, ``del $x``, or a compound
    one with ``$$$body`` blocks). ``$x`` matches one node (an expression, or a name in
    name positions: ``$obj.$method(...)``, ``def $f(...)``); ``$$$xs`` matches a
    sequence, possibly empty: call arguments, list/tuple/set elements, dict entries
    (``{$k: $v, $$$rest}``; ``{$$$items}`` matches a dict or a set), parameters
    (``def f($$$ps)`` takes the whole parameter list), decorators, subscript elements,
    with-items, statements of a block. ``$_`` / ``$$$_`` match without binding. ``$`` in
    ordinary string literals and comments is literal text; in f-strings it is a
    metavariable. Matching ignores whitespace, comments, line breaks, optional
    commas and parentheses; literals compare by value (``'r'`` matches ``"r"``); keyword
    arguments match by name in any order (extra keywords need a ``$$$``); a metavariable
    used twice must bind structurally equal code. An expression pattern matches
    expressions anywhere (f-strings, decorators, annotations, defaults, lambdas), but not
    attribute names, keyword names, definition names or import statements. A compound
    pattern does not match ``elif`` branches, nor a decorated def unless it has decorators
    (``@$$$ds``). Blocks are matched as written (an indented block does not match a
    one-line ``if x: y`` suite).

``where:`` (per metavariable, all must hold)
    ``kind``: libcst class name(s), abstract ones included (``Name``, ``Call``,
    ``BaseString``...), checked with isinstance (for ``$$$``: on every element, arguments
    and elements unwrapped to their values); ``text`` / ``not_text``: the bound source
    compared after normalising whitespace and comments away (quotes stay significant);
    ``regex``: ``re.search`` on the bound source as written (outer parentheses removed;
    for ``$$$``: the elements joined with ``", "``).

Replacement (replace.py, precedence.py)
    The template is parsed with placeholders and the bound nodes are substituted into
    it, so they keep their text and inner comments; a bound expression is parenthesised
    where its new slot needs it (``assert (x or y) == b``). The replaced node keeps its
    own parentheses; the replacement is parenthesised where its parent needs it. A
    ``$$$`` that took all arguments of a call keeps the call's layout. Comments of the
    match outside every metavariable move to their own line above the statement. An
    expression match with a statement replacement applies to expression statements
    only; ``replace: ""`` deletes the matched statement (``pass`` fills emptied blocks).
    A site whose replacement cannot stand there (an assignment target, an f-string whose
    quotes it would break, a multi-line replacement for a statement sharing its line, a
    ``**kw`` spliced into a list) is left unchanged and reported as a gap.

Names (bindings.py)
    A dotted name in a pattern (``six.text_type``, ``os.path.join``) matches every
    reference that resolves to it through the file's imports (``import six as s``,
    ``from six import text_type [as tt]``), and the same text only when its head is
    imported under its own name or, for names the file does not import at all
    (``self``, ``logger``), as written. A bare name (``text_type``, ``str``) matches
    only a reference bound to an import or a builtin, never a parameter, local, def or
    class. ``where: {name: {binding: any}}`` matches that name as written.

Order and isolation (walk.py, transform.py)
    All ``replace`` rules run in one walk of the tree, indexed by the node type of their
    match. Rewriting is inner-first (children before parents): a match inside another
    match's metavariable is rewritten, then the outer match uses the rewritten code;
    overlapping matches resolve from the innermost (``f(f(f(1)))`` with ``f(f($x))`` ->
    ``g($x)`` gives ``f(g(1))``). At one node the rules are tried in declared order, and
    after one replaced it only the later rules are tried on the replacement. Each site
    stands alone: a replacement that cannot be built, or a rewritten statement that does
    not parse, leaves that site as it was and reports it as a gap (its rule, line,
    column and source); the other sites are still rewritten. A block the rules empty
    gets ``pass``. ``imports`` of the rules that fired are then added
    (``AddImportsVisitor``, no duplicates; a site whose added import would bind a name
    the file binds otherwise where the site reads it is left as a gap, ``import_clash``)
    and removed when unused
    (``RemoveImportsVisitor``; ``import m`` also covers ``import m as a`` and ``from m
    import n``). ``flag`` rules run last, on the output, so their gaps' positions point
    into the file as returned.

Statement scope (scoped.py, ``RewriteTransform.precheck``)
    The engine first asks for the file's outcome from the statements where a rule may
    match, parsed alone (``runner.transforms.statements``), names resolved through the
    whole file's imports and bindings, imports edited on the top-level statements; the
    same bytes, gaps and tallies as the whole-file walk, or no answer (the file is then
    walked whole). A file libcst does not read back as written (a form feed in the
    indentation of a line of code), which the whole-file path fails, keeps its bytes
    here: a statement libcst would not write back as it is stays as it was, its sites
    gaps naming the line.

``expect_absent`` helpers: :func:`looks_like_pattern`, :func:`compile_pattern`,
:func:`find_pattern_sites`. Invalid rules raise :class:`PatternError` when the transform
is built.
"""
from __future__ import annotations

from .errors import PatternError
from .pattern import Pattern, compile_pattern, looks_like_pattern
from .sites import find_pattern_sites, find_patterns_sites

__all__ = [
    "Pattern",
    "PatternError",
    "RewriteTransform",
    "compile_pattern",
    "find_pattern_sites",
    "find_patterns_sites",
    "looks_like_pattern",
]


def __getattr__(name: str) -> object:
    """``RewriteTransform`` is imported on first use: it brings the walk, the scoped run
    and the import edits, which a plan without rewrite tasks (that still reads the rule
    catalogue here) does not need."""
    if name == "RewriteTransform":
        from .transform import RewriteTransform

        return RewriteTransform
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
