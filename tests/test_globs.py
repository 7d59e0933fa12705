"""Plain globs are translated without pathspec, to pathspec's own regular expressions and answers."""
from __future__ import annotations

import itertools
import subprocess
import sys

import pathspec
import pytest
from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

from runner.planning.globs import PlainGlobs, compile_gitignore, is_plain, plain_regex
from runner.planning.select import compile_globs, select_files

PLAIN = [
    "*", "**", "**/", "*/", "*/**", "**/*", "**/**", "**/**/*.py", "*.py", "**/*.py", "src/**/*.py", "src/**",
    "src/", "src", "src/*", "src/*/", "src/**/", "a/b/c.py", "a/**/b/**/c.py", "a/**/**/b", "**/tests/**",
    "**/test_*.py", "docs/*.md", "x?.py", "?", "*.tar.gz", "a.b-c_d+e=f@g,h~i%j/k", "pkg/*/mod?.py",
    "**/migrations/*", "*/*.py", "a/*/**", "a/**/", "**/a", "a*b*c", ".github/**", ".*", "**/.hidden/*",
]
NOT_PLAIN = ["!*.py", "a\\*b", "[ab].py", "a b.py", "#x", "a//b", "/a", "", " a", "a ", "src\\", "a/[!b]/c"]
PATHS = [
    "a.py", "src/a.py", "src/pkg/b.py", "src", "src.py", "srcx/a.py", "a/b/c.py", "a/x/b/y/c.py", "a/b/c.pyc",
    "a/b", "a/x/y/b", "a/b/d", "tests/test_x.py", "pkg/tests/conf.py", "docs/r.md", "docs/sub/r.md", "x1.py",
    "xy1.py", "x", "y/x", "a.tar.gz", "b/a.tar.gz", "a.b-c_d+e=f@g,h~i%j/k", "a.b-c_d+e=f@g,h~i%j/k/l",
    "pkg/m/mod1.py", "pkg/m/n/mod1.py", "app/migrations/0001.py", "app/migrations/sub/x.py", "abc", "aXbYc",
    "a/abc", ".github/workflows/ci.yml", ".env", "d/.env", "x/.hidden/y", "x.py/inner.txt", "tests/test_x.py/z",
]


@pytest.mark.parametrize("pattern", PLAIN)
def test_a_plain_glob_is_pathspecs_regular_expression(pattern: str) -> None:
    assert is_plain(pattern)
    theirs, include = GitIgnoreSpecPattern.pattern_to_regex(pattern)
    assert include is True
    assert plain_regex(pattern) == theirs.replace("(?P<ps_d>/)", "/")


@pytest.mark.parametrize("pattern", NOT_PLAIN)
def test_other_globs_are_left_to_pathspec(pattern: str) -> None:
    assert not is_plain(pattern)


@pytest.mark.parametrize("patterns", [[p] for p in PLAIN] + [list(c) for c in itertools.combinations(PLAIN[:12], 2)]
                         + [PLAIN[8:20]])
def test_plain_globs_select_what_pathspec_selects(patterns: list[str]) -> None:
    ours = compile_gitignore(patterns)
    assert isinstance(ours, PlainGlobs)
    spec = pathspec.GitIgnoreSpec.from_lines(patterns)
    for path in PATHS + ["/" + p for p in PATHS[:5]] + ["./" + p for p in PATHS[:5]]:
        assert ours.match_file(path) == spec.match_file(path), (patterns, path)


def test_a_list_with_a_negation_is_compiled_by_pathspec() -> None:
    spec = compile_globs(["**/*.py", "!tests/**"])
    assert isinstance(spec, pathspec.GitIgnoreSpec)
    assert select_files(("a.py", "tests/b.py", "c.txt"), ("**/*.py", "!tests/**"), ()) == ["a.py"]


def test_selecting_by_plain_globs_does_not_import_pathspec() -> None:
    probe = ("import sys; from runner.planning.select import select_files; "
             "print(select_files(('a.py', 'b/c.py', 'd.txt'), ('**/*.py',), ('b/**',)), 'pathspec' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out == "['a.py'] False\n"


def test_select_of_suffix_globs_agrees_with_pathspec_on_odd_paths() -> None:
    """``PlainGlobs.select`` (``str.endswith`` for ``**/*TAIL`` lists) selects what pathspec
    selects, folders named like a file (``x.py/inner``), ``./`` and ``/`` prefixes included."""
    import random

    rng = random.Random(1)
    pieces = ["a", "b", ".py", ".", "py", "/", "x.py", ".p", "y", "_", "-"]
    paths = sorted({("./" if rng.random() < 0.1 else "/" if rng.random() < 0.05 else "")
                    + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 7))) for _ in range(20000)} | set(PATHS))
    suffix_globs = ["**/*.py", "*.py", "**/*py", "*.p", "**/*.", "*_", "**/*.py.bak"]
    for combo in [*itertools.combinations(suffix_globs, 1), *itertools.combinations(suffix_globs, 2), ("**/*.py", "src/**")]:
        spec = pathspec.GitIgnoreSpec.from_lines(list(combo))
        assert PlainGlobs(list(combo)).select(paths) == [p for p in paths if spec.match_file(p)], combo
    assert select_files(tuple(PATHS), ("**/*.py",), ()) == [p for p in PATHS if p.endswith(".py") or ".py/" in p]
