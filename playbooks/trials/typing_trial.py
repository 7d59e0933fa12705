"""Trial of the typing playbooks on real libraries, beside the peers.

For each (playbook, library) pair: download the library's sdist from PyPI, unpack it
into a throwaway git repository per tool, run the library's own test suite before,
apply the tool (batchmod with the catalogue playbook, pyupgrade, ruff), count the sites
left, and run the suite again. A row per tool: sites before/after, files changed,
tests that passed before and fail after. Nothing is written outside ``--work``.

Usage:
    python playbooks/trials/typing_trial.py                       # every playbook on click, pathspec, python-dotenv
    python playbooks/trials/typing_trial.py --playbook typing-modernize --library click
    BATCHMOD=.venv/bin/batchmod python playbooks/trials/typing_trial.py --work /tmp/t

Needs on PATH (or as env vars): batchmod (BATCHMOD), pyupgrade (PYUPGRADE), ruff
(RUFF). remove-unused-imports has its own trial: ``remove-unused-imports.sh``.
"""
from __future__ import annotations

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE.parent


@dataclass(frozen=True)
class Library:
    name: str
    version: str
    src: str  #: the folder migrated, relative to the sdist root
    tests: str  #: the test folder given to pytest
    pythonpath: str = ""  #: added to PYTHONPATH for the suite (src layouts)
    deps: tuple[str, ...] = ()  #: what the suite needs besides pytest

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


LIBRARIES = {
    "click": Library("click", "8.1.7", "src/click", "tests", "src"),
    "packaging": Library("packaging", "23.2", "src/packaging", "tests", "src", ("pretend",)),
    "pathspec": Library("pathspec", "0.12.1", "pathspec", "tests"),
    "python-dotenv": Library("python-dotenv", "1.0.1", "src/dotenv", "tests", "src", ("sh", "click")),
}

#: packaging's 26,825 tests take minutes per tool: asked for by name only
DEFAULT_LIBRARIES = ("click", "pathspec", "python-dotenv")

TYPING_NAMES = {"List", "Dict", "Set", "FrozenSet", "Tuple", "Type", "Optional", "Union", "Text"}
GENERIC_NAMES = {"List", "Dict", "Set", "FrozenSet", "Tuple", "Type"}


def count_typing_sites(folder: Path, names: set[str]) -> int:
    """Subscripts (and bare ``Text``) of typing names, resolved through the file's imports."""
    total = 0
    for path in sorted(folder.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        modules, local = {"typing"}, {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in ("typing", "typing_extensions"):
                        modules.add(a.asname or a.name)
            elif isinstance(node, ast.ImportFrom) and node.module in ("typing", "typing_extensions"):
                for a in node.names:
                    local[a.asname or a.name] = a.name
        for node in ast.walk(tree):
            target = node.value if isinstance(node, ast.Subscript) else None
            if target is None and isinstance(node, (ast.Attribute, ast.Name)):
                target = node if _name_of(node, modules, local) == "Text" else None
                if target is not None:
                    total += "Text" in names
                continue
            if target is not None and _name_of(target, modules, local) in names - {"Text"}:
                total += 1
    return total


def _name_of(node: ast.AST, modules: set[str], local: dict[str, str]) -> str | None:
    if isinstance(node, ast.Name):
        return local.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
        return node.attr if node.attr in TYPING_NAMES else None
    return None


@dataclass(frozen=True)
class Trial:
    playbook: str
    count: object  #: Path -> int
    peers: tuple[tuple[str, tuple[str, ...]], ...]  #: (label, argv with {src} and {files})


def _ruff_up(codes: str) -> tuple[str, ...]:
    return ("ruff", "check", "--isolated", "--no-cache", "--select", codes, "--target-version", "py310",
            "--fix", "--unsafe-fixes", "--exit-zero", "{src}")


TRIALS = {
    "typing-modernize": Trial("typing-modernize", lambda p: count_typing_sites(p, TYPING_NAMES), (
        ("pyupgrade --py310-plus", ("pyupgrade", "--py310-plus", "{files}")),
        ("ruff UP006,UP007,UP019,UP035,UP045 --unsafe-fixes", _ruff_up("UP006,UP007,UP019,UP035,UP045")))),
    "pep604-unions": Trial("pep604-unions", lambda p: count_typing_sites(p, {"Optional", "Union"}), (
        ("pyupgrade --py310-plus", ("pyupgrade", "--py310-plus", "{files}")),
        ("ruff UP007,UP045 --unsafe-fixes", _ruff_up("UP007,UP045")))),
    "builtin-generics": Trial("builtin-generics", lambda p: count_typing_sites(p, GENERIC_NAMES), (
        ("pyupgrade --py39-plus", ("pyupgrade", "--py39-plus", "{files}")),
        ("ruff UP006,UP035 --unsafe-fixes", _ruff_up("UP006,UP035")))),
}

_TOOL_ENV = {"batchmod": "BATCHMOD", "pyupgrade": "PYUPGRADE", "ruff": "RUFF"}


def _tool(env: str, default: str) -> str:
    return os.environ.get(env) or shutil.which(default) or default


def _sh(argv: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 1800) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def fetch(lib: Library, work: Path, python: str) -> Path:
    """The unpacked pristine sdist under ``work/sdists`` (downloaded once)."""
    sdists = work / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    target = sdists / lib.folder
    if not target.exists():
        _sh([python, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
             f"{lib.name}=={lib.version}", "-d", str(sdists)], cwd=sdists).check_returncode()
        archive = next(sdists.glob(f"{lib.name.replace('-', '[-_]')}-{lib.version}.tar.gz"), None) \
            or next(p for p in sdists.glob(f"*{lib.version}.tar.gz") if p.name.lower().startswith(lib.name[:4]))
        with tarfile.open(archive) as tar:
            tar.extractall(sdists, filter="data")
        unpacked = next(p for p in sdists.iterdir() if p.is_dir() and p.name.lower().replace("_", "-") == lib.folder)
        if unpacked != target:
            unpacked.rename(target)
    return target


def suite_venv(work: Path, python: str, libs: list[Library]) -> str:
    """One venv for the suites: pytest < 9 (old suites trip its deprecations) and the deps."""
    venv = work / "suite-venv"
    if not (venv / "bin" / "python").exists():
        _sh([python, "-m", "venv", str(venv)], cwd=work).check_returncode()
    deps = sorted({d for lib in libs for d in lib.deps} | {"pytest<9"})
    _sh([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *deps], cwd=work).check_returncode()
    return str(venv / "bin" / "python")


def test_command(lib: Library, py: str) -> str:
    """The suite, run from the repository root (as the playbook's check runs it too)."""
    path = f"env PYTHONPATH={lib.pythonpath} " if lib.pythonpath else ""
    return f"{path}{py} -m pytest -q -p no:cacheprovider -rA {lib.tests}"


def passed_ids(lib: Library, repo: Path, py: str) -> tuple[set[str], str]:
    proc = _sh(test_command(lib, py).split(), cwd=repo)
    ids = {line[7:].strip() for line in proc.stdout.splitlines() if line.startswith("PASSED ")}
    tail = (proc.stdout.strip().splitlines() or ["(no output)"])[-1].strip("= ")
    return ids, tail


def fresh_repo(pristine: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(pristine, dest)
    git = ["git", "-c", "user.name=trial", "-c", "user.email=trial@localhost"]
    _sh(["git", "init", "-q"], cwd=dest).check_returncode()
    _sh(["git", "add", "-A"], cwd=dest).check_returncode()
    _sh([*git, "commit", "-qm", "sdist"], cwd=dest).check_returncode()
    return dest


def apply_batchmod(trial: Trial, lib: Library, repo: Path, py: str) -> str:
    proc = _sh([_tool("BATCHMOD", "batchmod"), "run", str(CATALOGUE / f"{trial.playbook}.yaml"), "--root", ".",
                "--var", f"src={lib.src}", "--var", f"test_command={test_command(lib, py)}", "--yes"],
               cwd=repo)
    return f"exit {proc.returncode}"


def apply_peer(argv: tuple[str, ...], lib: Library, repo: Path) -> str:
    files = [str(p) for p in sorted((repo / lib.src).rglob("*.py"))]
    cmd: list[str] = []
    for word in argv:
        if word == "{files}":
            cmd += files
        else:
            cmd.append(word.replace("{src}", str(repo / lib.src)))
    cmd[0] = _tool(_TOOL_ENV.get(cmd[0], ""), cmd[0])
    proc = _sh(cmd, cwd=repo)
    return f"exit {proc.returncode}"


def changed_files(repo: Path) -> int:
    out = _sh(["git", "diff", "--numstat"], cwd=repo).stdout
    return sum(1 for line in out.splitlines() if line.strip())


def run_pair(trial: Trial, lib: Library, work: Path, py: str, python: str) -> list[str]:
    """Rows (markdown) for one playbook on one library: batchmod first, then each peer."""
    pristine = fetch(lib, work, python)
    before_ids, before_tail = passed_ids(lib, pristine, py)
    sites_before = trial.count(pristine / lib.src)
    rows = []
    tools = [("batchmod " + trial.playbook, None)] + [(label, argv) for label, argv in trial.peers]
    for label, argv in tools:
        repo = fresh_repo(pristine, work / trial.playbook / lib.name / label.split()[0])
        status = apply_batchmod(trial, lib, repo, py) if argv is None else apply_peer(argv, lib, repo)
        after_ids, after_tail = passed_ids(lib, repo, py)
        lost = len(before_ids - after_ids)
        rows.append(f"| {trial.playbook} | {lib.name} {lib.version} | {label} | {sites_before} | "
                    f"{trial.count(repo / lib.src)} | {changed_files(repo)} | {len(before_ids)} → {len(after_ids)}"
                    f"{'' if not lost else f' (**{lost} lost**)'} | {status} |")
        print(rows[-1], flush=True)
    print(f"<!-- {lib.name} suite before: {before_tail} -->", flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--playbook", action="append", choices=sorted(TRIALS))
    parser.add_argument("--library", action="append", choices=sorted(LIBRARIES))
    parser.add_argument("--work", default="/tmp/batchmod-trials")
    parser.add_argument("--python", default=sys.executable, help="runs pip and venv")
    args = parser.parse_args()
    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    libs = [LIBRARIES[n] for n in (args.library or DEFAULT_LIBRARIES)]
    py = suite_venv(work, args.python, libs)
    print("| playbook | library | tool | sites before | sites after | files changed | tests passed (before → after) | tool exit |")
    print("|---|---|---|---|---|---|---|---|", flush=True)
    for name in args.playbook or sorted(TRIALS):
        for lib in libs:
            run_pair(TRIALS[name], lib, work, py, args.python)
    return 0


if __name__ == "__main__":
    sys.exit(main())
