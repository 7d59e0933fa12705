"""`.batchmod/runs/` holds run folders and the `current` pointer file: no listing may take one for the other."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: a listing of the runs folder that takes every entry (`glob("*")`, `iterdir()`, `listdir`, `scandir`)
_BARE = re.compile(r"""runs["')\s]*\)?\s*\.\s*(glob\(\s*["']\*["']\s*\)|iterdir\(\)|rglob\(\s*["']\*["']\s*\))|(listdir|scandir)\([^)]*runs""")
#: a listing that filters to folders (on its line or the next three) is fine, and so is a check that the folder is empty
_FILTERED = re.compile(r"is_dir\(|isdir\(|state\.json|== \[\]")


def test_no_listing_of_the_runs_folder_can_pick_the_current_pointer() -> None:
    offenders = []
    for path in sorted([*REPO.joinpath("runner").rglob("*.py"), *REPO.joinpath("tests").rglob("*.py")]):
        if path == Path(__file__).resolve():
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines, start=1):
            nearby = "\n".join(lines[n - 1:n + 3])  # the filter may follow on the next lines
            if _BARE.search(line) and not _FILTERED.search(nearby):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == [], "use the `current` pointer (tests: e2e_support.run_dir) or keep only folders:\n" + "\n".join(offenders)
