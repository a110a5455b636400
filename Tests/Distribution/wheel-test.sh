#!/usr/bin/env bash
# Installs WHEEL (scripts/package) as a user would, into a fresh virtualenv with tensorflow-cpu
# (.build/wheel-venv, recreated each run), and runs wheel_test.py there against the fixtures.
#
#   Tests/Distribution/wheel-test.sh WHEEL
set -euo pipefail
cd "$(dirname "$0")/../.."
wheel=$(realpath "$1")
venv=.build/wheel-venv
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check tensorflow-cpu "$wheel"
# Run from outside the checkout, so `import ckpt_tools` can only find the installed package.
cd "$(mktemp -d)"
TF_CPP_MIN_LOG_LEVEL=2 "$OLDPWD/$venv/bin/python" "$OLDPWD/Tests/Distribution/wheel_test.py" "$OLDPWD/Fixtures"
