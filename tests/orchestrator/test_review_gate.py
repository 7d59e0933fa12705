"""gate: {review: model} end to end: the reviewer (local server, real SDK) rejects or approves each subtask before it is written."""
from __future__ import annotations

from pathlib import Path

from orch_support import MODEL, cli_run, first_text, make_repo, review, run, status_json, use_server
from runner.model.review import sampled
from tests.model_server import reply, tool_block, tool_use

FILES = {f"pkg/{n}.py": f"from typing import Union\n\n\ndef f{n}(x: Union[int, str]) -> Union[int, None]:\n    return None\n"
         for n in ("a", "b", "c", "d", "e", "f")}
TASKS = """task_types:
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    description: PEP 604 unions.
    instructions: Write X | Y for Union[X, Y].
phases:
  - name: unions
    tasks: [{type: pep604, files: ["pkg/*.py"]}]
"""


def _playbook(tmp_path: Path, gate: str, budget: str = "") -> Path:
    pb = tmp_path / "pb.yaml"
    pb.write_text(f"version: 1\nname: unions\n{budget}{MODEL}{TASKS}    gate: {gate}\n")
    return pb


def _reject_a(body):  # type: ignore[no-untyped-def]
    if "`unions/pep604/pkg/a.py`" in first_text(body):
        return tool_use("submit_review", review("reject", ("pkg/a.py", 4, "drops the Optional meaning of Union[int, None]")))
    return tool_use("submit_review", review("approve"))


def test_a_rejected_subtask_is_not_written_and_its_reasons_are_shown(tmp_path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(tmp_path / "repo", FILES)
    use_server(monkeypatch, messages_server.script(_reject_a))
    pb = _playbook(tmp_path, "{review: model}")
    result = run(pb, root)
    assert result.exit_code == 1, result.output
    assert "1 subtask rejected by review" in result.stderr
    assert (root / "pkg/a.py").read_text() == FILES["pkg/a.py"]  # untouched
    assert "int | str" in (root / "pkg/b.py").read_text()  # approved ones are written
    bodies = messages_server.message_requests()
    assert len(bodies) == 6 and {b["model"] for b in bodies} == {"claude-opus-4-6"}
    assert all("tool_choice" not in b for b in bodies)
    text = first_text(bodies[0])
    assert "Write X | Y for Union[X, Y]." in text and "+def fa(x: int | str) -> int | None:" in text
    assert "from typing import Union\n\n\ndef fb" not in text  # diffs, never whole files

    status = status_json(root)["phases"][0]
    assert status["subtasks"]["rejected"] == ["unions/pep604/pkg/a.py"]
    assert status["rejected"] == {"unions/pep604/pkg/a.py": ["pkg/a.py:4: drops the Optional meaning of Union[int, None]"]}
    assert status["review"]["approved"] == 5 and status["state"] == "awaiting_approval"
    text_status = cli_run("status", "--root", str(root)).stdout
    assert "rejected: unions/pep604/pkg/a.py — rejected by review: pkg/a.py:4: drops the Optional meaning" in text_status
    report = cli_run("report", "--root", str(root)).stdout
    assert "review: 6 reviewed, 5 approved, 1 rejected (not written)" in report
    assert "rejected by review: pkg/a.py:4: drops the Optional meaning of Union[int, None]" in report

    assert cli_run("approve", "unions", "--root", str(root)).exit_code == 0  # accept the rejections, go on
    again = run(pb, root)
    assert again.exit_code == 0, again.output
    assert (root / "pkg/a.py").read_text() == FILES["pkg/a.py"]
    assert len(messages_server.message_requests()) == 6  # verdicts are not asked again


def test_on_reject_continue_goes_on_without_the_rejected(tmp_path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(tmp_path / "repo", FILES)
    use_server(monkeypatch, messages_server.script(_reject_a))
    result = run(_playbook(tmp_path, "{review: model, on_reject: continue}"), root)
    assert result.exit_code == 0, result.output
    assert (root / "pkg/a.py").read_text() == FILES["pkg/a.py"]
    assert status_json(root)["phases"][0]["state"] == "done"


def test_sampling_reviews_a_stable_part(tmp_path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ids = [f"unions/pep604/pkg/{n}.py" for n in "abcdef"]
    expected = [i for i in ids if sampled(i, 0.5)]
    assert 0 < len(expected) < 6
    seen = []
    for attempt in range(2):
        root = make_repo(tmp_path / f"repo{attempt}", FILES)
        use_server(monkeypatch, messages_server.script(lambda body: tool_use("submit_review", review("approve"))))
        before = len(messages_server.message_requests())
        assert run(_playbook(tmp_path, "{review: {on: all, sample: 0.5}}"), root).exit_code == 0
        bodies = messages_server.message_requests()[before:]
        seen.append([i for i in ids for b in bodies if f"`{i}`" in first_text(b)])
        assert status_json(root)["phases"][0]["review"]["not_sampled"] == 6 - len(expected)
        (tmp_path / "pb.cassette.jsonl").unlink(missing_ok=True)  # asked again, not replayed
    assert seen == [expected, expected]


def test_budget_spent_mid_review_leaves_the_rest_unwritten(tmp_path, messages_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    root = make_repo(tmp_path / "repo", FILES)
    costly = reply(tool_block("submit_review", review("approve")), usage={"input_tokens": 5000, "output_tokens": 10})
    use_server(monkeypatch, messages_server.script(lambda body: costly))
    result = run(_playbook(tmp_path, "{review: model}", "budget: {max_model_tokens: 13000}\n"), root)  # the forecast fits
    assert result.exit_code == 1, result.output
    assert len(messages_server.message_requests()) == 3  # the third call passed the limit: no call after it
    phase = status_json(root)["phases"][0]
    assert phase["review"]["approved"] == 3 and len(phase["review"]["rejected"]) == 3
    assert "max_model_tokens" in phase["review"]["note"]
    written = [n for n in "abcdef" if "int | str" in (root / f"pkg/{n}.py").read_text()]
    assert len(written) == 3
    assert "3 subtasks rejected by review" in result.stderr
