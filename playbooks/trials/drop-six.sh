#!/usr/bin/env bash
# Trial of playbooks/drop-six.yaml on a real package (default python-dateutil 2.9.0.post0,
# whose src/ and tests/ use six), against pyupgrade --py3-plus on the same code.
#
# Everything happens under $TRIAL_DIR (default /tmp/batchmod-trial-drop-six): the sdist
# is downloaded with pip and unpacked into a throwaway git repository, copied once per
# tool, each copy migrated, and the package's own test suite run on each copy twice:
# with six installed, then without it (the point of dropping six). Nothing is committed.
#
# Usage:  playbooks/trials/drop-six.sh
#         PACKAGE=python-dateutil VERSION=2.9.0.post0 BATCHMOD=.venv/bin/batchmod playbooks/trials/drop-six.sh
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PLAYBOOK="$HERE/../drop-six.yaml"
BATCHMOD="${BATCHMOD:-batchmod}"
PYUPGRADE="${PYUPGRADE:-pyupgrade}"
PYTHON="${PYTHON:-python3}"
PACKAGE="${PACKAGE:-python-dateutil}"
VERSION="${VERSION:-2.9.0.post0}"
TESTS="${TESTS:-tests --ignore=tests/property}"
TRIAL_DIR="${TRIAL_DIR:-/tmp/batchmod-trial-drop-six}"

rm -rf "$TRIAL_DIR" && mkdir -p "$TRIAL_DIR" && cd "$TRIAL_DIR"
"$PYTHON" -m pip download --quiet --no-deps --no-binary :all: "$PACKAGE==$VERSION" -d sdist
mkdir base && tar --no-same-owner -xzf sdist/*.tar.gz -C base --strip-components=1
git -C base init -q && git -C base add -A && git -C base -c user.name=trial -c user.email=trial@localhost commit -qm sdist
"$PYTHON" -m venv venv && venv/bin/pip install --quiet pytest freezegun six

sites() { grep -rEow six --include=*.py "$1" | grep -v '/six.py:' | wc -l; }
suite() { (cd "$1" && PYTHONPATH=src ../venv/bin/python -m pytest -q -p no:cacheprovider -c /dev/null --rootdir . $TESTS 2>&1 | tail -1); }

cp -r base batchmod && cp -r base pyupgrade
(cd batchmod && "$BATCHMOD" run "$PLAYBOOK" --root . --var test_command=true --yes | tail -3)
(cd pyupgrade && git ls-files '*.py' | xargs "$PYUPGRADE" --py3-plus >/dev/null 2>&1 || true)

for t in base batchmod pyupgrade; do
    echo "$t: the word six in .py files: $(sites $t); files changed: $(git -C $t diff --name-only | wc -l)"
    echo "  tests with six:    $(suite $t)"
done
venv/bin/pip uninstall --quiet -y six
for t in base batchmod pyupgrade; do echo "$t: tests without six: $(suite $t)"; done
grep -n -w six batchmod/setup.cfg batchmod/pyproject.toml batchmod/requirements*.txt 2>/dev/null || echo "batchmod: no six left in packaging files"
