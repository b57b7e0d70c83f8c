#!/usr/bin/env bash
# One command from a fresh checkout to the app on screen with the demo data, on a stock
# desktop whose Python refuses `pip install` outside a virtual environment (PEP 668:
# Debian 12, Ubuntu 24.04, Fedora). It:
#   1. makes sure `python3 -m venv` works (Debian/Ubuntu ship it as python3-venv);
#   2. creates (or reuses) a private virtual environment, by default
#      ~/.local/share/qualdesk/venv, and installs QualDesk into it from this checkout;
#   3. links ~/.local/bin/qualdesk to it, so `qualdesk` works from then on;
#   4. opens the app on its own SQLite file with the demo data (`qualdesk app --demo`).
# A missing desktop library (libxcb-cursor0 and friends) is named by the app itself,
# with the apt-get line that installs it.
#
#   bash tools/quickstart.sh            # then it is just: qualdesk
#   QUALDESK_VENV=/some/dir bash tools/quickstart.sh      # another place for the venv
#   bash tools/quickstart.sh --no-launch                  # install only
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
VENV="${QUALDESK_VENV:-${XDG_DATA_HOME:-$HOME/.local/share}/qualdesk/venv}"
LAUNCH=1
[ "${1:-}" = "--no-launch" ] && LAUNCH=0

say() { printf 'quickstart: %s\n' "$*"; }

PY="${PYTHON:-python3}"
if ! command -v "$PY" >/dev/null 2>&1; then
  say "no python3 found; install Python 3.11 or newer (Debian/Ubuntu: sudo apt-get install python3 python3-venv)"
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  say "QualDesk needs Python 3.11 or newer; $("$PY" --version 2>&1) found"
  exit 1
fi

# Debian and Ubuntu split venv/ensurepip into their own package.
if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  pkg="python3-venv"
  if command -v apt-get >/dev/null 2>&1; then
    say "Python's venv module is missing; installing the Debian package $pkg"
    SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
    $SUDO apt-get install -y "$pkg"
  else
    say "Python's venv module is missing; install it with your system's package manager"
    exit 1
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "creating the virtual environment $VENV"
  mkdir -p "$(dirname "$VENV")"
  "$PY" -m venv "$VENV"
fi
say "installing QualDesk into $VENV (the first time downloads Qt, about 260 MB)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$REPO" 2>&1 \
  | grep -v "is ignored" || true
"$VENV/bin/python" -c 'import qualdesk, ui.launcher' >/dev/null

mkdir -p "$HOME/.local/bin"
ln -sf "$VENV/bin/qualdesk" "$HOME/.local/bin/qualdesk"
say "linked ~/.local/bin/qualdesk (open the app later with: qualdesk)"

if [ "$LAUNCH" = 1 ]; then
  say "opening QualDesk with the demo data"
  exec "$VENV/bin/qualdesk" app --demo
fi
