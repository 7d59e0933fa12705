#!/usr/bin/env bash
# Trial of playbooks/deprecated-apis.yaml on real libraries, against ruff
# (--select UP005,DTZ003,DTZ004,G010 --fix --unsafe-fixes; DTZ003/DTZ004 only report,
# they have no fix) and pyupgrade --py3-plus on the same code.
#
# For each library: download its sdist with pip and unpack it into a throwaway git
# repository under $TRIAL_DIR (lib.sh), count the sites (datetime's utcnow /
# utcfromtimestamp, the deprecated unittest aliases, `.warn(` on loggers), run its own
# test suite, migrate one copy per tool — batchmod twice: the default (timezone-aware
# results) and `--var utc_naive=yes` — with the suite as batchmod's check, count what
# each leaves and run the suite on each copy. Prints one markdown row per library.
# Nothing is written outside $TRIAL_DIR.
#
# Usage:  playbooks/trials/deprecated-apis.sh [LIBRARY ...]     (default: all below)
#         BATCHMOD=.venv/bin/batchmod PEERS=/work/venv/bin TRIAL_DIR=/tmp/x playbooks/trials/deprecated-apis.sh waitress
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"
trial_init deprecated-apis

# name  version  PYTHONPATH  what the suite needs besides pytest (comma-separated, or -)  pytest arguments
LIBRARIES=(
  "oauth2client 4.1.3 . mock,httplib2,pyasn1,pyasn1-modules,rsa,six,flask,sqlalchemy,fasteners,keyring -o addopts= tests --ignore=tests/contrib/appengine --ignore=tests/contrib/django_util --ignore=tests/test__pycrypto_crypt.py --ignore=tests/contrib/test_flask_util.py"
  "PyJWT 1.7.1 . cryptography -o addopts= tests"
  "waitress 1.4.4 src - -o addopts= tests"
)
TOOLS=(base batchmod naive pyupgrade ruff)
UTC='datetime\.(utcnow|utcfromtimestamp)\b'
ALIASES='\b(assertEquals|assertNotEquals|assertAlmostEquals|assertNotAlmostEquals|assert_|failUnless|failIf|failUnlessEqual|failIfEqual|failUnlessAlmostEqual|failIfAlmostEqual|failUnlessRaises|assertRegexpMatches|assertNotRegexpMatches|assertRaisesRegexp|assertItemsEqual|assertDictContainsSubset)\('
WARN='(\b[A-Za-z_.]*(log|LOG|Log)[A-Za-z_]*|getLogger\([^()]*\))\.warn\('

sites() {  # DIR: "utc/aliases/warn"
  echo "$(trial_grep "$1" "$UTC")/$(trial_grep "$1" "$ALIASES")/$(trial_grep "$1" "$WARN")"
}

rows=()
for entry in "${LIBRARIES[@]}"; do
  read -r NAME VERSION PYPATH DEPS TEST_ARGS <<<"$entry"
  trial_wanted "$NAME" "$@" || continue
  trial_library "$NAME" "$VERSION" "$DEPS"
  declare -A dir=() left=() tests=() lost=()
  dir[base]="$SRC"
  for t in batchmod naive pyupgrade ruff; do dir[$t]=$(trial_copy "$SRC" "$t"); done
  dtz=$({ "$PEERS/ruff" check -q --isolated --select DTZ003,DTZ004 --statistics "$SRC" 2>/dev/null || true; } | awk '{n += $1} END {print n + 0}')
  trial_peer pyupgrade "${dir[pyupgrade]}" --py3-plus
  trial_peer ruff "${dir[ruff]}" --select UP005,DTZ003,DTZ004,G010 --unsafe-fixes
  export PYTHONPATH="$PYPATH"
  TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $TEST_ARGS"
  gaps=$(trial_gaps "${dir[batchmod]}" "$PLAYBOOK")
  for t in batchmod naive; do
    naive=no && [ "$t" = naive ] && naive=yes
    (cd "${dir[$t]}" && "$BATCHMOD" run "$PLAYBOOK" --root . --var "utc_naive=$naive" --var "test_command=$TEST_COMMAND" --yes 2>&1 | tail -4) || true
  done
  for t in "${TOOLS[@]}"; do
    left[$t]=$(sites "${dir[$t]}")
    tests[$t]=$(trial_suite "${dir[$t]}" "$TRIAL_DIR/$NAME-$t.txt" $TEST_ARGS)
    lost[$t]=$(trial_lost "$TRIAL_DIR/$NAME-base.txt" "$TRIAL_DIR/$NAME-$t.txt")
    echo "   $t: sites utc/aliases/warn ${left[$t]}; tests: ${tests[$t]} (lost ${lost[$t]})"
  done
  unset PYTHONPATH
  echo "   batchmod: $gaps gaps; ruff DTZ003/DTZ004 report $dtz sites (no fix)"
  rows+=("| deprecated-apis | $NAME $VERSION | ${left[base]} | ${left[batchmod]}, naive ${left[naive]} ($gaps gaps) | pyupgrade ${left[pyupgrade]}; ruff ${left[ruff]} (DTZ reports $dtz) | ${tests[base]} -> batchmod ${tests[batchmod]} (lost ${lost[batchmod]}), naive ${tests[naive]} (lost ${lost[naive]}), pyupgrade lost ${lost[pyupgrade]}, ruff lost ${lost[ruff]} |")
  unset dir left tests lost
done

echo
echo "| playbook | library | sites utc/aliases/warn | left by batchmod | left by peers | tests |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
