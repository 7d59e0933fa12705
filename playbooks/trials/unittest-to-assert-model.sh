#!/usr/bin/env bash
# Trial of the model path on a real package: unittest-to-assert with `on_gap: model` on
# simplejson 3.19.3's tests, the real anthropic SDK talking to batchmod's local test
# server (127.0.0.1), whose answers were written by hand for this trial
# (unittest-to-assert-answers.py). Nothing reaches the network but PyPI (the sdist, and
# pytest for the throwaway venv that runs simplejson's tests; see lib.sh).
#
#   1. plan --model: the deterministic rules, then the gaps asked (recorded to a cassette)
#   2. run: replays the cassette (the server must see no request), runs the tests
#   3. run --replay on a fresh copy, with no key and the server stopped: the same tree
#
# Usage (from the batchmod checkout):  playbooks/trials/unittest-to-assert-model.sh
#         BATCHMOD=/path/to/batchmod PYTHON=python3 TRIAL_DIR=/tmp/x ...
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"
TESTS=simplejson/tests

trial_init unittest-to-assert-model
SRC=$(trial_fetch simplejson 3.19.3)
REPLAY=$(trial_copy "$SRC" replay)
trial_venv
TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $TESTS"

echo "== the catalogue playbook with a model section and on_gap: model"
trial_model_playbook
echo "== the local server"
trial_model_server "$HERE/unittest-to-assert-answers.py"

cd "$SRC"
echo "== plan (forecast, asks nothing)"
"$BATCHMOD" plan "$PLAYBOOK" --root . --var src="$TESTS" | grep '^run budget'
echo "== plan --model (asks, records)"
"$BATCHMOD" plan "$PLAYBOOK" --root . --var src="$TESTS" --model | grep '^run budget'
asked=$(trial_model_asked)
echo "== run (replays; the check runs the tests)"
"$BATCHMOD" run "$PLAYBOOK" --root . --var src="$TESTS" --var "test_command=$TEST_COMMAND" --yes | tail -6
[ "$(trial_model_asked)" = "$asked" ] || { echo "FAIL: run asked the model again"; exit 1; }
$TEST_COMMAND 2>&1 | tail -1
trial_tree .

trial_model_replay "$REPLAY" --root . --var src="$TESTS" --var "test_command=$TEST_COMMAND"
