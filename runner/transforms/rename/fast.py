"""The rename's fast path: files where the libcst path's outcome is known from the stdlib
``ast`` (its C parser is about ten times cheaper than libcst's tree and scope analysis).

:func:`fast_outcome` answers for two kinds of file and gives up (``None``: the caller runs
the libcst path) on anything else:

* **Untouched**: no whole-word mention of the old name's last part in code, strings (once
  evaluated) or docstrings, no star import of a concerned module, not inside a renamed
  module: the libcst path plans nothing; the outcome is ``Unchanged``.
* **A plain identifier swap**: only the last part changes (no move), the new last part
  occurs nowhere in the file, and every whole-word mention of the old last part is
  accounted for: the one module-level binding (``from <old module> import <old>``
  [``as y``], or the ``def``/``class`` in the old module), ``Name`` reads of it,
  attributes ``x.<old>`` whose root is imported once at module level and that spell the
  old dotted name (attributes of roots no import binds are left as they are), docstrings
  (the first statement of a module, class or function, one plain literal) and comments.
  Docstrings and comments are renamed by the libcst path's own functions
  (:mod:`.docs`); no other string may mention the name, no star import, no other binding
  of it in any scope. The result must parse to the original ``ast`` with the names (and
  docstrings) substituted (:mod:`.fastcheck`), else the fast path gives up.

Being sound matters more than being taken: every doubt gives up.
"""
from __future__ import annotations

import ast
import codecs
import gc
import re
from typing import Callable

from runner.transforms.base import Changed, FileContext, Outcome, Unchanged
from runner.transforms.rename.astfacts import Facts, collect, line_starts, segment, span, string_value, whole_words
from runner.transforms.rename.docs import SnippetRenamer, apply_words, dotted_values, rename_docstring, word_renames
from runner.transforms.rename.fastcheck import same_tree
from runner.transforms.rename.fastdocs import comment_at, docstrings, dunder_all_entries, plain_literal
from runner.transforms.rename.fastlines import fact_lines, root_lines
from runner.transforms.rename.fastswap import Edit, Substitution, swaps
from runner.transforms.rename.modules import import_context, module_on_disk, resolve_relative
from runner.transforms.rename.reexports import reexported_aliases
from runner.transforms.rename.spec import RenameSpec, is_under, parent_of

_EOL = re.compile(rb"\r\n|\r|\n")
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)
#: builds the doctest renamer of a file (its import context, the old name's re-export aliases)
RenamerFactory = Callable[[FileContext, dict[str, str]], SnippetRenamer]


def fast_outcome(spec: RenameSpec, source: bytes, ctx: FileContext,
                 renamer: RenamerFactory | None = None) -> Outcome | None:
    """The outcome the libcst path gives for ``source`` (``Unchanged``, or ``Changed``
    without warnings or gaps), or None when that is not certain. ``renamer``: the
    doctest renamer of ``docs: true`` (None: ``docs: false``)."""
    decided = fast_decision(spec, source, ctx, renamer)
    return None if isinstance(decided, str) else decided


def fast_decision(spec: RenameSpec, source: bytes, ctx: FileContext,
                  renamer: RenamerFactory | None = None) -> Outcome | str:
    """:func:`fast_outcome`, with the reason (a short phrase) when it gives up.

    The cyclic garbage collector is paused meanwhile (and resumed if it ran): a large
    file's tree is tens of thousands of objects, each allocation batch of which would
    start a collection that walks the young tree to free nothing (the trees hold no
    cycle: reference counts free them), a third of the parse time of a 100 KB file."""
    running = gc.isenabled()
    gc.disable()
    try:
        return _decision(spec, source, ctx, renamer)
    finally:
        if running:
            gc.enable()


def _decision(spec: RenameSpec, source: bytes, ctx: FileContext, renamer: RenamerFactory | None) -> Outcome | str:
    if spec.is_move or spec.old_mod is None or not spec.new_last.isascii():
        return "not a plain rename of a module's name"
    if not _plain_utf8(source):
        return "not plain UTF-8"
    ctx = import_context(ctx, spec.old)
    if spec.covers(ctx.full_module_name) or module_on_disk(ctx.root, spec.old):
        return "a module is renamed"
    try:
        tree = ast.parse(source)
    except Exception:  # noqa: BLE001 - SyntaxError, ValueError (NUL), RecursionError...
        return "ast does not parse it"
    starts = line_starts(source)
    facts = _facts(spec, source, ctx, tree, starts)
    old = spec.old_last.encode()
    if _warns(facts, source, starts, ctx.full_package_name, old):
        return "an unresolvable relative import mentions the name"
    words = set(whole_words(source, old))
    if not words:
        return _untouched(spec, source, ctx, facts)
    found = swaps(spec, source, ctx, facts, starts, words)
    if isinstance(found, str):
        return found
    edits, subs, claimed, renames = found
    entries = _entries(spec, source, starts, tree, renames)
    rest = {at for at in words - claimed if not any(start <= at < end for start, end, _ in entries[0])}
    docs = _docs(spec, source, ctx, facts, tree, starts, rest, (renamer if edits else None, renames),
                 {id(node) for node, _, _ in entries[1]})
    if isinstance(docs, str):
        return docs
    if not edits:
        return Unchanged()  # only attributes of objects no import binds (and comments)
    ordered = sorted(edits + entries[0] + docs[0])
    after = _applied(source, ordered)
    same = same_tree(tree, source, after, ordered, subs + entries[1] + docs[1], facts.literals, starts)
    return Changed(source, after) if same else "the result differs"


def _facts(spec: RenameSpec, source: bytes, ctx: FileContext, tree: ast.Module, starts: list[int]) -> Facts:
    """The facts of the statements on the lines that matter (:mod:`.fastlines`), or of all."""
    lines = fact_lines(source, starts, spec.old_last, list(dotted_values(_targets(spec, ctx))))
    facts = collect(tree, lines)
    if lines is None or not facts.attributes:
        return facts
    wider = root_lines(source, starts, spec.old_last, facts.attributes, lines)
    return facts if wider == lines else collect(tree, wider)


def _targets(spec: RenameSpec, ctx: FileContext) -> dict[str, str]:
    """The dotted names the docs step renames (the old name and its re-export aliases)."""
    return {s: t for s, t in {**reexported_aliases(spec, ctx), spec.old: spec.new}.items() if s != t}


def _plain_utf8(source: bytes) -> bool:
    """No BOM and no coding cookie other than UTF-8 (``ast``'s columns are UTF-8 offsets)."""
    if source.startswith(codecs.BOM_UTF8):
        return False
    cookie = _COOKIE.search(b"\n".join(_first_lines(source, 2)))
    return cookie is None or cookie.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8")


def _first_lines(source: bytes, count: int) -> list[bytes]:
    """``source.splitlines()[:count]``, without splitting the rest."""
    end = 0
    for _ in range(count):
        found = _EOL.search(source, end)
        if found is None:
            return source.splitlines()
        end = found.end()
    return source[:end].splitlines()


def _warns(facts: Facts, source: bytes, starts: list[int], package: str | None, old: bytes) -> bool:
    """Would the libcst path warn about a relative import it cannot resolve that spells
    the old last part?"""
    return any(
        node.level and resolve_relative("." * node.level + (node.module or ""), package) is None
        and old in segment(source, starts, node)
        for node in facts.import_froms
    )


def _mentions(text: str, word: str) -> bool:
    return bool(whole_words(text.encode("utf-8", "surrogatepass"), word.encode()))


def _untouched(spec: RenameSpec, source: bytes, ctx: FileContext, facts: Facts) -> Outcome | str:
    """No mention of the old last part in the source: a string that spells it through
    escapes, a star import of a concerned module or an attribute ``.old`` naming a
    re-export could still matter; ``Unchanged`` or why not."""
    if any(_mentions(string_value(node), spec.old_last) for node in facts.strings):
        return "a string mentions the name"
    if f".{spec.old_last}".encode() in source:
        return "an attribute may name a re-export"  # the libcst path reads the imported modules
    if facts.stars:
        concerned = {parent_of(s) for s in {**reexported_aliases(spec, ctx), spec.old: spec.new}}
        for node in facts.stars:
            module = resolve_relative("." * node.level + (node.module or ""), ctx.full_package_name)
            if module is not None and (module in concerned or is_under(module, spec.old)):
                return "a star import of a concerned module"
    return Unchanged()


def _entries(spec: RenameSpec, source: bytes, starts: list[int], tree: ast.Module,
             renames: dict[str, str]) -> tuple[list[Edit], list[Substitution]]:
    """The ``__all__`` entries the libcst path renames: those naming a module-level binding
    renamed here (``renames``), each one plain literal (others are left to the check that
    no other string mentions the name)."""
    edits: list[Edit] = []
    subs: list[Substitution] = []
    for node in dunder_all_entries(tree):
        new = renames.get(node.value) if isinstance(node.value, str) else None
        start, end = span(starts, node)
        literal = plain_literal(source, start, end) if new is not None else None
        if new is not None and literal is not None:
            edits.append((start, end, f"{literal[0]}{literal[1]}{new}{literal[1]}".encode()))
            subs.append((node, "value", new))
    return edits, subs


def _docs(spec: RenameSpec, source: bytes, ctx: FileContext, facts: Facts, tree: ast.Module,
          starts: list[int], rest: set[int], how: tuple[RenamerFactory | None, dict[str, str]],
          renamed: set[int]) -> tuple[list[Edit], list[Substitution]] | str:
    """The docstring and comment edits the libcst path makes (``how``: its doctest
    renamer, None when it plans no docs, and the module's renamed bindings); ``rest``: the
    mentions no identifier accounts for, each must be in one of them; ``renamed``: the
    ids of the string constants already renamed (``__all__`` entries)."""
    renamer, renames = how
    exact, _ = docstrings(facts, tree, source, starts)
    skip = {id(doc.node) for doc in exact} | renamed
    if any(id(node) not in skip and _mentions(string_value(node), spec.old_last) for node in facts.strings):
        return "a string mentions the name"
    if rest and renamer is not None and f".{spec.old_last}".encode() in source:
        return "an attribute may name a re-export"  # they would be renamed in docs too
    aliases = reexported_aliases(spec, ctx)
    targets = _targets(spec, ctx)
    words = word_renames(targets, spec, renames) if rest and renamer is not None else []
    edits: list[Edit] = []
    subs: list[Substitution] = []
    for doc in exact:
        inside = {at for at in rest if doc.start <= at < doc.end}
        if doc.node.value in dotted_values(targets):
            return "a docstring is a renamed dotted name"
        if not inside or renamer is None:
            if _mentions(doc.node.value, spec.old_last):
                return "a string mentions the name"  # the libcst path reports it
            continue
        new_body, unsafe = rename_docstring(doc.body, words, renamer(ctx, aliases), renames)
        if unsafe or new_body == doc.body:
            return "a docstring mention the libcst path reports"
        edits.append((doc.start, doc.end, new_body.encode("utf-8")))
        subs.append((doc.node, "value", ast.literal_eval(doc.head + new_body + doc.quote)))
        rest = rest - inside
    comments = _comments(source, starts, facts, rest, words)
    return comments if isinstance(comments, str) else (edits + comments, subs)


def _comments(source: bytes, starts: list[int], facts: Facts, rest: set[int],
              words: list[tuple[re.Pattern[str], str]]) -> list[Edit] | str:
    """The edits of the comments holding the mentions ``rest`` (renamed by ``words``;
    none when the libcst path plans no docs), or why not (a mention outside comments)."""
    literals = [span(starts, node) for node in facts.literals]
    edits: dict[tuple[int, int], Edit] = {}
    for at in sorted(rest):
        found = comment_at(source, starts, literals, at)
        if found is None:
            return "a mention that is not a name read, an import, the definition, a docstring or a comment"
        if found in edits or not words:
            continue
        text = source[found[0]:found[1]].decode("utf-8")
        new = apply_words(text, words)
        if new != text:
            edits[found] = (found[0], found[1], new.encode("utf-8"))
    return list(edits.values())


def _applied(source: bytes, edits: list[Edit]) -> bytes:
    pieces, last = [], 0
    for start, end, new in edits:
        if start < last:
            raise ValueError("overlapping edits")
        pieces += [source[last:start], new]
        last = end
    return b"".join([*pieces, source[last:]])
