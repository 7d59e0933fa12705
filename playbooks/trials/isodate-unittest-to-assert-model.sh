#!/usr/bin/env bash
# Trial of the model path on a real package: unittest-to-assert with `on_gap: model` on
# isodate 0.6.1's tests, the real anthropic SDK talking to batchmod's local test server
# (127.0.0.1), whose answers were written by hand for this trial
# (isodate-unittest-to-assert-answers.py) for the four assertions the rules once left
# (operands spanning lines outside brackets). The rules now parenthesise such operands
# and convert all four, so the trial shows the other side: with no gap left, plan --model
# and run ask nothing and record no cassette, and the tree is the same. Nothing reaches
# the network but PyPI (the sdist, and pytest and six for isodate's tests; see lib.sh).
#
#   1. the tests pass on the untouched sdist
#   2. plan (forecast), then plan --model: any gap asked, recorded to a cassette
#   3. run: replays the cassette (the server sees no request), the check runs the tests
#   4. no self.assert* is left; run --replay on a fresh copy, no key, no server: same tree
#
# Usage (from the batchmod checkout):  playbooks/trials/isodate-unittest-to-assert-model.sh
#         BATCHMOD=/path/to/batchmod PYTHON=python3 TRIAL_DIR=/tmp/x ...
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"
TESTS=src/isodate/tests

trial_init isodate-model
SRC=$(trial_fetch isodate 0.6.1)
REPLAY=$(trial_copy "$SRC" replay)
trial_venv six
TEST_COMMAND="env PYTHONPATH=src $VPY -m pytest -q -p no:cacheprovider $TESTS"

echo "== the tests on the untouched sdist"
(cd "$SRC" && $TEST_COMMAND 2>&1 | tail -1)

echo "== the catalogue playbook with a model section and on_gap: model"
trial_model_playbook
echo "== the local server"
trial_model_server "$HERE/isodate-unittest-to-assert-answers.py"

cd "$SRC"
ARGS=(--root . --var src="$TESTS" --var "test_command=$TEST_COMMAND")
echo "== plan (forecast, asks nothing)"
env -u ANTHROPIC_API_KEY "$BATCHMOD" plan "$PLAYBOOK" "${ARGS[@]}" | grep -E '^run budget|gaps \(|would ask'
echo "== plan --model (asks, records)"
"$BATCHMOD" plan "$PLAYBOOK" "${ARGS[@]}" --model | grep -E '^run budget|  model:'
asked=$(trial_model_asked)
echo "== run (replays; the check runs the tests)"
"$BATCHMOD" run "$PLAYBOOK" "${ARGS[@]}" --yes | tail -8
[ "$(trial_model_asked)" = "$asked" ] || { echo "FAIL: run asked the model again"; exit 1; }
$TEST_COMMAND 2>&1 | tail -1
if grep -n "self\.assert" $TESTS/*.py | grep -v "^\S*:\s*#"; then echo "FAIL: a unittest assertion is left"; exit 1; fi
"$BATCHMOD" report --format json | "$PYTHON" -c "
import json, sys
m = json.load(sys.stdin)['model']
if m is None:
    print('model figures: none (the rules left no gap for the model)')
else:
    print('model figures (recorded by plan --model, replayed by run):', json.dumps(m['replayed']), 'gaps filled',
          m['gaps_filled'], 'left', m['gaps_left'], 'first attempt', m['first_attempt'], 'of', m['subtasks'])"
trial_tree .

trial_model_replay "$REPLAY" "${ARGS[@]}"
