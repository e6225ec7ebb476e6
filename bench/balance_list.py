"""The balance list of "e-Mutabakat Gönder" on a large SQLite file, by the queries the screen
runs (`screens/send_rows.BalanceSource` over `data/balance_list.py`) on data made by the
product's own demo-data generator (`generate_bulk`), paired with the bare aggregate.

    python bench/balance_list.py [--accounts 20000] [--movements 1000000] [--runs 3]
                                 [--postgres]

With `--postgres` the same runs on a PostgreSQL server of its own (started as the tests
start theirs, `tests/servers.py`, and stopped at the end); the anchor is then the bare
aggregate through psycopg.

With `--postgres` the database is analyzed after loading (as autovacuum would be within a
minute): without statistics PostgreSQL reads every movement for a page (66–84 ms a page at
5 000 accounts against 11–15 ms analyzed). `--filter` and `--sort` choose the criteria.

Each run opens the database anew and times what the list's table asks, in its order: the
count (which opens the list: its keys are read once, `data/balance_list.py`), the first
page (first read, then again), the count again, the last page, then ten pages spread over
the list (each read for the first time: their mean and the slowest), 100 rows a page like
the table; then the anchor, the bare aggregate `SUM(debit), SUM(credit) … GROUP BY
account_id, currency` over the same movements (`sqlite3` or psycopg, no join, no sort), run
right after. Printed per measure: min / median / max of product time / anchor time (lower
is better; the goal in issue 14 is ≤ 0.1 for any page once the list is open, ≤ 0.5 for the
count), and the load average.

Measured 2026-12-06 (load average 12–16 on 2 cores), before (the tree at 0fd4d3b, this
bench) → after, the medians of the paired ratios:

* 5 000 accounts / 200 000 movements, SQLite (5 pairs; after: two runs): opening (the
  count) 0.72× → 0.87×, 1.17×; count once open 0.79× → 0.00002×; last page 2.28× → 0.062×,
  0.092×; later page, mean 0.20× → 0.072×, 0.086×, slowest of ten 0.29× → 0.12×, 0.13×.
* The same on PostgreSQL: opening 0.64× → 1.23×, 1.01×; count once open 0.44× → 0.00002×;
  last page 1.32× → 0.052×, 0.069×; later page, mean 0.22× → 0.078×, 0.084×, slowest
  0.32× → 0.12×, 0.11×.
* 20 000 accounts / 1 000 000 movements, SQLite (3 pairs): opening 0.72× → 0.85×; count
  once open 0.55× → 0.00001×; last page 1.89× → 0.027×; later page, mean 0.039× → 0.017×,
  slowest 0.063× → 0.029×.
* The same on PostgreSQL: opening 0.96× → 1.13×; count once open 0.92× → 0.00001×; last
  page 1.50× → 0.020×; later page, mean 0.037× → 0.018×, slowest 0.053× → 0.024×.

Why the opening costs what it does: it reads every movement's index entry up to the date
(the keys alone in raw SQL are 0.74× of the bare aggregate on SQLite, the count alone
0.56×), then sorts ~30 000 keys and hands them to Python. A page costs ~2.5 ms however deep
(unloaded: SQLite ~1 ms, SQLAlchemy's execution ~0.8 ms of which re-rendering the two
expanding `IN` lists ~0.3 ms, rows and Turkish amounts ~0.7 ms): at 5 000 accounts that is
near a tenth of the bare aggregate, and under this load one page in ten is stretched past it.
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
