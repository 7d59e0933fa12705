"""A form feed (``\\f``) around or inside the statements a rewrite edits: the output keeps
every byte no rule rewrote. libcst drops (or moves) a form feed of an indentation, so the
whole-file path fails such a file; the statement-scoped rewrite splices the file's own
text and leaves only a statement libcst would not write back as it is, as a gap naming
the line. Where libcst reads the file losslessly the whole-file path is the oracle, byte
for byte; \\r\\n and a missing last newline are checked on the same path.
"""
from __future__ import annotations

import json
from pathlib import Path

import libcst as cst
import pytest
import yaml
from libcst.codemod.commands.convert_format_to_fstring import ConvertFormatStringCommand

from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Changed, Failed, FileContext, Unchanged
from runner.transforms.codemod import CodemodTransform
from runner.transforms.engine import FileJob, Step, apply_file_job
from runner.transforms.rewrite import RewriteTransform
from runner.transforms.statements import transform_statements
from runner.transforms.validation import LossyParse, parse_lossless

CTX = FileContext("/nonexistent", "pkg/mod.py", "pkg.mod", "pkg")
RULES = [
    {"match": "self.assertEqual($a, $b)", "replace": "assert $a == $b"},
    {"match": "self.assertRegex($t, $r)", "replace": "assert re.search($r, $t)", "imports": {"add": ["import re"]}},
    {"match": "with self.assertRaises($e):\n    $$$body", "replace": "with pytest.raises($e):\n    $$$body",
     "imports": {"add": ["import pytest"]}},
]
HEAD = "import unittest\n\n\nclass T(unittest.TestCase):\n    def test(self):\n"


def _lost(line: int) -> str:
    return (f"cannot rewrite this match: libcst would not write back the form feed in the indentation of line {line}, "
            "so the statement is left as it was; put the form feed on a line of its own")


# name: (before, after, [(line, column, rule, reason)])
GOLDEN = {
    "a form feed line before an edited statement": (
        f"{HEAD}        x = 1\n\f\n        self.assertEqual(x, 1)\n",
        f"{HEAD}        x = 1\n\f\n        assert x == 1\n", []),
    "a form feed starting the line of the class around the edits": (
        "import unittest\n\f\nclass T(unittest.TestCase):\n\f    def test(self):\n        self.assertEqual(x, 1)\n",
        "import unittest\n\f\nclass T(unittest.TestCase):\n\f    def test(self):\n        assert x == 1\n", []),
    "a form feed in the indentation of an edited line": (
        f"{HEAD}        x = 1\n\f        self.assertEqual(x, 1)\n        self.assertRegex(x, 'a')\n",
        f"import unittest\nimport re\n\n\nclass T(unittest.TestCase):\n    def test(self):\n        x = 1\n"
        f"\f        self.assertEqual(x, 1)\n        assert re.search('a', x)\n",
        [(8, 10, "rules[0]", _lost(8))]),
    "a form feed line between two edited statements": (
        f"{HEAD}        self.assertEqual(a, 1)\n\f\n        self.assertEqual(b, 2)\n",
        f"{HEAD}        assert a == 1\n\f\n        assert b == 2\n", []),
    "a form feed indenting the second of two edited statements, a block": (
        f"{HEAD}        self.assertEqual(a, 1)\n\f        with self.assertRaises(E):\n            f()\n"
        "        self.assertEqual(b, 2)\n",
        f"{HEAD}        assert a == 1\n\f        with self.assertRaises(E):\n            f()\n        assert b == 2\n",
        [(7, 10, "rules[2]", _lost(7))]),
    "\\r\\n line ends, a form feed line and a form feed indentation": (
        f"{HEAD}        self.assertEqual(a, 1)\n\f\n\f        self.assertEqual(b, 2)\n".replace("\n", "\r\n"),
        f"{HEAD}        assert a == 1\n\f\n\f        self.assertEqual(b, 2)\n".replace("\n", "\r\n"),
        [(8, 10, "rules[0]", _lost(8))]),
    "no newline at the end, after a form feed indentation": (
        f"{HEAD}        self.assertEqual(a, 1)\n\f        self.assertEqual(b, 2)",
        f"{HEAD}        assert a == 1\n\f        self.assertEqual(b, 2)", [(7, 10, "rules[0]", _lost(7))]),
    "\\r\\n and no newline at the end": (
        f"{HEAD}        self.assertEqual(a, 1)\n\f\n        self.assertRegex(b, 'x')".replace("\n", "\r\n"),
        f"import unittest\nimport re\n\n\nclass T(unittest.TestCase):\n    def test(self):\n        assert a == 1\n"
        f"\f\n        assert re.search('x', b)".replace("\n", "\r\n"), []),
}


def _engine(source: str) -> tuple[object, str]:
    spec = TaskTypeSpec("t", "rewrite", with_json=json.dumps({"rules": RULES}))
    job = apply_file_job(FileJob("/nonexistent", "pkg/mod.py", source.encode("utf-8"), (Step(0, spec, None),)))
    return job.outcomes[0][1], job.final.decode("utf-8")


def _lossless(source: str) -> bool:
    """Whether the whole-file path reads ``source`` (libcst parses it and gives its bytes back)."""
    try:
        parse_lossless(source.encode("utf-8"))
    except (LossyParse, cst.ParserSyntaxError):
        return False
    return True


@pytest.mark.parametrize("name", GOLDEN)
def test_golden_every_byte_no_rule_rewrote_is_kept(name: str) -> None:
    before, after, gaps = GOLDEN[name]
    outcome, final = _engine(before)
    assert final == after and isinstance(outcome, (Changed, Unchanged))
    assert [(g.line, g.column, g.rule, g.reason.removeprefix(f"{g.rule}: ")) for g in outcome.gaps] == gaps
    if _lossless(before):  # the whole-file path reads it: the oracle, byte for byte
        whole = RewriteTransform(RULES).transform_module(cst.parse_module(before), CTX)
        assert (whole.code or whole.module.code) == after and whole.gaps == outcome.gaps


@pytest.mark.parametrize("name", [n for n in GOLDEN if not _lossless(GOLDEN[n][0])])
def test_the_whole_file_path_fails_what_the_scoped_run_keeps(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = GOLDEN[name][0]
    monkeypatch.setattr(RewriteTransform, "precheck", lambda self, source, ctx: None)
    outcome, final = _engine(before)
    assert isinstance(outcome, Failed) and final == before
    assert "form feed in the indentation" in outcome.reason or "tokenizer error" in outcome.reason


def test_without_the_form_feeds_the_scoped_output_is_the_whole_file_output() -> None:
    for name, (before, after, gaps) in GOLDEN.items():
        if gaps or _lossless(before):
            continue
        whole = RewriteTransform(RULES).transform_module(cst.parse_module(before.replace("\f", "")), CTX)
        assert (whole.code or whole.module.code) == after.replace("\f", ""), name


FORMAT = (".format(",)


def _format_scoped(source: str) -> str | None:
    transform = CodemodTransform(ConvertFormatStringCommand, {}, FORMAT)
    done = transform_statements(source.encode("utf-8"), FORMAT,
                                lambda m: transform.transform_module(m, CTX, statement_scope=True))
    return None if done is None else done.after.decode("utf-8")


def test_a_codemod_keeps_a_form_feed_it_does_not_edit_and_declines_one_it_would_lose() -> None:
    kept = 'def g():\n\f    a = 1\n    return "{}".format(a)\n\n\ndef f(x):\n\f    y = x\n    return "{}".format(x)\n'
    assert _format_scoped(kept) == kept.replace('"{}".format(a)', 'f"{a}"').replace('"{}".format(x)', 'f"{x}"')
    edited = 'def f(x):\n    a = 1\n\f    return "{}".format(x)\n'
    assert _format_scoped(edited) is None  # (the whole-file path fails the file, naming line 3)


def test_the_catalogue_playbook_reports_a_statement_it_leaves_at_the_files_column() -> None:
    playbook = Path(__file__).resolve().parents[2] / "playbooks" / "unittest-to-assert.yaml"
    rules = yaml.safe_load(playbook.read_text(encoding="utf-8"))["task_types"]["unittest-asserts"]["with"]["rules"]
    before = f"{HEAD}        self.assertTrue(a)\n\f        self.assertAlmostEqual(b, 0.3)\n        self.assertIn(c, d)\n"
    spec = TaskTypeSpec("t", "rewrite", with_json=json.dumps({"rules": rules}))
    job = apply_file_job(FileJob("/nonexistent", "pkg/mod.py", before.encode("utf-8"), (Step(0, spec, None),)))
    assert job.final.decode("utf-8") == f"{HEAD}        assert a\n\f        self.assertAlmostEqual(b, 0.3)\n        assert c in d\n"
    gaps = [(g.line, g.column, g.reason.partition(":")[0]) for g in job.outcomes[0][1].gaps]
    assert gaps == [(7, 10, "rules[74]"), (7, 10, "not converted")]
