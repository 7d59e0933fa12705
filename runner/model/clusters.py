"""Failed checks as structured data, clustered by signature (pure: text in, records out).

A *failure* is one failing test (from a JUnit report when there is one, else from the
check's output: pytest's ``FAILED id - Exc: msg`` summary lines, else the check as a
whole). Its *signature* is the exception type, the message with the incidental parts
normalised (numbers, addresses, quoted values, paths) and the innermost traceback frame
inside the repository: twenty failures with two causes are two clusters, so the fix
loop asks about each cause once.
"""
from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Iterator

#: pytest's long and short frame lines: ``path/to/mod.py:12: in func`` / ``mod.py:12: AssertionError``
_PYTEST_FRAME = re.compile(r"^(?P<path>[^\s:][^:\n]*\.(?:py|pyi|txt|rst|md)):(?P<line>\d+):(?: in (?P<func>\S+)| (?P<exc>\w+))?\s*$", re.M)
#: the standard library's traceback lines: ``File "/abs/mod.py", line 12, in func``
_STD_FRAME = re.compile(r'^\s*File "(?P<path>[^"]+)", line (?P<line>\d+)(?:, in (?P<func>\S+))?', re.M)
_EXC_LINE = re.compile(r"^(?:E\s+)?(?P<exc>[A-Za-z_][\w.]*(?:Error|Exception|Failure|Warning|Exit|Interrupt|Iteration))(?::\s?(?P<msg>.*))?$", re.M)
_SUMMARY = re.compile(r"^(?:FAILED|ERROR) (?P<id>\S+)(?: - (?P<rest>.*))?$", re.M)
_COUNTS = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")


@dataclass(frozen=True, slots=True)
class Failure:
    """One failing test (or a whole failing check), with what the fix loop is told about it."""

    check: str  #: the check's name
    test_id: str  #: JUnit ``classname::name``, pytest's node id, or the check's name
    file: str  #: innermost repository frame's file ("" when unknown)
    line: int  #: its line (0 when unknown)
    exception: str  #: e.g. AssertionError, DocTestFailure; "" when unknown
    message: str  #: as reported (first line, truncated)
    tail: str  #: the end of the failure's output (traceback, doctest Expected/Got)
    frame: str = ""  #: the signature's place: innermost repository frame ``file:line``; a doctest's file alone


@dataclass(frozen=True, slots=True)
class Cluster:
    """Failures that share one signature (same exception, same normalised message, same frame)."""

    signature: str  #: ``Exc: normalised message @ file:line`` in words
    key: str  #: short stable hash of the signature (names the cluster in state and requests)
    failures: tuple[Failure, ...]

    @property
    def example(self) -> Failure:
        """The cluster's first failure (the one shown and sent to the model)."""
        return self.failures[0]


def normalize_message(message: str) -> str:
    """The message with incidental parts replaced: addresses, quoted values, paths, numbers."""
    text = message.strip().splitlines()[0] if message.strip() else ""
    text = re.sub(r"0x[0-9a-fA-F]+", "<addr>", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "<str>", text)
    text = re.sub(r"(?:[A-Za-z]:)?(?:[\w.-]*/)+[\w.-]+", "<path>", text)
    text = re.sub(r"-?\b\d+(?:\.\d+)?\b", "<n>", text)
    return re.sub(r"\s+", " ", text).strip()


def signature_of(failure: Failure) -> str:
    """A failure's signature in words: exception, normalised message, innermost repository frame."""
    where = failure.frame or (f"{failure.file}:{failure.line}" if failure.file else "?")
    return f"{failure.exception or 'failure'}: {normalize_message(failure.message)} @ {where}"


def cluster_failures(failures: tuple[Failure, ...] | list[Failure]) -> tuple[Cluster, ...]:
    """Group failures by signature, in the order each signature is first seen."""
    groups: dict[str, list[Failure]] = {}
    for failure in failures:
        groups.setdefault(signature_of(failure), []).append(failure)
    return tuple(
        Cluster(sig, hashlib.sha256(sig.encode("utf-8")).hexdigest()[:12], tuple(items)) for sig, items in groups.items()
    )


def failures_from_junit(xml_text: str, check: str, root: str) -> tuple[Failure, ...] | None:
    """Failing and erroring test cases of a JUnit report; None when it does not parse."""
    try:
        tree = ET.fromstring(xml_text)
    except ET.ParseError:
        return None
    out = []
    for case, problem in failing_cases(tree):
        classname = case.get("classname") or case.get("file") or ""
        name = case.get("name") or "?"
        body = problem.text or ""
        message = (problem.get("message") or "").strip()
        exc, msg = _exception(message, body)
        if problem.get("type"):
            exc = problem.get("type", "").rsplit(".", 1)[-1] or exc
        file, line = innermost_frame(body, root)
        frame = f"{file}:{line}" if file else ""
        if exc == "DocTestFailure" or "UNEXPECTED EXCEPTION" in body:  # the place is the example, not a frame
            inner, at = innermost_frame(body, root, pytest_lines=False)
            frame = f"{inner}:{at}" if inner else file
        out.append(Failure(check, f"{classname}::{name}" if classname else name, file, line, exc,
                           _relative(msg, root)[:500], _tail(body, root), frame))
    return tuple(out)


def failing_cases(tree: ET.Element) -> Iterator[tuple[ET.Element, ET.Element]]:
    """Each ``testcase`` of a JUnit report that failed or errored, with its failure (or error) element."""
    for case in tree.iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            yield case, problem


def failures_from_output(output: str, check: str, root: str) -> tuple[Failure, ...]:
    """Failures read from a check's output: pytest's summary lines, else the check as one failure."""
    found = []
    for m in _SUMMARY.finditer(output):
        exc, msg = _exception(m.group("rest") or "", "")
        found.append(Failure(check, m.group("id"), _id_file(m.group("id")), 0, exc, msg[:500], ""))
    if found:
        file, line = innermost_frame(output, root)
        if len(found) == 1 and file:  # the only traceback in the output is this test's
            found[0] = Failure(check, found[0].test_id, file, line, found[0].exception, found[0].message, _tail(output, root))
        return tuple(found)
    exc, msg = _exception("", output)
    file, line = innermost_frame(output, root)
    return (Failure(check, check, file, line, exc, msg[:500] or "the check failed", _tail(output, root)),)


def count_tests(junit_text: str | None, output: str) -> int | None:
    """How many tests the check ran (JUnit testcases, else pytest's closing counts); None when unknown."""
    if junit_text is not None:
        try:
            return sum(1 for _ in ET.fromstring(junit_text).iter("testcase"))
        except ET.ParseError:
            pass
    lines = [ln for ln in output.splitlines() if _COUNTS.search(ln) and (" in " in ln or ln.startswith("="))]
    if not lines:
        return None
    counts = {kind: int(n) for n, kind in _COUNTS.findall(lines[-1])}
    return sum(counts.values())


def innermost_frame(traceback_text: str, root: str, pytest_lines: bool = True) -> tuple[str, int]:
    """The last traceback frame whose file is inside the repository, as (relative path, line)."""
    best: tuple[str, int] = ("", 0)
    best_at = -1
    for pattern in (_PYTEST_FRAME, _STD_FRAME) if pytest_lines else (_STD_FRAME,):
        for m in pattern.finditer(traceback_text):
            path = _in_repo(m.group("path"), root)
            if path and m.start() > best_at:
                best, best_at = (path, int(m.group("line"))), m.start()
    return best


def _in_repo(path: str, root: str) -> str:
    path = path.replace("\\", "/")
    root = root.rstrip("/") + "/"
    if path.startswith(root):
        path = path[len(root):]
    elif path.startswith("/") or path.startswith("<"):
        return ""
    if path.startswith("../") or "site-packages/" in path or path.startswith(".venv/"):
        return ""
    return path


def _exception(message: str, body: str) -> tuple[str, str]:
    """(exception type, message) from a JUnit message attribute and the failure's body or output."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    framed = [m.group("exc") for m in _PYTEST_FRAME.finditer(body) if m.group("exc")]
    if "UNEXPECTED EXCEPTION" in body:  # a doctest example raised: the exception is the cause
        hits = list(_EXC_LINE.finditer(body))
        if hits:
            return hits[-1].group("exc").rsplit(".", 1)[-1], (hits[-1].group("msg") or "").strip()
    if framed and framed[-1] == "DocTestFailure" or "DocTestFailure" in body or first.startswith("[doctest]"):
        return "DocTestFailure", _doctest_message(body) or first
    m = _EXC_LINE.match(first)
    if m:
        return m.group("exc").rsplit(".", 1)[-1], (m.group("msg") or "").strip()
    if framed:
        return framed[-1], first
    if first.startswith("assert "):
        return "AssertionError", first
    hits = list(_EXC_LINE.finditer(body))
    if hits:
        last = hits[-1]
        return last.group("exc").rsplit(".", 1)[-1], (last.group("msg") or first).strip()
    return "", first


def _doctest_message(body: str) -> str:
    """``Expected: … Got: …`` of a doctest report, in one line."""
    m = re.search(r"Expected:\n(?P<exp>(?:.*\n)*?)Got:\n(?P<got>(?:[ \t]+.*\n?)*)", body)
    if not m:
        return ""
    exp = " ".join(m.group("exp").split())
    got = " ".join(m.group("got").split())
    return f"expected {exp} got {got}"


def _id_file(test_id: str) -> str:
    head = test_id.split("::", 1)[0]
    return head if head.endswith(".py") else ""


def _relative(text: str, root: str) -> str:
    return text.replace(root.rstrip("/") + "/", "")


def _tail(text: str, root: str, lines: int = 25) -> str:
    """The last lines, with the root's path and run timings taken out: the same failure reads the
    same from any checkout (the fix loop's requests are keyed by their text, for the cassette)."""
    kept = [_TIMING.sub("", _relative(line, root)) for line in text.rstrip("\n").splitlines()]
    return "\n".join(kept[-lines:])


_TIMING = re.compile(r" in \d+(?:\.\d+)?s\b")
