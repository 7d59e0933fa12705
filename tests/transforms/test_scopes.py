"""The cheap binding analysis (``rewrite/scopes.py``) against libcst's ScopeProvider.

Differential: on the golden rewrite cases, the playbooks' examples, edge cases written
for the purpose and a few real modules, ``Resolver.refers`` with the cheap facts must
answer every site as ScopeProvider alone does, and ``remove_imports`` must give the
bytes RemoveImportsVisitor gives, for every import of the module. A few checks also
make sure the cheap path is the one taken where it should be (else the differential
test would compare the slow path with itself).
"""
from __future__ import annotations

import sysconfig
from pathlib import Path
from typing import Iterator

import libcst as cst
import pytest
import yaml
from libcst.codemod import CodemodContext
from libcst.helpers import get_absolute_module_from_package_for_import, get_full_name_for_node

from runner.transforms.rewrite import scopes
from runner.transforms.rewrite.bindings import Ref, Resolver, import_statements
from runner.transforms.rewrite.imports import remove_imports
from runner.transforms.rewrite.names import NO_EXPRESSIONS, NOT_EXPRESSION_FIELDS, dotted_name
from runner.transforms.rewrite.rules import ImportSpec

ROOT = Path(__file__).resolve().parents[2]

# Edge cases: each binds or uses `six` (or a builtin) in one of the ways the facts must see.
EDGES = {
    "plain": "import six\n\ndef f():\n    return six.text_type(x)\n\ny = six.PY2\n",
    "unused": "import six\nimport os\n\nx = os.sep  # six\n'''six in a docstring'''\n",
    "parameter": "import six\n\ndef f(six=six):\n    return six.text_type\n\nz = six.b('x')\n",
    "fallback_none": "try:\n    import six\nexcept ImportError:\n    six = None\n\nx = six.text_type\n",
    "local_import": "def f():\n    import six\n    return six.text_type\n\nx = six.text_type\n",
    "class_import": "class A:\n    import six\n    x = six.text_type\n\ny = six\n",
    "from_moves": "from six import moves\nfrom six.moves import range, urllib\n\nfor i in range(3):\n    moves.range(urllib.parse.quote(i))\n",
    "dotted": "import six\nimport six.moves\nimport os.path\nimport os.path as osp\n\nsix.moves.range(3)\nsix.text_type\nos.path.join(osp.sep, os.sep)\n",
    "dotted_only": "import six.moves\nimport os\n\nsix.moves.range(3)\nos.sep\n",
    "alias": "import six as s\nfrom six import text_type as tt\n\ns.text_type(tt(x))\n",
    "global": "import six\n\ndef f():\n    global six\n    six = 1\n\nsix.text_type\n",
    "nonlocal": "import six\n\ndef f():\n    six = 1\n    def g():\n        nonlocal six\n        return six.text_type\n    return g\n",
    "del": "import six\nx = six.text_type\ndel six\n",
    "targets": (
        "import six\n\nfor six in range(3):\n    pass\nwith open(f) as six:\n    pass\ntry:\n    pass\nexcept E as six:\n    pass\n"
        "xs = [six for six in ys]\nif (six := 1):\n    pass\nsix += 1\nsix: int = 2\nsix.text_type\n"
    ),
    "definitions": "import six\n\nclass six:\n    pass\n\ndef six():\n    pass\n\nf = lambda six: six.text_type\nsix.text_type\n",
    "match": (
        "import six\n\nmatch x:\n    case six:\n        pass\n    case C(six=1):\n        pass\n    case {**six}:\n        pass\n"
        "    case [*six]:\n        pass\n\nsix.text_type\n"
    ),
    "match_keyword_only": "import six\n\nmatch x:\n    case C(six=1):\n        pass\n",
    "string_annotation": "import six\n\ndef f(x: 'six.text_type') -> 'import six':\n    return x\n",
    "string_annotation_only": "import six\n\ndef f(x: 'six.text_type'):\n    return x\n",
    "exported": "import six\nfrom six import text_type\n\n__all__ = ['six', 'text_type']\n",
    "fstring": "import six\n\nx = f'{six.text_type} six'\ny = 'six' 'a' f'{z}'\n",
    "fstring_pieces": "import six\n\ndef f(x: 'import six' 'a' f'{y}'):\n    return six.text_type\n",
    "use_before_import": "x = six.text_type\nimport six\n",
    "use_before_and_after": "x = six.text_type\nimport six\ny = six.text_type\n",
    "star": "from six import *\nfrom six.moves import *\n\ntext_type(x)\nrange(3)\n",
    "relative": "from . import six\nfrom .compat import text_type\nfrom .. import x as six2\n\nsix.text_type(text_type(six2))\n",
    "builtins": "from six.moves import range, zip\n\ndef f(str):\n    return str(range(3))\n\nlist(zip(a, b))\nnext(it)\n",
    "builtin_shadowed": "range = xrange\n\ndef g(next):\n    return next(range(3))\n",
    "type_checking": "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    import six\n\nx: 'six.text_type' = 1\n",
    "semicolon": "import six; import os\nx = os.sep\n",
    "parenthesized": "from six import (\n    text_type,  # str\n    binary_type,\n    PY2,\n)\n\nbinary_type(x)\n",
    "nested_try": "try:\n    import six\nexcept ImportError:\n    pass\n\nx = 1\n",
    "decorator": "import six\n\n@six.add_metaclass(M)\nclass A(six.with_metaclass(M, B)):\n    pass\n",
    "future": "from __future__ import absolute_import\nimport six\n\nx = 1\n",
    "comprehension": "import six\n\nxs = [six.u(c) for c in six.iterbytes(b)]\n",
    "default_only": "import six\n\ndef f(x=six.text_type):\n    return x\n",
    "typing_cast": "import six\nfrom typing import cast, TypeVar\n\nT = TypeVar('T', 'six.text_type', bytes)\ny = cast('six.binary_type', x)\n",
    "unused_after_rewrite": "import six\nfrom six import text_type\nimport sys\n\n\nx = str(y)\nz = sys.maxsize\n",
    "removal_first_line": "# header\n\nimport six\n\nimport os\n\nos.sep\n",
}


def _golden_sources() -> Iterator[tuple[str, str]]:
    folder = ROOT / "tests" / "transforms" / "cases" / "rewrite"
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yaml":
            spec = yaml.safe_load(path.read_text(encoding="utf-8"))
            texts = [spec.get("before"), spec.get("after")]
        elif (path / "before.py").exists():
            texts = [(path / n).read_text(encoding="utf-8") for n in ("before.py", "after.py") if (path / n).exists()]
        else:
            continue
        for k, text in enumerate(t for t in texts if t):
            yield f"case:{path.stem}:{k}", text


def _example_sources() -> Iterator[tuple[str, str]]:
    for path in sorted((ROOT / "playbooks").glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, task in (spec.get("task_types") or {}).items():
            for k, example in enumerate(task.get("examples") or ()):
                for side in ("before", "after"):
                    if isinstance(example.get(side), str):
                        yield f"example:{path.stem}:{name}:{k}:{side}", example[side]


def _parses(text: str) -> bool:
    try:
        cst.parse_module(text)
        compile(text, "<case>", "exec", dont_inherit=True)
    except (cst.ParserSyntaxError, SyntaxError, ValueError):
        return False
    return True


def _corpus() -> list[tuple[str, str]]:
    """The golden cases' and the playbooks' examples' code (what parses)."""
    return [(k, v) for k, v in [*_golden_sources(), *_example_sources()] if _parses(v)]

_STDLIB = Path(sysconfig.get_paths()["stdlib"])
REAL_MODULES = [_STDLIB / n for n in ("argparse.py", "dataclasses.py", "tempfile.py", "unittest/case.py")] + [
    ROOT / "runner" / "transforms" / "rewrite" / n for n in ("bindings.py", "imports.py", "transform.py")
]


# sites ---------------------------------------------------------------------------------


def _sites(node: cst.CSTNode, parent: cst.CSTNode | None = None) -> Iterator[tuple[cst.CSTNode, bool]]:
    """Every Name and attribute chain in an expression position, with whether it is bare."""
    if type(node) in NO_EXPRESSIONS:
        return
    if type(node) is cst.Name:
        yield node, not (type(parent) is cst.Attribute and parent.value is node)  # type: ignore[union-attr]
    elif type(node) is cst.Attribute and dotted_name(node) is not None:
        yield node, False
    skip = {id(getattr(node, f)) for f in NOT_EXPRESSION_FIELDS.get(type(node), ())}
    for child in node.children:
        if id(child) not in skip:
            yield from _sites(child, node)


def _refs(resolver: Resolver, full: str, bare: bool) -> set[Ref]:
    """The references a pattern could hold for a site written ``full``: itself, and
    what the file's imports of its head make of it."""
    head, rest = full.partition(".")[0], full[len(full.partition(".")[0]):]
    refs = {Ref(full, bare), Ref(full, False)}
    refs |= {Ref(q + rest, False) for q in resolver.imports().get(head, ())}
    return refs


def _assert_same_decisions(name: str, code: str) -> int:
    module = cst.parse_module(code)
    cheap, exact = Resolver(module, code), Resolver(module, code, cheap=False)
    count = 0
    made_for: dict[str, cst.BaseExpression] = {}
    for node, bare in _sites(module):
        full = dotted_name(node) or ""
        made = made_for.get(full) or made_for.setdefault(full, cst.parse_expression(full))  # as the rewrite makes it
        for ref in sorted(_refs(exact, full, bare), key=repr):
            for site in (node, made):
                assert cheap.refers(site, ref) == exact.refers(site, ref), (name, full, ref, site is made)
                count += 1
    return count


@pytest.mark.parametrize(("name", "code"), EDGES.items(), ids=list(EDGES))
def test_refers_is_scope_providers_answer(name: str, code: str) -> None:
    _assert_same_decisions(name, code)


@pytest.mark.slow
def test_refers_on_the_golden_cases_and_examples() -> None:
    corpus = _corpus()
    assert len(corpus) > 100
    assert sum(_assert_same_decisions(name, code) for name, code in corpus) > 1000


@pytest.mark.slow
def test_refers_on_real_modules() -> None:
    for path in REAL_MODULES:
        if path.exists():
            assert _assert_same_decisions(path.name, path.read_text(encoding="utf-8")) > 100


# remove_imports --------------------------------------------------------------------------

PACKAGE = "pkg.sub"


def _context() -> CodemodContext:
    return CodemodContext(filename="pkg/sub/mod.py", full_module_name=f"{PACKAGE}.mod", full_package_name=PACKAGE)


def _specs_of(stmt: cst.Import | cst.ImportFrom) -> list[ImportSpec]:
    if isinstance(stmt, cst.Import):
        return [ImportSpec(get_full_name_for_node(a.name) or "", None, a.evaluated_alias) for a in stmt.names]
    if isinstance(stmt.names, cst.ImportStar):
        return []
    module = get_absolute_module_from_package_for_import(PACKAGE, stmt)
    return [ImportSpec(module, a.evaluated_name, a.evaluated_alias) for a in stmt.names] if module else []


def _spec_sets(module: cst.Module) -> list[list[ImportSpec]]:
    """Every import of the module at once, and ``import m`` for each top-level module
    imported (which ``remove_imports`` widens to its ``as`` and ``from`` forms)."""
    everything = [spec for stmt in import_statements(module) for spec in _specs_of(stmt)]
    heads = sorted({s.module.partition(".")[0] for s in everything})
    return [everything, *([ImportSpec(h)] for h in heads)] if everything else []


class _FellBack(Exception):
    pass


def _fall_back(*args: object) -> None:
    raise _FellBack


def _assert_same_removals(name: str, code: str, monkeypatch: pytest.MonkeyPatch, each: bool = True) -> None:
    module = cst.parse_module(code)
    for specs in _spec_sets(module)[: None if each else 1]:
        with monkeypatch.context() as patch:
            patch.setattr("runner.transforms.rewrite.imports._removed_by_visitor", _fall_back)
            try:
                cheap = remove_imports(module, _context(), specs, code=code)
            except _FellBack:
                continue  # the visitor decides: the same path either way
        exact = remove_imports(module, _context(), specs, cheap=False)
        assert cheap.code == exact.code, (name, specs)


@pytest.mark.parametrize(("name", "code"), EDGES.items(), ids=list(EDGES))
def test_remove_imports_is_the_visitors_answer(name: str, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _assert_same_removals(name, code, monkeypatch)


@pytest.mark.slow
def test_remove_imports_on_the_golden_cases_and_examples(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, code in _corpus():
        _assert_same_removals(name, code, monkeypatch, each=False)


def _thinned(code: str) -> str:
    """``code`` with every other top-level statement that is not an import dropped:
    some of its imports are left unused, as after a rewrite."""
    module = cst.parse_module(code)
    others = [s for s in module.body if not next(import_statements(s), None)]
    dropped = {id(s) for s in others[::2]}
    return module.with_changes(body=[s for s in module.body if id(s) not in dropped]).code


@pytest.mark.slow
def test_remove_imports_on_real_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    for path in REAL_MODULES:
        if path.exists():
            code = path.read_text(encoding="utf-8")
            for variant in (code, _thinned(code)):
                _assert_same_removals(path.name, variant, monkeypatch, each=False)


# the cheap path is taken -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["plain", "from_moves", "alias", "dotted", "builtins", "decorator", "comprehension"])
def test_common_files_need_no_scope_analysis(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("runner.transforms.rewrite.bindings.shared_scopes", _refuse)
    _assert_same_decisions_cheaply(EDGES[name])


def _refuse(module: cst.Module) -> None:
    raise AssertionError("ScopeProvider ran")


def _assert_same_decisions_cheaply(code: str) -> None:
    module = cst.parse_module(code)
    resolver = Resolver(module, code)
    facts = resolver.facts()
    assert facts is not None
    for node, bare in _sites(module):
        full = dotted_name(node) or ""
        if (bare and full in facts.bound) or (not bare and full.partition(".")[0] in facts.bound):
            continue  # a name the file binds otherwise too: ScopeProvider's to decide
        for ref in _refs(resolver, full, bare):
            resolver.refers(node, ref)


@pytest.mark.parametrize(
    ("name", "specs"),
    [
        ("unused_after_rewrite", [ImportSpec("six")]),
        ("plain", [ImportSpec("six")]),
        ("parenthesized", [ImportSpec("six")]),
        ("removal_first_line", [ImportSpec("six")]),
        ("exported", [ImportSpec("os")]),
    ],
)
def test_removals_need_no_visitor(name: str, specs: list[ImportSpec], monkeypatch: pytest.MonkeyPatch) -> None:
    module = cst.parse_module(EDGES[name])
    exact = remove_imports(module, _context(), specs, cheap=False).code
    monkeypatch.setattr("runner.transforms.rewrite.imports._removed_by_visitor", _refuse)
    assert remove_imports(module, _context(), specs).code == exact


def test_removal_golden() -> None:
    module = cst.parse_module(EDGES["unused_after_rewrite"])
    assert remove_imports(module, _context(), [ImportSpec("six")]).code == "import sys\n\n\nx = str(y)\nz = sys.maxsize\n"
    module = cst.parse_module(EDGES["parenthesized"])
    after = remove_imports(module, _context(), [ImportSpec("six")]).code
    assert after == "from six import (\n    binary_type)\n\nbinary_type(x)\n"  # libcst's layout, kept


# the facts themselves ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "only_imported"),
    [("plain", True), ("parameter", False), ("fallback_none", False), ("local_import", False),
     ("class_import", False), ("global", False), ("nonlocal", False), ("del", False), ("targets", False),
     ("definitions", False), ("match", False), ("string_annotation", False), ("exported", False),
     ("decorator", True), ("default_only", True), ("fstring", False), ("fstring_pieces", False)],
)
def test_only_imported(name: str, only_imported: bool) -> None:
    facts = scopes.facts_for(EDGES[name])
    assert facts is not None and facts.only_imported("six") is only_imported


def test_used_and_unused() -> None:
    def facts(name: str) -> scopes.NameFacts:
        got = scopes.facts_for(EDGES[name])
        assert got is not None
        return got

    assert facts("unused").surely_unused("six") and not facts("unused").surely_used("six")
    assert facts("plain").surely_used("six") and not facts("plain").surely_unused("six")
    assert facts("use_before_import").surely_used("six") is False  # libcst: a use above the import is not one
    assert facts("use_before_import").surely_unused("six") is False
    assert facts("use_before_and_after").surely_used("six")
    assert facts("match_keyword_only").surely_unused("six") is False  # libcst counts `C(six=1)` as a use
    assert facts("string_annotation_only").surely_unused("six") is False
    assert facts("dotted_only").surely_used("six") is False  # `six.moves` accesses are not `six`'s
    assert scopes.facts_for("def f(:\n") is None


def test_qualified_names_follow_libcst() -> None:
    facts = scopes.facts_for(EDGES["dotted"])
    assert facts is not None
    assert facts.qualified_names("six.moves.range") == {"six.moves.range"}
    assert facts.qualified_names("os.path.join") == {"os.path.join"}
    assert facts.qualified_names("osp.sep") == {"os.path.sep"}
    relative = scopes.facts_for(EDGES["relative"])
    assert relative is not None
    assert relative.qualified_names("six.text_type") == {".six.text_type"}
    assert relative.qualified_names("six2") == {"..x"}


def test_a_parse_kept_for_later_gives_the_same_facts() -> None:
    import ast

    code = EDGES["dotted"] + "\n# kept\n"
    scopes.keep_parse(code, ast.parse(code))
    kept = scopes.facts_for(code)
    assert code not in scopes._TREES  # used once, then the facts are kept instead
    fresh = scopes._Walk().run(ast.parse(code))
    assert kept is not None and (kept.imports, kept.bound, kept.occurs) == (fresh.imports, fresh.bound, fresh.occurs)
