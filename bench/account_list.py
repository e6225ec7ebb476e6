"""How fast the account list opens and moves on a big database, and how much memory it takes.

    PYTHONPATH=. python bench/account_list.py --db sqlite:////tmp/bench.sqlite3 --make 100000

`--make N` fills an empty (or smaller) database first with N accounts and `--movements`
movements by plain bulk INSERTs, in a child process so its memory does not count.
`mutabakat demo-data --accounts 100000 …` makes a more realistic database for the same bench.

Measured, headless at 120x40: F3 on the main menu → the account list's first row drawn, the
End key (the last of all accounts), a search typed and applied, a sort by title then End, and
the peak resident memory of this process (`resource.getrusage`). A key's time runs from the
key to the last table line drawn after it (Textual's pilot pause, ~60 ms idle wait, is not
counted; a key that changes nothing draws nothing). No anchor: the goal is absolute.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import random
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select
from textual.pilot import Pilot
from textual.strip import Strip

from tui_mutabakat.app import make_app
from tui_mutabakat.config import Settings
from tui_mutabakat.data import migrate
from tui_mutabakat.data.models import Account, AccountParameters, Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.i18n import set_language
from tui_mutabakat.widgets.paged_table import PagedTable

CITIES = ("İstanbul", "Ankara", "İzmir", "Bursa", "Antalya", "Konya", "Kayseri", "Adana")
CITIES += ("Gaziantep", "Eskişehir", "Samsun", "Trabzon", "Denizli", "Manisa", "Mersin")
WORDS = ("Anadolu", "Marmara", "Ege", "Yıldız", "Güneş", "Kuzey", "Doğu", "Birlik", "Öz")
WORDS += ("Karadeniz", "Akdeniz", "Toros", "Çınar", "Ilgaz", "Mavi", "Yeşil", "Altın")
TRADES = ("Gıda", "Tekstil", "İnşaat", "Lojistik", "Makina", "Kimya", "Mobilya", "Otomotiv")
FORMS = ("Ltd. Şti.", "A.Ş.", "Tic. Ltd. Şti.", "San. ve Tic. A.Ş.")
GROUPS = ("MUS", "TED", "BAY", "IHR", "PER")
CHUNK = 20_000


def _rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_data(url: str, accounts: int, movements: int, seed: int = 7) -> None:
    """Bulk-insert accounts (with parameters) and movements until there are `accounts`."""
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    rng = random.Random(seed)
    with database.unit_of_work() as session:
        have = int(session.scalar(select(func.count(Account.id))) or 0)
        last_id = int(session.scalar(select(func.max(Account.id))) or 0)
    if have >= accounts:
        print(f"database already has {have} accounts")
        return
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    with database.engine.begin() as connection:
        for start in range(have, accounts, CHUNK):
            rows = []
            for number in range(start, min(accounts, start + CHUNK)):
                title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(TRADES)} "
                rows.append(
                    {
                        "code": f"120.{number // 1000:03d}.{number % 1000:03d}",
                        "title": title + rng.choice(FORMS),
                        "city": rng.choice(CITIES),
                        "group_code": rng.choice(GROUPS),
                        "tax_number": f"{rng.randrange(10**9, 10**10)}",
                        "currency": "TRY" if rng.random() < 0.9 else "USD",
                        "active": rng.random() < 0.95,
                        "created_at": now,
                        "updated_at": now,
                        "created_by": "bench",
                    }
                )
            connection.execute(insert(Account), rows)
        ids = list(connection.scalars(select(Account.id).where(Account.id > last_id)))
        for start in range(0, len(ids), CHUNK):
            connection.execute(
                insert(AccountParameters), [{"account_id": i} for i in ids[start : start + CHUNK]]
            )
        day = dt.date(2026, 1, 1)
        for start in range(0, movements, CHUNK):
            batch = []
            for _ in range(start, min(movements, start + CHUNK)):
                amount = Decimal(rng.randrange(100, 5_000_000)) / 100
                debit = rng.random() < 0.6
                batch.append(
                    {
                        "account_id": rng.choice(ids),
                        "date": day + dt.timedelta(days=rng.randrange(365)),
                        "doc_type": DocumentType.SALES_INVOICE if debit else DocumentType.BANK,
                        "debit": amount if debit else Decimal("0"),
                        "credit": Decimal("0") if debit else amount,
                        "currency": "TRY",
                        "settled": Decimal("0"),
                        "created_at": now,
                    }
                )
            connection.execute(insert(Movement), batch)
    if database.engine.dialect.name == "sqlite":
        # A big write leaves a big WAL that the next opener reads whole (~2 s at 5M rows).
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    took = time.perf_counter() - started
    print(f"made {len(ids)} accounts and {movements} movements in {took:.1f} s")


class Clock:
    """Wall time and this process's CPU time since the last `lap()`.

    The machine is often shared: CPU time shows what the app itself spent when wall time
    includes waiting for other processes.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def lap(self) -> str:
        text = (
            f"{time.perf_counter() - self._wall:.3f} s "
            f"(cpu {time.process_time() - self._cpu:.3f} s)"
        )
        self.reset()
        return text


async def open_list(pilot: Pilot[None]) -> PagedTable:
    from tui_mutabakat.screens.accounts.account_list import AccountListScreen

    await pilot.press("f3")
    while not isinstance(pilot.app.screen, AccountListScreen):
        await pilot.pause()
    await pilot.pause()
    table = pilot.app.screen.query_one("#account-table", PagedTable)
    first = table.row_at(0)
    painted = "\n".join(s.text for s in pilot.app.screen._compositor.render_strips())
    assert first is not None and first.cells[0] in painted, "no rows on screen"
    return table


def record_draws() -> list[float]:
    """The time of every line the table draws with an account in it: a key's timing ends
    at the last line drawn after it (the frame the user sees), not when pilot's idle wait
    comes back."""
    draws: list[float] = []
    draw = PagedTable.render_line

    def drawing(table: PagedTable, y: int) -> Strip:
        strip = draw(table, y)
        if y > 0 and table.row_count and strip.text.strip():
            draws.append(time.perf_counter())
        return strip

    PagedTable.render_line = drawing  # type: ignore[method-assign]
    return draws


async def measure(url: str) -> None:
    set_language("tr")
    before_app = _rss_mb()
    await _data_only(url)
    draws = record_draws()
    clock = Clock()
    database = Database.from_url(url)
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp()), database_url=url, mail_backend="file", user_login="bench"
    )
    app = make_app(settings, database)
    async with app.run_test(size=(120, 40), headless=True) as pilot:
        await pilot.pause()
        print(f"{'app start -> main menu:':<28} {clock.lap()} (pilot's pause included)")
        pressed = time.perf_counter()
        table = await open_list(pilot)
        print(f"{'F3 -> 1st row drawn:':<28} {draws[0] - pressed:.3f} s")
        print(f"{'accounts in the list:':<28} {table.row_count}")

        async def timed(label: str, *keys: str) -> None:
            fetches = table.page_fetches
            mark = len(draws)
            started = time.perf_counter()
            await pilot.press(*keys)
            await pilot.pause()
            took = f"{draws[-1] - started:.3f} s" if len(draws) > mark else "no redraw"
            row = table.cursor_row + 1
            print(
                f"{label:<28} {took}, row {row} of {table.row_count}, "
                f"{table.page_fetches - fetches} page reads"
            )

        await timed("a key that does nothing:", "ctrl+home")
        await timed("End (last account):", "end")
        await timed("PgUp x3:", "pageup", "pageup", "pageup")
        await timed("Ctrl+Home:", "ctrl+home")
        await timed("search 'gıda' + Enter:", "g", "ı", "d", "a", "enter")
        await timed("End in the search result:", "end")
        await pilot.press("escape")
        await pilot.pause()
        mark = len(draws)
        pressed = time.perf_counter()
        table = await open_list(pilot)
        print(f"{'Esc, F3 again -> row drawn:':<28} {draws[mark] - pressed:.3f} s")
        await timed("F6 sort by title:", "f6")
        await timed("End (by title):", "end")
    print(f"{'peak RSS before the app:':<28} {before_app:.0f} MB")
    print(f"{'peak RSS:':<28} {_rss_mb():.0f} MB")
    database.dispose()


async def _data_only(url: str) -> None:
    """The database part of the first screen alone: the count and the first page."""
    from tui_mutabakat.data.account_queries import AccountFilter, AccountSort
    from tui_mutabakat.screens.accounts.account_rows import AccountSource

    database = Database.from_url(url)
    for label, flt in (
        ("by code", AccountFilter()),
        ("by title", AccountFilter(sort=AccountSort.TITLE)),
    ):
        source = AccountSource(database, flt)
        began = time.perf_counter()
        total = source.count()
        source.rows(0, 200)
        first = time.perf_counter() - began
        began = time.perf_counter()
        source.rows(max(0, total - 200), 200)
        last = time.perf_counter() - began
        print(
            f"data {label}: count + first page {first:.3f} s, last page {last:.3f} s "
            f"({total} accounts)"
        )
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="database URL, e.g. sqlite:////tmp/b.sqlite3")
    parser.add_argument("--make", type=int, default=0, help="first fill up to N accounts")
    parser.add_argument("--movements", type=int, default=None, help="movements (default 10×N)")
    args = parser.parse_args()
    if args.make:
        movements = args.movements if args.movements is not None else args.make * 10
        child = multiprocessing.Process(target=make_data, args=(args.db, args.make, movements))
        child.start()
        child.join()
        if child.exitcode:
            raise SystemExit(child.exitcode)
    asyncio.run(measure(args.db))


if __name__ == "__main__":
    main()
