"""The gap worker with cassettes and budgets around the real adapter."""
from __future__ import annotations

from runner.model.budget import Budgeted, Ledger, Limits
from runner.model.cassette import Cassette
from runner.model.worker import fill_gaps, fill_gaps_many, opening_request
from tests.model.helpers import TEST_KEY, api_client
from tests.model.scenario import SOURCE, fix, done, fix_and_done, job, subtask_path
from tests.model_server import reply


def _jobs(n: int):
    return [job(f"src/m{i}.py", source=SOURCE.replace("name", f"name{i}")) for i in range(n)]


def _answer_each(body):
    """Edit in one turn, finish in the next (two exchanges per job)."""
    if len(body["messages"]) == 1:
        return reply(fix(path=subtask_path(body)))
    return reply(done())


def _essence(fill):
    return (fill.subtask_id, fill.files, fill.filled, fill.left, fill.attempts,
            [(e.request_key, e.attempt, e.input_tokens, e.output_tokens, e.cache_read_input_tokens)
             for e in fill.exchanges])


def test_record_stop_the_server_replay_to_the_identical_outcome(messages_server, tmp_path):
    path = str(tmp_path / "pb.cassette.jsonl")
    messages_server.script(_answer_each)
    recorded = fill_gaps_many(_jobs(3), Cassette(api_client(messages_server), path), concurrency=3)
    assert all(f.filled for f in recorded) and len(messages_server.requests) == 6
    messages_server.stop()
    replayed = fill_gaps_many(_jobs(3), Cassette(None, path, "replay"), concurrency=3)
    assert [_essence(f) for f in replayed] == [_essence(f) for f in recorded]
    assert all(e.replayed and e.calls == 0 for f in replayed for e in f.exchanges)
    raw = (tmp_path / "pb.cassette.jsonl").read_text()
    assert TEST_KEY not in raw and len(raw.splitlines()) == 6


def test_a_replay_miss_names_the_request_key(tmp_path):
    outcome = fill_gaps(job(), Cassette(None, str(tmp_path / "empty.jsonl"), "replay"))
    assert outcome.exchanges == () and outcome.error_kind == "replay-miss" and outcome.files == ()
    assert outcome.error.startswith("no recorded answer for request ")
    expected = opening_request(job()).key()
    assert expected[:12] in outcome.error and expected[:12] in outcome.left[0].reason


def test_torn_cassette_line_then_no_reask_of_completed_exchanges(messages_server, tmp_path):
    path = tmp_path / "pb.cassette.jsonl"
    messages_server.script(_answer_each)
    first = fill_gaps_many(_jobs(2), Cassette(api_client(messages_server), str(path)), concurrency=1)
    whole = path.read_bytes()
    path.write_bytes(whole[:-40])  # kill -9 while the last exchange was appended
    asked = len(messages_server.requests)
    again = fill_gaps_many(_jobs(2), Cassette(api_client(messages_server), str(path)), concurrency=1)
    assert len(messages_server.requests) == asked + 1  # only the torn exchange is asked again
    assert [f.files for f in again] == [f.files for f in first]
    assert [e.replayed for f in again for e in f.exchanges] == [True, True, True, False]
    assert len(path.read_bytes().splitlines()) == 4


def test_budget_spent_mid_series_leaves_later_gaps_with_the_reason(messages_server):
    messages_server.script(lambda body: fix_and_done(path=subtask_path(body)))
    ledger = Ledger(Limits(max_calls=2))
    fills = fill_gaps_many(_jobs(4), Budgeted(api_client(messages_server), ledger), concurrency=1)
    assert [bool(f.filled) for f in fills] == [True, True, False, False]
    assert len(messages_server.requests) == 2 and ledger.spent().calls == 2 and ledger.spent().refused == 2
    for later in fills[2:]:
        assert later.error_kind == "budget" and later.exchanges == () and later.files == ()
        assert later.left[0].reason.endswith("model: run budget: max_model_calls 2 reached (2 made)")


def test_concurrent_jobs_come_back_in_job_order(messages_server):
    messages_server.script(lambda body: fix_and_done(path=subtask_path(body)))
    jobs = _jobs(6)
    fills = fill_gaps_many(jobs, api_client(messages_server), concurrency=4)
    assert [f.subtask_id for f in fills] == [j.subtask_id for j in jobs]
    assert all(f.filled for f in fills)


def test_check_for_gives_each_job_its_check(messages_server):
    messages_server.script(lambda body: fix_and_done(path=subtask_path(body)))
    seen = []
    fill_gaps_many(_jobs(2), api_client(messages_server),
                   check_for=lambda j: (lambda path, data: seen.append(path) or ()), concurrency=2)
    assert sorted(seen) == ["src/m0.py", "src/m1.py"]


def test_the_opening_request_is_the_first_one_sent(messages_server):
    messages_server.script([fix_and_done()])
    outcome = fill_gaps(job(), api_client(messages_server))
    assert outcome.exchanges[0].request_key == opening_request(job()).key()
    assert messages_server.message_requests()[0] == opening_request(job()).payload()
