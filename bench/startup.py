"""Time from typing `mutabakat` to the first frame on a real terminal (tmux), in seconds,
paired with the anchor: a Textual app of one `Static` in the same virtualenv.

Usage: python bench/startup.py [--db URL] [--runs 5] [--command "mutabakat"]

Each run starts the command in a detached tmux session of 120x40 on a private tmux server
(`tmux -L <name>`, its own socket, no user configuration), polls the screen every 10 ms
until the main menu (or the anchor's one line) is drawn. Product and anchor runs alternate
(A B A B …) after one warm-up of each (the first start migrates a new database); the paired
ratios are printed as min / median / max. Needs tmux.

Measured 2026-12-05 on the shared 2-core machine (SQLite, up-to-date database), 5 pairs:
see README's benchmark section. Where the time goes (CPU of the imports, best of 5):
Textual 0.16 s; SQLAlchemy's core +0.25 s, its ORM +0.10 s, the models +0.12 s; then the
first queries compile (the acting user). The main menu no longer waits for its status
panel (counts, company) nor imports `services.importing.run` (openpyxl) at start; the ≤ 2×
goal needs a first frame drawn before SQLAlchemy is imported.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.paired import interleave, report  # noqa: E402

MARKER = "Cari Hesaplar"
ANCHOR = f"""
from textual.app import App
from textual.widgets import Static

class One(App[None]):
    def compose(self):
        yield Static({MARKER!r})

One().run()
"""


class Tmux:
    """A tmux server of our own: `-L` socket, `-f /dev/null`; stopped by `close()`."""

    def __init__(self) -> None:
        self.socket = f"mtb-bench-{uuid.uuid4().hex[:8]}"

    def __call__(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        command = ["tmux", "-L", self.socket, "-f", "/dev/null", *args]
        return subprocess.run(command, capture_output=True, text=True, check=check)

    def close(self) -> None:
        self("kill-server")


def one_run(tmux: Tmux, command: str, timeout: float) -> float:
    session = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command, check=True)
    try:
        while time.perf_counter() - started < timeout:
            screen = tmux("capture-pane", "-pt", session).stdout
            if MARKER in screen:
                return time.perf_counter() - started
            time.sleep(0.01)
        raise TimeoutError(f"no first frame within {timeout} s: {command}")
    finally:
        tmux("kill-session", "-t", session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL passed as --db (default: a new SQLite file)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--command", default=shutil.which("mutabakat") or "mutabakat")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/startup.sqlite3"
        command = f"{args.command} --db {shlex.quote(db)}"
        script = Path(tmp) / "one_static.py"
        script.write_text(ANCHOR)
        anchor = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
        tmux = Tmux()
        try:
            # A session that stays: without it the server exits with the last measured
            # session, and the next `new-session` can meet the dying server's socket.
            tmux("new-session", "-d", "-s", "keep", "-x", "120", "-y", "40", "cat", check=True)
            one_run(tmux, command, args.timeout)  # warm-up; migrates a new database
            one_run(tmux, anchor, args.timeout)
            pairs = interleave(
                args.runs,
                lambda: one_run(tmux, command, args.timeout),
                lambda: one_run(tmux, anchor, args.timeout),
                "start-up",
                " s",
            )
        finally:
            tmux.close()
    report(f"start-up to the first frame ({command} vs one Static)", pairs, " s")


if __name__ == "__main__":
    main()
