"""The balance list of "e-Mutabakat Gönder" on a large SQLite file: time to the first page
(rows + total count, `first_page`), beside the bare aggregate in the `sqlite3` shell.

    python bench/balance_list.py [--accounts 100000] [--movements 5000000]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui_mutabakat.config import sqlite_url  # noqa: E402
from tui_mutabakat.data import migrate  # noqa: E402
from tui_mutabakat.data.balance_queries import (  # noqa: E402
    BalanceCriteria,
    BalanceFilter,
    balance_page,
    count_balances,
)
from tui_mutabakat.data.session import Database  # noqa: E402

AS_OF = date(2026, 12, 31)
BARE = (
    "SELECT account_id, currency, sum(debit), sum(credit), sum(debit) - sum(credit) "
    "FROM movement WHERE date <= '2026-12-31' GROUP BY account_id, currency;"
)


def fill(path: Path, accounts: int, movements: int) -> None:
    database = Database.from_url(sqlite_url(path))
    migrate.upgrade(database.engine)
    database.dispose()
    rng = random.Random(7)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    now = "2026-01-01 00:00:00"
    connection.executemany(
        "INSERT INTO account (id, code, title, tax_number, tax_office, address, city, phone, "
        "currency, group_code, sector_code, region_code, notes, active, routing, "
        "department_email, created_at, created_by, updated_at, updated_by, version_id) "
        "VALUES (?, ?, ?, '', '', '', '', '', 'TRY', ?, '', '', '', 1, 'contacts', '', ?, '', "
        "?, '', 1)",
        (
            (n, f"120.{n:07d}", f"Müşteri {n}", f"G{n % 20}", now, now)
            for n in range(1, accounts + 1)
        ),
    )
    start = date(2025, 1, 1)

    def rows():  # type: ignore[no-untyped-def]
        for m in range(movements):
            account = rng.randint(1, accounts)
            day = (start + timedelta(days=rng.randint(0, 760))).isoformat()
            amount = round(round(rng.uniform(10, 50_000), 2) * 100)  # kuruş, as `Money` stores
            currency = "TRY" if m % 10 else "USD"
            debit, credit = (amount, 0) if m % 3 else (0, amount)
            yield (account, day, "sales_invoice", debit, credit, currency, now)

    connection.executemany(
        "INSERT INTO movement (account_id, date, doc_type, doc_no, description, debit, credit, "
        "currency, settled, created_at, created_by) VALUES (?, ?, ?, '', '', ?, ?, ?, 0, ?, '')",
        rows(),
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--movements", type=int, default=5_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "list.sqlite3"
        started = time.perf_counter()
        fill(path, args.accounts, args.movements)
        print(
            f"data: {args.accounts} accounts, {args.movements} movements "
            f"({time.perf_counter() - started:.0f} s to build)"
        )
        shell = shutil.which("sqlite3")
        if shell:
            started = time.perf_counter()
            subprocess.run([shell, str(path), BARE], check=True, capture_output=True)
            print(f"bare aggregate in the sqlite3 shell: {time.perf_counter() - started:6.2f} s")
        database = Database.from_url(sqlite_url(path))
        for name, criteria in (
            ("all", BalanceCriteria(as_of=AS_OF)),
            ("non-zero", BalanceCriteria(as_of=AS_OF, balance_filter=BalanceFilter.NON_ZERO)),
            ("group G3", BalanceCriteria(as_of=AS_OF, group_code="G3")),
        ):
            with database.reader() as session:
                started = time.perf_counter()
                balance_page(session, criteria, 0, 50)
                first = time.perf_counter() - started
                started = time.perf_counter()
                total = count_balances(session, criteria)
                count = time.perf_counter() - started
                started = time.perf_counter()
                balance_page(session, criteria, total // 2, 50)
                middle = time.perf_counter() - started
            print(
                f"{name} ({total} rows): first page {first:6.3f} s, count {count:6.3f} s, "
                f"a page in the middle {middle:6.3f} s"
            )
        database.dispose()


if __name__ == "__main__":
    main()
