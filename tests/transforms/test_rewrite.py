"""The declarative ``rewrite`` transform: golden cases as data, plus unit tests.

A case is ``cases/rewrite/<name>.yaml`` or a folder ``cases/rewrite/<name>/`` holding
``rules.yaml``, ``before.py``, ``after.py`` (absent: the file must stay unchanged) and
optionally ``gaps.json``. Keys of a case (in the single YAML file, or in ``rules.yaml``):

- ``rules``: the ``with: rules:`` list of the task (required)
- ``before`` / ``after``: the file before and after (``after`` absent: unchanged)
- ``gaps``: the expected gaps, a list of ``{line, column, reason, source}``
- ``needles``: the expected ``needles()`` (a list; ``[]`` means every file is parsed)
- ``expect_absent``: ``[{pattern, sites: [{line, column, source}]}]``, checked with
  ``find_pattern_sites`` on the output
- ``idempotent``: whether a second pass must be a no-op (default true)
- ``path``: the file's path relative to the root (default ``pkg/mod.py``)

Every case checks the exact output bytes, that the output parses, that a second pass
changes nothing, and that a file the rules change contains one of the needles.
"""
from __future__ import annotations

import ast
import dataclasses
import json
import pickle
from pathlib import Path

import libcst as cst
import pytest
import yaml

from runner.transforms.base import FileContext, TreeTransform
from runner.transforms.rewrite import (
    PatternError,
    RewriteTransform,
    compile_pattern,
    find_pattern_sites,
    looks_like_pattern,
)

CASES_DIR = Path(__file__).parent / "cases" / "rewrite"


@dataclasses.dataclass
class Case:
    name: str
    spec: dict
    before: str
    after: str
    gaps: list


def _load(path: Path) -> Case:
    if path.is_dir():
        spec = yaml.safe_load((path / "rules.yaml").read_text(encoding="utf-8"))
        before = (path / "before.py").read_bytes().decode("utf-8")
        after_file = path / "after.py"
        after = after_file.read_bytes().decode("utf-8") if after_file.exists() else before
        gaps_file = path / "gaps.json"
        gaps = json.loads(gaps_file.read_text(encoding="utf-8")) if gaps_file.exists() else spec.get("gaps", [])
        return Case(path.name, spec, before, after, gaps)
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Case(path.stem, spec, spec["before"], spec.get("after", spec["before"]), spec.get("gaps", []))


def _cases() -> list[Case]:
    paths = [p for p in sorted(CASES_DIR.iterdir()) if p.suffix == ".yaml" or (p / "rules.yaml").exists()]
    return [_load(p) for p in paths]


CASES = _cases()


def _ctx(path: str = "pkg/mod.py") -> FileContext:
    return FileContext(root="/repo", path=path, full_module_name=path[:-3].replace("/", "."), full_package_name="pkg")


def _gap_dict(gap, expected: dict) -> dict:
    """The gap as a dict; its ``rule`` only where the case says which rule it expects."""
    got = dataclasses.asdict(gap)
    if "rule" not in expected:
        got.pop("rule")
    return got


def test_the_cases_are_collected() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    transform = RewriteTransform(case.spec["rules"])
    assert isinstance(transform, TreeTransform)
    ctx = _ctx(case.spec.get("path", "pkg/mod.py"))

    result = transform.transform_module(cst.parse_module(case.before), ctx)
    out = result.module.code
    assert out.encode("utf-8") == case.after.encode("utf-8")
    cst.parse_module(out)  # the output parses
    ast.parse(out)  # and is valid for the running Python
    assert [_gap_dict(g, want) for g, want in zip(result.gaps, case.gaps)] == [{"file": ctx.path, **g} for g in case.gaps]
    assert len(result.gaps) == len(case.gaps)
    assert result.warnings == ()

    if case.spec.get("idempotent", True):
        again = transform.transform_module(result.module, ctx)
        assert again.module.code == out

    needles = transform.needles()
    if "needles" in case.spec:
        assert needles == tuple(case.spec["needles"])
    if needles and (out != case.before or case.gaps):
        assert any(n in case.before for n in needles), "a file the rules act on must contain a needle"

    for entry in case.spec.get("expect_absent", ()):
        pattern = compile_pattern(entry["pattern"])
        sites = find_pattern_sites(result.module, pattern, ctx.path, "still there")
        got = [{"line": g.line, "column": g.column, "source": g.source} for g in sites]
        assert got == entry["sites"]
        assert all(g.reason == "still there" and g.file == ctx.path for g in sites)


# Errors ------------------------------------------------------------------------------


def _error(rules: object) -> PatternError:
    with pytest.raises(PatternError) as info:
        RewriteTransform(rules)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(
    ("rule", "message", "field", "position"),
    [
        (
            {"match": "self.assertEqual(,$b)", "replace": "x"},
            "rules[0].match: invalid pattern at 1:18: invalid syntax",
            "match",
            (1, 18),
        ),
        (
            {"match": "self.assertEqual($a, $b", "replace": "x"},
            "rules[0].match: invalid pattern at 1:17: '(' was never closed",
            "match",
            (1, 17),
        ),
        (
            # positions are in the text as written (before dedent and $-substitution)
            {"match": "  f(\n    $long_name,,\n  )", "replace": "g($long_name)"},
            "rules[0].match: invalid pattern at 2:16: invalid syntax",
            "match",
            (2, 16),
        ),
        (
            {"match": "f($)", "replace": "x"},
            "rules[0].match: invalid pattern at 1:3: '$' must start a metavariable: "
            "$name for one node, $$$name for a sequence",
            "match",
            (1, 3),
        ),
        (
            {"match": "f($$a)", "replace": "x"},
            "rules[0].match: invalid pattern at 1:3: '$' must start a metavariable: "
            "$name for one node, $$$name for a sequence",
            "match",
            (1, 3),
        ),
        (
            {"match": "x = 1\ny = 2", "replace": "x"},
            "rules[0].match: invalid pattern at 2:1: a pattern must be a single expression or statement",
            "match",
            (2, 1),
        ),
        (
            {"match": "$$$xs + 1", "replace": "x"},
            "rules[0].match: invalid pattern at 1:1: $$$xs stands for a sequence and can only be used as "
            "call arguments, elements, dict entries, parameters, decorators, with-items or statements",
            "match",
            (1, 1),
        ),
        (
            {"match": "f({$$$ks: 1})", "replace": "x"},
            "rules[0].match: invalid pattern at 1:4: $$$ks stands for a sequence and can only be used as "
            "call arguments, elements, dict entries, parameters, decorators, with-items or statements",
            "match",
            (1, 4),
        ),
        (
            # a dict entry ``$$$rest`` is parsed as ``**$$$rest``: positions still point into the text as written
            {"match": "f({$k: 1, $$$rest,, })", "replace": "x"},
            "rules[0].match: invalid pattern at 1:19: invalid syntax",
            "match",
            (1, 19),
        ),
        (
            {"match": "f($x, $$$x)", "replace": "x"},
            "rules[0].match: invalid pattern at 1:7: $x is used both as $x and as $$$x",
            "match",
            (1, 7),
        ),
        (
            {"match": "", "replace": "x"},
            "rules[0].match: invalid pattern at 1:1: empty pattern",
            "match",
            (1, 1),
        ),
        (
            {"match": "f($a)", "replace": "g($a, $c)"},
            "rules[0].replace: unbound metavariable at 1:7: $c is not bound by the match (it binds $a)",
            "replace",
            (1, 7),
        ),
        (
            {"match": "f($$$a)", "replace": "g($a)"},
            "rules[0].replace: invalid replacement at 1:3: $a does not fit the match, which binds $$$a",
            "replace",
            (1, 3),
        ),
        (
            {"match": "f($a)", "replace": "g(\n  $a"},
            "rules[0].replace: invalid replacement at 1:2: '(' was never closed",
            "replace",
            (1, 2),
        ),
        (
            {"match": "f($a)", "replace": "g($_)"},
            "rules[0].replace: invalid replacement at 1:3: $_ matches anything and cannot be used in a replacement",
            "replace",
            (1, 3),
        ),
    ],
)
def test_pattern_errors(rule: dict, message: str, field: str, position: tuple[int, int]) -> None:
    err = _error([{"match": "ok($x)", "replace": "ok2($x)"}, rule])
    assert str(err) == message.replace("rules[0]", "rules[1]")
    assert (err.rule_index, err.field, (err.line, err.column)) == (1, field, position)
    assert isinstance(err, ValueError)


@pytest.mark.parametrize(
    ("rule", "message", "field", "subpath"),
    [
        (
            {"match": "f($a)", "replace": "g($a)", "where": {"b": {"kind": "Name"}}},
            "rules[0].where.b: unknown metavariable $b (the match binds $a)",
            "where",
            ("b",),
        ),
        (
            {"match": "f($a)", "replace": "g($a)", "where": {"a": {"kind": ["Name", "Nme"]}}},
            "rules[0].where.a.kind: unknown node kind 'Nme' (a libcst class name such as Name, Call, Attribute)",
            "where",
            ("a", "kind"),
        ),
        (
            {"match": "f($a)", "replace": "g($a)", "where": {"a": {"regex": "("}}},
            "rules[0].where.a.regex: invalid regular expression: missing ), unterminated subpattern at position 0",
            "where",
            ("a", "regex"),
        ),
        (
            {"match": "f($a)", "replace": "g($a)", "where": {"a": {"txt": "x"}}},
            "rules[0].where.a.txt: unknown constraint 'txt' (expected one of: kind, text, not_text, regex)",
            "where",
            ("a", "txt"),
        ),
        (
            {"match": "f($a)", "replace": "g($a)", "imports": {"add": ["import pytest", "import"]}},
            "rules[0].imports.add[1]: invalid import 'import': expected 'import a.b [as c]' or 'from a import b [as c]'",
            "imports",
            ("add", 1),
        ),
        (
            {"match": "f($a)", "flag": "x", "imports": {"add": ["import pytest"]}},
            "rules[0].imports: 'imports' only apply to rules with 'replace'",
            "imports",
            (),
        ),
        (
            {"match": "f($a)"},
            "rules[0]: a rule needs 'replace' (a template) or 'flag' (a reason)",
            None,
            (),
        ),
        (
            {"match": "f($a)", "replace": "g($a)", "flag": "why"},
            "rules[0].flag: 'replace' and 'flag' cannot be combined: a rule either rewrites or reports",
            "flag",
            (),
        ),
        (
            {"match": "f($a)", "replace": "g($a)", "note": "x"},
            "rules[0].note: unknown key 'note' (expected one of: match, replace, flag, where, imports, id, rename_attributes)",
            "note",
            (),
        ),
        (
            {"match": "with $c as $cm:\n    $$$b", "flag": "x", "rename_attributes": {"cm": {"exception": "value"}}},
            "rules[0].rename_attributes: 'rename_attributes' only applies to rules with 'replace'",
            "rename_attributes",
            (),
        ),
        (
            {"match": "with $c as $cm:\n    $$$b", "replace": "with $c as $cm:\n    $$$b", "rename_attributes": {"e": {"a": "b"}}},
            "rules[0].rename_attributes.e: $e is not a $metavariable of the match (it binds $c, $cm)",
            "rename_attributes",
            ("e",),
        ),
        (
            {"match": "with $c as $cm:\n    $$$b", "replace": "with $c:\n    $$$b", "rename_attributes": {"cm": {"a": "b"}}},
            "rules[0].rename_attributes.cm: $cm must stay in the replacement: its attributes are renamed where it is used",
            "rename_attributes",
            ("cm",),
        ),
        (
            {"match": "with $c as $cm:\n    $$$b", "replace": "with $c as $cm:\n    $$$b", "rename_attributes": {"cm": {"a": "b c"}}},
            "rules[0].rename_attributes.cm.a: attribute names must be identifiers: 'a': 'b c'",
            "rename_attributes",
            ("cm", "a"),
        ),
        (
            {"match": "with $c as $cm:\n    $$$b", "replace": "with $c as $cm:\n    $$$b", "rename_attributes": {"cm": {}}},
            "rules[0].rename_attributes.cm: expected a mapping {old attribute: new attribute}",
            "rename_attributes",
            ("cm",),
        ),
    ],
)
def test_rule_errors(rule: dict, message: str, field: str | None, subpath: tuple) -> None:
    err = _error([rule])
    assert str(err) == message
    assert (err.rule_index, err.field, err.subpath, err.line) == (0, field, subpath, None)


def test_short_message_and_where_subpath() -> None:
    err = _error([{"match": "f($a)", "replace": "g($a)", "where": {"$a": {"kind": "Nme"}}}])
    assert err.short == "unknown node kind 'Nme' (a libcst class name such as Name, Call, Attribute)"
    assert err.location == "rules[0].where.$a.kind"
    err = _error([{"match": "f(", "replace": "g"}])
    assert (err.location, err.short) == ("rules[0].match", "invalid pattern at 1:2: '(' was never closed")


def test_rules_must_be_a_non_empty_list() -> None:
    assert str(_error([])) == "rules: expected a non-empty list of rules"
    assert str(_error({"match": "x"})) == "rules: expected a non-empty list of rules"


def test_pattern_error_pickles_and_compile_pattern_has_no_rule() -> None:
    with pytest.raises(PatternError) as info:
        compile_pattern("compat.ensure_text(")
    err = info.value
    assert str(err) == "invalid pattern at 1:19: '(' was never closed"
    assert (err.rule_index, err.field, err.line, err.column, err.detail) == (None, None, 1, 19, "'(' was never closed")
    again = pickle.loads(pickle.dumps(_error([{"match": "f(", "replace": "g"}])))
    assert str(again) == "rules[0].match: invalid pattern at 1:2: '(' was never closed"
    assert (again.rule_index, again.field, again.line, again.column) == (0, "match", 1, 2)


def test_dollar_in_string_literals_is_literal() -> None:
    pattern = compile_pattern("fmt('$x', $y)")
    assert dict(pattern.metavars) == {"y": False}
    sites = find_pattern_sites(cst.parse_module("fmt('$x', 1)\nfmt('z', 1)\n"), pattern, "a.py", "r")
    assert [(g.line, g.source) for g in sites] == [(1, "fmt('$x', 1)")]


# Needles, patterns, reuse ------------------------------------------------------------


def test_needles() -> None:
    t = RewriteTransform(
        [
            {"match": "self.assertEqual($a, $b)", "replace": "assert $a == $b"},
            {"match": "$obj.has_key($k)", "replace": "$k in $obj"},
            {"match": "compat.ensure_text($x, errors=None)", "flag": "f"},
        ]
    )
    assert t.needles() == ("self", "assertEqual", "has_key", "compat", "ensure_text", "errors")
    only_metavariables = RewriteTransform(
        [{"match": "os.getcwdu()", "replace": "os.getcwd()"}, {"match": "$a == $a", "replace": "True"}]
    )
    assert only_metavariables.needles() == ()
    keywords_only = RewriteTransform([{"match": "assert $x is not None", "replace": "check($x)"}])
    assert keywords_only.needles() == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("six.moves", True),
        ("compat.ensure_text(x)", True),
        ("$x.has_key($k)", True),
        ("assertItemsEqual($$$args)", True),
        ("registry[key]", True),
        ("six", False),
        ("TODO: remove", False),
        ("print(", False),
        ("x == 1", False),
        ("price: 5$", False),
    ],
)
def test_looks_like_pattern(text: str, expected: bool) -> None:
    assert looks_like_pattern(text) is expected


def test_the_transform_pickles() -> None:
    t = RewriteTransform(
        [{"match": "$d.has_key($k)", "replace": "$k in $d", "where": {"d": {"not_text": "self.headers"}}}]
    )
    again = pickle.loads(pickle.dumps(t))
    out = again.transform_module(cst.parse_module("a.has_key(1)\nself.headers.has_key(2)\n"), _ctx())
    assert out.module.code == "1 in a\nself.headers.has_key(2)\n"


def test_one_instance_serves_many_files_without_state() -> None:
    t = RewriteTransform(
        [{"match": "self.assertRaises($e)", "replace": "pytest.raises($e)", "imports": {"add": ["import pytest"]}}]
    )
    first = t.transform_module(cst.parse_module("with self.assertRaises(E):\n    pass\n"), _ctx("a.py"))
    second = t.transform_module(cst.parse_module("x = 1\n"), _ctx("b.py"))
    third = t.transform_module(cst.parse_module("with self.assertRaises(F):\n    pass\n"), _ctx("c.py"))
    assert first.module.code == "import pytest\n\nwith pytest.raises(E):\n    pass\n"
    assert second.module.code == "x = 1\n"
    assert third.module.code == "import pytest\n\nwith pytest.raises(F):\n    pass\n"
