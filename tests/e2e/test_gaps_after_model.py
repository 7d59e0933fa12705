"""`batchmod gaps` after the model tried: each site says what the model's last attempt ran into."""
from __future__ import annotations

import json
from pathlib import Path

from e2e_support import invoke
from model_support import model_playbook, model_repo
from test_model_run import api  # noqa: F401  (the local server's key and endpoint, as a user sets them)
from tests.model_server import tool_use


def test_a_gap_the_model_left_carries_its_last_error(tmp_path: Path, api) -> None:  # type: ignore[no-untyped-def]
    api.script(lambda body: tool_use("done", {"summary": "nothing to do"}))  # never edits: every attempt fails
    repo, pb = model_repo(tmp_path / "repo"), model_playbook(tmp_path / "pb", files="pkg/alpha.py")
    invoke("run", str(pb), "--root", str(repo), "--yes")
    result = invoke("gaps", "--root", str(repo), "--format", "json")
    assert result.exit_code == 0, result.output
    (site,) = json.loads(result.stdout)["gaps"]
    assert (site["file"], site["line"]) == ("pkg/alpha.py", 4)
    assert site["reason"] == "`compat.ensure_text` remains (expect_absent)"
    (attempt,) = site["attempts"]
    assert attempt.startswith("after ") and "attempt" in attempt and len(attempt) > 20
    assert "convert = compat.ensure_text" in site["context"]
