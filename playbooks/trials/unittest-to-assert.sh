#!/usr/bin/env bash
# Trial of playbooks/unittest-to-assert.yaml on a real package: simplejson 3.19.3,
# whose tests (simplejson/tests/) are unittest.TestCase classes.
#
# Everything happens under $TRIAL_DIR (default /tmp/batchmod-trial-unittest-to-assert),
# never in the batchmod checkout: the sdist is downloaded with pip, unpacked, committed
# to a throwaway git repository, its C speedups are built in place (so that no test is
# skipped), its suite runs before and after `batchmod run`, and the test ids that
# passed before must all pass after. Nothing is committed anywhere else.
#
# Usage:  playbooks/trials/unittest-to-assert.sh
#         BATCHMOD=/path/to/batchmod TRIAL_DIR=/tmp/x PYTHON=python3.11 playbooks/trials/unittest-to-assert.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLAYBOOK="$HERE/../unittest-to-assert.yaml"
BATCHMOD="${BATCHMOD:-batchmod}"
PYTHON="${PYTHON:-python3}"
TRIAL_DIR="${TRIAL_DIR:-/tmp/batchmod-trial-unittest-to-assert}"
PACKAGE=simplejson
VERSION=3.19.3
SRC="$TRIAL_DIR/$PACKAGE-$VERSION"
TESTS=simplejson/tests

rm -rf "$TRIAL_DIR" && mkdir -p "$TRIAL_DIR" && cd "$TRIAL_DIR"

echo "== download and unpack $PACKAGE==$VERSION (sdist)"
"$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$PACKAGE==$VERSION" -d "$TRIAL_DIR"
tar --no-same-owner -xzf "$PACKAGE-$VERSION.tar.gz"
cd "$SRC"
git init -q
git add -A
git -c user.name=trial -c user.email=trial@localhost commit -qm "$PACKAGE $VERSION sdist"

echo "== throwaway venv with pytest; C speedups built in place"
"$PYTHON" -m venv "$TRIAL_DIR/venv"
VPY="$TRIAL_DIR/venv/bin/python"
"$VPY" -m pip install --quiet pytest setuptools
"$VPY" setup.py -q build_ext -i >/dev/null 2>&1 || echo "(C speedups not built: their tests will be skipped)"
TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $TESTS"

cat > "$TRIAL_DIR/count_sites.py" <<'EOF'
"""Count self.assert*/self.fail* calls, assert statements and pytest.raises/approx (code only)."""
import ast, collections, pathlib, sys
counts = collections.Counter()
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"
                and node.func.attr.startswith(("assert", "fail"))):
            counts["self." + node.func.attr] += 1
        elif isinstance(node, ast.Assert):
            counts["assert statement"] += 1
        elif (isinstance(node, ast.Attribute) and node.attr in ("raises", "approx")
              and isinstance(node.value, ast.Name) and node.value.id == "pytest"):
            counts["pytest." + node.attr] += 1
for name, n in counts.most_common():
    print(f"{n:6d}  {name}")
EOF

passed_ids() {  # test ids that passed, sorted
    $TEST_COMMAND -rA 2>&1 | sed -n 's/^PASSED //p' | sort
}

echo "== before"
$TEST_COMMAND 2>&1 | tail -1
passed_ids > "$TRIAL_DIR/passed-before.txt"
"$VPY" "$TRIAL_DIR/count_sites.py" "$TESTS" | tee "$TRIAL_DIR/sites-before.txt"

echo "== plan (dry run)"
"$BATCHMOD" plan "$PLAYBOOK" --root . --var src="$TESTS" --json --out "$TRIAL_DIR/plan.json" >/dev/null
"$BATCHMOD" plan "$PLAYBOOK" --root . --var src="$TESTS" | tee "$TRIAL_DIR/plan.txt" | sed -n '3,4p;/^  gaps (/,/^$/p'

echo "== run (writes the files; the playbook's check runs the suite)"
"$BATCHMOD" run "$PLAYBOOK" --root . --var src="$TESTS" --var "test_command=$TEST_COMMAND" --yes | tail -6

echo "== after"
$TEST_COMMAND 2>&1 | tail -1
passed_ids > "$TRIAL_DIR/passed-after.txt"
"$VPY" "$TRIAL_DIR/count_sites.py" "$TESTS" | tee "$TRIAL_DIR/sites-after.txt"
git diff --shortstat
lost="$(comm -23 "$TRIAL_DIR/passed-before.txt" "$TRIAL_DIR/passed-after.txt")"
if [ -n "$lost" ]; then
    echo "FAIL: tests that passed before and not after:"; echo "$lost"; exit 1
fi
echo "every test that passed before passes after ($(wc -l < "$TRIAL_DIR/passed-after.txt") passed)"

echo "== a second plan changes nothing"
"$BATCHMOD" plan "$PLAYBOOK" --root . --var src="$TESTS" | sed -n '3p'
