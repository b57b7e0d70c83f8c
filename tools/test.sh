#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what it needs (Debian packages,
# pip packages), starts a throwaway PostgreSQL on 127.0.0.1, runs every test (database
# tests on SQLite and PostgreSQL, Qt tests offscreen, SMTP tests on aiosmtpd), stops
# PostgreSQL, and fails if no test ran.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS="postgresql libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0 libdbus-1-3 libglib2.0-0 fonts-dejavu-core binutils baresip-core sip-tester poppler-utils"
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  echo "installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "is ignored" || true

# shellcheck source=tools/pg.sh
source tools/pg.sh
pg_start
trap pg_stop EXIT

export QT_QPA_PLATFORM=offscreen
export QUALDESK_REQUIRE_PG=1
python3 -m ruff check qualdesk ui tests bench
python3 -m pytest -q -p no:cacheprovider "$@"
