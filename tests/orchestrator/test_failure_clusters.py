"""Failed checks become structured failures, clustered by signature."""
from __future__ import annotations

from runner.model.clusters import (
    Failure, cluster_failures, count_tests, failures_from_junit, failures_from_output, normalize_message,
)

ROOT = "/work/repo"


def _case(name: str, message: str, body: str, classname: str = "tests.test_m") -> str:
    return (f'<testcase classname="{classname}" name="{name}"><failure message="{message}">'
            f"{body}</failure></testcase>")


def _junit(*cases: str, passed: int = 0) -> str:
    ok = "".join(f'<testcase classname="tests.test_ok" name="test_{i}"/>' for i in range(passed))
    return f'<?xml version="1.0"?><testsuites><testsuite>{"".join(cases)}{ok}</testsuite></testsuites>'


def _value_error(i: int) -> str:
    return _case(f"test_f[{i}]", f"ValueError: bad value {i} at 0x7f{i:02x}",
                 f"tests/test_m.py:4: \n_ _ _\n&gt; raise ValueError(x)\nE ValueError: bad value {i}\n\n{ROOT}/src/mod.py:9: ValueError")


def _key_error(i: int) -> str:
    return _case(f"test_k[{i}]", f"KeyError: 'user_{i}'",
                 f"tests/test_k.py:7: \n.venv/lib/python3.12/site-packages/lib/x.py:3: in get\nsrc/store.py:21: KeyError")


def test_twenty_failures_with_two_signatures_are_two_clusters() -> None:
    xml = _junit(*[_value_error(i) if i % 2 else _key_error(i) for i in range(20)], passed=5)
    failures = failures_from_junit(xml, "unit", ROOT)
    assert failures is not None and len(failures) == 20
    clusters = cluster_failures(failures)
    assert [(c.signature, len(c.failures)) for c in clusters] == [
        ("KeyError: <str> @ src/store.py:21", 10),
        ("ValueError: bad value <n> at <addr> @ src/mod.py:9", 10),
    ]
    assert clusters[0].example.test_id == "tests.test_m::test_k[0]"
    assert len({c.key for c in clusters}) == 2
    assert count_tests(xml, "") == 25


def test_innermost_frame_inside_the_repository_wins_and_site_packages_are_skipped() -> None:
    (failure,) = failures_from_junit(_junit(_key_error(3)), "unit", ROOT) or ()
    assert (failure.file, failure.line, failure.exception, failure.message) == ("src/store.py", 21, "KeyError", "'user_3'")


def test_a_doctest_failure_is_read_with_expected_and_got() -> None:
    body = "002 \n003     &gt;&gt;&gt; add(1, 2)\nExpected:\n    3\nGot:\n    4\n\n/work/repo/src/mod.py:3: DocTestFailure"
    (failure,) = failures_from_junit(_junit(_case("mod.add", body.replace("\n", "&#10;"), body, "mod")), "doctests", ROOT) or ()
    assert (failure.test_id, failure.exception, failure.message, failure.file, failure.line) == (
        "mod::mod.add", "DocTestFailure", "expected 3 got 4", "src/mod.py", 3)
    assert "Got:" in failure.tail


def test_without_junit_pytest_summary_lines_are_the_failures() -> None:
    output = ("....F\nE  ValueError: boom\n\nsrc/mod.py:9: ValueError\n"
              "FAILED tests/test_m.py::test_a - ValueError: bad value 3\n1 failed, 4 passed in 0.10s\n")
    (failure,) = failures_from_output(output, "unit", ROOT)
    assert (failure.test_id, failure.exception, failure.message, failure.file, failure.line) == (
        "tests/test_m.py::test_a", "ValueError", "bad value 3", "src/mod.py", 9)
    assert count_tests(None, output) == 5


def test_a_check_without_tests_is_one_failure_named_after_the_check() -> None:
    output = 'Traceback (most recent call last):\n  File "/work/repo/pkg/a.py", line 3, in <module>\nImportError: cannot import name \'x\'\n'
    (failure,) = failures_from_output(output, "imports", ROOT)
    assert (failure.test_id, failure.exception, failure.file, failure.line) == ("imports", "ImportError", "pkg/a.py", 3)
    assert count_tests(None, output) is None


def test_normalize_message_drops_incidental_parts() -> None:
    assert normalize_message("got 3 items from '/tmp/x' at 0xdeadbeef in a/b/c.py") == "got <n> items from <str> at <addr> in <path>"
    assert cluster_failures([Failure("c", "t1", "", 0, "E", "x 1", ""), Failure("c", "t2", "", 0, "E", "x 2", "")])[0].failures[1].test_id == "t2"


def test_unreadable_junit_is_none() -> None:
    assert failures_from_junit("<testsuite", "unit", ROOT) is None


def test_doctests_that_raise_the_same_error_in_one_file_are_one_cluster() -> None:
    def raised(name: str, line: int) -> str:
        body = (f"{line - 5} \n{line}         &gt;&gt;&gt; camelize(\"x\")\nUNEXPECTED EXCEPTION: NameError(\"name 'camelize' is not defined\")\n"
                "Traceback (most recent call last):\n  File \"/usr/lib/python3.11/doctest.py\", line 1353, in __run\n"
                f"  File \"&lt;doctest inflection.{name}[0]&gt;\", line 1, in &lt;module&gt;\nNameError: name 'camelize' is not defined\n"
                f"{ROOT}/inflection/__init__.py:{line}: UnexpectedException")
        return _case(f"inflection.{name}", str(line - 5), body, "inflection.__init__")

    failures = failures_from_junit(_junit(raised("camel_case", 150), raised("underscore", 409)), "doctests", ROOT) or ()
    assert [(f.exception, f.message, f.line) for f in failures] == [
        ("NameError", "name 'camelize' is not defined", 150), ("NameError", "name 'camelize' is not defined", 409)]
    (cluster,) = cluster_failures(failures)
    assert cluster.signature == "NameError: name <str> is not defined @ inflection/__init__.py"


def test_the_output_tail_reads_the_same_from_any_checkout() -> None:
    def output(root: str, seconds: str) -> str:
        return (f'  File "{root}/pkg/a.py", line 3, in f\nValueError: boom\n'
                f"FAILED tests/test_a.py::test_f - ValueError: boom\n1 failed in {seconds}s\n")

    (one,) = failures_from_output(output("/work/a", "0.12"), "unit", "/work/a")
    (two,) = failures_from_output(output("/tmp/b", "3.40"), "unit", "/tmp/b")
    assert one.tail == two.tail and "/work/a" not in one.tail and "0.12" not in one.tail
