#!/usr/bin/env bash
# Trial of playbooks/unittest-to-assert.yaml on a real library whose tests are
# unittest.TestCase classes, beside unittest2pytest (the peer) on a copy of the same code.
#
# Usage:  playbooks/trials/unittest-to-assert.sh [LIBRARY]
#         LIBRARY: simplejson (default, 3.19.3), more-itertools (10.3.0), markdown (3.7)
#         BATCHMOD=/path/to/batchmod UNITTEST2PYTEST=/path/to/unittest2pytest TRIAL_DIR=/tmp/x ...
#
# Everything happens under $TRIAL_DIR (default /tmp/batchmod-trial-unittest-to-assert-LIBRARY),
# never in the batchmod checkout (see lib.sh): the sdist becomes a throwaway git
# repository, its suite runs in a throwaway venv before, after unittest2pytest (on a
# copy) and after `batchmod run` (on the original). Printed: the assertion calls of
# unittest.TestCase methods (an `ast` count; the project's own helpers such as
# assertMarkdownRenders are not counted) before and after each, the gaps batchmod
# reports, and the tests before -> after with the tests that passed before and fail
# after. Exit 1 when a test that passed before fails after batchmod.
set -euo pipefail

LIBRARY="${1:-simplejson}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
UNITTEST2PYTEST="${UNITTEST2PYTEST:-$(command -v unittest2pytest || echo /work/venv/bin/unittest2pytest)}"
PLAYBOOK="$PLAYBOOKS/unittest-to-assert.yaml"

# SUITE: what pytest runs (Markdown's test_legacy.py turns every warning into an error
# when imported, pytest's collection warnings included: it is collected last)
case "$LIBRARY" in
  simplejson) NAME=simplejson VERSION=3.19.3 TESTS=simplejson/tests DEPS=(setuptools) SUITE=simplejson/tests ;;
  more-itertools) NAME=more-itertools VERSION=10.3.0 TESTS=tests DEPS=() SUITE=tests ;;
  markdown) NAME=Markdown VERSION=3.7 TESTS=tests DEPS=(pyyaml)
    SUITE="tests/test_syntax tests/test_apis.py tests/test_extensions.py tests/test_meta.py tests/test_legacy.py" ;;
  *) echo "unknown library $LIBRARY (simplejson, more-itertools, markdown)" >&2; exit 2 ;;
esac

trial_init "unittest-to-assert-$LIBRARY"
echo "== $NAME $VERSION: download, unpack as a git repository, venv"
SRC=$(trial_fetch "$NAME" "$VERSION")
trial_venv "${DEPS[@]}"
if [ "$LIBRARY" = simplejson ]; then  # C speedups built in place, so that no test is skipped
  (cd "$SRC" && "$VPY" setup.py -q build_ext -i >/dev/null 2>&1) || echo "(C speedups not built: their tests are skipped)"
fi

cat > "$TRIAL_DIR/count_sites.py" <<'EOF'
"""Calls self.<m>(...) of unittest.TestCase's assert*/fail* methods, in DIR's *.py files
(counted in the text, and said so, in a file that does not parse)."""
import ast, pathlib, re, sys, unittest
methods = {m for m in dir(unittest.TestCase) if m.startswith(("assert", "fail"))}
n, broken = 0, 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    try:
        tree = ast.parse(path.read_bytes())
    except SyntaxError:
        broken += 1
        n += sum(1 for m in re.findall(r"\bself\.(\w+)\s*\(", path.read_text()) if m in methods)
        continue
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"
                and node.func.attr in methods):
            n += 1
print(f"{n} ({broken} files do not parse)" if broken else n)
EOF
sites() { "$VPY" "$TRIAL_DIR/count_sites.py" "$1/$TESTS"; }

echo "== before"
BEFORE_SITES=$(sites "$SRC")
BEFORE_TESTS=$(trial_suite "$SRC" "$TRIAL_DIR/before.ids" $SUITE)
echo "assertion calls: $BEFORE_SITES; tests: $BEFORE_TESTS"

peer() {  # LABEL ARGS...: unittest2pytest ARGS on a copy, file by file (one crash would stop a
         # whole-folder run), print as a function; sets PEER_ROW
  local label="$1" copy failed=0 file sites tests lost
  shift
  copy=$(trial_copy "$SRC" "$label")
  for file in $(cd "$copy" && git ls-files "$TESTS" | grep '\.py$'); do
    "$UNITTEST2PYTEST" "$@" -p -w -n "$copy/$file" >/dev/null 2>"$TRIAL_DIR/unittest2pytest.err" \
      || { failed=$((failed + 1)); echo "unittest2pytest failed on $file: $(grep -m1 -E "Error|Can't" "$TRIAL_DIR/unittest2pytest.err")"; }
  done
  sites=$(sites "$copy")
  tests=$(trial_suite "$copy" "$TRIAL_DIR/$label.ids" $SUITE)
  lost=$(trial_lost "$TRIAL_DIR/before.ids" "$TRIAL_DIR/$label.ids")
  echo "assertion calls left: $sites; files it failed on: $failed; tests: $tests; passed before, not after: $lost"
  PEER_ROW="$PEER_ROW unittest2pytest (${label#unittest2pytest-}): $sites left$([ "$failed" -eq 0 ] || echo " (crashed on $failed files)"), tests → $tests ($lost lost);"
}
PEER_ROW=""
echo "== unittest2pytest -f self_assert (its assertion fixer) on a copy"
peer unittest2pytest-self_assert -f self_assert
echo "== unittest2pytest with all its fixers (remove_class too) on a copy"
peer unittest2pytest-all

echo "== batchmod plan, then run (the playbook's check runs the suite)"
GAPS=$(trial_gaps "$SRC" "$PLAYBOOK" --var src="$TESTS")
TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $SUITE"
(cd "$SRC" && "$BATCHMOD" run "$PLAYBOOK" --root . --var src="$TESTS" --var "test_command=$TEST_COMMAND" --yes | tail -4) \
  || echo "(batchmod run exited $?)"
AFTER_SITES=$(sites "$SRC")
AFTER_TESTS=$(trial_suite "$SRC" "$TRIAL_DIR/after.ids" $SUITE)
LOST=$(trial_lost "$TRIAL_DIR/before.ids" "$TRIAL_DIR/after.ids")
(cd "$SRC" && git diff --shortstat -- "$TESTS")
echo "assertion calls left: $AFTER_SITES; gaps reported: $GAPS; tests: $AFTER_TESTS; passed before, not after: $LOST"
(cd "$SRC" && "$BATCHMOD" plan "$PLAYBOOK" --root . --var src="$TESTS" | sed -n '3p')

echo "== row"
echo "| unittest-to-assert | $NAME $VERSION (\`$TESTS\`) | $BEFORE_SITES assertion calls | $AFTER_SITES ($GAPS gaps reported) | ${PEER_ROW%;} | $BEFORE_TESTS → $AFTER_TESTS ($LOST lost) |"
[ "$LOST" -eq 0 ] || { echo "FAIL: $LOST tests passed before and not after:"; comm -23 "$TRIAL_DIR/before.ids" "$TRIAL_DIR/after.ids" | head -20; exit 1; }
