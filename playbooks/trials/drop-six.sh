#!/usr/bin/env bash
# Trial of playbooks/drop-six.yaml on real libraries that still use six, against
# pyupgrade --py3-plus and ruff --select UP --unsafe-fixes on the same code.
#
# For each library: download its sdist with pip and unpack it into a throwaway git
# repository under $TRIAL_DIR (lib.sh), count the whole-word mentions of `six` in its
# .py files, run its own test suite, migrate one copy per tool (batchmod runs the
# playbook with the suite as the phases' check), count what each leaves, and run the
# suite on each copy twice: with six installed, then without it (the point of
# dropping six). Prints one markdown row per library. Nothing is written outside
# $TRIAL_DIR.
#
# Usage:  playbooks/trials/drop-six.sh [LIBRARY ...]     (default: all below)
#         BATCHMOD=.venv/bin/batchmod PEERS=/work/venv/bin TRIAL_DIR=/tmp/x playbooks/trials/drop-six.sh patsy
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"
trial_init drop-six

# name  version  PYTHONPATH  what the suite needs besides pytest and six (comma-separated, or -)  pytest arguments
LIBRARIES=(
  "python-dateutil 2.9.0.post0 src freezegun -c /dev/null --rootdir . tests --ignore=tests/property"
  "patsy 0.5.6 . numpy patsy"
  "asttokens 2.4.1 . astroid<4 tests"
  "ecdsa 0.18.0 src hypothesis src/ecdsa"
)
TOOLS=(base batchmod pyupgrade ruff)

packaging_six() {  # DIR: lines naming six in the packaging files
  (cd "$1" && { grep -Ew six setup.py setup.cfg pyproject.toml requirements*.txt 2>/dev/null || true; } | wc -l)
}

rows=()
for entry in "${LIBRARIES[@]}"; do
  read -r NAME VERSION PYPATH DEPS TEST_ARGS <<<"$entry"
  trial_wanted "$NAME" "$@" || continue
  trial_library "$NAME" "$VERSION" "six,$DEPS"
  declare -A dir=() left=() with=() without=() lost=()
  dir[base]="$SRC"
  for t in batchmod pyupgrade ruff; do dir[$t]=$(trial_copy "$SRC" "$t"); done
  trial_peer pyupgrade "${dir[pyupgrade]}" --py3-plus
  trial_peer ruff "${dir[ruff]}" --select UP --unsafe-fixes
  export PYTHONPATH="$PYPATH"
  TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $TEST_ARGS"
  gaps=$(trial_gaps "${dir[batchmod]}" "$PLAYBOOK")
  (cd "${dir[batchmod]}" && "$BATCHMOD" run "$PLAYBOOK" --root . --var "test_command=$TEST_COMMAND" --yes 2>&1 | tail -3) || true

  for t in "${TOOLS[@]}"; do
    left[$t]=$(trial_count "${dir[$t]}" six)
    with[$t]=$(trial_suite "${dir[$t]}" "$TRIAL_DIR/$NAME-$t-with.txt" $TEST_ARGS)
    lost[$t]=$(trial_lost "$TRIAL_DIR/$NAME-base-with.txt" "$TRIAL_DIR/$NAME-$t-with.txt")
  done
  "$VPY" -m pip uninstall --quiet -y six
  for t in "${TOOLS[@]}"; do without[$t]=$(trial_suite "${dir[$t]}" "$TRIAL_DIR/$NAME-$t-without.txt" $TEST_ARGS); done
  unset PYTHONPATH
  for t in "${TOOLS[@]}"; do
    echo "   $t: six mentioned ${left[$t]} times; tests with six: ${with[$t]} (lost ${lost[$t]}); without six: ${without[$t]}"
  done
  echo "   batchmod: $gaps gaps; packaging lines naming six: before $(packaging_six "$SRC"), after $(packaging_six "${dir[batchmod]}")"
  rows+=("| drop-six | $NAME $VERSION | ${left[base]} | ${left[batchmod]} ($gaps gaps; packaging lines naming six: $(packaging_six "$SRC") -> $(packaging_six "${dir[batchmod]}")) | pyupgrade ${left[pyupgrade]}, ruff ${left[ruff]} | ${with[base]} -> batchmod ${with[batchmod]}, pyupgrade ${with[pyupgrade]}, ruff ${with[ruff]}; without six: original ${without[base]}, batchmod ${without[batchmod]}, pyupgrade ${without[pyupgrade]}, ruff ${without[ruff]} |")
  unset dir left with without lost
done

echo
echo "| playbook | library | six mentions before | left by batchmod | left by peers | tests (with six; without six) |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
