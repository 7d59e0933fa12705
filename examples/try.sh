#!/usr/bin/env bash
# Run the example migration end to end on a copy (the checkout stays clean):
#   examples/try.sh [EXAMPLE] [DEST]     default: inventory → /tmp/batchmod-try/inventory
# Uses the batchmod of ./.venv when there is one, else the one on PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
example=${1:-inventory}
dest=${2:-/tmp/batchmod-try/$example}
if [ -x "$here/../.venv/bin/batchmod" ]; then
  export PATH="$(cd "$here/../.venv/bin" && pwd):$PATH"   # its python has pytest for the checks
fi
command -v batchmod >/dev/null || { echo "try.sh: batchmod is not installed (see README.md)" >&2; exit 2; }

say() { printf '\n$ %s\n' "$*"; "$@"; }

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -R "$here/$example" "$dest"
rm -rf "$dest/.batchmod"
git -C "$dest" init -q
git -C "$dest" add -A
git -C "$dest" -c user.name=batchmod-demo -c user.email=demo@example.invalid commit -qm "example before migration"
cd "$dest"
echo "example copied to $dest"
say batchmod validate playbook.yaml
say batchmod plan playbook.yaml
say batchmod run playbook.yaml --yes --replay   # the model's answers from the committed cassette: no key, no network
say batchmod status
say batchmod report --out report.md
say git -c color.ui=never diff --stat
echo
echo "done: the migrated copy is $dest; its PR-style report is $dest/report.md"
