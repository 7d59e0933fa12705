#!/usr/bin/env bash
# Trial of playbooks/fstrings.yaml on real libraries, against the peers on the same code.
#
# For each library: download its sdist with pip, unpack it into a throwaway git
# repository under $TRIAL_DIR (playbooks/trials/lib.sh), count the format sites
# ("..." % x and "...".format(...) on str literals, with ast), run its own test suite, then
#   - each peer on a copy: libcst's ConvertFormatStringCommand +
#     ConvertPercentFormatStringCommand, pyupgrade --py36-plus, ruff UP031/UP032 with
#     --unsafe-fixes, and all of them one after the other ("union"; its suite is run too);
#   - `batchmod run playbooks/fstrings.yaml`, phase by phase (the safe `fstrings`, then
#     `assume-not-tuple`, then `assume-numbers`), with the suite as the phases' check,
#     committing between phases;
# and count the sites left by each. The tests that passed before must pass after every
# batchmod phase. Prints one markdown row per library. Nothing is written outside $TRIAL_DIR.
#
# Usage:  playbooks/trials/fstrings.sh [LIBRARY ...]     (default: all four below)
#         BATCHMOD=.venv/bin/batchmod PEERS=/work/venv/bin TRIAL_DIR=/tmp/x playbooks/trials/fstrings.sh tabulate
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"
trial_init fstrings
PLAYBOOK="$PLAYBOOKS/fstrings.yaml"
LIBCST_PYTHON="${LIBCST_PYTHON:-$(dirname "$(command -v "$BATCHMOD")")/python}"    # has libcst

# name  version  test arguments (run from the unpacked sdist)
LIBRARIES=(
  "pycparser 2.22 tests"
  "tabulate 0.9.0 test"
  "pyflakes 3.2.0 pyflakes/test"
  "sqlparse 0.5.0 tests"
)

cat > "$TRIAL_DIR/count_sites.py" <<'EOF'
"""Format sites: "..." % x and "...".format(...) on str literals, in every .py file."""
import ast, pathlib, sys
def is_str(n):
    return isinstance(n, ast.Constant) and isinstance(n.value, str)
count = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    if ".git" in path.parts or ".batchmod" in path.parts:
        continue
    for node in ast.walk(ast.parse(path.read_bytes())):
        count += (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and is_str(node.left)) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format" and is_str(node.func.value))
print(count)
EOF
trial_venv

sites() { "$VPY" "$TRIAL_DIR/count_sites.py" "$1"; }

peer() {  # NAME DIR: apply the peer NAME to DIR in place
  case "$1" in
    libcst)
      (cd "$2" && "$LIBCST_PYTHON" -m libcst.tool codemod --no-format --hide-progress convert_format_to_fstring.ConvertFormatStringCommand . \
        && "$LIBCST_PYTHON" -m libcst.tool codemod --no-format --hide-progress convert_percent_format_to_fstring.ConvertPercentFormatStringCommand .) >/dev/null 2>&1 || true ;;
    pyupgrade) trial_peer pyupgrade "$2" --py36-plus ;;
    ruff) trial_peer ruff "$2" --select UP031,UP032 --unsafe-fixes ;;
  esac
}

phase() {  # DIR PHASE TEST_COMMAND: run one phase (a manual gate ends it with status 1, its files written)
  (cd "$1" && "$BATCHMOD" run "$PLAYBOOK" --root . --phase "$2" --var "test_command=$3" --yes | tail -2) || true
}

commit_phase() {  # DIR MESSAGE: commit the tree but .batchmod/ (which batchmod may have git-ignored)
  (cd "$1" && git add -A && { git reset -q -- .batchmod 2>/dev/null || true; } \
    && git -c user.name=trial -c user.email=trial@localhost commit -q --allow-empty -m "$2")
}

rows=()
selected=("$@")
for entry in "${LIBRARIES[@]}"; do
  read -r NAME VERSION TEST_ARGS <<<"$entry"
  if [ ${#selected[@]} -gt 0 ] && [[ ! " ${selected[*]} " == *" $NAME "* ]]; then continue; fi
  BEFORE="$TRIAL_DIR/$NAME-passed-before.txt"
  echo "== $NAME $VERSION"
  SRC=$(trial_fetch "$NAME" "$VERSION")
  before=$(sites "$SRC")
  trial_suite "$SRC" "$BEFORE" $TEST_ARGS >/dev/null
  echo "   sites: $before; tests passing before: $(wc -l < "$BEFORE")"

  declare -A left=()
  for p in libcst pyupgrade ruff; do
    out=$(trial_copy "$SRC" "$p") && peer "$p" "$out"
    left[$p]=$(sites "$out")
  done
  union=$(trial_copy "$SRC" union)
  for p in libcst pyupgrade ruff; do peer "$p" "$union"; done   # each on the output of the one before
  left[union]=$(sites "$union")
  trial_suite "$union" "$TRIAL_DIR/$NAME-passed-union.txt" $TEST_ARGS >/dev/null
  union_lost=$(trial_lost "$BEFORE" "$TRIAL_DIR/$NAME-passed-union.txt")

  TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $TEST_ARGS"
  gaps=$(trial_gaps "$SRC" "$PLAYBOOK" --phase fstrings)
  figures=() lost=()
  for ph in fstrings assume-not-tuple assume-numbers; do
    phase "$SRC" "$ph" "$TEST_COMMAND"
    figures+=("$(sites "$SRC")")
    trial_suite "$SRC" "$TRIAL_DIR/$NAME-passed-$ph.txt" $TEST_ARGS >/dev/null
    lost+=("$(trial_lost "$BEFORE" "$TRIAL_DIR/$NAME-passed-$ph.txt")")
    commit_phase "$SRC" "batchmod: $ph phase"
  done
  echo "   left: libcst ${left[libcst]}, pyupgrade ${left[pyupgrade]}, ruff ${left[ruff]}, union ${left[union]} (tests lost: $union_lost);" \
       "batchmod safe phase ${figures[0]} ($gaps gaps), + assume-not-tuple ${figures[1]}, + assume-numbers ${figures[2]} (tests lost: ${lost[*]})"
  rows+=("| fstrings | $NAME $VERSION | $before | ${left[libcst]} / ${left[pyupgrade]} / ${left[ruff]} / ${left[union]} | ${figures[0]} / ${figures[1]} / ${figures[2]} | $(wc -l < "$BEFORE") passed before; lost after each phase: ${lost[0]} / ${lost[1]} / ${lost[2]} (union of peers: $union_lost) |")
  for n in "${lost[@]}"; do
    if [ "$n" -ne 0 ]; then
      echo "FAIL: tests that passed before and not after batchmod:"
      comm -23 "$BEFORE" "$TRIAL_DIR/$NAME-passed-assume-numbers.txt"; exit 1
    fi
  done
  unset left
done

echo
echo "| playbook | library | sites | left by libcst / pyupgrade / ruff / union of peers | left by batchmod: safe phase / + assume-not-tuple / + assume-numbers | library's tests |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
