"""Time the bulk generator: `python bench/generate.py [URL] [--accounts N] [--movements M]`.

Prints the progress lines, the total time, rows per second and, for SQLite, the file size.
The database is migrated first; use a fresh file (the default is a temporary one).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from tui_mutabakat.data import migrate
from tui_mutabakat.data.session import Database
from tui_mutabakat.demo.data import generate_bulk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", nargs="?", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--movements", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        url = args.url or f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
        database = Database.from_url(url)
        migrate.upgrade(database.engine)
        started = time.perf_counter()
        generate_bulk(
            database,
            accounts=args.accounts,
            movements=args.movements,
            seed=args.seed,
            progress=print,
        )
        seconds = time.perf_counter() - started
        database.dispose()
        print(f"total {seconds:.1f} s, {args.movements / seconds:,.0f} movements/s")
        path = make_url(url).database
        if url.startswith("sqlite") and path:
            print(f"file {Path(path).stat().st_size / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
