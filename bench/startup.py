"""Time from typing `mutabakat` to the first frame on a real terminal (tmux), in seconds,
paired with the anchor: a Textual app of one `Static` in the same virtualenv.

Usage: python bench/startup.py [--db URL] [--runs 5] [--command "mutabakat"]

Each run starts the command in a detached tmux session of 120x40 on a private tmux server
(`tmux -L <name>`, its own socket, no user configuration, started by this bench: it works
on a machine with no tmux server yet), polls the screen every 10 ms until the main menu
(or the anchor's one line) is drawn. Product and anchor runs alternate (A B A B …) after
one warm-up of each (the first start migrates a new database and writes the product's
bytecode: the server runs without PYTHONDONTWRITEBYTECODE, as an installed package has its
`.pyc` files like Textual's); the paired ratios are printed as min / median / max. The time
until the menu's keys work (the database open behind the menu, the user found: the status
panel's account count drawn) is printed too. Needs tmux.

Measured 2026-12-06 on the shared 2-core machine (SQLite, up-to-date database, load average
11-12.6), 7 pairs: the first frame 1.49x (1.38-2.08) and 1.51x (1.34-2.16) the anchor, the
tree before (0fd4d3b) 3.91x (3.51-5.65); see README's benchmark section. The menu is drawn
before SQLAlchemy is imported: `cli`, `app` and `screens.main` import no database layer
(tests/test_startup.py). CPU to the first frame, headless, median of 5: 0.28 s against the
anchor's 0.22 s; the rest is Textual drawing a richer screen (header, footer of 14 keys,
the option list: their CSS and layout) and 34 modules of ours (~24 ms, screens.main and
config the largest). Behind the frame a thread imports SQLAlchemy, its ORM and the models
(~0.35 s of CPU), checks the schema with one SELECT and finds the user; the menu's keys
work from then on (4.0x the anchor in the same runs; before, 3.9x: the same work, the frame
now drawn first, and the footer's keys drawn again once they work).
"""

from __future__ import annotations

import argparse
import os
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

from bench.paired import interleave, report, spread  # noqa: E402

MARKER = "Cari Hesaplar"
#: Drawn by the menu's status panel once the database is open and the user known.
READY = "Cari hesap sayısı"
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
        # The first call starts the server, whose environment every session inherits.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        return subprocess.run(command, capture_output=True, text=True, check=check, env=env)

    def close(self) -> None:
        """Stop the server and remove its socket file (tmux may leave it behind)."""
        socket = self("display-message", "-p", "#{socket_path}").stdout.strip()
        self("kill-server")
        if socket:
            Path(socket).unlink(missing_ok=True)


def one_run(tmux: Tmux, command: str, timeout: float, *markers: str) -> list[float]:
    """Seconds from starting `command` until each of `markers` is on the screen, in turn."""
    session = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command, check=True)
    seen: list[float] = []
    try:
        while time.perf_counter() - started < timeout:
            screen = tmux("capture-pane", "-pt", session).stdout
            while len(seen) < len(markers) and markers[len(seen)] in screen:
                seen.append(time.perf_counter() - started)
            if len(seen) == len(markers):
                return seen
            time.sleep(0.01)
        raise TimeoutError(f"{markers[len(seen)]!r} not drawn within {timeout} s: {command}")
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
            one_run(tmux, command, args.timeout, MARKER, READY)  # warm-up; migrates
            one_run(tmux, anchor, args.timeout, MARKER)
            ready: list[float] = []

            def product() -> float:
                first, usable = one_run(tmux, command, args.timeout, MARKER, READY)
                ready.append(usable)
                return first

            pairs = interleave(
                args.runs,
                product,
                lambda: one_run(tmux, anchor, args.timeout, MARKER)[0],
                "start-up",
                " s",
            )
        finally:
            tmux.close()
    report(f"start-up to the first frame ({command} vs one Static)", pairs, " s")
    print(f"  the menu's keys work (database open, user known): {spread(ready)} s")
    usable = [r / pair.anchor for r, pair in zip(ready, pairs, strict=True)]
    print(f"  … as a ratio to the paired anchor: {spread(usable)}")


if __name__ == "__main__":
    main()
