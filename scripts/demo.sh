#!/usr/bin/env bash
# Run the application on the demo company: bash scripts/demo.sh [more mutabakat arguments]
#
# On a fresh Debian 12 with Python 3.11 it creates the virtualenv .venv (installing Debian's
# python3-venv first when it is missing and we are root), installs the package into it, and
# starts `mutabakat demo`: a local SQLite file with sample data and the file mail backend, so
# no server is needed. Later runs start at once; `.venv/bin/mutabakat demo` does the same.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${MUTABAKAT_VENV:-$ROOT/.venv}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [ ! -x "$VENV/bin/python" ]; then
    probe="$(mktemp -d)"
    if ! "$PYTHON" -m venv "$probe/venv" >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing Debian's python3-venv…" >&2
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
        else
            echo "Python cannot create a virtualenv: run 'sudo apt-get install python3-venv'." >&2
            exit 2
        fi
    fi
    rm -rf "$probe"
    "$PYTHON" -m venv "$VENV"
fi
if [ ! -x "$VENV/bin/mutabakat" ]; then
    echo "Installing tui-mutabakat into $VENV…" >&2
    "$VENV/bin/python" -m pip install --quiet -e "$ROOT"
fi
exec "$VENV/bin/mutabakat" demo "$@"
