"""Per-rule accounting: matches, changes and gaps per rule in the plan (text, JSON, cache),
the run's state (report, status), hunks named by the rules that made them, and the
rules that matched nowhere (plan warnings, ``validate --explain``)."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import invoke, make_repo

PLAYBOOK = """\
version: 1
name: acct
task_types:
  asserts:
    transform: rewrite
    with:
      rules:
        - match: "self.assertEqual($a, $b)"
          replace: "assert $a == $b"
        - id: truthy
          match: "self.assertTrue($x)"
          replace: "assert $x"
        - match: "self.assertItemsEqual($a, $b)"
          replace: "assert sorted($a) == sorted($b)"
        - match: "cfg.old_flag"
          replace: "cfg.get('flag')"
        - match: "self.assertRaises($$$_)"
          flag: "use pytest.raises"
phases:
  - name: tests
    tasks:
      - {type: asserts, files: ["tests/*.py"]}
"""
FILLER = "".join(f"    x{i} = {i}\n" for i in range(12))
SOURCES = {
    "tests/test_a.py": (
        "def test_one(self):\n    self.assertEqual(f(1), 2)\n" + FILLER
        + "    self.assertTrue(g())\n    with self.assertRaises(ValueError):\n        pass\n"
    ),
    "tests/test_b.py": "cfg.old_flag = 1\nprint(cfg.old_flag)\n",
    "tests/test_c.py": "x = 1\n",
}
#: (index, label, kind, line, column, matches, changes, gaps, files matched)
EXPECTED = [
    (0, "self.assertEqual($a, $b)", "replace", 8, 11, 1, 1, 0, 1),
    (1, "truthy", "replace", 10, 11, 1, 1, 0, 1),
    (2, "self.assertItemsEqual($a, $b)", "replace", 13, 11, 0, 0, 0, 0),
    (3, "cfg.old_flag", "replace", 15, 11, 2, 1, 1, 1),
    (4, "self.assertRaises($$$_)", "flag", 17, 11, 1, 0, 1, 1),
]
TABLE = """\
  rules of task asserts (rewrite, 3 files):
    #  rule                            matches  changes  gaps  at
    0  self.assertEqual($a, $b)              1        1     0  playbook.yaml:8:11
    1  truthy                                1        1     0  playbook.yaml:10:11
    3  cfg.old_flag                          2        1     1  playbook.yaml:15:11
    4  self.assertRaises($$$_) [flag]        1        0     1  playbook.yaml:17:11
    1 more rule matched no site
"""
WARNING = ("playbook.yaml:13:11: warning: rule 'self.assertItemsEqual($a, $b)' of task type asserts "
           "matched no site in 3 files\n")


def _setup(tmp_path: Path) -> Path:
    (tmp_path / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    return make_repo(tmp_path / "repo", SOURCES)


def _expected_rules() -> list[dict]:  # type: ignore[type-arg]
    return [
        {"task": "asserts", "type": "asserts", "index": i, "label": label, "kind": kind,
         "location": f"playbook.yaml:{line}:{col}", "matches": m, "changes": c, "gaps": g, "files": f, "searched": 3}
        for i, label, kind, line, col, m, c, g, f in EXPECTED
    ]


def _plan_json(repo: Path, *args: str) -> dict:  # type: ignore[type-arg]
    result = invoke("plan", "playbook.yaml", "--root", str(repo), "--json", "--jobs", "1", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plan_text_has_a_rule_table_per_rewrite_task(tmp_path: Path) -> None:
    repo = _setup(tmp_path)
    result = invoke("plan", "playbook.yaml", "--root", str(repo), "--jobs", "1", "--no-cache")
    assert result.exit_code == 0, result.output
    assert TABLE in result.stdout


def test_plan_json_gives_counts_per_rule_and_the_rules_that_matched_nowhere(tmp_path: Path) -> None:
    repo = _setup(tmp_path)
    doc = _plan_json(repo, "--no-cache")
    assert doc["phases"][0]["rules"] == _expected_rules()
    assert doc["unmatched_rules"] == [
        {"type": "asserts", "index": 2, "label": "self.assertItemsEqual($a, $b)", "location": "playbook.yaml:13:11", "files": 3}
    ]


def test_plan_warns_once_per_rule_that_matched_no_site(tmp_path: Path) -> None:
    repo = _setup(tmp_path)
    for args in ((), ("--json",)):
        result = invoke("plan", "playbook.yaml", "--root", str(repo), "--jobs", "1", "--no-cache", *args)
        assert result.exit_code == 0
        assert result.stderr.count("matched no site") == 1
        assert WARNING in result.stderr


def test_each_rewrite_hunk_names_the_rules_that_made_it(tmp_path: Path) -> None:
    repo = _setup(tmp_path)
    doc = _plan_json(repo, "--no-cache")
    subtasks = {s["id"]: s for s in doc["phases"][0]["subtasks"]}
    hunks = subtasks["tests/asserts/tests/test_a.py"]["hunks"]
    assert [(h["made_by"], h["file"], h["rules"]) for h in hunks] == [
        ("transform", "tests/test_a.py", [{"index": 0, "label": "self.assertEqual($a, $b)"}]),
        ("transform", "tests/test_a.py", [{"index": 1, "label": "truthy"}]),
    ]
    assert "+    assert f(1) == 2" in hunks[0]["text"] and "+    assert g()" in hunks[1]["text"]
    (b_hunk,) = subtasks["tests/asserts/tests/test_b.py"]["hunks"]
    assert b_hunk["rules"] == [{"index": 3, "label": "cfg.old_flag"}]
    assert "hunks" not in subtasks["tests/asserts/tests/test_c.py"]  # no change, no hunk


def test_a_cached_plan_keeps_the_counts(tmp_path: Path) -> None:
    repo = _setup(tmp_path)
    first = _plan_json(repo)
    text = invoke("plan", "playbook.yaml", "--root", str(repo), "--jobs", "1")
    assert "parsed 0, cached 2" in text.stdout  # test_c.py has no needle: read, not parsed
    assert TABLE in text.stdout and WARNING in text.stderr
    second = _plan_json(repo)
    assert second["phases"][0]["rules"] == first["phases"][0]["rules"] == _expected_rules()
    assert second["phases"][0]["subtasks"] == first["phases"][0]["subtasks"]


def test_report_and_status_keep_the_counts_and_the_hunk_rules_after_a_run(tmp_path: Path) -> None:
    repo = _setup(tmp_path)
    assert invoke("run", "playbook.yaml", "--root", str(repo), "--yes", "--jobs", "1").exit_code == 0
    assert "assert f(1) == 2" in (repo / "tests/test_a.py").read_text()

    report = json.loads(invoke("report", "--root", str(repo), "--format", "json").stdout)
    phase = report["phases"][0]
    assert phase["rules"] == _expected_rules()
    a_hunks = [h for h in phase["hunks"] if h["file"] == "tests/test_a.py"]
    assert [h["rules"] for h in a_hunks] == [[{"index": 0, "label": "self.assertEqual($a, $b)"}],
                                             [{"index": 1, "label": "truthy"}]]
    assert all(h["made_by"] == "rewrite" for h in a_hunks)

    md = invoke("report", "--root", str(repo)).stdout
    assert "| 0 | `self.assertEqual($a, $b)` | replace | 1 | 1 | 0 | `playbook.yaml:8:11` |" in md
    assert "Matched no site: 2 `self.assertItemsEqual($a, $b)` (`playbook.yaml:13:11`)" in md
    assert "# tests/test_a.py — made by rewrite, rule 1 `truthy`\n" in md

    status = json.loads(invoke("status", "--root", str(repo), "--json").stdout)
    assert status["phases"][0]["rules"] == _expected_rules()


def test_validate_explain_lists_the_rules_and_warns_about_needles_in_no_file(tmp_path: Path) -> None:
    repo = _setup(tmp_path)
    result = invoke("validate", "playbook.yaml", "--root", str(repo), "--explain")
    assert result.exit_code == 0, result.output
    assert (
        "task type asserts (rewrite): 5 rules\n"
        "  playbook.yaml:8:11: rules[0] self.assertEqual($a, $b) (replace)\n"
        "  playbook.yaml:10:11: rules[1] truthy (replace)\n"
        "  playbook.yaml:13:11: rules[2] self.assertItemsEqual($a, $b) (replace)\n"
        "  playbook.yaml:15:11: rules[3] cfg.old_flag (replace)\n"
        "  playbook.yaml:17:11: rules[4] self.assertRaises($$$_) (flag)\n"
    ) in result.stdout
    assert result.stderr.count("cannot match") == 1
    assert ("playbook.yaml:13:11: warning: rule 'self.assertItemsEqual($a, $b)' of task type asserts cannot match: "
            "`assertItemsEqual` occurs in none of its 3 files\n") in result.stderr
    assert not (repo / ".batchmod").exists()  # nothing written


def test_validate_without_explain_says_nothing_about_rules(tmp_path: Path) -> None:
    repo = _setup(tmp_path)
    result = invoke("validate", "playbook.yaml", "--root", str(repo))
    assert result.exit_code == 0 and "rules[0]" not in result.stdout and "cannot match" not in result.stderr


def test_a_rule_id_must_be_a_short_name_on_one_line(tmp_path: Path) -> None:
    for bad, words in (("''", "rules[1].id: must not be empty"), ('"a\\nb"', "rules[1].id: 'id' must be a short name on one line")):
        (tmp_path / "playbook.yaml").write_text(PLAYBOOK.replace("id: truthy", f"id: {bad}"), encoding="utf-8")
        result = invoke("validate", "playbook.yaml")
        assert result.exit_code == 2 and "playbook.yaml:10:" in result.stderr and words in result.stderr, result.stderr


def test_two_rules_of_a_task_type_cannot_share_an_id(tmp_path: Path) -> None:
    (tmp_path / "playbook.yaml").write_text(PLAYBOOK.replace("- match: \"cfg.old_flag\"", "- id: truthy\n          match: \"cfg.old_flag\""),
                                            encoding="utf-8")
    result = invoke("validate", "playbook.yaml")
    assert result.exit_code == 2 and "id 'truthy' is already the id of rules[1]" in result.stderr


def test_merged_shard_reports_add_the_rule_figures_up() -> None:
    from runner.reporting.merge import merge_reports

    def report(run_id: str, matches: int, searched: int) -> dict:  # type: ignore[type-arg]
        rule = {"task": "asserts", "type": "asserts", "index": 0, "label": "x", "kind": "replace",
                "location": "pb.yaml:8:11", "matches": matches, "changes": matches, "gaps": 0, "files": 1, "searched": searched}
        phase = {"name": "tests", "state": "done", "gate": "", "checks": [], "subtasks": [], "hunks": [],
                 "subtask_counts": {}, "rules": [rule]}
        figures = {"planned": {"files": 1}, "touched": {"files": 1}, "gaps": [], "failed": [], "reverted": []}
        return {"run_id": run_id, "shard": None, "status": "done", "root": ".", "playbook": {"sha256": "s"},
                "figures": figures, "phases": [phase], "budget": {}, "model": None}

    (rule,) = merge_reports([report("a", 2, 3), report("b", 5, 4)])["phases"][0]["rules"]
    assert (rule["matches"], rule["changes"], rule["files"], rule["searched"], rule["label"]) == (7, 7, 2, 7, "x")


def test_the_rewrite_hunks_of_a_subtask_the_model_finished_name_their_rules(tmp_path: Path, messages_server,  # type: ignore[no-untyped-def]
                                                                            monkeypatch) -> None:
    from model_support import answers, model_playbook, model_repo

    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key-not-real")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", messages_server.base_url)
    messages_server.script(answers())
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb")
    rule = [{"index": 0, "label": "compat.ensure_text($x)"}]
    doc = json.loads(invoke("plan", str(pb), "--root", str(repo), "--model", "--json").stdout)
    hunks = doc["phases"][0]["subtasks"][0]["hunks"]
    assert [(h["made_by"], h.get("rules")) for h in hunks] == [("transform", rule), ("model", None)]
    assert invoke("run", str(pb), "--root", str(repo), "--yes").exit_code == 0
    report = json.loads(invoke("report", "--root", str(repo), "--format", "json").stdout)
    alpha = [h for h in report["phases"][0]["hunks"] if h["file"] == "pkg/alpha.py"]
    assert [(h["made_by"].split(":")[0], h.get("rules")) for h in alpha] == [("rewrite", rule), ("model", None)]


def test_a_task_that_selects_no_file_has_no_rule_table_nor_warnings(tmp_path: Path) -> None:
    (tmp_path / "playbook.yaml").write_text(PLAYBOOK.replace('files: ["tests/*.py"]', 'files: ["none/*.py"]'), encoding="utf-8")
    repo = make_repo(tmp_path / "repo", SOURCES)
    result = invoke("plan", "playbook.yaml", "--root", str(repo), "--json", "--no-cache")
    doc = json.loads(result.stdout)
    assert doc["phases"][0]["rules"] == [] and doc["unmatched_rules"] == [] and "matched no site" not in result.stderr


def test_a_task_whose_rules_all_matched_nothing_says_so_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "playbook.yaml").write_text(PLAYBOOK, encoding="utf-8")
    repo = make_repo(tmp_path / "repo", {"tests/test_c.py": "self = 1\nassertEqual = 2\n"})
    result = invoke("plan", "playbook.yaml", "--root", str(repo), "--no-cache")
    assert result.exit_code == 0, result.output
    assert "  rules of task asserts (rewrite, 1 file):\n    5 rules matched no site\n" in result.stdout
    assert result.stderr == ("playbook.yaml:8:11: warning: 5 rules of task type asserts matched no site in 1 file "
                             "(the first here; all listed under unmatched_rules in `plan --json`)\n")
