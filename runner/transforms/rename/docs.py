"""Planning docs: docstrings, doctests, comments and dotted-path strings (``docs: true``).

* A string literal whose whole value is a renamed dotted name (``"a.b.c"``, or the entry
  point form ``"a.b:c"``) resolves to it: renamed in every file (``mock.patch("a.b.c")``).
* In a file whose code the rename changes, docstrings and comments have their
  whole-word mentions renamed: the full dotted name, its dotted tails and bare name
  when only the last part changes (``b.c``, ``c``), and the names of this module's
  renamed bindings.
* Doctest lines (``>>> `` / ``... ``) of those docstrings are code: the examples of a
  docstring are parsed together and renamed by the same binding logic as the module,
  names they use freely (the module's globals, as ``pytest --doctest-modules`` runs
  them) follow the module's renamed bindings. An example that cannot be parsed alone
  (a backslash continuation) has its words renamed like prose; one whose renaming
  would change its number of lines is left alone and reported.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from runner.lazy import lazy_module
from runner.transforms.rename.spec import RenameSpec

if TYPE_CHECKING:
    from runner.transforms.rename.analysis import FileAnalysis

cst = lazy_module("libcst")  # plan_docs's: the fast path's helpers here need none of it

_PROMPT = re.compile(r"^(\s*)(>>>|\.\.\.)( |$)")

#: renames a doctest's code (the examples of one docstring, joined); None if it does not parse
SnippetRenamer = Callable[[str, dict[str, str]], "str | None"]


def plan_docs(file: FileAnalysis, rename_snippet: SnippetRenamer) -> None:
    """Plan the docs edits (run after the code steps, before the string gaps)."""
    from runner.transforms.rename.scan import string_value

    dotted = dotted_values(file.targets)
    for node in file.nodes.strings:
        if isinstance(node, cst.SimpleString) and node not in file.plan.replace:
            value = string_value(node)
            if value in dotted and "\\" not in node.value:
                file.plan.replace[node] = _with_body(node, dotted[value])
    if file.plan.empty:
        return
    words = word_renames(file.targets, file.spec, file.global_renames)
    for node in _docstrings(file.module):
        if node in file.plan.replace:
            continue
        body = node.value[len(node.prefix) + len(node.quote): -len(node.quote)]
        new_body, unsafe = rename_docstring(body, words, rename_snippet, file.global_renames)
        if unsafe:
            file.gap(node, "doctest example mentions a renamed name but renaming it would change its lines; not rewritten")
        if new_body != body:  # identifiers only: the literal stays valid
            file.plan.replace[node] = _with_body(node, new_body)
    for comment in file.nodes.comments:
        new = apply_words(comment.value, words)
        if new != comment.value:
            file.plan.replace[comment] = comment.with_changes(value=new)


def dotted_values(targets: dict[str, str]) -> dict[str, str]:
    """Each renamed dotted name (``targets``: old -> new) and its entry-point form
    (``a.b:c``) -> the new spelling: the string values renamed wherever they occur."""
    out = {}
    for old, new in targets.items():
        out[old] = new
        if "." in old and "." in new:
            out[_entry_point(old)] = _entry_point(new)
    return out


def _entry_point(dotted: str) -> str:
    module, _, name = dotted.rpartition(".")
    return f"{module}:{name}"


def word_renames(targets: dict[str, str], spec: RenameSpec,
                 global_renames: dict[str, str]) -> list[tuple[re.Pattern[str], str]]:
    """The whole-word renames of docstrings and comments, longest first: the dotted
    names (``targets``), the old name's dotted tails and bare last part when only it
    changes, and this module's renamed bindings (``global_renames``)."""
    pairs: dict[str, str] = dict(dotted_values(targets))
    if not spec.is_move:
        old_parts, new_last = spec.old.split("."), spec.new_last
        for k in range(1, len(old_parts) - 1):
            pairs.setdefault(".".join(old_parts[k:]), ".".join([*old_parts[k:-1], new_last]))
        pairs.setdefault(spec.old_last, new_last)  # the file uses the symbol: its bare name in prose
    for old_local, new_local in global_renames.items():
        pairs.setdefault(old_local, new_local)
    ordered = sorted(pairs.items(), key=lambda kv: -len(kv[0]))
    return [(re.compile(rf"(?<![\w.]){re.escape(old)}(?![\w])"), new) for old, new in ordered]


def apply_words(text: str, words: list[tuple[re.Pattern[str], str]]) -> str:
    """``text`` with every whole-word match of ``words`` renamed (one pass, longest first)."""
    if not words:
        return text
    combined = re.compile("|".join(f"(?:{p.pattern})" for p, _ in words))
    lookup = [(p, new) for p, new in words]

    def one(match: re.Match[str]) -> str:
        found = match.group(0)
        return next(new for p, new in lookup if p.fullmatch(found))

    return combined.sub(one, text)


def rename_docstring(body: str, words: list[tuple[re.Pattern[str], str]], rename_snippet: SnippetRenamer,
                     renames: dict[str, str]) -> tuple[str, bool]:
    """A docstring's body (its source between the quotes) renamed: prose lines by
    ``words``, doctest examples as code (``rename_snippet``, the module's renamed bindings
    ``renames``); and whether an example that mentions a renamed name had to be left as
    it is because renaming it would change its number of lines (a gap)."""
    lines = body.split("\n")
    code_at = [i for i, line in enumerate(lines) if _PROMPT.match(line)]
    prose = [i for i in range(len(lines)) if i not in set(code_at)]
    out = list(lines)
    for i in prose:
        out[i] = apply_words(lines[i], words)
    if not code_at:
        return "\n".join(out), False
    prompts = [_PROMPT.match(lines[i]) for i in code_at]
    code = "\n".join(lines[i][m.end():] if m else "" for i, m in zip(code_at, prompts)) + "\n"
    renamed = rename_snippet(code, renames) if "\\" not in code else None
    if renamed is None:
        # Not parseable on its own (a backslash continuation, escapes the source spells
        # differently): its free names are the module's globals, renamed as words.
        for i in code_at:
            out[i] = apply_words(lines[i], words)
        return "\n".join(out), False
    if renamed.count("\n") != code.count("\n"):
        return "\n".join(out), any(p.search(code) for p, _ in words)
    for i, m, new in zip(code_at, prompts, renamed.split("\n")):
        out[i] = lines[i][: m.end()] + new if m else lines[i]
    return "\n".join(out), False


def _with_body(node: cst.SimpleString, body: str) -> cst.SimpleString:
    return node.with_changes(value=f"{node.prefix}{node.quote}{body}{node.quote}")


def _docstrings(module: cst.Module) -> list[cst.SimpleString]:
    found: list[cst.SimpleString] = []

    def first(body: object) -> None:
        statements = getattr(body, "body", ())
        if not statements or not isinstance(statements[0], cst.SimpleStatementLine):
            return
        line = statements[0]
        if len(line.body) == 1 and isinstance(line.body[0], cst.Expr):
            value = line.body[0].value
            while isinstance(value, cst.ConcatenatedString):  # "..." "..." docstrings
                if isinstance(value.left, cst.SimpleString):
                    found.append(value.left)
                value = value.right
            if isinstance(value, cst.SimpleString):
                found.append(value)

    class _Finder(cst.CSTVisitor):
        def visit_Module(self, node: cst.Module) -> None:
            first(node)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            first(node.body)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            first(node.body)

    module.visit(_Finder())
    return found
