"""The balance list of "e-Mutabakat Gönder" on a large SQLite file, by the queries the screen
runs (`screens/send_rows.BalanceSource` over `data/balance_queries.py`) on data made by the
product's own demo-data generator (`generate_bulk`), paired with the bare aggregate.

    python bench/balance_list.py [--accounts 20000] [--movements 1000000] [--runs 3]
                                 [--postgres]

With `--postgres` the same runs on a PostgreSQL server of its own (started as the tests
start theirs, `tests/servers.py`, and stopped at the end); the anchor is then the bare
aggregate through psycopg.

Each run opens the database anew and times: the first page cold (a new connection), the
same page warm, the count, and a deep page (the last one); then the anchor, the bare
aggregate over the same movements (`sqlite3`, no join, no sort), run right after. Printed
per measure: min / median / max of product time / anchor time (lower is better; the goal
in issue 14 is ≤ 0.1 for any page once the list is open, ≤ 0.5 for the count).

Measured again, load average ~10, same data, 3 pairs each, before → after: a later page
(mean of 10) 0.19× → 0.11× on SQLite (half of it was Babel formatting the amounts) and
0.41× → 0.16× on PostgreSQL (it hashed every movement for a page of 50 accounts; now it
reads their index entries); count 0.70× / 0.76× (PostgreSQL), first deep page 2.2× / 1.9×
unchanged: both read every movement's index entry (SQL alone without sums: keys 0.8×,
count 0.6× of the bare aggregate; a loose index scan by recursive CTE no better).

Measured 2026-12-05, 5 000 accounts, 200 000 movements, 3 pairs (load average ~10):
count 0.69× (before 0.71×); the first deep page, which reads the list's keys once, 1.44×
(before: every deep page 1.70×); every later page 0.16× (0.09–0.18). Left: a page of 50
keys still costs ~30 ms of SQLite executing the exact money sums (`money_sum`).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from bench.paired import Pair, report  # noqa: E402
from tui_mutabakat.config import sqlite_url  # noqa: E402
from tui_mutabakat.data import migrate  # noqa: E402
from tui_mutabakat.data.balance_queries import (  # noqa: E402
    BalanceCriteria,
    BalanceFilter,
    BalanceSort,
)
from tui_mutabakat.data.session import Database  # noqa: E402
from tui_mutabakat.demo.data import generate_bulk  # noqa: E402
from tui_mutabakat.screens.sending.send_rows import BalanceSource, KeyNumbers  # noqa: E402

AS_OF = date(2026, 12, 31)
#: Rows the list's table reads at a time (`BalanceTable`).
PAGE = 100
BARE = (
    "SELECT account_id, currency, sum(debit), sum(credit), sum(debit) - sum(credit) "
    "FROM movement WHERE date <= '2026-12-31' GROUP BY account_id, currency"
)


def product(url: str, criteria: BalanceCriteria) -> dict[str, float]:
    """The screen's path (`BalanceSource`, what the list's table calls, in the table's
    order: the count, then the first page) on a database opened anew; then the count
    again and pages deep in the list, each read for the first time."""
    database = Database.from_url(url)
    source = BalanceSource(database, criteria, KeyNumbers())
    times: dict[str, float] = {}
    started = time.perf_counter()
    total = source.count()
    times["open: the count (reads the list's keys)"] = time.perf_counter() - started
    started = time.perf_counter()
    source.rows(0, PAGE)
    times["first page, cold"] = time.perf_counter() - started
    started = time.perf_counter()
    source.rows(0, PAGE)
    times["first page, warm"] = time.perf_counter() - started
    started = time.perf_counter()
    source.count()
    times["count once open"] = time.perf_counter() - started
    started = time.perf_counter()
    rows = source.rows(max(0, total - PAGE), PAGE)
    times["deep (last) page"] = time.perf_counter() - started
    assert rows, "no rows on the last page"
    offsets = [(total * k) // 11 for k in range(1, 11)]
    slowest = 0.0
    started = time.perf_counter()
    for offset in offsets:
        one = time.perf_counter()
        source.rows(offset, PAGE)
        slowest = max(slowest, time.perf_counter() - one)
    times["later page (mean of 10)"] = (time.perf_counter() - started) / len(offsets)
    times["later page (slowest of 10)"] = slowest
    database.dispose()
    return times


def anchor(path: Path) -> float:
    connection = sqlite3.connect(path)
    started = time.perf_counter()
    connection.execute(BARE).fetchall()
    took = time.perf_counter() - started
    connection.close()
    return took


def anchor_postgres(url: str) -> float:
    """The bare aggregate on PostgreSQL, on a connection of its own (psycopg, no ORM)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
        started = time.perf_counter()
        connection.exec_driver_sql(BARE).fetchall()
        took = time.perf_counter() - started
    engine.dispose()
    return took


@contextmanager
def postgres_database() -> Iterator[str]:
    """A migrated database on a PostgreSQL server of this run's own."""
    from tests.servers import DatabaseFactory, PostgresServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries found")
    server = PostgresServer.start(bindir)
    factory = DatabaseFactory(server.url(), "bench_list")
    try:
        yield factory.url(factory.create_migrated())
    finally:
        factory.close()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL, not SQLite")
    parser.add_argument("--filter", choices=[f.value for f in BalanceFilter], default="all")
    parser.add_argument("--sort", choices=[s.value for s in BalanceSort], default="code")
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.postgres:
            url = stack.enter_context(postgres_database())
            bare = partial(anchor_postgres, url)
        else:
            path = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "list.sqlite3"
            url = sqlite_url(path)
            bare = partial(anchor, path)
        database = Database.from_url(url)
        migrate.upgrade(database.engine)
        started = time.perf_counter()
        generate_bulk(database, accounts=args.accounts, movements=args.movements, seed=7)
        if args.postgres:
            # The statistics autovacuum gathers within a minute of a bulk load: without
            # them PostgreSQL guesses, and reads every movement for a page of 100 rows.
            with database.engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
                connection.commit()
        database.dispose()
        print(
            f"data: {args.accounts} accounts, {args.movements} movements by generate_bulk "
            f"({time.perf_counter() - started:.0f} s to build)"
        )
        criteria = BalanceCriteria(
            as_of=AS_OF, balance_filter=BalanceFilter(args.filter), sort=BalanceSort(args.sort)
        )
        print(f"criteria: {args.filter}, sorted by {args.sort}; {load()}")
        pairs: dict[str, list[Pair]] = {}
        for run in range(1, args.runs + 1):
            times = product(url, criteria)
            bare_took = bare()
            line = ", ".join(f"{k} {v:.3f} s" for k, v in times.items())
            print(f"  run {run}: {line}; bare aggregate {bare_took:.3f} s")
            for measure, took in times.items():
                pairs.setdefault(measure, []).append(Pair(took, bare_took))
        for measure, measured in pairs.items():
            report(f"{measure} / bare aggregate", measured, " s")
        print(load())


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f})"


if __name__ == "__main__":
    main()
