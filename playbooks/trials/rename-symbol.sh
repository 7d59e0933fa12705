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
PLAYBOOK="$HERE/../rename-symbol.yaml"
BATCHMOD="${BATCHMOD:-batchmod}"
PYTHON="${PYTHON:-python3}"
ROPE_PYTHON="${ROPE_PYTHON:-python3}"   # a Python with rope installed
TRIAL_DIR="${TRIAL_DIR:-/tmp/batchmod-trial-rename-symbol}"

# name version old new defining-file test-arguments...
LIBRARIES=(
  "pyflakes 3.2.0 pyflakes.api.checkPath pyflakes.api.check_path pyflakes/api.py pyflakes/test"
  "pycparser 2.22 pycparser.parse_file pycparser.parse_c_file pycparser/__init__.py tests"
  "sqlparse 0.5.0 sqlparse.parsestream sqlparse.parse_stream sqlparse/__init__.py tests --doctest-modules sqlparse"
  "tabulate 0.9.0 tabulate.simple_separated_format tabulate.separated_format tabulate/__init__.py test"
)

mkdir -p "$TRIAL_DIR/sdists"
cat > "$TRIAL_DIR/count_mentions.py" <<'EOF'
"""Whole-word mentions of NAME in *.py, pyproject.toml and setup.cfg under ROOT."""
import pathlib, re, sys
root, name = pathlib.Path(sys.argv[1]), sys.argv[2]
word = re.compile(rf"(?<![\w]){re.escape(name)}(?!\w)")
files = [p for p in root.rglob("*.py")] + [root / "pyproject.toml", root / "setup.cfg"]
print(sum(len(word.findall(p.read_text(encoding="utf-8", errors="replace")))
          for p in files if p.is_file() and ".git" not in p.parts and ".batchmod" not in p.parts))
EOF
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

if [ ! -x "$TRIAL_DIR/venv/bin/python" ]; then
  "$PYTHON" -m venv "$TRIAL_DIR/venv"
  "$TRIAL_DIR/venv/bin/python" -m pip install --quiet pytest
fi
VPY="$TRIAL_DIR/venv/bin/python"

passed_ids() {  # DIR ARGS... : sorted ids of the tests that passed
  (cd "$1" && shift && "$VPY" -m pytest -q -p no:cacheprovider -rA "$@" 2>&1 | sed -n 's/^PASSED //p' | sort)
}

rows=()
selected=("$@")
for entry in "${LIBRARIES[@]}"; do
  read -r NAME VERSION OLD NEW DEFINING TEST_ARGS <<<"$entry"
  if [ ${#selected[@]} -gt 0 ] && [[ ! " ${selected[*]} " == *" $NAME "* ]]; then continue; fi
  SRC="$TRIAL_DIR/$NAME-$VERSION"
  OLD_LAST="${OLD##*.}" NEW_LAST="${NEW##*.}"
  echo "== $NAME $VERSION: $OLD -> $NEW"
  rm -rf "$SRC" "$SRC-rope"
  [ -f "$TRIAL_DIR/sdists/$NAME-$VERSION.tar.gz" ] || \
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$NAME==$VERSION" -d "$TRIAL_DIR/sdists" 2>/dev/null
  tar --no-same-owner -xzf "$TRIAL_DIR/sdists/$NAME-$VERSION.tar.gz" -C "$TRIAL_DIR"
  (cd "$SRC" && git init -q && git add -A && git -c user.name=trial -c user.email=trial@localhost commit -qm "$NAME $VERSION sdist")

  before=$("$VPY" "$TRIAL_DIR/count_mentions.py" "$SRC" "$OLD_LAST")
  passed_ids "$SRC" $TEST_ARGS > "$TRIAL_DIR/$NAME-passed-before.txt"
  echo "   mentions of $OLD_LAST: $before; tests passing before: $(wc -l < "$TRIAL_DIR/$NAME-passed-before.txt")"

  cp -r "$SRC" "$SRC-rope" && rm -rf "$SRC-rope/.git"
  rope_status=ok
  "$ROPE_PYTHON" "$TRIAL_DIR/rope_rename.py" "$SRC-rope" "$DEFINING" "$OLD_LAST" "$NEW_LAST" 2>"$TRIAL_DIR/$NAME-rope.err" || rope_status=failed
  rope_left=$("$VPY" "$TRIAL_DIR/count_mentions.py" "$SRC-rope" "$OLD_LAST")
  rope_lost=$(comm -23 "$TRIAL_DIR/$NAME-passed-before.txt" <(passed_ids "$SRC-rope" $TEST_ARGS) | wc -l)

  TEST_COMMAND="$VPY -m pytest -q -p no:cacheprovider $TEST_ARGS"
  VARS=(--var "old=$OLD" --var "new=$NEW")
  (cd "$SRC" && "$BATCHMOD" plan "$PLAYBOOK" --root . "${VARS[@]}" --json --out "$TRIAL_DIR/$NAME-plan.json" >/dev/null)
  gaps=$("$VPY" -c "import json,sys; p=json.load(open(sys.argv[1])); print(sum(len(s['gaps']) for ph in p['phases'] for s in ph['subtasks']))" "$TRIAL_DIR/$NAME-plan.json")
  (cd "$SRC" && "$BATCHMOD" run "$PLAYBOOK" --root . "${VARS[@]}" --var "test_command=$TEST_COMMAND" --yes | tail -2)
  ours=$("$VPY" "$TRIAL_DIR/count_mentions.py" "$SRC" "$OLD_LAST")
  passed_ids "$SRC" $TEST_ARGS > "$TRIAL_DIR/$NAME-passed-after.txt"
  lost=$(comm -23 "$TRIAL_DIR/$NAME-passed-before.txt" "$TRIAL_DIR/$NAME-passed-after.txt" | wc -l)
  echo "   left: rope $rope_left ($rope_status; tests lost: $rope_lost), batchmod $ours ($gaps gaps; tests lost: $lost)"
  rows+=("| rename-symbol | $NAME $VERSION (\`$OLD\` -> \`$NEW_LAST\`) | $before | rope: $rope_left ($rope_lost tests lost) | $ours ($gaps gaps) | $(wc -l < "$TRIAL_DIR/$NAME-passed-before.txt") passed before, $lost lost after |")
  if [ "$lost" -ne 0 ]; then
    echo "FAIL: tests that passed before and not after batchmod:"; comm -23 "$TRIAL_DIR/$NAME-passed-before.txt" "$TRIAL_DIR/$NAME-passed-after.txt"; exit 1
  fi
done

echo
echo "| playbook | library | mentions | left by peers | left by batchmod | library's tests |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
