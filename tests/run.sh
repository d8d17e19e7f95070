#!/usr/bin/env bash
# Installs everything the tests need into .venv (and system packages when they are missing),
# then runs the whole suite. Fails when a test fails, and when no test ran at all.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's chromium for the real-browser tests (Playwright drives it; it never downloads one).
if ! command -v chromium >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# The Nu Html Checker (runs on the machine's Java) for the HTML validity tests.
if [ ! -f .venv/node/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  npm install --silent --no-audit --no-fund --prefix .venv/node vnu-jar@26.9.27 >/dev/null
fi

set +e
.venv/bin/python -m pytest -q "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "Không có bài kiểm thử nào chạy (pytest exit 5)." >&2
  exit 1
fi
exit "$status"
