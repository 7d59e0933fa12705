#!/usr/bin/env bash
# Trial of playbooks/remove-unused-imports.yaml on real libraries, beside the peers:
# ruff F401 --fix (safe, then --unsafe-fixes), autoflake --remove-all-unused-imports and
# libcst's RemoveUnusedImportsCommand (python -m libcst.tool codemod).
#
# Per library (lib.sh: sdist from PyPI into a throwaway git repository under
# $TRIAL_DIR, its own suite in a throwaway venv): one copy per tool, migrated, and the
# suite run on each. Every tool gets the same files: the library's tracked .py files
# minus __init__.py and conftest.py (what the playbook selects). Sites are ruff's F401
# findings (--isolated) in those files. Nothing is committed.
#
# Usage:  playbooks/trials/remove-unused-imports.sh                 # every library below
#         playbooks/trials/remove-unused-imports.sh webob           # one (dateutil webob simplejson pygments)
#         BATCHMOD=.venv/bin/batchmod PEERS=/work/venv/bin playbooks/trials/remove-unused-imports.sh
# PEERS holds ruff, autoflake and a python with libcst (LIBCST_PYTHON, default $PEERS/python).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trial_init remove-unused-imports
LIBCST_PYTHON="${LIBCST_PYTHON:-$PEERS/python}"
TOOLS="${TOOLS:-batchmod ruff ruff-unsafe autoflake libcst}"  # TOOLS=batchmod: batchmod alone

# name: sdist name | version | suite dependencies | PYTHONPATH | pytest arguments | a python line that must run
# (python-dateutil's setup.cfg turns warnings into errors, which today's pytest raises
# while collecting: `-c /dev/null` leaves its configuration out)
declare -A LIBRARIES=(
    [dateutil]="python-dateutil|2.9.0.post0|six freezegun|src|-c /dev/null --rootdir . tests --ignore=tests/property|"
    [webob]="WebOb|1.8.7||src|tests|"
    [simplejson]="simplejson|3.19.3|setuptools|.|simplejson/tests|"
    [pygments]="Pygments|2.17.2||.|tests|from pygments.lexers.agile import PythonLexer; from pygments.lexers.other import SqlLexer"
)

files() { (cd "$1" && git ls-files '*.py' | grep -Ev '(^|/)(__init__|conftest)\.py$'); }
sites() { (cd "$1" && files . | xargs "$PEERS/ruff" check --isolated --select F401 --output-format concise 2>/dev/null | grep -c ' F401 ' || true); }

migrate() {  # TOOL DIR
    local dir=$2
    case $1 in
    batchmod) (cd "$dir" && "$BATCHMOD" run "$PLAYBOOKS/remove-unused-imports.yaml" --root . --var test_command=true --yes >/dev/null 2>&1 || true) ;;
    ruff) (cd "$dir" && files . | xargs "$PEERS/ruff" check -q --isolated --select F401 --fix >/dev/null 2>&1 || true) ;;
    ruff-unsafe) (cd "$dir" && files . | xargs "$PEERS/ruff" check -q --isolated --select F401 --fix --unsafe-fixes >/dev/null 2>&1 || true) ;;
    autoflake) (cd "$dir" && files . | xargs "$PEERS/autoflake" --in-place --remove-all-unused-imports >/dev/null 2>&1 || true) ;;
    libcst) (cd "$dir" && files . | xargs "$LIBCST_PYTHON" -m libcst.tool codemod --no-format --hide-progress \
        -x libcst.codemod.commands.remove_unused_imports.RemoveUnusedImportsCommand >/dev/null 2>&1 || true) ;;
    esac
}

check_line() {  # DIR LINE: "ok" when LINE runs against DIR's code, else the error's last line
    [ -n "$2" ] || return 0
    (cd "$1" && "$VPY" -c "$2" >/dev/null 2>"$TRIAL_DIR/check.err" && echo "; \`$2\`: ok") \
        || echo "; \`$2\`: $(tail -1 "$TRIAL_DIR/check.err")"
}

trial() {  # KEY
    local name version deps pythonpath tests line base
    IFS='|' read -r name version deps pythonpath tests line <<<"${LIBRARIES[$1]}"
    base=$(trial_fetch "$name" "$version")
    # shellcheck disable=SC2086
    trial_venv $deps >/dev/null
    echo "== $name $version: $(files "$base" | wc -l) files in scope, F401 sites $(sites "$base")"
    # shellcheck disable=SC2086
    echo "before: tests $(PYTHONPATH=$pythonpath trial_suite "$base" "$TRIAL_DIR/$1-before.ids" $tests)$(check_line "$base" "$line")"
    for tool in $TOOLS; do
        local copy
        copy=$(trial_copy "$base" "$tool")
        migrate "$tool" "$copy"
        # shellcheck disable=SC2086
        local result; result=$(PYTHONPATH=$pythonpath trial_suite "$copy" "$TRIAL_DIR/$1-$tool.ids" $tests)
        echo "$tool: F401 left $(sites "$copy"); files changed $(git -C "$copy" diff --name-only | wc -l);" \
             "tests $result ($(trial_lost "$TRIAL_DIR/$1-before.ids" "$TRIAL_DIR/$1-$tool.ids") lost)$(check_line "$copy" "$line")"
    done
}

# Pygments (300 files, large lexers; its suite takes minutes per copy) is asked for by name
for key in ${@:-dateutil webob simplejson}; do trial "$key"; done
