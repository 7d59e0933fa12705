"""The trial scripts of playbooks/trials/ parse as bash, and the unittest-to-assert trial
refuses a library it does not know before downloading anything (exit 2, one line)."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

TRIALS = Path(__file__).resolve().parents[1] / "playbooks" / "trials"
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")


@pytest.mark.parametrize("script", sorted(p.name for p in TRIALS.glob("*.sh")))
def test_trial_script_parses(script: str) -> None:
    done = subprocess.run([BASH, "-n", str(TRIALS / script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_unittest_trial_refuses_an_unknown_library(tmp_path: Path) -> None:
    done = subprocess.run(
        [BASH, str(TRIALS / "unittest-to-assert.sh"), "no-such-library"],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "TRIAL_DIR": str(tmp_path / "t")},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "unknown library no-such-library (simplejson, more-itertools, markdown)"
    assert not (tmp_path / "t").exists()  # nothing downloaded, no folder made
