"""How fast the letter list of a batch opens: 50 000 letters against 50 (issue 16 point 4).

    PYTHONPATH=. python bench/letter_list.py [--db sqlite:////tmp/letters.sqlite3] [--runs 5]

Makes (once) two batches by plain bulk INSERTs — 50 letters and 50 000 letters, each with
its balance row and a recipient, states spread like a batch some weeks after sending, a few
recipients in doubt — then measures, paired and interleaved (`paired.py`: the big batch is
the product, the small one the anchor, so the ratio says how much slower the big one opens):

- first page: what the screen asks for when it opens — the count and the first page of 100
  rows (balances, in-doubt counts and foreign-answer flags of those rows), sorted by code;
- the same sorted by title descending, and with a search typed ("iptal");
- the last page (End);
- opening the screen headless at 120×40, from the key to the first letter drawn.

A ratio near 1 means the list does not grow with the batch. No figure is invented: every
line is printed as measured.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from paired import interleave, report  # noqa: E402

from tui_mutabakat.data import migrate  # noqa: E402
from tui_mutabakat.data.outbox_models import (  # noqa: E402
    Letter,
    LetterBalance,
    Recipient,
    ReconciliationBatch,
)
from tui_mutabakat.data.session import Database  # noqa: E402
from tui_mutabakat.domain.states import LetterState, RecipientState  # noqa: E402
from tui_mutabakat.services.tracking.letter_list import (  # noqa: E402
    LetterFilter,
    LetterSort,
    count_letters,
    letter_page,
)

SIZES = (50, 50_000)
PAGE = 100  # the letter table's page (screens/tracking/letter_rows.py)
CHUNK = 10_000
WORDS = ("Anadolu", "Marmara", "Ege", "Yıldız", "Güneş", "Çınar", "Ilgaz", "İPTAL", "Öz")
TRADES = ("Gıda", "Tekstil", "İnşaat", "Lojistik", "Makina", "Kimya", "Mobilya")
STATES = (
    (LetterState.SENT, 40),
    (LetterState.NO_ANSWER, 20),
    (LetterState.AGREED, 25),
    (LetterState.DISAGREED, 5),
    (LetterState.UNCLEAR, 4),
    (LetterState.BOUNCED, 3),
    (LetterState.FAILED, 1),
    (LetterState.CANCELLED, 2),
)


def make_batch(database: Database, letters: int, rng: random.Random) -> int:
    now = dt.datetime.now(dt.UTC)
    states = [s for s, weight in STATES for _ in range(weight)]
    with database.engine.begin() as conn:
        batch_id = conn.execute(
            insert(ReconciliationBatch).returning(ReconciliationBatch.id),
            {
                "title": f"Bench {letters} mektup",
                "as_of": dt.date(2026, 12, 31),
                "answer_by": dt.date(2027, 1, 31),
                "template_name": "standart",
                "sender_login": "bench",
                "from_address": "bench@example.com",
                "created_by": "bench",
                "created_at": now,
                "letter_count": letters,
            },
        ).scalar_one()
        for start in range(0, letters, CHUNK):
            rows = []
            for n in range(start, min(letters, start + CHUNK)):
                amount = Decimal(rng.randrange(100, 500_000_000)) / 100
                rows.append(
                    {
                        "batch_id": batch_id,
                        "account_code": f"120.{n // 1000:03d}.{n % 1000:03d}",
                        "account_title": f"{rng.choice(WORDS)} {rng.choice(TRADES)} A.Ş.",
                        "currency": "TRY",
                        "debit_total": amount,
                        "credit_total": Decimal("0"),
                        "balance": amount,
                        "side": "B",
                        "token": f"b{batch_id}t{n}",
                        "message_id": f"<b{batch_id}.{n}@bench>",
                        "subject": "Mutabakat",
                        "state": rng.choice(states),
                        "state_at": now - dt.timedelta(minutes=rng.randrange(100_000)),
                        "created_at": now,
                    }
                )
            ids = list(conn.scalars(insert(Letter).returning(Letter.id), rows))
            conn.execute(
                insert(LetterBalance),
                [
                    {
                        "letter_id": i,
                        "currency": "TRY",
                        "position": 0,
                        "debit_total": r["debit_total"],
                        "credit_total": Decimal("0"),
                        "balance": r["balance"],
                        "side": "B",
                    }
                    for i, r in zip(ids, rows, strict=True)
                ],
            )
            conn.execute(
                insert(Recipient),
                [
                    {
                        "letter_id": i,
                        "address": f"m{i}@example.com",
                        "state": RecipientState.ACCEPTED,
                        "in_doubt": rng.random() < 0.002,
                    }
                    for i in ids
                ],
            )
    return int(batch_id)


def prepare(url: str) -> dict[int, int]:
    """The batch id of each size, made when missing."""
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    rng = random.Random(16)
    found: dict[int, int] = {}
    with database.reader() as session:
        for batch_id, count in session.execute(
            select(Letter.batch_id, func.count()).group_by(Letter.batch_id)
        ):
            found[int(count)] = int(batch_id)
    batches = {}
    for size in SIZES:
        if size not in found:
            started = time.perf_counter()
            found[size] = make_batch(database, size, rng)
            print(f"made a batch of {size} letters in {time.perf_counter() - started:.1f} s")
        batches[size] = found[size]
    if database.engine.dialect.name == "sqlite":
        with database.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.engine.dispose()
    return batches


def first_page(database: Database, flt: LetterFilter, last: bool = False) -> Callable[[], float]:
    """Seconds for the count and one page, as the screen asks for them (own read sessions)."""

    def run() -> float:
        started = time.perf_counter()
        with database.reader() as session:
            total = count_letters(session, flt)
        offset = max(0, total - PAGE) if last else 0
        with database.reader() as session:
            rows = letter_page(session, flt, offset, PAGE)
        took = time.perf_counter() - started
        assert rows or not total
        return took * 1000

    return run


async def open_screen(url: str, batch_id: int) -> float:
    """Milliseconds from pushing the letter list to its first letter drawn, headless."""
    from tui_mutabakat.app import make_app
    from tui_mutabakat.config import Settings
    from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
    from tui_mutabakat.widgets.paged_table import PagedTable

    database = Database.from_url(url)
    settings = Settings(
        data_dir=Path(tempfile.mkdtemp()), database_url=url, mail_backend="file", user_login="bench"
    )
    app = make_app(settings, database)
    async with app.run_test(size=(120, 40), headless=True) as pilot:
        await pilot.pause()
        started = time.perf_counter()
        screen = TrackLettersScreen(batch_id)
        await app.push_screen(screen)
        table = screen.query_one(PagedTable)
        while True:
            await pilot.pause(0)
            row = table.row_at(0)
            painted = "\n".join(s.text for s in app.screen._compositor.render_strips())
            if row is not None and row.cells[1] in painted:
                break
        took = time.perf_counter() - started
    database.engine.dispose()
    return took * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = args.db or f"sqlite:///{tempfile.gettempdir()}/mutabakat-letter-bench.sqlite3"
    batches = prepare(url)
    database = Database.from_url(url)
    small, big = batches[SIZES[0]], batches[SIZES[1]]
    cases = [
        ("first page, by code", {}, False),
        ("first page, by title descending", {"sort": LetterSort.TITLE, "descending": True}, False),
        ("first page, search 'iptal'", {"search": "iptal"}, False),
        ("first page, only not agreed", {"states": frozenset({LetterState.DISAGREED})}, False),
        ("last page (End), by code", {}, True),
    ]
    print(f"database: {database.engine.url.render_as_string()}")
    for label, options, last in cases:
        product = first_page(database, LetterFilter(big, **options), last)  # type: ignore[arg-type]
        anchor = first_page(database, LetterFilter(small, **options), last)  # type: ignore[arg-type]
        pairs = interleave(args.runs, product, anchor, label, " ms")
        report(f"{label}: 50 000 letters (product) vs 50 (anchor)", pairs, " ms")
    pairs = interleave(
        max(2, args.runs // 2),
        lambda: asyncio.run(open_screen(url, big)),
        lambda: asyncio.run(open_screen(url, small)),
        "screen open",
        " ms",
    )
    report(
        "screen open to first letter drawn, 120x40: 50 000 (product) vs 50 (anchor)", pairs, " ms"
    )


if __name__ == "__main__":
    main()
