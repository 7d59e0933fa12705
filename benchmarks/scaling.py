"""Scaling: a few-file rename's plan time and peak memory on synthetic trees of 10^3..10^5 files.

Generates trees under ``--work`` (never committed): N modules of about 4 KB in folders
of 100, three of which use the renamed function. For each size it times ``batchmod plan``
(cold cache) and reads its peak RSS from the kernel (``wait4``'s ru_maxrss of the child),
and times the floor: listing, reading and searching every file for the needle in one
Python process (what no planner can avoid). Prints a Markdown table.

Usage: python benchmarks/scaling.py [--sizes 1000,10000,100000] [--work /tmp/batchmod-scaling]
(``benchmarks/run.py --scenario scaling`` runs it too, with its tables.)
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

FILLER = "".join(
    f"def helper_{i}(value, *, scale={i}):\n    \"\"\"Scale a value; filler for the benchmark.\"\"\"\n"
    f"    return [v * scale for v in value] if isinstance(value, list) else value * scale\n\n\n"
    for i in range(24)
)
PLAYBOOK = textwrap.dedent("""\
    version: 1
    name: scaling
    task_types:
      rename:
        transform: rename
        with: {old: pkg.core.target_function, new: pkg.core.renamed_function}
    phases:
      - name: rename
        tasks:
          - {type: rename, files: ["pkg/**/*.py"]}
    """)


def make_tree(root: Path, count: int) -> None:
    """``count`` modules, three of which call ``pkg.core.target_function``; a git repository."""
    if (root / ".complete").exists():
        return
    shutil.rmtree(root, ignore_errors=True)
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "core.py").write_text("def target_function(x):\n    return x\n")
    for i in range(count):
        folder = root / "pkg" / f"d{i // 100:04d}"
        if i % 100 == 0:
            folder.mkdir()
            (folder / "__init__.py").write_text("")
        uses = "from pkg.core import target_function\n\nVALUE = target_function(1)\n\n\n" if i in (7, count // 2, count - 1) else ""
        (folder / f"m{i:06d}.py").write_text(uses + FILLER)
    (root / "playbook.yaml").write_text(PLAYBOOK)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "tree"], cwd=root, check=True)
    (root / ".complete").write_text("")


def run_measured(argv: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, peak RSS of the child in MB, the process)."""
    started = time.monotonic()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - started
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    done = subprocess.CompletedProcess(argv, os.waitstatus_to_exitcode(status), out, err)
    return seconds, usage.ru_maxrss / 1024, done


FLOOR = textwrap.dedent("""\
    import subprocess, sys
    files = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True).stdout.split(b"\\0")
    hits = 0
    for name in files:
        if name.endswith(b".py"):
            with open(name, "rb") as fp:
                hits += b"target_function" in fp.read()
    print(hits)
    """)


def measure(count: int, work: Path, batchmod: list[str], jobs: str = "2") -> dict:
    """One size: generate (once) the tree of ``count`` files, read it once untimed (a
    tree generated minutes before may have left the page cache), then time a cold
    ``batchmod plan`` (no result cache) and the floor; raises RuntimeError when the plan fails."""
    root = work / f"tree-{count}"
    make_tree(root, count)
    shutil.rmtree(root / ".batchmod", ignore_errors=True)
    size = sum(p.stat().st_size for p in (root / "pkg").rglob("*.py")) / 2**20
    run_measured([sys.executable, "-c", FLOOR], root)  # untimed: both sides then read from the page cache
    seconds, rss, proc = run_measured([*batchmod, "plan", "playbook.yaml", "--no-cache", "--jobs", jobs], root)
    if proc.returncode != 0:
        raise RuntimeError(f"batchmod plan failed on {root}: {proc.stderr.decode()[-2000:]}")
    changed = next((line for line in proc.stdout.decode().splitlines() if "subtasks" in line), "?")
    floor, floor_rss, _ = run_measured([sys.executable, "-c", FLOOR], root)
    return {"files": count, "source_mb": round(size, 1), "plan_seconds": round(seconds, 3), "plan_peak_rss_mb": round(rss),
            "floor_seconds": round(floor, 3), "floor_peak_rss_mb": round(floor_rss), "ratio": round(seconds / floor, 2),
            "changed": changed.strip()}


TABLE_HEAD = ("| files | source MB | plan s | plan peak RSS MB | floor s | plan / floor | subtasks changed |\n"
              "|---|---|---|---|---|---|---|")


def table_row(row: dict) -> str:
    return (f"| {row['files']} | {row['source_mb']:.0f} | {row['plan_seconds']:.2f} | {row['plan_peak_rss_mb']} | "
            f"{row['floor_seconds']:.2f} | {row['ratio']:.1f}x | {row['changed']} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--work", default="/tmp/batchmod-scaling")
    parser.add_argument("--batchmod", default=shutil.which("batchmod") or "batchmod")
    parser.add_argument("--jobs", default="2")
    args = parser.parse_args()
    print(TABLE_HEAD)
    for count in (int(s) for s in args.sizes.split(",")):
        try:
            row = measure(count, Path(args.work), [args.batchmod], args.jobs)
        except RuntimeError as err:
            print(err, file=sys.stderr)
            return 1
        print(table_row(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
