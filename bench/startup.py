"""Time from typing `mutabakat` to the first frame on a real terminal (tmux), in seconds.

Usage: python bench/startup.py [--db URL] [--runs 5] [--command "mutabakat"]

Starts the command in a detached tmux session of 120x40, polls the screen every 10 ms until
the main menu is drawn, prints each run and the median. Needs tmux.
"""

from __future__ import annotations

import argparse
import shlex
import shutil
import statistics
import subprocess
import time
import uuid

MARKER = "Cari Hesaplar"


def one_run(command: str, timeout: float) -> float:
    session = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", command],
        check=True,
    )
    try:
        while time.perf_counter() - started < timeout:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-pt", session], capture_output=True, text=True
            ).stdout
            if MARKER in screen:
                return time.perf_counter() - started
            time.sleep(0.01)
        raise TimeoutError(f"no first frame within {timeout} s")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL passed as --db")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--command", default=shutil.which("mutabakat") or "mutabakat")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    command = args.command
    if args.db:
        command = f"{command} --db {shlex.quote(args.db)}"
    times = []
    for run in range(1, args.runs + 1):
        elapsed = one_run(command, args.timeout)
        times.append(elapsed)
        print(f"run {run}: {elapsed:.3f} s to the first frame")
    print(f"median: {statistics.median(times):.3f} s over {len(times)} runs ({command})")


if __name__ == "__main__":
    main()
