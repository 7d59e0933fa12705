#!/usr/bin/env bash
# Trial of playbooks/fstrings.yaml on real libraries, against the peers on the same code.
#
# For each library: download its sdist with pip, unpack it into a throwaway git
# repository under $TRIAL_DIR, count the format sites ("..." % x and "...".format(...)
# on string literals), run its own test suite, then
#   - each peer on a copy: libcst's ConvertFormatStringCommand +
#     ConvertPercentFormatStringCommand, pyupgrade --py36-plus, ruff UP031/UP032 with
#     --unsafe-fixes, and all of them one after the other ("union");
#   - `batchmod run playbooks/fstrings.yaml`, phase by phase (the safe `fstrings`, then
#     `assume-not-tuple`), with the suite as the phases' check;
# and count the sites left by each. The tests that passed before must pass after
# batchmod (and are also run on the union's output). Prints one markdown row per
# library. Nothing is written outside $TRIAL_DIR.
#
# Usage:  playbooks/trials/fstrings.sh [LIBRARY ...]     (default: all four below)
#         BATCHMOD=.venv/bin/batchmod PEERS=/work/venv/bin TRIAL_DIR=/tmp/x playbooks/trials/fstrings.sh tabulate
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLAYBOOK="$HERE/../fstrings.yaml"
BATCHMOD="${BATCHMOD:-batchmod}"
PYTHON="${PYTHON:-python3}"
PEERS="${PEERS:-$(dirname "$(command -v pyupgrade || echo /usr/bin/pyupgrade)")}"   # pyupgrade, ruff
LIBCST_PYTHON="${LIBCST_PYTHON:-$(dirname "$(command -v "$BATCHMOD")")/python}"    # has libcst
TRIAL_DIR="${TRIAL_DIR:-/tmp/batchmod-trial-fstrings}"

# name  version  test arguments (run from the unpacked sdist)
LIBRARIES=(
  "pycparser 2.22 tests"
  "tabulate 0.9.0 test"
  "pyflakes 3.2.0 pyflakes/test"
  "sqlparse 0.5.0 tests"
)

mkdir -p "$TRIAL_DIR"
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

if [ ! -x "$TRIAL_DIR/venv/bin/python" ]; then
  "$PYTHON" -m venv "$TRIAL_DIR/venv"
  "$TRIAL_DIR/venv/bin/python" -m pip install --quiet pytest
fi
VPY="$TRIAL_DIR/venv/bin/python"

passed_ids() {  # DIR ARGS... : sorted ids of the tests that passed
  (cd "$1" && shift && "$VPY" -m pytest -q -p no:cacheprovider -rA "$@" 2>&1 | sed -n 's/^PASSED //p' | sort)
}

peer() {  # NAME SRC : a copy of SRC with the peer applied
  local name="$1" src="$2" out="$TRIAL_DIR/$(basename "$2")-$1"
  rm -rf "$out" && cp -r "$src" "$out" && rm -rf "$out/.git"
  case "$name" in
    libcst)
      (cd "$out" && "$LIBCST_PYTHON" -m libcst.tool codemod --no-format --hide-progress convert_format_to_fstring.ConvertFormatStringCommand . \
        && "$LIBCST_PYTHON" -m libcst.tool codemod --no-format --hide-progress convert_percent_format_to_fstring.ConvertPercentFormatStringCommand .) >/dev/null 2>&1 || true ;;
    pyupgrade)
      find "$out" -name '*.py' -print0 | xargs -0 "$PEERS/pyupgrade" --py36-plus >/dev/null 2>&1 || true ;;
    ruff)
      "$PEERS/ruff" check -q --isolated --select UP031,UP032 --fix --unsafe-fixes "$out" >/dev/null 2>&1 || true ;;
  esac
  echo "$out"
}

rows=()
selected=("$@")
for entry in "${LIBRARIES[@]}"; do
  read -r NAME VERSION TEST_ARGS <<<"$entry"
  if [ ${#selected[@]} -gt 0 ] && [[ ! " ${selected[*]} " == *" $NAME "* ]]; then continue; fi
  SRC="$TRIAL_DIR/$NAME-$VERSION"
  echo "== $NAME $VERSION"
  rm -rf "$SRC"
  "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$NAME==$VERSION" -d "$TRIAL_DIR/sdists" 2>/dev/null
  tar --no-same-owner -xzf "$TRIAL_DIR/sdists/$NAME-$VERSION.tar.gz" -C "$TRIAL_DIR"
  (cd "$SRC" && git init -q && git add -A && git -c user.name=trial -c user.email=trial@localhost commit -qm "$NAME $VERSION sdist")

  before=$("$VPY" "$TRIAL_DIR/count_sites.py" "$SRC")
  passed_ids "$SRC" $TEST_ARGS > "$TRIAL_DIR/$NAME-passed-before.txt"
  echo "   sites: $before; tests passing before: $(wc -l < "$TRIAL_DIR/$NAME-passed-before.txt")"

  declare -A left=()
  for p in libcst pyupgrade ruff; do
    out=$(peer "$p" "$SRC")
    left[$p]=$("$VPY" "$TRIAL_DIR/count_sites.py" "$out")
  done
  union=$(peer libcst "$SRC")
  for p in pyupgrade ruff; do  # the union: each peer on the output of the one before
    case "$p" in
      pyupgrade) find "$union" -name '*.py' -print0 | xargs -0 "$PEERS/pyupgrade" --py36-plus >/dev/null 2>&1 || true ;;
      ruff) "$PEERS/ruff" check -q --isolated --select UP031,UP032 --fix --unsafe-fixes "$union" >/dev/null 2>&1 || true ;;
    esac
  done
  left[union]=$("$VPY" "$TRIAL_DIR/count_sites.py" "$union")
  union_lost=$(comm -23 "$TRIAL_DIR/$NAME-passed-before.txt" <(passed_ids "$union" $TEST_ARGS) | wc -l)

  TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $TEST_ARGS"
  (cd "$SRC" && "$BATCHMOD" plan "$PLAYBOOK" --root . --phase fstrings --json --out "$TRIAL_DIR/$NAME-plan.json" >/dev/null)
  gaps=$("$VPY" -c "import json,sys; p=json.load(open(sys.argv[1])); print(sum(len(s['gaps']) for ph in p['phases'] for s in ph['subtasks']))" "$TRIAL_DIR/$NAME-plan.json")
  (cd "$SRC" && "$BATCHMOD" run "$PLAYBOOK" --root . --phase fstrings --var "test_command=$TEST_COMMAND" --yes | tail -2)
  safe=$("$VPY" "$TRIAL_DIR/count_sites.py" "$SRC")
  safe_lost=$(comm -23 "$TRIAL_DIR/$NAME-passed-before.txt" <(passed_ids "$SRC" $TEST_ARGS) | wc -l)
  (cd "$SRC" && git add -A . ':!.batchmod' && git -c user.name=trial -c user.email=trial@localhost commit -qm "batchmod: fstrings phase")
  # the second phase ends at its manual gate: exit status 1, its files written
  (cd "$SRC" && "$BATCHMOD" run "$PLAYBOOK" --root . --phase assume-not-tuple --var "test_command=$TEST_COMMAND" --yes | tail -2) || true
  ours=$("$VPY" "$TRIAL_DIR/count_sites.py" "$SRC")
  passed_ids "$SRC" $TEST_ARGS > "$TRIAL_DIR/$NAME-passed-after.txt"
  lost=$(comm -23 "$TRIAL_DIR/$NAME-passed-before.txt" "$TRIAL_DIR/$NAME-passed-after.txt" | wc -l)
  echo "   left: libcst ${left[libcst]}, pyupgrade ${left[pyupgrade]}, ruff ${left[ruff]}, union ${left[union]} (tests lost: $union_lost);" \
       "batchmod safe phase $safe ($gaps gaps; tests lost: $safe_lost), + assume-not-tuple $ours (tests lost: $lost)"
  rows+=("| fstrings | $NAME $VERSION | $before | ${left[libcst]} / ${left[pyupgrade]} / ${left[ruff]} / ${left[union]} | $safe / $ours | $(wc -l < "$TRIAL_DIR/$NAME-passed-before.txt") passed before; lost after: $safe_lost / $lost (union of peers: $union_lost) |")
  if [ "$lost" -ne 0 ] || [ "$safe_lost" -ne 0 ]; then
    echo "FAIL: tests that passed before and not after batchmod:"; comm -23 "$TRIAL_DIR/$NAME-passed-before.txt" "$TRIAL_DIR/$NAME-passed-after.txt"; exit 1
  fi
  unset left
done

echo
echo "| playbook | library | sites | left by libcst / pyupgrade / ruff / union of peers | left by batchmod: safe phase / + assume-not-tuple | library's tests |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
