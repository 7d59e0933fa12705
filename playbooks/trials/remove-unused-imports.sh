#!/usr/bin/env bash
# Trial of playbooks/remove-unused-imports.yaml on real libraries, beside the peers:
# ruff F401 --fix (safe, then --unsafe-fixes), autoflake --remove-all-unused-imports and
# libcst's RemoveUnusedImportsCommand (python -m libcst.tool codemod).
#
# Per library, under $TRIAL_DIR (default /tmp/batchmod-trial-unused-imports): the sdist
# is downloaded with pip and unpacked into a throwaway git repository, copied once per
# tool, each copy migrated, and the library's own test suite run on each copy. Every tool
# gets the same files: the library's .py files minus __init__.py and conftest.py (what
# the playbook selects). Sites are ruff's F401 findings (--isolated) in those files.
# Nothing is committed.
#
# Usage:  playbooks/trials/remove-unused-imports.sh                 # every library below
#         playbooks/trials/remove-unused-imports.sh webob
#         BATCHMOD=.venv/bin/batchmod RUFF=/work/venv/bin/ruff playbooks/trials/remove-unused-imports.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLAYBOOK="$HERE/../remove-unused-imports.yaml"
BATCHMOD="${BATCHMOD:-batchmod}"
RUFF="${RUFF:-ruff}"
AUTOFLAKE="${AUTOFLAKE:-autoflake}"
LIBCST_PYTHON="${LIBCST_PYTHON:-python3}"  # a python with libcst installed
PYTHON="${PYTHON:-python3}"
TRIAL_DIR="${TRIAL_DIR:-/tmp/batchmod-trial-unused-imports}"
TOOLS="base batchmod ruff ruff-unsafe autoflake libcst"

# name: pip requirement | suite dependencies | PYTHONPATH | pytest arguments
declare -A LIBRARIES=(
    [dateutil]="python-dateutil==2.9.0.post0|six freezegun|src|tests --ignore=tests/property"
    [webob]="WebOb==1.8.7||src|tests"
    [pygments]="Pygments==2.17.2||.|tests"
)

files() { (cd "$1" && git ls-files '*.py' | grep -Ev '(^|/)(__init__|conftest)\.py$'); }
sites() { (cd "$1" && files . | xargs "$RUFF" check --isolated --select F401 --output-format concise 2>/dev/null | grep -c ' F401 ' || true); }

migrate() {  # tool, copy
    local tool=$1 dir=$2
    case $tool in
    base) ;;
    batchmod) (cd "$dir" && "$BATCHMOD" run "$PLAYBOOK" --root . --var test_command=true --yes >../$tool.log 2>&1 || true) ;;
    ruff) (cd "$dir" && files . | xargs "$RUFF" check --isolated --select F401 --fix >/dev/null 2>&1 || true) ;;
    ruff-unsafe) (cd "$dir" && files . | xargs "$RUFF" check --isolated --select F401 --fix --unsafe-fixes >/dev/null 2>&1 || true) ;;
    autoflake) (cd "$dir" && files . | xargs "$AUTOFLAKE" --in-place --remove-all-unused-imports >/dev/null 2>&1 || true) ;;
    libcst) (cd "$dir" && files . | xargs "$LIBCST_PYTHON" -m libcst.tool codemod --no-format --hide-progress \
        -x libcst.codemod.commands.remove_unused_imports.RemoveUnusedImportsCommand >/dev/null 2>&1 || true) ;;
    esac
}

trial() {  # library key
    local key=$1 spec requirement deps pythonpath tests
    spec="${LIBRARIES[$key]}"
    IFS='|' read -r requirement deps pythonpath tests <<<"$spec"
    local work="$TRIAL_DIR/$key"
    rm -rf "$work" && mkdir -p "$work" && cd "$work"
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$requirement" -d sdist
    mkdir base && tar --no-same-owner -xzf sdist/*.tar.gz -C base --strip-components=1
    git -C base init -q && git -C base add -A && git -C base -c user.name=trial -c user.email=trial@localhost commit -qm sdist
    "$PYTHON" -m venv venv && venv/bin/pip install --quiet pytest $deps
    echo "== $requirement: $(files base | wc -l) files in scope"
    for tool in $TOOLS; do
        [ "$tool" = base ] || cp -r base "$tool"
        migrate "$tool" "$tool"
        local result
        # shellcheck disable=SC2086
        result=$(cd "$tool" && PYTHONPATH="$pythonpath" ../venv/bin/python -m pytest -q -p no:cacheprovider $tests 2>&1 | tail -1 || true)
        echo "$tool: F401 left $(sites "$tool"); files changed $(git -C "$tool" diff --name-only | wc -l); tests: $result"
    done
}

for key in "${@:-dateutil webob pygments}"; do
    for k in $key; do trial "$k"; done
done
