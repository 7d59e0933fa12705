"""on_failure: fix end to end: failures clustered, one request per cluster, edits journaled, reward hacking refused."""
from __future__ import annotations

from pathlib import Path

from orch_support import MODEL, PY, cli_run, first_text, make_repo, run, status_json, use_server
from tests.model_server import reply, tool_block, tool_use

CHECK = f"""    checks:
      - name: tests
        run: {PY} -m pytest -q --doctest-modules pkg tests -p no:cacheprovider --junitxml=reports/unit.xml
        junit: reports/unit.xml
"""
DOCTEST_REPO = {
    ".gitignore": "reports/\n",
    "pkg/__init__.py": "",
    "pkg/m.py": 'def add(a, b):\n    """Add two numbers.\n\n    >>> add(1, 2)\n    3\n    """\n    return a + b\n\n\ndef twice(x):\n    return add(x, x)\n',
    "tests/test_m.py": "from pkg.m import twice\n\n\ndef test_twice():\n    assert twice(2) == 4\n",
}
RENAME = """task_types:
  rename-add:
    transform: rename
    with: {old: pkg.m.add, new: pkg.m.plus, docs: false}  # docstrings left as they are: the doctest breaks
phases:
  - name: lib
    tasks: [{type: rename-add, files: ["pkg/**/*.py", "tests/**/*.py"]}]
"""


def _fix(path: str, old: str, new: str, summary: str = "fixed"):  # type: ignore[no-untyped-def]
    return reply(tool_block("replace_in_file", {"path": path, "old": old, "new": new}), tool_block("done", {"summary": summary}))


def test_the_fix_loop_closes_a_doctest_failure_and_rollback_restores_it(tmp_path: Path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(tmp_path / "repo", DOCTEST_REPO)
    pb = tmp_path / "pb.yaml"
    pb.write_text(f"version: 1\nname: rename\n{MODEL}{RENAME}{CHECK}    on_failure: fix\n")
    use_server(monkeypatch, messages_server.script([_fix("pkg/m.py", ">>> add(1, 2)", ">>> plus(1, 2)", "the doctest calls the new name")]))
    result = run(pb, root)
    assert result.exit_code == 0, result.output
    assert ">>> plus(1, 2)" in (root / "pkg/m.py").read_text()
    (body,) = messages_server.message_requests()
    sent = first_text(body)
    assert "pkg.m::pkg.m.plus" in sent and "NameError" in sent and "+def plus(a, b):" in sent
    assert body["model"] == "claude-opus-4-6" and "tool_choice" not in body
    fix = status_json(root)["phases"][0]["fix"]
    assert fix["rounds"] == 1 and fix["passed"] is True
    (cluster,) = fix["clusters"]
    assert cluster["signature"] == "NameError: name <str> is not defined @ pkg/m.py"
    assert (cluster["count"], cluster["examples"], cluster["resolved_in"]) == (1, ["pkg.m::pkg.m.plus"], 1)
    assert "cluster " in cli_run("status", "--root", str(root)).stdout and "resolved in round 1" in cli_run("report", "--root", str(root)).stdout

    assert cli_run("rollback", "--root", str(root)).exit_code == 0  # the fix is restored with the phase
    assert (root / "pkg/m.py").read_text() == DOCTEST_REPO["pkg/m.py"]


def test_a_fix_that_deletes_the_test_is_refused(tmp_path: Path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    repo = dict(DOCTEST_REPO, **{"pkg/m.py": "def add(a, b):\n    return a + b\n\n\ndef twice(x):\n    return add(x, x)\n"})
    root = make_repo(tmp_path / "repo", repo)
    pb = tmp_path / "pb.yaml"
    breaks = """task_types:
  off-by-one:
    transform: rewrite
    with: {rules: [{match: "twice($x)", replace: "twice($x) + 1"}]}
phases:
  - name: lib
    tasks: [{type: off-by-one, files: ["tests/*.py"]}]
"""
    pb.write_text(f"version: 1\nname: breaks\n{MODEL}{breaks}{CHECK}    on_failure: [fix, rollback]\n")
    delete = _fix("tests/test_m.py", "def test_twice():\n    assert twice(2) + 1 == 4\n", "", "removed the failing test")
    use_server(monkeypatch, messages_server.script([delete, delete, delete, delete, delete, delete]))
    result = run(pb, root)
    assert result.exit_code == 1
    assert (root / "tests/test_m.py").read_text() == repo["tests/test_m.py"]  # [fix, rollback]: rolled back after the rounds
    phase = status_json(root)["phases"][0]
    assert phase["state"] == "rolled_back"
    assert phase["fix"]["refused"][0] == "tests/test_m.py: deletes test test_twice"
    assert len(phase["fix"]["refused"]) == 3 and phase["fix"]["clusters"][0]["resolved_in"] is None
    explained = [m for b in messages_server.message_requests() for m in b["messages"] if m["role"] == "user"
                 for r in m["content"] if isinstance(r, dict) and r.get("type") == "tool_result" and "deletes test test_twice" in str(r.get("content"))]
    assert explained


def test_twenty_failures_with_two_signatures_are_two_requests(tmp_path: Path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    repo = {
        ".gitignore": "reports/\n", "pkg/__init__.py": "",
        "pkg/m.py": "def add(a, b):\n    return a + b\n\n\ndef mul(a, b):\n    return a * b\n",
        "tests/test_m.py": ("import pytest\nfrom pkg.m import add, mul\n\n\n@pytest.mark.parametrize('i', range(10))\n"
                            "def test_add(i):\n    assert add(i, 1) == i + 1\n\n\n@pytest.mark.parametrize('i', range(2, 12))\n"
                            "def test_mul(i):\n    assert mul(i, 3) == 3 * i\n"),
    }
    root = make_repo(tmp_path / "repo", repo)
    breaks = """task_types:
  breaks:
    transform: rewrite
    with: {rules: [{match: "$a + $b", replace: "$a - $b"}, {match: "$a * $b", replace: "$a ** $b"}]}
phases:
  - name: lib
    tasks: [{type: breaks, files: ["pkg/m.py"]}]
"""
    pb = tmp_path / "pb.yaml"
    pb.write_text(f"version: 1\nname: breaks\n{MODEL}{breaks}{CHECK}    on_failure: fix\n")

    def answer(body):  # type: ignore[no-untyped-def]
        text = first_text(body)
        if "test_add" in text.split("The migration's diff")[0]:
            return _fix("pkg/m.py", "a - b", "a + b")
        return _fix("pkg/m.py", "a ** b", "a * b")

    use_server(monkeypatch, messages_server.script(answer))
    result = run(pb, root)
    assert result.exit_code == 0, result.output
    conversations = [b for b in messages_server.message_requests() if len(b["messages"]) == 1]
    assert len(conversations) == 2
    fix = status_json(root)["phases"][0]["fix"]
    assert fix["calls"] == 2
    assert status_json(root)["phases"][0]["budget"]["model_calls"]["used"] == 2  # the fixes count against the budget
    clusters = fix["clusters"]
    assert sorted(c["count"] for c in clusters) == [10, 10] and all(c["resolved_in"] == 1 for c in clusters)
    assert (root / "pkg/m.py").read_text() == repo["pkg/m.py"]
