"""Which index makes the balance-as-of-a-date aggregate fast on SQLite? Measure, don't guess.

    python bench/balance_index.py [--accounts 20000] [--movements 1000000] [--db FILE]

Builds (or reuses, with `--db`) a database with the real schema (the Alembic migrations)
and synthetic movements, then, for each candidate index on `movement`, times the two
queries the product runs (SPEC D2):

* all accounts:  SUM(debit), SUM(credit) per (account, currency) as of a date;
* one list page: the same for the accounts of one screen (`account_id IN (...)`).

Each query runs `--repeat` times after one warm-up run; the median is printed, with the
plan SQLite chose and the file size the index adds. Amounts are stored the way `Money`
stores them on SQLite (integer kuruş, data/money.py), dates as ISO text.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from tui_mutabakat.config import sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.session import make_engine

#: name → columns of the one index on `movement` in that run (None: no index at all).
VARIANTS: dict[str, tuple[str, ...] | None] = {
    "none": None,
    "plain (account_id, date)": ("account_id", "date"),
    "covering w/o currency (account_id, date, debit, credit)": (
        "account_id",
        "date",
        "debit",
        "credit",
    ),
    "ix_movement_balance (account_id, currency, date, debit, credit)": (
        "account_id",
        "currency",
        "date",
        "debit",
        "credit",
    ),
    "date first (date, account_id, currency, debit, credit)": (
        "date",
        "account_id",
        "currency",
        "debit",
        "credit",
    ),
}

ALL_ACCOUNTS = (
    "SELECT account_id, currency, SUM(debit), SUM(credit) FROM movement "
    "WHERE date <= ? GROUP BY account_id, currency"
)


def page_query(size: int) -> str:
    marks = ", ".join("?" * size)
    return (
        "SELECT account_id, currency, SUM(debit), SUM(credit) FROM movement "
        f"WHERE date <= ? AND account_id IN ({marks}) GROUP BY account_id, currency"
    )


START = dt.date(2025, 1, 1)
DAYS = 730  # two years of movements
DOC_TYPES = ("sales_invoice", "purchase_invoice", "cash", "bank", "account_voucher", "export")


def _movements(accounts: int, count: int, seed: int) -> Iterator[tuple[object, ...]]:
    rng = random.Random(seed)
    now = dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC).isoformat(sep=" ")
    for number in range(1, count + 1):
        account = rng.randint(1, accounts)
        roll = rng.random()
        currency = "TRY" if roll < 0.8 else ("USD" if roll < 0.92 else "EUR")
        day = START + dt.timedelta(days=rng.randrange(DAYS))
        amount = round(round(rng.uniform(10, 250_000), 2) * 100)  # kuruş
        debit, credit = (amount, 0) if rng.random() < 0.55 else (0, amount)
        yield (
            account,
            day.isoformat(),
            rng.choice(DOC_TYPES),
            f"F{number:09d}",
            f"Hareket açıklaması {number % 997}",
            debit,
            credit,
            currency,
            None if currency == "TRY" else 32_500_000,  # 32,5 in millionths
            (day + dt.timedelta(days=30)).isoformat(),
            0,
            now,
            "bench",
        )


def build(path: Path, accounts: int, movements: int, seed: int) -> None:
    engine = make_engine(sqlite_url(path))
    migrate.upgrade(engine)
    engine.dispose()
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO account (id, code, title, tax_number, tax_office, address, city, phone,"
            " currency, group_code, sector_code, region_code, notes, active, routing,"
            " department_email, created_at, created_by, updated_at, updated_by, version_id)"
            " VALUES (?, ?, ?, '', '', '', 'İSTANBUL', '', 'TRY', '', '', '', '', 1,"
            " 'contacts', '', '2026-01-01', 'bench', '2026-01-01', 'bench', 1)",
            ((i, f"120.{i:06d}", f"Cari hesap {i}") for i in range(1, accounts + 1)),
        )
        connection.executemany(
            "INSERT INTO movement (account_id, date, doc_type, doc_no, description, debit,"
            " credit, currency, fx_rate, due_date, settled, created_at, created_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _movements(accounts, movements, seed),
        )
    connection.close()


def movement_indexes(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'movement'"
        " AND sql IS NOT NULL"
    )
    return [str(name) for (name,) in rows]


def use_variant(connection: sqlite3.Connection, columns: tuple[str, ...] | None) -> float:
    """Leave exactly one index (or none) on movement; returns seconds spent building it."""
    for name in movement_indexes(connection):
        connection.execute(f'DROP INDEX "{name}"')
    started = time.perf_counter()
    if columns is not None:
        connection.execute(f"CREATE INDEX bench_ix ON movement ({', '.join(columns)})")
    connection.execute("ANALYZE")
    connection.commit()
    return time.perf_counter() - started


def index_bytes(connection: sqlite3.Connection) -> int | None:
    try:
        row = connection.execute(
            "SELECT SUM(pgsize) FROM dbstat WHERE name = 'bench_ix'"
        ).fetchone()
    except sqlite3.OperationalError:  # SQLite built without the dbstat table
        return None
    return int(row[0]) if row and row[0] is not None else 0


def timed(connection: sqlite3.Connection, sql: str, params: Sequence[object], repeat: int) -> float:
    connection.execute(sql, params).fetchall()  # warm-up: pages in the cache
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        connection.execute(sql, params).fetchall()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def plan(connection: sqlite3.Connection, sql: str, params: Sequence[object]) -> str:
    rows = connection.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return "; ".join(str(row[-1]) for row in rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=20_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="database file to use (built if missing)")
    parser.add_argument("--page-size", type=int, default=50, help="accounts on one list page")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--as-of", nargs="*", default=["2026-12-31", "2025-06-30"])
    parser.add_argument("--seed", type=int, default=20261231)
    args = parser.parse_args(argv)

    workdir = None
    path: Path = args.db
    if path is None:
        workdir = tempfile.TemporaryDirectory(prefix="balance-index-")
        path = Path(workdir.name) / "bench.sqlite3"
    if not path.exists():
        print(f"Building {path}: {args.accounts} accounts, {args.movements} movements …")
        started = time.perf_counter()
        build(path, args.accounts, args.movements, args.seed)
        print(f"  built in {time.perf_counter() - started:.1f} s")

    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    total, accounts = connection.execute(
        "SELECT COUNT(*), COUNT(DISTINCT account_id) FROM movement"
    ).fetchone()
    print(f"{total} movements of {accounts} accounts; median of {args.repeat} warm runs\n")
    rng = random.Random(args.seed)
    ids = [i for (i,) in connection.execute("SELECT id FROM account")]
    page = rng.sample(ids, min(args.page_size, len(ids)))
    page_sql = page_query(len(page))

    try:
        for name, columns in VARIANTS.items():
            build_seconds = use_variant(connection, columns)
            size = index_bytes(connection)
            size_text = f", {size / 1e6:.0f} MB" if size is not None and columns else ""
            print(f"{name}  (built in {build_seconds:.1f} s{size_text})")
            for as_of in args.as_of:
                whole = timed(connection, ALL_ACCOUNTS, [as_of], args.repeat)
                one_page = timed(connection, page_sql, [as_of, *page], args.repeat)
                print(
                    f"  as of {as_of}: all accounts {whole * 1000:8.1f} ms"
                    f"   one page of {len(page)} {one_page * 1000:7.2f} ms"
                )
            print(f"  plan, all:  {plan(connection, ALL_ACCOUNTS, [args.as_of[0]])}")
            print(f"  plan, page: {plan(connection, page_sql, [args.as_of[0], *page])}\n")
    finally:
        # Leave a reused database as the migration made it.
        connection.execute("DROP INDEX IF EXISTS bench_ix")
        connection.execute(
            "CREATE INDEX IF NOT EXISTS ix_movement_balance"
            " ON movement (account_id, currency, date, debit, credit)"
        )
        connection.commit()
        connection.close()
        if workdir is not None:
            workdir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
