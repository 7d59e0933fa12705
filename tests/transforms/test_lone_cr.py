"""Bytes libcst's tree drops: a carriage return that ends a file, and a form feed in the
indentation of a line of code. The whole-file path must fail such a file rather than hand
back bytes no rule asked for; the statement-scoped rewrite (which splices the file's own
text) keeps the final ``\\r``."""
from __future__ import annotations

import json

import pytest

from runner.playbook.spec import TaskTypeSpec
from runner.transforms.base import Changed, Failed, Unchanged
from runner.transforms.engine import FileJob, Step, apply_file_job
from runner.transforms.rewrite import RewriteTransform
from runner.transforms.validation import LossyParse, describe_parse_error, parse_lossless

WARN = [{"match": "$log.warn($$$args)", "replace": "$log.warning($$$args)"}]


def _run(source: bytes) -> tuple[object, bytes]:
    spec = TaskTypeSpec("t", "rewrite", with_json=json.dumps({"rules": WARN}))
    result = apply_file_job(FileJob("/nonexistent", "mod.py", source, (Step(0, spec, None),)))
    return result.outcomes[0][1], result.final


def test_parse_lossless_refuses_only_what_libcst_would_change() -> None:
    for ok in (b"a = 1\r\nb = 2\r\n", b"a = 1\rb = 2\r\n", b"a = 1\rb = 2", b"x = 1\n"):
        assert parse_lossless(ok).bytes == ok
    for lossy in (b"x\r", b"a = 1\rb = 2\r", b"a = 1\n\r"):
        with pytest.raises(LossyParse) as caught:
            parse_lossless(lossy)
        assert "carriage return that ends this file" in describe_parse_error(caught.value)


def test_the_scoped_rewrite_keeps_the_final_cr() -> None:
    outcome, final = _run(b'log.warn("x")\r')
    assert isinstance(outcome, Changed) and final == b'log.warning("x")\r'
    outcome, final = _run(b"x = warn\r")  # a needle, no match: nothing changes, not even the \r
    assert isinstance(outcome, Unchanged) and final == b"x = warn\r"


def test_the_whole_file_path_fails_the_file_instead_of_dropping_the_cr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RewriteTransform, "precheck", lambda self, source, ctx: None)
    for source in (b'log.warn("x")\r', b"x = warn\r"):
        outcome, final = _run(source)
        assert isinstance(outcome, Failed) and "carriage return that ends this file" in outcome.reason
        assert final == source


FORM_FEEDS = (b"x = 1\n\x0cdef k():\n    return log.warn(1)\n", b"def f():\n    x = 1\n    \x0cy = 2\n",
              b"\x0cimport os\r\n")


def test_parse_lossless_refuses_a_form_feed_in_an_indentation_and_names_its_line() -> None:
    for ok in (b"x = 1\n\x0c\ndef k():\n    pass\n", b"a = 1 \x0c+ 2\n", b"x = 1\n\x0c# page\ny = 2\n"):
        assert parse_lossless(ok).bytes == ok
    for source, line in zip(FORM_FEEDS, (2, 3, 1)):
        with pytest.raises(LossyParse) as caught:
            parse_lossless(source)
        assert describe_parse_error(caught.value) == (
            f"libcst drops the form feed in the indentation of line {line}, so no edit of this file would be "
            "lossless; put the form feed on a line of its own")


def test_the_whole_file_path_fails_a_file_whose_form_feed_libcst_would_drop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RewriteTransform, "precheck", lambda self, source, ctx: None)
    outcome, final = _run(FORM_FEEDS[0])
    assert isinstance(outcome, Failed) and "form feed in the indentation of line 2" in outcome.reason
    assert final == FORM_FEEDS[0]
