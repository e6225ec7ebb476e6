#!/usr/bin/env bash
# The whole test suite, as CI runs it: bash scripts/test.sh [extra pytest arguments]
#
# On a fresh Debian 12 with Python 3.11 it installs what is missing (as root: the Debian
# packages postgresql, dovecot-imapd, poppler-utils and python3-venv; always: a virtualenv in
# .venv with the project and its dev extra), then runs ruff check, ruff format --check, mypy,
# lint-imports and pytest, and exits non-zero if any of them failed. Every step runs even
# after a failure, so one run shows everything that is wrong. A second run reinstalls
# nothing unless pyproject.toml or the interpreter changed.
#
# Environment:
#   PYTHON=python3.11        the interpreter for the virtualenv (default: python3)
#   MUTABAKAT_VENV=path      where the virtualenv lives (default: .venv in the repository)
#   PYTEST_WORKERS=N         pytest-xdist workers (default: 2 when the machine has 2+ cores;
#                            0 runs the tests in one process)
#   CI=true                  tests needing PostgreSQL fail, instead of skipping, without it
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3}"
VENV="${MUTABAKAT_VENV:-$ROOT/.venv}"
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'test.sh: %s\n' "$*" >&2; exit 2; }

# --- Debian packages --------------------------------------------------------------------

postgres_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir="$(pg_config --bindir 2>/dev/null)"
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    return 1
}

can_make_venv() {
    local probe
    probe="$(mktemp -d)"
    "$PYTHON" -m venv "$probe/venv" >/dev/null 2>&1
    local status=$?
    rm -rf "$probe"
    return $status
}

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; install Python 3.11 or set PYTHON="
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "$PYTHON is $("$PYTHON" -V 2>&1); Python 3.11 or newer is needed"

missing=()
[ -x "$VENV/bin/python" ] || can_make_venv || missing+=(python3-venv)
postgres_bindir >/dev/null || missing+=(postgresql)
# The IMAP answer-reading tests (SPEC E4) run a private Dovecot on loopback.
[ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
# The PDF tests (SPEC F1) read the letters and evidence packs back with pdftotext.
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# The answer page's browser test (issue 15) drives Chromium with its own driver.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)

as_root=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)  # passwordless sudo, as on most cloud machines
fi
if [ ${#missing[@]} -gt 0 ]; then
    if { [ "$(id -u)" -eq 0 ] || [ ${#as_root[@]} -gt 0 ]; } && command -v apt-get >/dev/null 2>&1
    then
        say "Installing Debian packages: ${missing[*]}"
        "${as_root[@]}" apt-get update -qq || die "apt-get update failed"
        "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
            die "apt-get install ${missing[*]} failed"
    else
        echo "test.sh: missing Debian packages: ${missing[*]}" >&2
        echo "test.sh: run as root once, or: sudo apt-get install ${missing[*]}" >&2
        case " ${missing[*]} " in *" python3-venv "*) exit 2 ;; esac
        echo "test.sh: continuing; tests needing them skip (fail when CI=true)" >&2
    fi
fi

# --- Virtualenv with the project and its dev tools ---------------------------------------

stamp_of() {
    { "$PYTHON" -V 2>&1; sha256sum pyproject.toml; } | sha256sum | cut -d' ' -f1
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    say "Creating the virtualenv in $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "could not create the virtualenv $VENV"
fi
wanted="$(stamp_of)"
if [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$wanted" ]; then
    say "Installing the project and its dev extra"
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]' ||
        die "pip install -e '.[dev]' failed (is PyPI reachable?)"
    echo "$wanted" >"$VENV/.installed"
else
    # The package itself is editable; only re-register it if the checkout moved.
    "$VENV/bin/python" -c 'import tui_mutabakat' 2>/dev/null ||
        "$VENV/bin/python" -m pip install --quiet --no-deps -e . || die "pip install -e . failed"
fi
export PATH="$VENV/bin:$PATH"

# --- The checks ---------------------------------------------------------------------------

failed=()
step() {
    local name="$1"
    shift
    say "$name"
    local started=$SECONDS
    if "$@"; then
        echo "--- $name: ok ($((SECONDS - started)) s)"
    else
        echo "--- $name: FAILED ($((SECONDS - started)) s)"
        failed+=("$name")
    fi
}

workers="${PYTEST_WORKERS:-}"
if [ -z "$workers" ]; then
    if [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then workers=2; else workers=0; fi
fi
pytest_args=(-q -ra --durations=25)
if [ "$workers" != 0 ]; then pytest_args+=(-n "$workers" --dist worksteal); fi

started_all=$SECONDS
step "ruff check" ruff check .
step "ruff format --check" ruff format --check .
step "mypy" mypy
step "lint-imports" lint-imports
step "pytest" pytest "${pytest_args[@]}" "$@"

say "Done in $((SECONDS - started_all)) s"
if [ ${#failed[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}"
    exit 1
fi
echo "All checks passed."
