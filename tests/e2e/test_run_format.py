"""A phase's `format:` runs on the files the phase changed only, journaled and re-parsed."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import PY, SOURCES, invoke, make_repo, playbook, run_dir

#: a toy formatter: double quotes to single quotes; records which files it was given
QUOTES = '''\
import sys
open(sys.argv[1], "a").write(" ".join(sys.argv[2:]) + "\\n")
for path in sys.argv[2:]:
    text = open(path).read()
    open(path, "w").write(text.replace(chr(34), chr(39)))
'''
#: a formatter that breaks the syntax of what it is given
BREAKS = 'import sys\nfor p in sys.argv[1:]:\n    open(p, "a").write("def (:\\n")\n'


def phase(fmt: str) -> str:
    return f'  - name: unions\n    tasks:\n      - type: pep604\n        files: ["pkg/b.py", "pkg/d.py"]\n    format: "{fmt}"\n'


def test_format_runs_on_changed_files_and_its_hunks_are_attributed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**SOURCES, "tools/fmt.py": QUOTES})
    log = tmp_path / "fmt.log"
    pb = playbook(tmp_path / "pb.yaml", phase(f"{PY} tools/fmt.py {log} {{{{ changed_files | shquote }}}}"))
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert log.read_text() == "pkg/b.py pkg/d.py\n"
    assert "return 'hello {}'.format(name)" in (repo / "pkg/b.py").read_text()
    assert (repo / "pkg/c.py").read_text() == SOURCES["pkg/c.py"]  # not changed by the phase: never formatted
    doc = json.loads(invoke("report", "--root", str(repo), "--format", "json").stdout)
    made_by = {h["made_by"] for h in doc["phases"][0]["hunks"] if h["file"] == "pkg/b.py"}
    assert made_by == {"libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand", f"format: {PY} tools/fmt.py {log} pkg/b.py pkg/d.py"}
    events = [json.loads(line) for line in run_dir(repo).joinpath("events.jsonl").read_text().splitlines()]
    started = next(e for e in events if e["kind"] == "format_started")
    done = next(e for e in events if e["kind"] == "done" and e["key"] == started["key"])
    assert [f["path"] for f in done["files"]] == ["pkg/b.py", "pkg/d.py"]

    assert invoke("rollback", "--root", str(repo)).exit_code == 0
    assert (repo / "pkg/b.py").read_text() == SOURCES["pkg/b.py"]


def test_format_output_that_does_not_parse_is_dropped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", {**SOURCES, "tools/breaks.py": BREAKS})
    pb = playbook(tmp_path / "pb.yaml", phase(f"{PY} tools/breaks.py {{{{ changed_files | shquote }}}}"))
    result = invoke("run", str(pb), "--root", str(repo), "--yes", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "does not re-parse; kept unformatted" in result.stdout
    b = (repo / "pkg/b.py").read_text()
    assert "def (" not in b and "name: str | bytes" in b
