#!/usr/bin/env bash
# Trial of the model path closing every gap on a real package: unittest-to-assert with
# `on_gap: model` on isodate 0.6.1's tests. The deterministic rules convert all but four
# assertions (operands spanning lines outside brackets); the real anthropic SDK, talking
# to batchmod's local test server (127.0.0.1) whose answers were written by hand for
# this trial (isodate-unittest-to-assert-answers.py), fills those four. Nothing reaches
# the network but PyPI (the sdist, and pytest and six for isodate's tests).
#
#   1. the tests pass on the untouched sdist
#   2. plan (forecast), then plan --model: the gaps asked, recorded to a cassette
#   3. run: replays the cassette (the server sees no request), the check runs the tests
#   4. no self.assert* is left; run --replay on a fresh copy, no key, no server: same tree
#
# Usage (from the batchmod checkout):  playbooks/trials/isodate-unittest-to-assert-model.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECKOUT="$(cd "$HERE/../.." && pwd)"
BATCHMOD="${BATCHMOD:-batchmod}"
PYTHON="${PYTHON:-python3}"        # runs the test server: needs nothing but the checkout
TRIAL_DIR="${TRIAL_DIR:-/tmp/batchmod-trial-isodate-model}"
SRC="isodate-0.6.1"
TESTS=src/isodate/tests

rm -rf "$TRIAL_DIR" && mkdir -p "$TRIAL_DIR/playbook" && cd "$TRIAL_DIR"
"$PYTHON" -m pip download --quiet --no-deps --no-binary :all: isodate==0.6.1 -d "$TRIAL_DIR"
tar --no-same-owner -xzf "$SRC.tar.gz"
(cd "$SRC" && git init -q && git add -A && git -c user.name=trial -c user.email=trial@localhost commit -qm sdist)
cp -r "$SRC" "$SRC-replay"
"$PYTHON" -m venv "$TRIAL_DIR/venv" && "$TRIAL_DIR/venv/bin/pip" install --quiet pytest six
TEST_COMMAND="env PYTHONPATH=src $TRIAL_DIR/venv/bin/python -m pytest -q -p no:cacheprovider $TESTS"

echo "== the tests on the untouched sdist"
(cd "$SRC" && $TEST_COMMAND 2>&1 | tail -1)

echo "== the catalogue playbook with a model section and on_gap: model"
PLAYBOOK="$TRIAL_DIR/playbook/unittest-to-assert-model.yaml"
"$PYTHON" - "$CHECKOUT/playbooks/unittest-to-assert.yaml" "$PLAYBOOK" <<'PY'
import sys
text = open(sys.argv[1]).read()
text = text.replace("    on_gap: report\n", "    on_gap: model\n", 1)
text = text.replace("\ntask_types:\n", "\nmodel:\n  provider: anthropic\n  name: claude-haiku-4-5\n"
                    "  cassette: trial.cassette.jsonl\n\ntask_types:\n", 1)
text = text.replace("  max_lines: 20000\n", "  max_lines: 20000\n  max_model_calls: 20\n  max_cost_usd: 1.0\n", 1)
open(sys.argv[2], "w").write(text)
PY

echo "== the local server"
(cd "$CHECKOUT" && exec "$PYTHON" -m tests.model_server --answers "$HERE/isodate-unittest-to-assert-answers.py" \
    --log "$TRIAL_DIR/server.log") > "$TRIAL_DIR/server.url" 2> "$TRIAL_DIR/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$TRIAL_DIR/server.url" ] && break; sleep 0.1; done
touch "$TRIAL_DIR/server.log"
export ANTHROPIC_BASE_URL="$(cat "$TRIAL_DIR/server.url")" ANTHROPIC_API_KEY=trial-key-not-a-secret

cd "$TRIAL_DIR/$SRC"
ARGS=(--root . --var src="$TESTS" --var "test_command=$TEST_COMMAND")
echo "== plan (forecast, asks nothing)"
env -u ANTHROPIC_API_KEY "$BATCHMOD" plan "$PLAYBOOK" "${ARGS[@]}" | grep -E '^run budget|gaps \(|would ask'
echo "== plan --model (asks, records)"
"$BATCHMOD" plan "$PLAYBOOK" "${ARGS[@]}" --model | grep -E '^run budget|  model:'
asked=$(wc -l < "$TRIAL_DIR/server.log")
echo "== run (replays; the check runs the tests)"
"$BATCHMOD" run "$PLAYBOOK" "${ARGS[@]}" --yes | tail -8
[ "$(wc -l < "$TRIAL_DIR/server.log")" = "$asked" ] || { echo "FAIL: run asked the model again"; exit 1; }
$TEST_COMMAND 2>&1 | tail -1
if grep -n "self\.assert" $TESTS/*.py | grep -v "^\S*:\s*#"; then echo "FAIL: a unittest assertion is left"; exit 1; fi
"$BATCHMOD" report --format json | "$PYTHON" -c "import json,sys; m=json.load(sys.stdin)['model']; print('model figures (recorded by plan --model, replayed by run):', json.dumps(m['replayed']), 'gaps filled', m['gaps_filled'], 'left', m['gaps_left'], 'first attempt', m['first_attempt'], 'of', m['subtasks'])"
git add -A && TREE=$(git write-tree)

kill $SERVER && wait $SERVER 2>/dev/null || true
echo "== run --replay on a fresh copy: no key, no server"
cd "$TRIAL_DIR/$SRC-replay"
env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL "$BATCHMOD" run "$PLAYBOOK" "${ARGS[@]}" --yes --replay | tail -3
git add -A && [ "$(git write-tree)" = "$TREE" ] || { echo "FAIL: the replayed tree differs"; exit 1; }
echo "identical tree $TREE; $asked model request(s) in all; cassette: $(wc -l < "$TRIAL_DIR/playbook/trial.cassette.jsonl") exchange(s)"
