"""End-to-end helpers: temporary git repositories, playbooks, the CLI in-process and as a subprocess."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from runner.cli import cli

PY = shlex.quote(sys.executable)
REPO_ROOT = Path(__file__).resolve().parents[2]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def make_repo(path: Path, files: dict[str, bytes | str], *, commit: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
    git(path, "init", "-q", "-b", "main")
    if commit:
        git(path, "add", "-A")
        git(path, "commit", "-q", "-m", "initial")
    return path


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under the root but .git and .batchmod, by relative path."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in (".git", ".batchmod") or not path.is_file():
            continue
        out[rel] = path.read_bytes()
    return out


def run_dir(root: Path) -> Path:
    """The current run's folder, by the ``current`` pointer (a listing of ``runs/`` also holds that file)."""
    runs = root / ".batchmod" / "runs"
    return runs / (runs / "current").read_text(encoding="utf-8").strip()


def invoke(*args: str) -> Result:
    """The CLI in-process; stdin is not a terminal, so runs need --yes."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "runner", *args], env=full_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


#: a small package and its tests: unions for phase 1, str.format for phase 2
SOURCES: dict[str, bytes | str] = {
    "pkg/__init__.py": "",
    "pkg/a.py": "from typing import Optional, Union\n\n\ndef parse(x: Union[int, str]) -> Optional[int]:\n    return int(x)\n",
    "pkg/b.py": "from typing import Union\n\n\ndef greet(name: Union[str, bytes]) -> str:\n    return \"hello {}\".format(name)\n",
    "pkg/c.py": "from typing import Union\n\n\ndef size(v: Union[int, None]) -> str:\n    return \"{} items\".format(v)\n",
    "pkg/d.py": "from typing import Union\n\nLIMIT: Union[int, float] = 3\n",
}

TASK_TYPES = """\
task_types:
  pep604:
    transform: libcst.codemod.commands.convert_union_to_or.ConvertUnionToOrCommand
    needles: ["Union["]
  fstring:
    transform: libcst.codemod.commands.convert_format_to_fstring.ConvertFormatStringCommand
    needles: [".format("]
"""

IMPORTS_CHECK = f"""\
      - name: imports
        run: {PY} -c "import pkg.a, pkg.b, pkg.c, pkg.d; assert pkg.b.greet('x') == 'hello x'"
"""


def playbook(path: Path, body: str, name: str = "modernize", head: str = "") -> Path:
    """Write a playbook: ``body`` is the ``phases:`` list (indented by two spaces)."""
    path.write_text(f"version: 1\nname: {name}\n{head}{TASK_TYPES}phases:\n{body}", encoding="utf-8")
    return path


TWO_PHASES = f"""\
  - name: unions
    tasks:
      - type: pep604
        files: ["pkg/**/*.py"]
    checks:
{IMPORTS_CHECK}  - name: fstrings
    tasks:
      - type: fstring
        files: ["pkg/**/*.py"]
    checks:
{IMPORTS_CHECK}"""


