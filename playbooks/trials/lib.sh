# Shared set-up of the trial scripts: `source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"`.
#
# A trial downloads a real library's sdist with pip, unpacks it into a throwaway git
# repository under $TRIAL_DIR (never inside the batchmod checkout), runs the library's
# own test suite in a throwaway venv, counts sites with grep, runs peers on copies and
# batchmod on the original, and prints figures. Nothing downloaded is committed.
#
# Settings (environment; each has a default):
#   BATCHMOD   the batchmod executable                  (batchmod on PATH)
#   PYTHON     makes the venv and runs pip download     (python3)
#   PEERS      folder holding pyupgrade and ruff        (where pyupgrade is on PATH)
#   TRIAL_DIR  the work folder                          (/tmp/batchmod-trial-<trial name>)
#
# Functions (each documents its arguments; all fail loudly under `set -e`):
#   trial_init NAME              sets TRIAL_DIR, VPY, PLAYBOOKS and PLAYBOOK (playbooks/NAME.yaml)
#   trial_wanted NAME SELECTED...     true when SELECTED (the script's arguments) is empty or names NAME
#   trial_library NAME VERSION DEPS   echo a heading, trial_fetch into SRC, trial_venv DEPS (a,b or -)
#   trial_fetch NAME VERSION     a fresh git repository of the sdist; prints its path
#   trial_venv PACKAGE...        the throwaway venv $TRIAL_DIR/venv with pytest and PACKAGE...
#   trial_suite DIR IDS ARGS...  runs pytest ARGS in DIR; passed ids to IDS; prints the counts
#   trial_lost BEFORE AFTER      how many ids of BEFORE are missing from AFTER
#   trial_count DIR ERE          matches of ERE (whole words) in DIR's *.py files
#   trial_grep DIR ERE           matches of ERE (anywhere) in DIR's *.py files
#   trial_copy DIR LABEL         a fresh copy DIR-LABEL of DIR (git history kept); prints it
#   trial_peer PEER DIR ARGS...  applies pyupgrade or ruff (with ARGS) to DIR's *.py files
#   trial_gaps DIR PLAYBOOK ARGS...   the number of gaps `batchmod plan` reports
#   trial_commit DIR MESSAGE     commits everything but .batchmod/ (between phases)
#
# The model trials (unittest-to-assert with `on_gap: model`; the real anthropic SDK talks to
# tests/model_server.py on 127.0.0.1, answering from a script written by hand: no network):
#   trial_model_playbook         $TRIAL_DIR/playbook/unittest-to-assert-model.yaml (a model section,
#                                on_gap: model, a model budget; the cassette beside it); sets PLAYBOOK
#   trial_model_server ANSWERS   starts the server with the ANSWERS script (stopped on exit), exports
#                                ANTHROPIC_BASE_URL and a made-up ANTHROPIC_API_KEY
#   trial_model_asked            how many requests the server has answered so far
#   trial_model_replay DIR ARGS...   stops the server, then `batchmod run --replay` with ARGS in the
#                                fresh copy DIR (no key, no server); fails unless DIR's tree is then
#                                $TREE (trial_tree of the first run) and no cassette line holds the key
#   trial_tree DIR               the git tree of DIR's working tree (everything added); sets TREE

BATCHMOD="${BATCHMOD:-batchmod}"
PYTHON="${PYTHON:-python3}"
PEERS="${PEERS:-$(dirname "$(command -v pyupgrade || echo /usr/bin/pyupgrade)")}"
PLAYBOOKS="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

trial_init() {  # NAME: the playbook tried, for PLAYBOOK and the default work folder
  TRIAL_DIR="${TRIAL_DIR:-/tmp/batchmod-trial-$1}"
  PLAYBOOK="$PLAYBOOKS/$1.yaml"
  VPY="$TRIAL_DIR/venv/bin/python"
  mkdir -p "$TRIAL_DIR/sdists"
}

trial_fetch() {  # NAME VERSION: download (once) and unpack into $TRIAL_DIR/NAME-VERSION, committed
  local name="$1" version="$2" dest="$TRIAL_DIR/$1-$2" archive
  archive=$(ls "$TRIAL_DIR/sdists/"*"-$version".tar.gz "$TRIAL_DIR/sdists/"*"-$version".zip 2>/dev/null \
            | grep -i "/${name//-/[-_]}-$version\." | head -1 || true)
  if [ -z "$archive" ]; then
    "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$name==$version" -d "$TRIAL_DIR/sdists" >&2
    archive=$(ls "$TRIAL_DIR/sdists/"* | grep -i "/${name//-/[-_]}-$version\." | head -1)
  fi
  rm -rf "$dest" "$dest.unpack" && mkdir -p "$dest.unpack"
  case "$archive" in
    *.zip) (cd "$dest.unpack" && "$PYTHON" -m zipfile -e "$archive" .) ;;
    *) tar --no-same-owner -xzf "$archive" -C "$dest.unpack" ;;
  esac
  mv "$dest.unpack"/* "$dest" && rmdir "$dest.unpack"
  (cd "$dest" && git init -q && git add -A && git -c user.name=trial -c user.email=trial@localhost commit -qm "$name $version sdist")
  echo "$dest"
}

trial_wanted() {  # NAME SELECTED...: true when SELECTED is empty or names NAME
  local name="$1"
  shift
  [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]
}

trial_library() {  # NAME VERSION DEPS: sets SRC to a fresh repository of the sdist; DEPS (a,b,... ; - is none) in the venv
  local list=() deps=() d
  echo "== $1 $2"
  SRC=$(trial_fetch "$1" "$2")
  IFS=, read -ra list <<<"$3"
  for d in "${list[@]}"; do [ "$d" = - ] || deps+=("$d"); done
  trial_venv "${deps[@]}"
}

trial_venv() {  # PACKAGE...: $TRIAL_DIR/venv with pytest and PACKAGE... (made once)
  [ -x "$VPY" ] || "$PYTHON" -m venv "$TRIAL_DIR/venv"
  "$VPY" -m pip install --quiet pytest "$@"
}

trial_suite() {  # DIR IDS ARGS...: pytest ARGS in DIR; passed test ids (sorted) to IDS; prints "N passed, ..."
  local dir="$1" ids="$2" out
  shift 2
  out=$(cd "$dir" && "$VPY" -m pytest -q -p no:cacheprovider -rA "$@" 2>&1 || true)
  sed -n 's/^PASSED //p' <<<"$out" | sort > "$ids"
  tail -1 <<<"$out" | sed -E 's/^=+ //; s/, [0-9]+ warnings?//; s/ in [0-9.]+s.*$//; s/ =+$//'
}

trial_lost() {  # BEFORE AFTER: the number of ids in BEFORE not in AFTER
  comm -23 "$1" "$2" | wc -l
}

trial_count() {  # DIR ERE: whole-word matches of ERE in DIR's *.py (not .git/, .batchmod/, six.py)
  { grep -rEow --include='*.py' --exclude=six.py --exclude-dir=.git --exclude-dir=.batchmod "$2" "$1" || true; } | wc -l
}

trial_grep() {  # DIR ERE: matches of ERE in DIR's *.py (not .git/, .batchmod/), for patterns -w cannot take
  { grep -rEo --include='*.py' --exclude-dir=.git --exclude-dir=.batchmod "$2" "$1" || true; } | wc -l
}

trial_copy() {  # DIR LABEL: a fresh copy DIR-LABEL (with its git history); prints its path
  rm -rf "$1-$2" && cp -r "$1" "$1-$2" && rm -rf "$1-$2/.batchmod"
  echo "$1-$2"
}

trial_peer() {  # PEER DIR ARGS...: pyupgrade ARGS on each tracked *.py file, or ruff check --fix ARGS
  local peer="$1" dir="$2"
  shift 2
  case "$peer" in
    pyupgrade) (cd "$dir" && git ls-files -z '*.py' | xargs -0 "$PEERS/pyupgrade" "$@" >/dev/null 2>&1) || true ;;
    ruff) "$PEERS/ruff" check -q --isolated --fix "$@" "$dir" >/dev/null 2>&1 || true ;;
    *) echo "trial_peer: unknown peer $peer (pyupgrade, ruff)" >&2; return 2 ;;
  esac
}

trial_gaps() {  # DIR PLAYBOOK ARGS...: the number of gaps of `batchmod plan PLAYBOOK ARGS` in DIR
  local dir="$1" playbook="$2" plan
  shift 2
  plan="$TRIAL_DIR/plan-$(basename "$dir").json"
  (cd "$dir" && "$BATCHMOD" plan "$playbook" --root . "$@" --json --out "$plan" >/dev/null)
  "$VPY" -c "import json,sys; p=json.load(open(sys.argv[1])); print(sum(len(s['gaps']) for ph in p['phases'] for s in ph['subtasks']))" "$plan"
}

trial_commit() {  # DIR MESSAGE: commit the working tree (not .batchmod/)
  (cd "$1" && git add -A . ':!.batchmod' && git -c user.name=trial -c user.email=trial@localhost commit -qm "$2")
}

trial_model_playbook() {  # the catalogue's unittest-to-assert with a model section and on_gap: model
  rm -rf "$TRIAL_DIR/playbook" && mkdir -p "$TRIAL_DIR/playbook"
  PLAYBOOK="$TRIAL_DIR/playbook/unittest-to-assert-model.yaml"
  "$PYTHON" - "$PLAYBOOKS/unittest-to-assert.yaml" "$PLAYBOOK" <<'PY'
import sys
text = open(sys.argv[1]).read()
text = text.replace("    on_gap: report\n", "    on_gap: model\n", 1)
text = text.replace("\ntask_types:\n", "\nmodel:\n  provider: anthropic\n  name: claude-haiku-4-5\n"
                    "  cassette: trial.cassette.jsonl\n\ntask_types:\n", 1)
text = text.replace("  max_lines: 20000\n", "  max_lines: 20000\n  max_model_calls: 20\n  max_cost_usd: 1.0\n", 1)
open(sys.argv[2], "w").write(text)
PY
}

trial_model_server() {  # ANSWERS: the local server answering from ANSWERS; sets SERVER, exports ANTHROPIC_*
  local checkout
  checkout="$(cd "$PLAYBOOKS/.." && pwd)"
  rm -f "$TRIAL_DIR/server.url" "$TRIAL_DIR/server.log"
  (cd "$checkout" && exec "$PYTHON" -m tests.model_server --answers "$1" --log "$TRIAL_DIR/server.log") \
    > "$TRIAL_DIR/server.url" 2> "$TRIAL_DIR/server.err" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 50); do [ -s "$TRIAL_DIR/server.url" ] && break; sleep 0.1; done
  touch "$TRIAL_DIR/server.log"
  ANTHROPIC_BASE_URL="$(cat "$TRIAL_DIR/server.url")"
  export ANTHROPIC_BASE_URL ANTHROPIC_API_KEY=trial-key-not-a-secret
}

trial_model_asked() {  # the number of requests the local server has logged
  wc -l < "$TRIAL_DIR/server.log"
}

trial_tree() {  # DIR: sets TREE to the git tree of DIR's working tree, everything added
  TREE=$(cd "$1" && git add -A && git write-tree)
}

trial_model_replay() {  # DIR ARGS...: stop the server, `run --replay` in DIR with no key; same tree as $TREE?
  local dir="$1" asked cassette="$TRIAL_DIR/playbook/trial.cassette.jsonl" exchanges=0 recorded="$TREE"
  shift
  asked=$(trial_model_asked)
  kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
  echo "== run --replay on a fresh copy: no key, no server"
  (cd "$dir" && env -u ANTHROPIC_API_KEY -u ANTHROPIC_BASE_URL "$BATCHMOD" run "$PLAYBOOK" "$@" --yes --replay | tail -3)
  trial_tree "$dir"
  [ "$TREE" = "$recorded" ] || { echo "FAIL: the replayed tree differs"; return 1; }
  [ -f "$cassette" ] && exchanges=$(wc -l < "$cassette")
  echo "identical tree $TREE; $asked model request(s) in all; cassette: $exchanges exchange(s)"
  if [ -f "$cassette" ] && grep -q trial-key-not-a-secret "$cassette"; then echo "FAIL: key in cassette"; return 1; fi
  echo "the key is in no cassette line"
}
