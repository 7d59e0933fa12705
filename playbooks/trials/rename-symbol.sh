#!/usr/bin/env bash
# Trial of playbooks/rename-symbol.yaml on real libraries, against rope on the same code.
#
# For each library: download its sdist with pip, unpack it into a throwaway git
# repository under $TRIAL_DIR, count the whole-word mentions of the old name's last part
# (code, docstrings, comments, doctests; *.py plus pyproject.toml / setup.cfg), run its
# own test suite (with --doctest-modules where the package's doctests pass before),
# then rename one public symbol
#   - with rope on a copy (rope.refactor.rename, docs=True), and
#   - with `batchmod run playbooks/rename-symbol.yaml` (the suite as the phase's check),
# and count what each leaves. The tests that passed before must pass after batchmod.
# Prints one markdown row per library. Nothing is written outside $TRIAL_DIR.
#
# Usage:  playbooks/trials/rename-symbol.sh [LIBRARY ...]    (default: all below)
#         BATCHMOD=.venv/bin/batchmod ROPE_PYTHON=/work/venv/bin/python TRIAL_DIR=/tmp/x playbooks/trials/rename-symbol.sh pyflakes
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"
trial_init rename-symbol
ROPE_PYTHON="${ROPE_PYTHON:-python3}"   # a Python with rope installed

# name version old new defining-file test-arguments...
LIBRARIES=(
  "pyflakes 3.2.0 pyflakes.api.checkPath pyflakes.api.check_path pyflakes/api.py pyflakes/test"
  "pycparser 2.22 pycparser.parse_file pycparser.parse_c_file pycparser/__init__.py tests"
  "sqlparse 0.5.0 sqlparse.parsestream sqlparse.parse_stream sqlparse/__init__.py tests --doctest-modules sqlparse"
  "tabulate 0.9.0 tabulate.simple_separated_format tabulate.separated_format tabulate/__init__.py test"
)

count_mentions() {  # DIR NAME: whole-word mentions in *.py, pyproject.toml and setup.cfg
  { grep -row --include='*.py' --include=pyproject.toml --include=setup.cfg \
      --exclude-dir=.git --exclude-dir=.batchmod "$2" "$1" || true; } | wc -l
}
cat > "$TRIAL_DIR/rope_rename.py" <<'EOF'
"""rope: rename the module-level name NAME defined in FILE to NEW (docs included)."""
import re, sys
from rope.base.project import Project
from rope.refactor.rename import Rename
root, path, name, new = sys.argv[1:5]
project = Project(root, ropefolder=None)
resource = project.get_resource(path)
source = resource.read()
match = re.search(rf"^(?:def|class) ({re.escape(name)})\b|^({re.escape(name)})\s*=", source, re.M)
offset = match.start(1) if match.group(1) else match.start(2)
project.do(Rename(project, resource, offset).get_changes(new, docs=True))
project.close()
EOF
trial_venv

rows=()
for entry in "${LIBRARIES[@]}"; do
  read -r NAME VERSION OLD NEW DEFINING TEST_ARGS <<<"$entry"
  trial_wanted "$NAME" "$@" || continue
  OLD_LAST="${OLD##*.}" NEW_LAST="${NEW##*.}"
  BEFORE="$TRIAL_DIR/$NAME-passed-before.txt" AFTER="$TRIAL_DIR/$NAME-passed-after.txt"
  echo "== $NAME $VERSION: $OLD -> $NEW"
  SRC=$(trial_fetch "$NAME" "$VERSION")

  before=$(count_mentions "$SRC" "$OLD_LAST")
  trial_suite "$SRC" "$BEFORE" $TEST_ARGS >/dev/null
  echo "   mentions of $OLD_LAST: $before; tests passing before: $(wc -l < "$BEFORE")"

  ROPE=$(trial_copy "$SRC" rope) && rm -rf "$ROPE/.git"   # rope would `git mv`
  rope_status=ok
  "$ROPE_PYTHON" "$TRIAL_DIR/rope_rename.py" "$ROPE" "$DEFINING" "$OLD_LAST" "$NEW_LAST" 2>"$TRIAL_DIR/$NAME-rope.err" || rope_status=failed
  rope_left=$(count_mentions "$ROPE" "$OLD_LAST")
  trial_suite "$ROPE" "$TRIAL_DIR/$NAME-passed-rope.txt" $TEST_ARGS >/dev/null
  rope_lost=$(trial_lost "$BEFORE" "$TRIAL_DIR/$NAME-passed-rope.txt")

  TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $TEST_ARGS"
  VARS=(--var "old=$OLD" --var "new=$NEW")
  gaps=$(trial_gaps "$SRC" "$PLAYBOOK" "${VARS[@]}")
  (cd "$SRC" && "$BATCHMOD" run "$PLAYBOOK" --root . "${VARS[@]}" --var "test_command=$TEST_COMMAND" --yes | tail -2)
  ours=$(count_mentions "$SRC" "$OLD_LAST")
  trial_suite "$SRC" "$AFTER" $TEST_ARGS >/dev/null
  lost=$(trial_lost "$BEFORE" "$AFTER")
  echo "   left: rope $rope_left ($rope_status; tests lost: $rope_lost), batchmod $ours ($gaps gaps; tests lost: $lost)"
  rows+=("| rename-symbol | $NAME $VERSION (\`$OLD\` -> \`$NEW_LAST\`) | $before | rope: $rope_left ($rope_lost tests lost) | $ours ($gaps gaps) | $(wc -l < "$BEFORE") passed before, $lost lost after |")
  if [ "$lost" -ne 0 ]; then
    echo "FAIL: tests that passed before and not after batchmod:"; comm -23 "$BEFORE" "$AFTER"; exit 1
  fi
done

echo
echo "| playbook | library | mentions | left by peers | left by batchmod | library's tests |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
