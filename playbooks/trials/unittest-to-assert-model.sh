#!/usr/bin/env bash
# Trial of the model path on a real package: unittest-to-assert with `on_gap: model` on
# simplejson 3.19.3's tests, the real anthropic SDK talking to batchmod's local test
# server (127.0.0.1), whose answers were written by hand for this trial
# (unittest-to-assert-answers.py). Nothing reaches the network but PyPI for the sdist.
#
#   1. plan --model: the deterministic rules, then the gaps asked (recorded to a cassette)
#   2. run: replays the cassette (the server must see no request), runs the tests
#   3. run --replay on a fresh copy, with no key and the server stopped: the same tree
#
# Usage (from the batchmod checkout):  playbooks/trials/unittest-to-assert-model.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CHECKOUT="$(cd "$HERE/../.." && pwd)"
BATCHMOD="${BATCHMOD:-batchmod}"
PYTHON="${PYTHON:-python3}"       # runs the test server: needs nothing but the checkout
TEST_PYTHON="${TEST_PYTHON:-$PYTHON}"   # runs simplejson's tests: needs pytest
TRIAL_DIR="${TRIAL_DIR:-/tmp/batchmod-trial-unittest-to-assert-model}"
SRC="simplejson-3.19.3"
TESTS=simplejson/tests
TEST_COMMAND="$TEST_PYTHON -m pytest -q -p no:cacheprovider $TESTS"

rm -rf "$TRIAL_DIR" && mkdir -p "$TRIAL_DIR/playbook" && cd "$TRIAL_DIR"
"$PYTHON" -m pip download --quiet --no-deps --no-binary :all: simplejson==3.19.3 -d "$TRIAL_DIR"
tar --no-same-owner -xzf "$SRC.tar.gz"
(cd "$SRC" && git init -q && git add -A && git -c user.name=trial -c user.email=trial@localhost commit -qm sdist)
cp -r "$SRC" "$SRC-replay"

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
(cd "$CHECKOUT" && exec "$PYTHON" -m tests.model_server --answers "$HERE/unittest-to-assert-answers.py" \
    --log "$TRIAL_DIR/server.log") > "$TRIAL_DIR/server.url" 2> "$TRIAL_DIR/server.err" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$TRIAL_DIR/server.url" ] && break; sleep 0.1; done
touch "$TRIAL_DIR/server.log"
export ANTHROPIC_BASE_URL="$(cat "$TRIAL_DIR/server.url")" ANTHROPIC_API_KEY=trial-key-not-a-secret

cd "$TRIAL_DIR/$SRC"
echo "== plan (forecast, asks nothing)"
"$BATCHMOD" plan "$PLAYBOOK" --root . --var src="$TESTS" | grep '^run budget'
echo "== plan --model (asks, records)"
"$BATCHMOD" plan "$PLAYBOOK" --root . --var src="$TESTS" --model | grep '^run budget'
asked=$(wc -l < "$TRIAL_DIR/server.log")
echo "== run (replays; the check runs the tests)"
"$BATCHMOD" run "$PLAYBOOK" --root . --var src="$TESTS" --var "test_command=$TEST_COMMAND" --yes | tail -6
[ "$(wc -l < "$TRIAL_DIR/server.log")" = "$asked" ] || { echo "FAIL: run asked the model again"; exit 1; }
$TEST_COMMAND 2>&1 | tail -1
git add -A && TREE=$(git write-tree)

kill $SERVER && wait $SERVER 2>/dev/null || true
echo "== run --replay on a fresh copy: no key, no server"
cd "$TRIAL_DIR/$SRC-replay"
env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL "$BATCHMOD" run "$PLAYBOOK" --root . --var src="$TESTS" \
    --var "test_command=$TEST_COMMAND" --yes --replay | tail -3
git add -A && [ "$(git write-tree)" = "$TREE" ] || { echo "FAIL: the replayed tree differs"; exit 1; }
echo "identical tree $TREE; $asked model request(s) in all; cassette: $(wc -l < "$TRIAL_DIR/playbook/trial.cassette.jsonl") exchange(s)"
grep -c trial-key-not-a-secret "$TRIAL_DIR/playbook/trial.cassette.jsonl" >/dev/null && { echo "FAIL: key in cassette"; exit 1; }
echo "the key is in no cassette line"
