"""The house rules, checked on runner's source (no import, no run: ``ast`` only).

- No import circle among runner's modules (module-level imports; those under
  ``if TYPE_CHECKING:`` are left out, they never run).
- Every module, public function, method and class of the rooms in DOCUMENTED_ROOMS states
  its contract (a module: its one responsibility) in a docstring. A room joins the list once it is finished; the list only grows.
- No function longer than a screen (MAX_FUNCTION_LINES) in the rooms of SCREEN_ROOMS.
- Side effects (opening files, writing, syncing, processes, the terminal, exiting) only in
  ``runner/adapters/``, and terminal output and exit codes in ``runner/cli.py`` (the CLI
  layer's job). Every other site is in SIDE_EFFECT_ALLOWLIST with the reason it is still
  there; the list only shrinks.

Each checker is also run on a small made-up source below, so a checker that stopped
finding anything fails too.
"""
from __future__ import annotations

import ast
from pathlib import Path, PurePosixPath
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "runner"

#: rooms (folders end in "/"; "folder/*.py" is a folder's own modules, not its subfolders)
#: whose modules, public functions and classes all have a docstring
DOCUMENTED_ROOMS: tuple[str, ...] = (
    "runner/playbook/",
    "runner/execution/",
    "runner/adapters/",
    "runner/model/",
    "runner/commands/",
    "runner/testing/",
    "runner/*.py",
    "runner/planning/",
    "runner/reporting/",
    "runner/transforms/*.py",
    "runner/transforms/fstring/",
    "runner/transforms/library/",
    "runner/transforms/rename/",
    "runner/transforms/rewrite/",
)

#: rooms whose functions all fit on a screen (MAX_FUNCTION_LINES); the list only grows
SCREEN_ROOMS: tuple[str, ...] = (
    "runner/playbook/",
    "runner/execution/",
    "runner/adapters/",
    "runner/model/",
    "runner/commands/",
    "runner/testing/",
    "runner/*.py",
    "runner/planning/",
    "runner/reporting/",
    "runner/transforms/*.py",
    "runner/transforms/fstring/",
    "runner/transforms/library/",
    "runner/transforms/rename/",
    "runner/transforms/rewrite/",
)

#: a function that fits on a screen, ``def`` line to last line
MAX_FUNCTION_LINES = 50

#: (file, enclosing function or "<module>", call) still allowed outside runner/adapters/, and why
SIDE_EFFECT_ALLOWLIST: dict[tuple[str, str, str], str] = {
    # empty: every side effect of the runner outside runner/adapters/ went behind an adapter
}

#: calls that touch the world: exact names, then prefixes (resolved through the module's imports)
_SIDE_EFFECT_NAMES = frozenset({
    "open", "print", "input", "exit", "quit", "sys.exit", "os._exit", "os.abort",
    "os.open", "os.fdopen", "os.write", "os.pwrite", "os.ftruncate", "os.truncate", "os.fsync",
    "os.replace", "os.rename", "os.remove", "os.unlink", "os.rmdir", "os.removedirs",
    "os.makedirs", "os.mkdir", "os.chmod", "os.symlink", "os.link", "os.utime",
    "os.kill", "os.killpg", "os.system", "os.popen", "os.fork", "os.setsid",
    "click.echo", "click.secho", "click.confirm", "click.prompt",
})
_SIDE_EFFECT_PREFIXES = ("subprocess.", "shutil.", "fcntl.", "tempfile.", "signal.")
#: ``Path`` methods that read or write; flagged in modules that import pathlib
_PATH_METHODS = frozenset({"open", "read_text", "read_bytes", "write_text", "write_bytes", "touch", "unlink", "mkdir", "rmdir",
                           "chmod"})
#: where side effects belong: the adapters, and the CLI's terminal and exit codes
_ADAPTER_ROOMS = ("runner/adapters/",)
_CLI_CALLS = frozenset({"click.echo", "click.confirm", "click.prompt", "sys.exit"})


# ---------------------------------------------------------------------------- the checkers


def module_name(path: Path) -> str:
    """``runner/execution/store.py`` → ``runner.execution.store``; a package is its folder's name."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(tree: ast.Module) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is imported (module level, not ``if TYPE_CHECKING:``)."""
    def walk(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node
            elif isinstance(node, ast.If):
                test = node.test
                if not (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"
                        or isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
                    yield from walk(node.body)
                yield from walk(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, *(h.body for h in node.handlers), node.orelse, node.finalbody):
                    yield from walk(block)
    yield from walk(tree.body)


def import_graph(sources: dict[str, tuple[ast.Module, bool]]) -> dict[str, set[str]]:
    """Module → the modules of ``sources`` it imports at load time (``sources``: name → (tree, is a package))."""
    graph: dict[str, set[str]] = {}
    for name, (tree, is_package) in sources.items():
        package = name if is_package else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in runtime_imports(tree):
            if isinstance(node, ast.Import):
                edges.update(a.name for a in node.names if a.name in sources)
                continue
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                if f"{target}.{alias.name}" in sources:
                    edges.add(f"{target}.{alias.name}")
                elif target in sources:
                    edges.add(target)
        edges.discard(name)
        graph[name] = edges
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def undocumented(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, qualified name) of each public function, method or class without a docstring,
    and ``(1, "<module>")`` first when the module itself does not say what it is for.

    Public: a name without a leading underscore, at module level or in a public class.
    """
    missing: list[tuple[int, str]] = [(1, "<module>")] if tree.body and ast.get_docstring(tree) is None else []

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
                if ast.get_docstring(node) is None:
                    missing.append((node.lineno, prefix + node.name))
                if isinstance(node, ast.ClassDef):
                    walk(node.body, f"{prefix}{node.name}.")

    walk(tree.body, "")
    return missing


def long_functions(tree: ast.Module, limit: int) -> list[tuple[int, str, int]]:
    """(line, qualified name, lines) of each function or method, nested ones too, longer than ``limit`` lines."""
    found: list[tuple[int, str, int]] = []

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                length = (child.end_lineno or child.lineno) - child.lineno + 1
                if not isinstance(child, ast.ClassDef) and length > limit:
                    found.append((child.lineno, name, length))
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def side_effect_calls(tree: ast.Module) -> list[tuple[int, str, str]]:
    """(line, enclosing function or "<module>", call) of each call that touches the world."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update({(a.asname or a.name.partition(".")[0]): (a.name if a.asname else a.name.partition(".")[0])
                            for a in node.names})
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            aliases.update({(a.asname or a.name): f"{node.module}.{a.name}" for a in node.names})
    uses_pathlib = any(v == "pathlib" or v.startswith("pathlib.") for v in aliases.values())
    found: list[tuple[int, str, str]] = []

    def dotted(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return aliases.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            base = dotted(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = where
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = child.name if where == "<module>" else f"{where}.{child.name}"
            if isinstance(child, ast.Call):
                name = dotted(child.func)
                if name and (name in _SIDE_EFFECT_NAMES or name.startswith(_SIDE_EFFECT_PREFIXES)):
                    found.append((child.lineno, where, name))
                elif uses_pathlib and isinstance(child.func, ast.Attribute) and child.func.attr in _PATH_METHODS \
                        and not (name or "").startswith(("os.", "str.")):
                    found.append((child.lineno, where, f"Path.{child.func.attr}"))
            visit(child, inner)

    visit(tree, "<module>")
    return found


# ---------------------------------------------------------------------------- runner itself


def _runner_sources() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(RUNNER.rglob("*.py"))}


SOURCES = _runner_sources()


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _in_room(rel: str, room: str) -> bool:
    """``rel`` (a posix path from the repository root) belongs to ``room`` (a file, "folder/" or "folder/*.py")."""
    if room.endswith("/"):
        return rel.startswith(room)
    if "*" in room:
        return len(PurePosixPath(rel).parts) == len(PurePosixPath(room).parts) and PurePosixPath(rel).match(room)
    return rel == room


def test_no_import_cycle_among_runner_modules() -> None:
    graph = import_graph({module_name(p): (tree, p.name == "__init__.py") for p, tree in SOURCES.items()})
    assert len(graph) > 100
    assert import_cycles(graph) == [], "these modules import each other at load time; move the shared part to a module both import"


@pytest.mark.parametrize("room", DOCUMENTED_ROOMS)
def test_every_public_function_of_a_finished_room_has_a_docstring(room: str) -> None:
    files = [p for p in SOURCES if _in_room(_rel(p), room)]
    assert files, f"{room}: no such file or folder under runner/"
    missing = [f"{_rel(p)}:{line}: {name}" for p in files for line, name in undocumented(SOURCES[p])]
    assert missing == [], ("state the contract (what it does, returns, raises, touches) in a docstring:\n  "
                           + "\n  ".join(missing))


@pytest.mark.parametrize("room", SCREEN_ROOMS)
def test_every_function_of_a_finished_room_fits_on_a_screen(room: str) -> None:
    files = [p for p in SOURCES if _in_room(_rel(p), room)]
    long = [f"{_rel(p)}:{line}: {name} ({n} lines)" for p in files for line, name, n in long_functions(SOURCES[p], MAX_FUNCTION_LINES)]
    assert long == [], (f"split these into named steps of at most {MAX_FUNCTION_LINES} lines:\n  " + "\n  ".join(long))


def test_side_effects_stay_in_the_adapters() -> None:
    found = {}
    for path, tree in SOURCES.items():
        rel = _rel(path)
        if rel.startswith(_ADAPTER_ROOMS):
            continue
        for line, where, call in side_effect_calls(tree):
            if rel == "runner/cli.py" and call in _CLI_CALLS:
                continue
            found.setdefault((rel, where, call), f"{rel}:{line}: {call} in {where}")
    new = sorted(text for key, text in found.items() if key not in SIDE_EFFECT_ALLOWLIST)
    assert new == [], ("side effects belong in runner/adapters/ (a small named function there, passed in or called):\n  "
                       + "\n  ".join(new))
    gone = sorted(f"{k[0]}: {k[2]} in {k[1]}" for k in SIDE_EFFECT_ALLOWLIST if k not in found)
    assert gone == [], "no longer there: remove these from SIDE_EFFECT_ALLOWLIST:\n  " + "\n  ".join(gone)


def test_the_allowlist_says_why() -> None:
    assert all(len(reason.split()) >= 3 for reason in SIDE_EFFECT_ALLOWLIST.values())


# ---------------------------------------------------------------------------- the checkers can fail

MADE_UP = '''"""A module that says what it is for."""
import os
import subprocess as sp
from shutil import copyfile
from pathlib import Path, PurePosixPath


def documented():
    """Does a thing."""
    print("hi")


def bare():
    os.replace("a", "b")
    sp.run(["true"])
    copyfile("a", "b")
    Path("x").write_text("y")
    "text".replace("a", "b")


def _private():
    pass


class Public:
    def method(self):
        pass

    def _hidden(self):
        pass


class _Private:
    def method(self):
        pass
'''


def test_the_checkers_find_what_they_look_for() -> None:
    tree = ast.parse(MADE_UP)
    assert undocumented(tree) == [(13, "bare"), (25, "Public"), (26, "Public.method")]
    assert undocumented(ast.parse("def f():\n    \"\"\"Does f.\"\"\"\n")) == [(1, "<module>")]
    assert side_effect_calls(tree) == [
        (10, "documented", "print"), (14, "bare", "os.replace"), (15, "bare", "subprocess.run"),
        (16, "bare", "shutil.copyfile"), (17, "bare", "Path.write_text"),
    ]
    assert long_functions(tree, 3) == [(13, "bare", 6)]
    nested = ast.parse("class C:\n    def m(self):\n        def inner():\n            pass\n" + "        x = 1\n" * 3)
    assert long_functions(nested, 2) == [(2, "C.m", 6)]
    assert long_functions(nested, 1) == [(2, "C.m", 6), (3, "C.m.inner", 2)]
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "d"}, "e": set()}
    assert import_cycles(graph) == [["a", "b", "c"]]


def test_a_room_is_a_file_a_folder_or_a_folder_s_own_modules() -> None:
    assert _in_room("runner/cli.py", "runner/cli.py") and not _in_room("runner/cli_x.py", "runner/cli.py")
    assert _in_room("runner/model/a/b.py", "runner/model/")
    assert _in_room("runner/transforms/base.py", "runner/transforms/*.py")
    assert not _in_room("runner/transforms/rename/apply.py", "runner/transforms/*.py")


def test_the_import_graph_follows_relative_and_from_imports() -> None:
    sources = {
        "pkg": (ast.parse("from . import a\n"), True),
        "pkg.a": (ast.parse("from .b import thing\nif TYPE_CHECKING:\n    from pkg import c\n"), False),
        "pkg.b": (ast.parse("import pkg.a\n"), False),
        "pkg.c": (ast.parse("from pkg.b import x\n"), False),
    }
    assert import_graph(sources) == {"pkg": {"pkg.a"}, "pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.b"}}
    assert import_cycles(import_graph(sources)) == [["pkg.a", "pkg.b"]]
