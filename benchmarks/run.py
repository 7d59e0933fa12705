#!/usr/bin/env python3
"""Time ``batchmod plan`` against ``python -m libcst.tool codemod`` on a real corpus.

One command does everything, idempotently:

1. downloads the corpus sdist with pip into ``benchmarks/corpus/`` (skipped when present),
2. unpacks it into ``benchmarks/work/<name>/`` and makes it a git repository with one
   commit (batchmod lists files with ``git ls-files``), plus a clone of it,
   ``benchmarks/work/<name>-libcst/``, that libcst's CLI rewrites in place (reset with
   ``git reset --hard`` before every run, outside the timed region),
3. runs each scenario: both tools as subprocesses, same ``--jobs``, interleaved
   (batchmod, libcst, batchmod, libcst, ...), wall clock with ``time.perf_counter``,
   best of ``--repeat``; checks both tools changed the same set of files,
4. prints a table and writes ``benchmarks/work/results.json``.

Only the standard library is used; the tools are run from the interpreter that runs
this script (``/tmp/venv/bin/python benchmarks/run.py``), so use the virtualenv that has
batchmod and libcst installed.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import hashlib
import importlib.util
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CORPUS_DIR = HERE / "corpus"
WORK_DIR = HERE / "work"
GIT_ID = ["-c", "user.name=batchmod-bench", "-c", "user.email=bench@localhost", "-c", "commit.gpgsign=false"]


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    target: float  #: required speedup (peer seconds / batchmod seconds)
    target_text: str
    codemod: str | None = None  #: dotted path of the libcst codemod (None: batchmod only)
    cli_name: str | None = None  #: name under libcst.codemod.commands, for the CLI
    cli_args: tuple[str, ...] = ()
    needles: tuple[str, ...] = ()
    with_args: dict[str, Any] = field(default_factory=dict)
    scope: str | None = None  #: the task type's ``scope:`` (None: not written, i.e. file)
    kind: str = "pair"  #: pair (batchmod vs libcst), cache, rewrite (cost vs parse), floor, scaling
    under: str | None = None  #: only this folder of the corpus (`--unused-under` sets it)
    playbook: str | None = None  #: kind rewrite: the catalogue playbook, relative to the repository

    @property
    def lower_is_better(self) -> bool:
        """Targets of cost ratios (batchmod / reference) are ceilings, speedups are floors."""
        return self.kind in ("rewrite", "floor")


RENAME_OLD = "django.utils.text.get_text_list"
RENAME_NEW = "django.utils.text.format_text_list"

SCENARIOS: dict[str, Scenario] = {
    s.key: s
    for s in (
        Scenario(
            "rename", f"(a) rename {RENAME_OLD}", 20.0, ">= 20x",
            codemod="libcst.codemod.commands.rename.RenameCommand",
            cli_name="rename.RenameCommand",
            cli_args=("--old_name", RENAME_OLD, "--new_name", RENAME_NEW),
            needles=(RENAME_OLD.rpartition(".")[2],),
            with_args={"old_name": RENAME_OLD, "new_name": RENAME_NEW},
        ),
        Scenario(
            "rename-codemod", "(a2) same rename, RenameCommand as a codemod task", 20.0, ">= 20x",
            codemod="libcst.codemod.commands.rename.RenameCommand",
            cli_name="rename.RenameCommand",
            cli_args=("--old_name", RENAME_OLD, "--new_name", RENAME_NEW),
            needles=(RENAME_OLD.rpartition(".")[2],),
            with_args={"old_name": RENAME_OLD, "new_name": RENAME_NEW},
        ),
        Scenario(
            "format", "(b) .format() -> f-string, needles", 8.0, ">= 8x",
            codemod="libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand",
            cli_name="convert_format_to_fstring.ConvertFormatStringCommand",
            needles=(".format(",), scope="statement",
        ),
        Scenario(
            "namedtuple", "(b2) NamedTuple -> dataclass, needles", 5.0, ">= 5x",
            codemod="libcst.codemod.commands.convert_namedtuple_to_dataclass.ConvertNamedTupleToDataclassCommand",
            cli_name="convert_namedtuple_to_dataclass.ConvertNamedTupleToDataclassCommand",
            needles=("namedtuple", "NamedTuple"),
        ),
        Scenario(
            "unused-imports", "(c) remove unused imports, every file", 1.0, ">= 1x",
            codemod="libcst.codemod.commands.remove_unused_imports.RemoveUnusedImportsCommand",
            cli_name="remove_unused_imports.RemoveUnusedImportsCommand",
        ),
        Scenario(
            "cache", "(d) (b) again, warm cache vs cold (every file still listed, read and hashed)", 20.0,
            ">= 20x (< 5%)", codemod="libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand",
            needles=(".format(",), scope="statement", kind="cache",
        ),
        Scenario("rewrite-six", "(e) drop-six playbook, CPU vs libcst parse of the files it changes", 2.0, "<= 2x",
                 kind="rewrite", playbook="playbooks/drop-six.yaml"),
        Scenario("rewrite-unittest", "(e2) unittest-to-assert playbook, CPU vs libcst parse of the files it changes",
                 2.0, "<= 2x", kind="rewrite", playbook="playbooks/unittest-to-assert.yaml"),
        Scenario("rename-floor", f"(f) rename {RENAME_OLD}, wall vs the floor (list, read, search)", 3.0, "<= 3x",
                 kind="floor"),
        Scenario("scaling", "(g) few-file rename on synthetic trees", 0.0, "linear; RSS < 300 MB", kind="scaling"),
    )
}
DEFAULT_SCENARIOS = ("format", "rename", "rename-codemod", "unused-imports", "cache", "rewrite-six", "rewrite-unittest",
                     "rename-floor", "scaling")
#: the corpus of the rewrite scenarios (a library with six and unittest-style tests)
REWRITE_CORPUS = "python-dateutil==2.9.0.post0"
#: the folder of the corpus the unused-imports and cache scenarios run on (libcst's CLI needs
#: about 30 minutes for the whole of Django on 2 cores)
UNUSED_UNDER = "django/utils"


# --------------------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], cwd: Path | None = None, check: bool = True, **kw: Any) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, **kw)
    if check and result.returncode != 0:
        raise SystemExit(f"command failed ({result.returncode}): {' '.join(cmd)}\n{result.stderr.strip()}")
    return result


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirement(spec: str) -> tuple[str, str]:
    name, sep, version = spec.partition("==")
    if not sep or not name.strip() or not version.strip():
        raise SystemExit(f"--corpus {spec}: expected NAME==VERSION, e.g. django==5.1.4")
    return name.strip(), version.strip()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fp:
        for block in iter(lambda: fp.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------- corpus


def find_sdist(name: str, version: str) -> Path | None:
    stem = normalise(f"{name}-{version}")
    if not CORPUS_DIR.is_dir():
        return None
    for path in sorted(CORPUS_DIR.iterdir()):
        for ext in (".tar.gz", ".zip", ".tar.bz2", ".tgz"):
            if path.name.endswith(ext) and normalise(path.name[: -len(ext)]) == stem:
                return path
    return None


def download(spec: str) -> Path:
    name, version = parse_requirement(spec)
    found = find_sdist(name, version)
    if found:
        log(f"corpus: {found.relative_to(HERE.parent)} already downloaded")
        return found
    CORPUS_DIR.mkdir(parents=True, exist_ok=True)
    log(f"corpus: pip download {name}=={version} (sdist) into {CORPUS_DIR.relative_to(HERE.parent)}")
    run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--disable-pip-version-check",
         f"{name}=={version}", "-d", str(CORPUS_DIR)])
    found = find_sdist(name, version)
    if not found:
        raise SystemExit(f"pip download finished but no sdist of {name} {version} is in {CORPUS_DIR}")
    return found


def _extract(archive: Path, dest: Path) -> None:
    """Unpack ``archive`` into ``dest`` without its single top-level folder."""
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        tmp_path = Path(tmp)
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                zf.extractall(tmp_path)
        else:
            with tarfile.open(archive) as tf:
                if hasattr(tarfile, "data_filter"):
                    tf.extractall(tmp_path, filter="data")
                else:  # pragma: no cover - old Pythons
                    tf.extractall(tmp_path)
        entries = list(tmp_path.iterdir())
        top = entries[0] if len(entries) == 1 and entries[0].is_dir() else tmp_path
        shutil.move(str(top), str(dest)) if top is not tmp_path else shutil.copytree(tmp_path, dest)


def git_head(path: Path) -> str | None:
    if not (path / ".git").exists():
        return None
    result = run(["git", "rev-parse", "HEAD"], cwd=path, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def prepare_tree(archive: Path, name: str) -> Path:
    """``work/<name>``: the unpacked sdist, a git repository with one commit."""
    tree = WORK_DIR / normalise(name)
    stamp = WORK_DIR / f"{normalise(name)}.stamp"
    digest = sha256_file(archive)
    if stamp.exists() and stamp.read_text().strip() == digest and git_head(tree):
        dirty = run(["git", "status", "--porcelain"], cwd=tree).stdout.strip()
        if dirty:
            log(f"tree: {tree.relative_to(HERE.parent)} has changes; resetting it")
            run(["git", "reset", "-q", "--hard"], cwd=tree)
            run(["git", "clean", "-fdq"], cwd=tree)
        log(f"tree: {tree.relative_to(HERE.parent)} ready (commit {git_head(tree)[:12]})")
        return tree
    if tree.exists():
        shutil.rmtree(tree)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    log(f"tree: unpacking {archive.name} into {tree.relative_to(HERE.parent)}")
    _extract(archive, tree)
    run(["git", "init", "-q"], cwd=tree)
    run(["git", "add", "-A"], cwd=tree)
    run(["git", *GIT_ID, "commit", "-q", "--no-verify", "-m", f"corpus {archive.name}"], cwd=tree)
    stamp.write_text(digest + "\n")
    return tree


def prepare_peer_tree(tree: Path) -> Path:
    """``work/<name>-libcst``: a clone of the tree that libcst's CLI may rewrite in place."""
    peer = tree.with_name(tree.name + "-libcst")
    head = git_head(tree)
    if git_head(peer) != head:
        if peer.exists():
            shutil.rmtree(peer)
        log(f"tree: cloning {tree.name} into {peer.relative_to(HERE.parent)} for libcst's CLI")
        run(["git", "clone", "-q", str(tree), str(peer)])
    config = peer / ".libcst.codemod.yaml"
    if not config.exists():
        # libcst's own default config (formatter, modules, repo_root '.'), found from the cwd
        run([sys.executable, "-m", "libcst.tool", "initialize", "."], cwd=peer)
        exclude = peer / ".git" / "info" / "exclude"
        exclude.parent.mkdir(parents=True, exist_ok=True)
        with exclude.open("a") as fp:
            fp.write("\n/.libcst.codemod.yaml\n")
    reset_peer(peer)
    return peer


def reset_peer(peer: Path) -> None:
    run(["git", "reset", "-q", "--hard"], cwd=peer)
    run(["git", "clean", "-fdq"], cwd=peer)  # not -x: keeps the excluded libcst config


def python_files(tree: Path) -> list[str]:
    out = run(["git", "ls-files", "-z", "--", "*.py"], cwd=tree).stdout
    return sorted(p for p in out.split("\0") if p)


def count_containing(tree: Path, files: list[str], needles: tuple[str, ...]) -> int:
    encoded = [n.encode() for n in needles]
    count = 0
    for rel in files:
        data = (tree / rel).read_bytes()
        if any(n in data for n in encoded):
            count += 1
    return count


# --------------------------------------------------------------------------- playbooks


def rename_builtin_available() -> bool:
    try:
        return importlib.util.find_spec("runner.transforms.rename") is not None
    except (ImportError, ValueError):
        return False


def write_playbook(scenario: Scenario, rename_via: str) -> tuple[Path, str, tuple[str, ...]]:
    """The scenario's playbook under work/playbooks/: (path, transform, needles given)."""
    folder = WORK_DIR / "playbooks"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "# generated by benchmarks/run.py; edits are overwritten",
        "version: 1",
        f"name: bench-{scenario.key}",
        "task_types:",
        f"  {scenario.key}:",
    ]
    needles: tuple[str, ...] = ()
    if scenario.key == "rename" and rename_via == "rename":
        transform = "rename"  # its needles are its own (RenameSpec.needles)
        lines += ["    transform: rename", f"    with: {{old: {RENAME_OLD}, new: {RENAME_NEW}}}"]
    else:
        transform = scenario.codemod or ""
        needles = scenario.needles
        lines.append(f"    transform: {transform}")
        if scenario.with_args:
            lines.append("    with: " + json.dumps(scenario.with_args))
        if needles:
            lines.append("    needles: " + json.dumps(list(needles)))
        if scenario.scope:
            lines.append(f"    scope: {scenario.scope}")
    lines += [
        "phases:",
        "  - name: main",
        "    tasks:",
        f"      - type: {scenario.key}",
        f'        files: ["{scenario.under + "/" if scenario.under else ""}**/*.py"]',
    ]
    path = folder / f"{scenario.key}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path, transform, needles


def transform_needles(transform: str) -> tuple[str, ...]:
    """The needles batchmod's built-in rename derives itself (for the report only)."""
    if transform != "rename":
        return ()
    try:
        from runner.transforms.rename.spec import RenameSpec

        return tuple(RenameSpec(RENAME_OLD, RENAME_NEW).needles())
    except Exception:
        return ()


# --------------------------------------------------------------------------- runners


@dataclass
class Timing:
    seconds: float  #: wall clock (perf_counter)
    cpu: float  #: user+sys of the process and every child it waited for (pool workers)
    returncode: int
    stdout: str
    stderr: str
    load: list[Any]  #: 1-minute load average before and after
    commit: str | None = None  #: batchmod's commit when it ran (the runner may change between runs)

    def record(self, tool: str, i: int) -> dict[str, Any]:
        out = {"tool": tool, "i": i, "seconds": round(self.seconds, 3), "cpu_seconds": round(self.cpu, 3),
               "load_1min": self.load}
        if self.commit:
            out["batchmod_commit"] = self.commit
        return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compile_runner() -> None:
    """Byte-compile batchmod's own modules once, as ``pip install`` does for a released package: the
    timed runs (``PYTHONDONTWRITEBYTECODE``) would otherwise compile an editable checkout every time."""
    import compileall
    import runner

    compileall.compile_dir(str(Path(runner.__file__).parent), quiet=1)


def timed(cmd: list[str], cwd: Path | None = None, timeout: float | None = None) -> Timing:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        before = loadavg()
        cpu0 = _children_cpu()
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=err, env=env, timeout=timeout, stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        cpu = _children_cpu() - cpu0
        after = loadavg()
        out.seek(0)
        err.seek(0)
        load = [before[0] if before else None, after[0] if after else None]
        return Timing(seconds, cpu, proc.returncode, out.read(), err.read(), load)


def batchmod_cmd() -> list[str]:
    script = Path(sys.executable).with_name("batchmod")
    return [str(script)] if script.exists() else [sys.executable, "-m", "runner"]


def run_batchmod(playbook: Path, tree: Path, jobs: int, cache: bool, timeout: float | None) -> tuple[Timing, dict[str, Any]]:
    cmd = [*batchmod_cmd(), "plan", str(playbook), "--root", str(tree), "--json", "--jobs", str(jobs)]
    if not cache:
        cmd.append("--no-cache")
    commit = _batchmod_commit()
    t = timed(cmd, timeout=timeout)
    t.commit = commit
    if t.returncode not in (0, 1):  # 1 = over budget, still a plan
        raise SystemExit(f"batchmod plan failed ({t.returncode}): {' '.join(cmd)}\n{t.stderr.strip()[-2000:]}")
    try:
        plan = json.loads(t.stdout)
    except ValueError:
        raise SystemExit(f"batchmod plan --json printed no JSON: {t.stdout[:300]!r}\n{t.stderr[-1000:]}") from None
    return t, plan_summary(plan)


def plan_summary(plan: dict[str, Any]) -> dict[str, Any]:
    """Changed files (subtasks whose diff is not empty), status counts, errors."""
    changed: set[str] = set()
    statuses: dict[str, int] = {}
    errors: list[str] = []
    gaps = 0
    for phase in plan.get("phases", []):
        for sub in phase.get("subtasks", []):
            statuses[sub["status"]] = statuses.get(sub["status"], 0) + 1
            if sub.get("lines_added") or sub.get("lines_removed"):
                changed.update(sub["files"])
            errors.extend(sub.get("errors", []))
            gaps += len(sub.get("gaps", []))
    return {"changed": sorted(changed), "statuses": statuses, "errors": errors, "gaps": gaps}


_LIBCST_SUMMARY = re.compile(r" - (Transformed|Skipped|Failed to codemod) (\d+) files")


def libcst_cmd(scenario: Scenario, jobs: int) -> list[str]:
    assert scenario.cli_name
    # the command comes first: libcst's first-pass parser would take `-j`'s value for it
    return [sys.executable, "-m", "libcst.tool", "codemod", scenario.cli_name, "--no-format", "--hide-progress",
            "--jobs", str(jobs), *scenario.cli_args, scenario.under or "."]


def run_libcst(scenario: Scenario, peer: Path, jobs: int, timeout: float | None) -> tuple[Timing, dict[str, Any]]:
    reset_peer(peer)
    cmd = libcst_cmd(scenario, jobs)
    t = timed(cmd, cwd=peer, timeout=timeout)
    if "Finished codemodding" not in t.stderr:
        raise SystemExit(f"libcst codemod failed ({t.returncode}): {' '.join(cmd)}\n{t.stderr.strip()[-2000:]}")
    status = run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=peer).stdout
    changed = sorted(line[3:] for line in status.splitlines() if line.strip())
    counts = {m.group(1): int(m.group(2)) for m in _LIBCST_SUMMARY.finditer(t.stderr)}
    failed = re.findall(r"^Failed to codemod (.+)$", t.stderr, flags=re.M)
    return t, {"changed": changed, "counts": counts,
               "failed_files": [os.path.relpath(f, peer) if os.path.isabs(f) else f for f in failed]}


def compare(batchmod: list[str], other: list[str]) -> dict[str, list[str]]:
    a, b = set(batchmod), set(other)
    return {"only_batchmod": sorted(a - b), "only_other": sorted(b - a)}


# --------------------------------------------------------------------------- scenarios


@dataclass
class PeerResults:
    """libcst's runs of one command line; scenarios with the same command share them."""

    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)
    source: str = "measured in this run"


def load_peer_results(path: Path | None, env: dict[str, Any]) -> dict[str, PeerResults]:
    """``--peer-from``: libcst results of an earlier run (same corpus, same jobs)."""
    if path is None:
        return {}
    data = json.loads(path.read_text())
    old = data.get("environment", {})
    for key in ("archive_sha256", "jobs", "libcst"):
        if old.get(key) != env.get(key):
            raise SystemExit(f"--peer-from {path}: its {key} is {old.get(key)!r}, this run's is {env.get(key)!r}")
    out: dict[str, PeerResults] = {}
    for row in data.get("scenarios", []):
        if row.get("peer_cmd") and row.get("peer_all"):
            out[row["peer_cmd"]] = PeerResults(
                times=row["peer_all"], cpu=row.get("peer_cpu_all", []),
                runs=[r for r in row.get("runs", []) if r.get("tool") == "libcst"],
                info={"changed": row.get("libcst_changed") or [], "counts": row.get("libcst_counts") or {},
                      "failed_files": row.get("libcst_failed_files") or []},
                source=f"from {path} ({old.get('date')})")
    return out


def bench_pair(scenario: Scenario, playbook: Path, tree: Path, peer: Path, args: argparse.Namespace,
               peers: dict[str, PeerResults]) -> dict[str, Any]:
    """batchmod plan --no-cache vs libcst's CLI, interleaved, best of --repeat each."""
    cmd_text = " ".join(libcst_cmd(scenario, args.jobs)[1:])
    shared = peers.get(cmd_text)
    measure_peer = not args.skip_libcst and shared is None
    p = shared or PeerResults()
    b_times, b_cpu, runs = [], [], []
    b_info: dict[str, Any] = {}
    for i in range(args.repeat):
        t, b_info = run_batchmod(playbook, tree, args.jobs, cache=False, timeout=args.timeout)
        b_times.append(t.seconds)
        b_cpu.append(t.cpu)
        runs.append(t.record("batchmod", i))
        log(f"  {scenario.key}: batchmod run {i + 1}/{args.repeat}: {t.seconds:.2f}s wall, {t.cpu:.1f}s cpu, "
            f"{len(b_info['changed'])} files changed, load {t.load}, batchmod {t.commit}")
        if measure_peer:
            t, p.info = run_libcst(scenario, peer, args.jobs, args.timeout)
            p.times.append(t.seconds)
            p.cpu.append(t.cpu)
            p.runs.append(t.record("libcst", i))
            log(f"  {scenario.key}: libcst   run {i + 1}/{args.repeat}: {t.seconds:.2f}s wall, {t.cpu:.1f}s cpu, "
                f"{len(p.info['changed'])} files changed, load {t.load}")
    if measure_peer:
        reset_peer(peer)
        peers[cmd_text] = p
    elif shared:
        log(f"  {scenario.key}: libcst timings reused ({shared.source})")
    result: dict[str, Any] = {
        "batchmod_seconds": min(b_times), "batchmod_all": b_times, "batchmod_cpu_all": b_cpu,
        "peer": "python -m libcst.tool codemod", "peer_cmd": cmd_text, "peer_source": p.source if p.times else None,
        "peer_seconds": min(p.times) if p.times else None, "peer_all": p.times, "peer_cpu_all": p.cpu,
        "runs": runs + (p.runs if measure_peer else []),
        "batchmod_changed": b_info["changed"], "batchmod_statuses": b_info["statuses"],
        "batchmod_errors": b_info["errors"], "batchmod_gaps": b_info["gaps"],
    }
    if p.info:
        result.update(libcst_changed=p.info["changed"], libcst_counts=p.info.get("counts"),
                      libcst_failed_files=p.info.get("failed_files"),
                      disagreement=compare(b_info["changed"], p.info["changed"]))
    return result


def bench_cache(playbook: Path, tree: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The first plan with an empty .batchmod/cache (cold), then best of --repeat warm plans."""
    shutil.rmtree(tree / ".batchmod" / "cache", ignore_errors=True)
    t, cold_info = run_batchmod(playbook, tree, args.jobs, cache=True, timeout=args.timeout)
    cold = t
    runs = [t.record("batchmod-cold", 0)]
    log(f"  cache: first plan (cold cache): {t.seconds:.2f}s wall, {t.cpu:.1f}s cpu, load {t.load}")
    warm, warm_cpu = [], []
    warm_info: dict[str, Any] = {}
    for i in range(args.repeat):
        t, warm_info = run_batchmod(playbook, tree, args.jobs, cache=True, timeout=args.timeout)
        warm.append(t.seconds)
        warm_cpu.append(t.cpu)
        runs.append(t.record("batchmod-warm", i))
        log(f"  cache: plan {i + 2} (warm cache): {t.seconds:.2f}s wall, {t.cpu:.1f}s cpu, load {t.load}")
    return {
        "batchmod_seconds": min(warm), "batchmod_all": warm, "batchmod_cpu_all": warm_cpu,
        "peer": "batchmod plan, first run with an empty cache", "peer_seconds": cold.seconds,
        "peer_all": [cold.seconds], "peer_cpu_all": [cold.cpu], "runs": runs,
        "batchmod_changed": warm_info["changed"], "batchmod_statuses": warm_info["statuses"],
        "cold_changed": cold_info["changed"], "cold_statuses": cold_info["statuses"],
        "disagreement": compare(warm_info["changed"], cold_info["changed"]),
        "warm_equals_cold": warm_info == cold_info,
    }


# --------------------------------------------------------------------------- cost ratios

PARSE_SCRIPT = """\
import json, sys, time
import libcst
data = [open(p, "rb").read() for p in sys.argv[1:]]
start = time.process_time()
for d in data:
    libcst.parse_module(d)
print(json.dumps({"parse_cpu": time.process_time() - start, "lines": sum(d.count(b"\\n") for d in data)}))
"""

FLOOR_SCRIPT = """\
import subprocess, sys
needles = [n.encode() for n in sys.argv[1:]]
names = subprocess.run(["git", "ls-files", "-z"], capture_output=True, check=True).stdout.split(b"\\0")
hits = 0
for name in names:
    if name.endswith(b".py"):
        with open(name, "rb") as fp:
            data = fp.read()
        hits += any(data.find(n) >= 0 for n in needles)
print(hits)
"""


def pyupgrade_path(given: str | None) -> str | None:
    """``--pyupgrade``, else pyupgrade next to this interpreter or on PATH (None: not installed)."""
    for candidate in (given, str(Path(sys.executable).with_name("pyupgrade")), shutil.which("pyupgrade")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def bench_rewrite(scenario: Scenario, tree: Path, peer: Path, args: argparse.Namespace) -> dict[str, Any]:
    """A catalogue playbook: ``batchmod plan --jobs 1`` CPU (the process and its children)
    against ``libcst.parse_module`` of the .py files it changes (a process of its own, the
    parse loop only), best of --repeat each; pyupgrade on the same files as a reference."""
    playbook = HERE.parent / (scenario.playbook or "")
    cpu, wall, runs, info = [], [], [], {}
    for i in range(args.repeat):
        t, info = run_batchmod(playbook, tree, 1, cache=False, timeout=args.timeout)
        cpu.append(t.cpu)
        wall.append(t.seconds)
        runs.append(t.record("batchmod", i))
        log(f"  {scenario.key}: batchmod run {i + 1}/{args.repeat}: {t.cpu:.2f}s cpu, {t.seconds:.2f}s wall, "
            f"{len(info['changed'])} files changed, load {t.load}")
    touched = [f for f in info["changed"] if f.endswith(".py")]
    parse_cpu, lines = [], 0
    for i in range(args.repeat):
        t = timed([sys.executable, "-c", PARSE_SCRIPT, *touched], cwd=tree, timeout=args.timeout)
        if t.returncode != 0:
            raise SystemExit(f"parsing the changed files failed: {t.stderr[-1000:]}")
        measured = json.loads(t.stdout)
        parse_cpu.append(measured["parse_cpu"])
        lines = measured["lines"]
        runs.append(t.record("parse", i) | {"parse_cpu": round(measured["parse_cpu"], 3)})
        log(f"  {scenario.key}: libcst.parse_module of the {len(touched)} changed files ({lines} lines): "
            f"{measured['parse_cpu']:.2f}s cpu (process {t.cpu:.2f}s)")
    result = {
        "batchmod_seconds": min(cpu), "batchmod_all": cpu, "batchmod_wall_all": wall, "peer": "libcst.parse_module",
        "peer_seconds": min(parse_cpu), "peer_all": parse_cpu, "runs": runs, "touched_lines": lines,
        "batchmod_changed": info["changed"], "batchmod_statuses": info["statuses"], "batchmod_errors": info["errors"],
        "batchmod_gaps": info["gaps"], "libcst_changed": touched, "playbook": scenario.playbook,
    }
    tool = pyupgrade_path(args.pyupgrade)
    if tool and touched:
        reset_peer(peer)
        t = timed([tool, "--py36-plus", *touched], cwd=peer, timeout=args.timeout)
        status = run(["git", "status", "--porcelain"], cwd=peer).stdout
        reset_peer(peer)
        result["pyupgrade"] = {"cpu_seconds": round(t.cpu, 3), "seconds": round(t.seconds, 3),
                               "changed": len([ln for ln in status.splitlines() if ln.strip()])}
        log(f"  {scenario.key}: pyupgrade --py36-plus on the same files: {t.cpu:.2f}s cpu, "
            f"{result['pyupgrade']['changed']} files changed")
    return result


def bench_floor(tree: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Scenario (a)'s built-in rename, wall clock at --jobs, against the floor: one process
    that lists the files with git, reads each and searches it for the rename's needles."""
    playbook, _, _ = write_playbook(SCENARIOS["rename"], "rename")
    needles = transform_needles("rename")
    times, floor, runs, info = [], [], [], {}
    # untimed, once each: this machine's page cache lets go of files idle for minutes (the
    # corpus, batchmod's and Python's modules), and the side timed first would read them from disk
    run_batchmod(playbook, tree, args.jobs, cache=False, timeout=args.timeout)
    timed([sys.executable, "-c", FLOOR_SCRIPT, *needles], cwd=tree, timeout=args.timeout)
    for i in range(args.repeat):
        t, info = run_batchmod(playbook, tree, args.jobs, cache=False, timeout=args.timeout)
        times.append(t.seconds)
        runs.append(t.record("batchmod", i))
        f = timed([sys.executable, "-c", FLOOR_SCRIPT, *needles], cwd=tree, timeout=args.timeout)
        floor.append(f.seconds)
        runs.append(f.record("floor", i))
        log(f"  rename-floor: batchmod {t.seconds:.2f}s wall ({t.cpu:.2f}s cpu), floor {f.seconds:.2f}s "
            f"({f.stdout.strip()} files hold a needle), load {t.load}")
    return {"batchmod_seconds": min(times), "batchmod_all": times, "peer": "floor: git ls-files + read + bytes.find",
            "peer_seconds": min(floor), "peer_all": floor, "runs": runs, "needles": list(needles),
            "batchmod_changed": info["changed"], "batchmod_statuses": info["statuses"], "batchmod_errors": info["errors"]}


def bench_scaling(args: argparse.Namespace) -> dict[str, Any]:
    """benchmarks/scaling.py's trees (generated under work/scaling, once), one plan per size."""
    import scaling

    sizes = [int(s) for s in args.scaling_sizes.split(",") if s.strip()]
    rows = []
    for count in sizes:
        log(f"  scaling: {count} files (generated once under {(WORK_DIR / 'scaling').relative_to(HERE.parent)})")
        rows.append(scaling.measure(count, WORK_DIR / "scaling", batchmod_cmd(), str(args.jobs)))
        log(f"  scaling: {scaling.table_row(rows[-1])}")
    last = rows[-1]
    per_mb = [r["plan_seconds"] / max(r["source_mb"], 1e-9) for r in rows]
    linear = len(rows) < 2 or per_mb[-1] <= 1.5 * min(per_mb[-2:])
    return {"scaling": rows, "batchmod_seconds": last["plan_seconds"], "peer": "floor",
            "peer_seconds": last["floor_seconds"], "batchmod_changed": [], "runs": [],
            "verdict": "pass" if linear and last["plan_peak_rss_mb"] < 300 else "FAIL", "linear": linear}


# --------------------------------------------------------------------------- report


def fmt_s(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


_REFERENCE = {"pair": "libcst CLI", "cache": "cold plan", "rewrite": "CPU, libcst parse", "floor": "floor",
              "scaling": "floor"}


def _cells(r: dict[str, Any]) -> list[str]:
    kind = SCENARIOS[r["key"]].kind if r["key"] in SCENARIOS else "pair"
    other = r.get("cold_changed") if kind == "cache" else r.get("libcst_changed")
    changed = f"{len(r['batchmod_changed'])}/{'-' if other is None else len(other)}"
    ratio = r.get("ratio")
    mine = fmt_s(r.get("batchmod_seconds")) + (" CPU" if kind == "rewrite" else "")
    ref = f"{fmt_s(r.get('peer_seconds'))} ({_REFERENCE[kind]})"
    if kind == "scaling":
        last = (r.get("scaling") or [{}])[-1]
        changed = "-"
        mine = f"{fmt_s(r.get('batchmod_seconds'))}, {last.get('plan_peak_rss_mb', '-')} MB peak"
        ratio = last.get("ratio")
    if kind == "rewrite" and r.get("pyupgrade"):
        ref += f"; pyupgrade {r['pyupgrade']['cpu_seconds']:.2f} CPU"
    return [r["title"], str(r["files"]), changed, mine, ref, "-" if ratio is None else f"{ratio:.1f}x",
            r["target_text"], r.get("verdict", "-")]


def render_table(rows: list[dict[str, Any]]) -> str:
    """The results as one Markdown table (seconds are wall clock unless marked CPU)."""
    head = ["scenario", ".py files", "changed (batchmod/other)", "batchmod s", "reference s", "ratio", "target", "result"]
    body = [_cells(r) for r in rows]
    widths = [max([len(h)] + [len(row[i]) for row in body]) for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(head), sep, *(line(r) for r in body)])


def render_markdown(env: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    """What benchmarks/README.md takes verbatim: the machine line, the table, the scaling table."""
    out = [
        f"Measured {env['date']} by `{env['command']}` in {env.get('total_seconds', '?')} s: {env['cpu']}, "
        f"{env['cores']} cores, `--jobs {env['jobs']}`, best of {env['repeat']}; Python {env['python']}, "
        f"libcst {env['libcst']}, batchmod {env.get('batchmod_commit')}; load average at start "
        f"{env['load_at_start']}, at end {env.get('load_at_end')}. Corpus {env['corpus']} ({env['py_files']} .py "
        f"files); rewrite scenarios on {env.get('rewrite_corpus')}.",
        "",
        "Ratios: (a)-(c) libcst CLI s / batchmod s; (d) cold / warm; (e) batchmod plan CPU (`--jobs 1`, the whole "
        "process) / `libcst.parse_module` CPU of the files it changes; (f) batchmod s / floor s; (g) at the largest size.",
        "",
        render_table(rows),
    ]
    for r in rows:
        if r.get("scaling"):
            import scaling

            out += ["", "Scaling (few-file rename, cold plan, `--jobs " + str(env["jobs"]) + "`):", "",
                    scaling.TABLE_HEAD, *(scaling.table_row(x) for x in r["scaling"])]
    return "\n".join(out) + "\n"


def _version(dist: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return None


def _batchmod_commit() -> str | None:
    result = run(["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent, check=False)
    if result.returncode != 0:
        return None
    dirty = run(["git", "status", "--porcelain", "--untracked-files=no", "--", "runner"], cwd=HERE.parent, check=False)
    return result.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _write_results(path: Path, env: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"environment": env, "scenarios": rows}, indent=2) + "\n")
    os.replace(tmp, path)


def run_scenario(scenario: Scenario, tree: Path, peer: Path, files: list[str], args: argparse.Namespace,
                 peers: dict[str, PeerResults], rename_via: str) -> dict[str, Any]:
    """One scenario's row of results.json (its timings, changed files, ratio and verdict)."""
    key = scenario.key
    if scenario.kind in ("rewrite", "floor", "scaling"):
        log(f"scenario {key}: {scenario.title}")
        if scenario.kind == "rewrite":
            rtree = prepare_tree(download(args.rewrite_corpus), parse_requirement(args.rewrite_corpus)[0])
            data = bench_rewrite(scenario, rtree, prepare_peer_tree(rtree), args)
            count = len(python_files(rtree))
        else:
            data = bench_floor(tree, args) if scenario.kind == "floor" else bench_scaling(args)
            count = len(files) if scenario.kind == "floor" else sum(r["files"] for r in data.get("scaling", [])[-1:])
        row = {"key": key, "title": scenario.title, "files": count, "target": scenario.target,
               "target_text": scenario.target_text, **data}
        b, p = row.get("batchmod_seconds"), row.get("peer_seconds")
        if b and p and scenario.kind != "scaling":
            row["ratio"] = b / p
            row["verdict"] = "pass" if row["ratio"] <= scenario.target else "FAIL"
        return row
    playbook, transform, needles = write_playbook(scenario, rename_via)
    log(f"scenario {key}: {scenario.title} (batchmod transform {transform}"
        f"{', needles ' + str(list(needles)) if needles else ''}{', under ' + scenario.under if scenario.under else ''})")
    if key == "cache":
        data = bench_cache(playbook, tree, args)
    else:
        data = bench_pair(scenario, playbook, tree, peer, args, peers)
    subset = [f for f in files if f.startswith(scenario.under + "/")] if scenario.under else files
    row = {
        "key": key, "title": scenario.title + (f" ({scenario.under}/ only)" if scenario.under else ""),
        "files": len(subset), "target": scenario.target, "under": scenario.under,
        "target_text": scenario.target_text, "playbook": str(playbook.relative_to(HERE.parent)),
        "batchmod_transform": transform, "needles": list(needles), **data,
    }
    mine = [r for r in row["runs"] if r["tool"] in ("batchmod", "batchmod-warm")]
    if mine:
        row["batchmod_best_commit"] = min(mine, key=lambda r: r["seconds"]).get("batchmod_commit")
        commits = sorted({r.get("batchmod_commit") for r in mine if r.get("batchmod_commit")})
        if len(commits) > 1:
            log(f"  {key}: batchmod changed during the runs ({', '.join(commits)}); best run at "
                f"{row['batchmod_best_commit']}")
    own = needles or transform_needles(transform)
    if own:
        row["effective_needles"] = list(own)
        row["files_with_needle"] = count_containing(tree, subset, own)
    b, p = row.get("batchmod_seconds"), row.get("peer_seconds")
    if b and p:
        row["ratio"] = p / b
        row["verdict"] = "pass" if row["ratio"] >= scenario.target else "FAIL"
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark `batchmod plan` against `python -m libcst.tool codemod` on a real corpus "
                    "(an sdist downloaded with pip, unpacked and git-committed under benchmarks/work/). "
                    "Prints a table and writes benchmarks/work/results.json. Run it with the interpreter "
                    "of the virtualenv that has batchmod and libcst installed.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--corpus", default="django==5.1.4", help="sdist to download with pip, NAME==VERSION "
                        "(the rename scenario names a Django function: other corpora need an edit there)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool and scenario; the fastest counts "
                        "(scenario cache: warm plans; the cold first plan runs once)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes for BOTH tools "
                        "(default: the cores this process may use)")
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS), default=None,
                        help=f"run only this scenario (repeatable); default: {' '.join(DEFAULT_SCENARIOS)}")
    parser.add_argument("--rename-via", choices=("auto", "rename", "codemod"), default="auto",
                        help="batchmod side of scenario rename: the built-in `rename` transform, or libcst's "
                             "RenameCommand as a codemod task with needles; auto = `rename` when "
                             "runner.transforms.rename exists")
    parser.add_argument("--peer-from", type=Path, default=None, metavar="RESULTS_JSON",
                        help="reuse libcst's timings from an earlier results.json (same corpus, jobs, libcst) "
                             "instead of running its CLI again; for re-measuring batchmod alone")
    parser.add_argument("--skip-libcst", action="store_true", help="time batchmod only (no ratios)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds before one tool run is killed")
    parser.add_argument("--results", type=Path, default=WORK_DIR / "results.json", help="where to write the JSON")
    parser.add_argument("--resume", action="store_true",
                        help="keep the scenarios already in --results (same corpus and jobs) and run only the others")
    parser.add_argument("--prepare-only", action="store_true", help="download and prepare the trees, time nothing")
    parser.add_argument("--quick", action="store_true",
                        help="the one-run preset: every scenario once (--repeat 1); the run takes under 25 minutes "
                             "on 2 cores")
    parser.add_argument("--rewrite-corpus", default=REWRITE_CORPUS,
                        help="sdist of the rewrite scenarios (drop-six and unittest-to-assert run on it)")
    parser.add_argument("--unused-under", default=UNUSED_UNDER, metavar="FOLDER",
                        help="scenario unused-imports runs on this folder of the corpus only ('' = all "
                             "of it: libcst's CLI then needs about 30 minutes for Django on 2 cores)")
    parser.add_argument("--scaling-sizes", default="1000,10000,100000",
                        help="scenario scaling: synthetic tree sizes (files), generated once under benchmarks/work/scaling")
    parser.add_argument("--pyupgrade", default=None, help="pyupgrade executable for the rewrite scenarios' "
                        "reference (default: next to this interpreter, else on PATH; skipped when absent)")
    parser.add_argument("--markdown", type=Path, default=WORK_DIR / "results.md",
                        help="where to write the tables as Markdown (for benchmarks/README.md)")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat = 1
    if args.repeat < 1 or args.jobs < 1:
        parser.error("--repeat and --jobs must be at least 1")
    chosen = list(dict.fromkeys(args.scenario or DEFAULT_SCENARIOS))
    compile_runner()

    name, _version_req = parse_requirement(args.corpus)
    archive = download(args.corpus)
    tree = prepare_tree(archive, name)
    peer = prepare_peer_tree(tree)
    files = python_files(tree)
    log(f"corpus: {len(files)} .py files tracked in {tree.relative_to(HERE.parent)}")
    if args.prepare_only:
        return 0

    rename_via = args.rename_via
    if rename_via == "auto":
        rename_via = "rename" if rename_builtin_available() else "codemod"
    if rename_via == "codemod" and "rename" in chosen and "rename-codemod" in chosen:
        chosen.remove("rename-codemod")  # the same measurement twice
    env: dict[str, Any] = {
        "date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "corpus": args.corpus, "archive": archive.name, "archive_sha256": sha256_file(archive),
        "py_files": len(files), "jobs": args.jobs, "repeat": args.repeat,
        "cpu": cpu_model(), "cores": os.cpu_count(), "python": sys.version.split()[0],
        "platform": platform.platform(), "libcst": _version("libcst"), "batchmod": _version("batchmod"),
        "batchmod_commit": _batchmod_commit(), "load_at_start": loadavg(), "rename_via": rename_via,
        "command": " ".join(["python", "benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
        "rewrite_corpus": args.rewrite_corpus,
    }
    peers = load_peer_results(args.peer_from, env)
    log(f"machine: {env['cpu']}, {env['cores']} cores, jobs={args.jobs}, load {env['load_at_start']}")

    rows: list[dict[str, Any]] = []
    if args.resume and args.results.exists():
        previous = json.loads(args.results.read_text())
        old_env = previous.get("environment", {})
        if all(old_env.get(k) == env[k] for k in ("archive_sha256", "jobs")):
            rows = [r for r in previous.get("scenarios", []) if r.get("key") in chosen]
            env["resumed_from"] = old_env.get("date")
            log(f"resume: keeping {', '.join(r['key'] for r in rows) or 'nothing'} from {args.results}")
    started = time.perf_counter()
    for key in chosen:
        if any(r.get("key") == key for r in rows):
            continue
        scenario = SCENARIOS[key]
        if key == "unused-imports" and args.unused_under:
            scenario = dataclasses.replace(scenario, under=args.unused_under)
        row = run_scenario(scenario, tree, peer, files, args, peers, rename_via)
        rows.append(row)
        rows.sort(key=lambda r: chosen.index(r["key"]))
        dis = row.get("disagreement") or {}
        if dis.get("only_batchmod") or dis.get("only_other"):
            log(f"  {key}: changed-file sets DISAGREE: only batchmod {dis['only_batchmod']}, "
                f"only {'libcst' if key != 'cache' else 'cold plan'} {dis['only_other']}")
        elif "disagreement" in row:
            log(f"  {key}: same {len(row['batchmod_changed'])} changed files on both sides")
        _write_results(args.results, env, rows)

    env["load_at_end"] = loadavg()
    env["total_seconds"] = round(time.perf_counter() - started, 1)
    _write_results(args.results, env, rows)
    print(f"corpus {args.corpus} ({len(files)} .py files), jobs={args.jobs} for both tools, best of {args.repeat}; "
          f"{env['cpu']}, {env['cores']} cores; load avg at start {env['load_at_start']}, at end {env['load_at_end']}")
    markdown = render_markdown(env, rows)
    args.markdown.parent.mkdir(parents=True, exist_ok=True)
    args.markdown.write_text(markdown)
    print(markdown)
    for r in rows:
        dis = r.get("disagreement") or {}
        if dis.get("only_batchmod") or dis.get("only_other"):
            other = "libcst" if r["key"] != "cache" else "cold plan"
            print(f"\n{r['key']}: the changed-file sets differ:")
            print("".join(f"  only batchmod: {f}\n" for f in dis["only_batchmod"]), end="")
            print("".join(f"  only {other}: {f}\n" for f in dis["only_other"]), end="")
    errors = [(r["key"], e) for r in rows for e in (r.get("batchmod_errors") or [])]
    for key, e in errors:
        print(f"{key}: batchmod error: {e}")
    for r in rows:
        for f in r.get("libcst_failed_files") or []:
            print(f"{r['key']}: libcst failed to codemod {f}")
    print(f"\nresults: {args.results}, {args.markdown}")
    return 0 if all(r.get("verdict") != "FAIL" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
