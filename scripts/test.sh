#!/usr/bin/env bash
# Install what the tests need (Debian's Chromium and CJK fonts, the Python
# environment), then run the whole suite on SQLite, and again on PostgreSQL when
# CITYBASE_TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
# Debian splits ensurepip out of python3; `python3 -m venv` fails without it.
python3 -c "import ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

make install
PYTEST=(.venv/bin/python -m pytest -n 2 --dist loadfile -q -p no:cacheprovider)

echo "== test suite on SQLite =="
env -u CITYBASE_TEST_DATABASE_URL "${PYTEST[@]}" "$@"

if [ -n "${CITYBASE_TEST_DATABASE_URL:-}" ]; then
  echo "== test suite on PostgreSQL (${CITYBASE_TEST_DATABASE_URL%%@*}@...) =="
  "${PYTEST[@]}" "$@"
fi
