"""Remove unused imports: libcst's ``RemoveUnusedImportsCommand``, minus the imports that
exist for someone else.

libcst's command (like ruff's F401 fix and autoflake) looks at one file alone, so it
removes an import that another module imports from this one, and the imports a
function or module consists of. Kept here, beyond libcst's own rules (a ``# noqa`` /
``# lint-ignore`` comment, ``__all__``, string annotations, ``from x import *``):

- a name that another file of the repository imports from this module
  (``from webob.compat import Queue``, ``webob.compat.Queue``, relative imports too):
  the module re-exports it. The index is built once per process and root from every
  ``.py`` file under the root (hidden folders and virtualenvs skipped), by text, so a
  mention in a comment or string also keeps the name;
- every import of a module that does nothing but import (docstring, an empty
  ``__all__``, ``if`` / ``try`` around imports aside): a module kept so that old import
  paths work (``pygments.lexers.agile``); a non-empty ``__all__`` says what it exports;
- every import of a function that does nothing but import: the import is what it does
  (``def test_import_parser(): from dateutil import parser``), or that reads its locals
  by name (``locals()``, ``vars()``: python-dateutil's ``test_import_tz_all``).

Needs the codemod context's metadata manager (``FullRepoManager``, as batchmod and
``python -m libcst.tool codemod`` give) for the repository index; without it, only the
module and function rules apply.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Iterable, Sequence, Union

import libcst as cst
import libcst.matchers as m
from libcst.codemod.commands.remove_unused_imports import RemoveUnusedImportsCommand as LibcstRemoveUnusedImports
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import
from libcst.metadata import PositionProvider

from runner.adapters.workspace import read_bytes_or_none


class RemoveUnusedImportsCommand(LibcstRemoveUnusedImports):
    """libcst's ``RemoveUnusedImportsCommand`` with the exceptions of this module's docstring.

    Takes a ``CodemodContext``; returns the transformed module from ``transform_module``
    like any libcst codemod. Reads the repository's ``.py`` files once per process and
    root (through ``runner.adapters.workspace``) to know what other modules import from
    this one; writes nothing. Raises ``ValueError`` (as libcst's command does) when a
    relative import cannot be resolved to a module."""

    DESCRIPTION: str = ("Remove imports a module does not use, except those other modules import from it "
                        "and those of import-only modules and functions.")

    def __init__(self, context: cst.codemod.CodemodContext) -> None:
        super().__init__(context)
        self._keep_all = 0  # > 0 inside a module or function that does nothing but import
        self._reexported: frozenset[str] = frozenset()

    def visit_Module(self, node: cst.Module) -> bool:
        """Looks up the names other modules import from this one (with a repository manager)
        and whether the module only imports; then libcst's own ``visit_Module``."""
        manager = self.context.metadata_manager
        root = getattr(manager, "root_path", None)
        if root and self.context.full_module_name:
            self._reexported = imported_from(str(root), self.context.full_module_name)
        self._keep_all += only_imports(node.body) and not _declares_exports(node.body)
        return super().visit_Module(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        """Entering a function whose imports are all kept (:func:`keeps_its_imports`)."""
        self._keep_all += keeps_its_imports(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef) -> cst.FunctionDef:
        """Leaving that function; returns ``updated_node`` unchanged."""
        self._keep_all -= keeps_its_imports(original_node)
        return updated_node

    def _handle_import(self, node: Union[cst.Import, cst.ImportFrom]) -> None:
        if self._keep_all or self.get_metadata(PositionProvider, node).start.line in self._ignored_lines:
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            position = self.get_metadata(PositionProvider, alias)
            if not set(range(position.start.line, position.end.line + 1)).isdisjoint(self._ignored_lines):
                continue
            bound = alias.evaluated_alias or alias.evaluated_name.split(".")[0]
            if bound in self._reexported:
                continue
            if isinstance(node, cst.Import):
                RemoveImportsVisitor.remove_unused_import(self.context, module=alias.evaluated_name,
                                                          asname=alias.evaluated_alias)
                continue
            module = get_absolute_module_from_package_for_import(self.context.full_package_name, node)
            if module is None:
                raise ValueError(f"Couldn't get absolute module name for {alias.evaluated_name}")
            RemoveImportsVisitor.remove_unused_import(self.context, module=module, obj=alias.evaluated_name,
                                                      asname=alias.evaluated_alias)


def keeps_its_imports(function: cst.FunctionDef) -> bool:
    """Whether every import of ``function`` is used: it does nothing but import, or it
    reads its local names by their text (``locals()``, ``vars()``)."""
    if isinstance(function.body, cst.IndentedBlock) and only_imports(function.body.body):
        return True
    reads = m.Call(func=m.Name("locals") | m.Name("vars"), args=())
    return bool(m.findall(function.body, reads))


def only_imports(body: Sequence[cst.BaseStatement]) -> bool:
    """Whether ``body`` does nothing but import (docstrings, ``pass``, ``__all__`` and
    ``if`` / ``try`` blocks of the same aside), with at least one import."""
    imports = 0
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    imports += 1
                elif not _inert(small):
                    return False
        elif isinstance(stmt, (cst.If, cst.Try)):
            blocks = _blocks(stmt)
            if not all(only_imports(b) or not any(_statements(b)) for b in blocks):
                return False
            imports += any(only_imports(b) for b in blocks)
        else:
            return False
    return imports > 0


def _declares_exports(body: Sequence[cst.BaseStatement]) -> bool:
    """Whether ``body`` assigns a non-empty list or tuple to ``__all__``."""
    return any(isinstance(small, cst.Assign) and _inert(small) and isinstance(small.value, (cst.List, cst.Tuple))
               and bool(small.value.elements)
               for stmt in body if isinstance(stmt, cst.SimpleStatementLine) for small in stmt.body)


def _inert(small: cst.BaseSmallStatement) -> bool:
    if isinstance(small, cst.Pass):
        return True
    if isinstance(small, cst.Expr):
        return isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
    targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else \
        [small.target] if isinstance(small, (cst.AugAssign, cst.AnnAssign)) else []
    return bool(targets) and all(isinstance(t, cst.Name) and t.value == "__all__" for t in targets)


def _blocks(stmt: cst.If | cst.Try) -> list[Sequence[cst.BaseStatement]]:
    parts: list[cst.CSTNode | None] = [stmt.body, stmt.orelse]
    if isinstance(stmt, cst.Try):
        parts += [h.body for h in stmt.handlers] + [stmt.finalbody]
    blocks: list[Sequence[cst.BaseStatement]] = []
    for part in parts:
        if isinstance(part, cst.If):
            blocks += _blocks(part)
        elif part is not None:
            block = part.body if isinstance(part, (cst.Else, cst.Finally)) else part
            blocks.append(block.body if isinstance(block, cst.IndentedBlock) else [])
    return blocks


def _statements(block: Iterable[cst.BaseStatement]) -> list[cst.BaseStatement]:
    return [s for s in block if not (isinstance(s, cst.SimpleStatementLine) and all(_inert(x) for x in s.body))]


# the repository index: names other files import from each module ------------------------

_FROM_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|(?:[^\n#;\\]|\\\n)*)", re.M)
_DOTTED = re.compile(r"\b[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_SKIPPED_DIRS = {"__pycache__", "node_modules", "site-packages"}


def imported_from(root: str, module: str) -> frozenset[str]:
    """The names files under ``root`` import from ``module`` or reach as ``module.name``,
    ``module`` being matched by its dotted suffixes of two parts or more (``src.pkg.mod``
    is also imported as ``pkg.mod``)."""
    index = _index(os.path.realpath(root))
    parts = module.split(".")
    names: set[str] = set()
    for start in range(len(parts) - 1 if len(parts) > 1 else 1):
        names |= index.get(".".join(parts[start:]), set())
    return frozenset(names)


@lru_cache(maxsize=4)
def _index(root: str) -> dict[str, set[str]]:
    index: dict[str, set[str]] = {}
    for path in _python_files(root):
        try:
            data = read_bytes_or_none(path)
        except OSError:  # unreadable: it imports nothing we can see
            continue
        if data is None:
            continue
        text = data.decode("utf-8", errors="replace")
        rel = os.path.relpath(path, root)[:-3].replace(os.sep, ".")
        package = rel.rpartition(".")[0] if not rel.endswith("__init__") else rel[: -len(".__init__")]
        for source, names in _FROM_IMPORT.findall(text):
            target = _absolute(source, package)
            for item in re.sub(r"[()\\]", " ", names).split(","):
                name = item.split()[0] if item.split() else ""
                if name.isidentifier():
                    index.setdefault(target, set()).add(name)
        for dotted in _DOTTED.findall(text):
            pieces = dotted.split(".")
            for i in range(1, len(pieces)):
                index.setdefault(".".join(pieces[:i]), set()).add(pieces[i])
    return index


def _absolute(source: str, package: str) -> str:
    dots = len(source) - len(source.lstrip("."))
    if not dots:
        return source
    base = package.split(".") if package else []
    base = base[: len(base) - (dots - 1)] if dots > 1 else base
    return ".".join([*base, source[dots:]] if source[dots:] else base)


def _python_files(root: str) -> Iterable[str]:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS
                   and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))]
        yield from (os.path.join(folder, f) for f in files if f.endswith(".py"))
