#!/usr/bin/env bash
# Extract the interface strings into tui_mutabakat/locale/mutabakat.pot and update the
# translation catalogs (tui_mutabakat/locale/<lang>/LC_MESSAGES/mutabakat.po), keeping every
# existing translation. Safe to run any number of times. Then translate what it lists.
#
#   bash scripts/update_catalog.sh
#
# The Python comes from MUTABAKAT_PYTHON, else the active virtualenv, else the repository's
# .venv, else python3; it needs Babel (a dependency of the project).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${MUTABAKAT_PYTHON:-}"
if [ -z "$PY" ]; then
    if [ -n "${VIRTUAL_ENV:-}" ]; then PY="$VIRTUAL_ENV/bin/python"
    elif [ -x "$ROOT/.venv/bin/python" ]; then PY="$ROOT/.venv/bin/python"
    else PY=python3; fi
fi
if ! "$PY" -c 'import babel' 2>/dev/null; then
    echo "update_catalog.sh: $PY has no Babel; set MUTABAKAT_PYTHON to the project's" \
        "virtualenv Python (bash scripts/test.sh makes one in .venv)" >&2
    exit 2
fi
exec "$PY" "$ROOT/scripts/update_catalog.py" "$@"
