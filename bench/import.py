"""How fast the import reads ERP files, and how much memory it takes, beside a bare read.

    PYTHONPATH=. python bench/import.py --accounts 100000 --contacts 200000 \
        --movements 2000000 [--db URL] [--formats xlsx,csv] [--dir /tmp/import-bench]

Writes an accounts, a contacts and a movements file in each format (xlsx with openpyxl's
write-only mode, CSV as Windows-1254 with `;` and Turkish numbers, as Turkish Excel saves
it), then, each in a child process of its own so that peak memory is per step:

- the bare read: every row of the file through `python-calamine` (xlsx) or `csv.reader`
  over the decoded file (CSV) — the floor any import stands on;
- the import: `run_import` into the database (accounts, then contacts, then movements).

For each it prints the wall and CPU seconds, rows per second (wall), the peak resident
memory (MB, getrusage) and the import's time as a multiple of the bare read's (wall and
CPU: on a shared machine the CPU figure is the steadier one). Without `--db` a new SQLite file in
`--dir` is used (PostgreSQL: pass an empty database's URL; it is migrated first).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

from openpyxl import Workbook

ACCOUNT_HEADER = ["Cari Kodu", "Ünvanı", "Vergi No", "Vergi Dairesi", "İl", "Telefon", "Döviz"]
CONTACT_HEADER = ["Cari Kodu", "Adı Soyadı", "E-Posta", "Görevi", "Telefon"]
MOVEMENT_HEADER = ["Cari Kodu", "Tarih", "Evrak Tipi", "Evrak No", "Açıklama", "Borç", "Alacak"]
CITIES = ("İstanbul", "Ankara", "İzmir", "Bursa", "Antalya", "Konya", "Kayseri", "Adana")
TYPES = ("Satış Faturası", "Alış Faturası", "Banka", "Kasa", "Cari Hesap Fişi")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process: on a shared machine a fairer clock than the wall."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _code(n: int) -> str:
    return f"120.{n // 1000:03d}.{n % 1000:03d}"


def _vkn(n: int) -> str:
    from tui_mutabakat.domain.tax_number import vkn_check_digit

    nine = f"{100_000_000 + n * 7919:09d}"[-9:]
    return nine + str(vkn_check_digit(nine))


def rows_of(kind: str, count: int, accounts: int, seed: int = 7) -> Any:
    rng = random.Random(seed)
    start = dt.date(2025, 1, 1)
    for n in range(count):
        if kind == "accounts":
            yield [
                _code(n),
                f"Müşteri {n} Ticaret Ltd. Şti.",
                _vkn(n),
                "Kadıköy",
                CITIES[n % len(CITIES)],
                f"0 (212) {200 + n % 700} 00 00",
                "TL",
            ]
        elif kind == "contacts":
            yield [
                _code(n % accounts),
                f"Yetkili {n} Öztürk",
                f"yetkili{n}@musteri{n % accounts}.com.tr",
                "Muhasebe",
                "0532 000 00 00",
            ]
        else:
            cents = rng.randint(1_000, 5_000_000)
            amount = f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"
            debit = rng.random() < 0.6
            yield [
                _code(rng.randrange(accounts)),
                (start + dt.timedelta(days=n % 700)).strftime("%d.%m.%Y"),
                TYPES[n % len(TYPES)],
                f"EVR{n:08d}",
                "Hareket açıklaması",
                amount if debit else "",
                "" if debit else amount,
            ]


def write_file(path: Path, header: list[str], rows: Any) -> None:
    if path.suffix == ".csv":
        with path.open("w", encoding="cp1254", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            writer.writerows(rows)
        return
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sayfa1")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)


def bare_read(path: str, out: Any) -> None:
    started = time.perf_counter()
    cpu = _cpu()
    count = 0
    if path.endswith(".csv"):
        with open(path, encoding="cp1254", newline="") as handle:
            for _row in csv.reader(handle, delimiter=";"):
                count += 1
    else:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(path)
        for _row in book.get_sheet_by_index(0).iter_rows():
            count += 1
    out.put((time.perf_counter() - started, _cpu() - cpu, count - 1, _rss_mb()))


def do_import(url: str, kind: str, path: str, out: Any) -> None:
    from tui_mutabakat.data.session import Database
    from tui_mutabakat.i18n import set_language
    from tui_mutabakat.services.context import resolve_actor
    from tui_mutabakat.services.importing import ImportOptions, Kind, run_import

    set_language("tr")
    database = Database.from_url(url)
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "bench")
    started = time.perf_counter()
    cpu = _cpu()
    summary = run_import(database, actor, ImportOptions(Kind(kind), Path(path)))
    seconds = time.perf_counter() - started
    cpu = _cpu() - cpu
    assert summary.outcome == "imported", (summary.outcome, summary.problems[:3])
    out.put((seconds, cpu, summary.read, _rss_mb()))
    database.dispose()


def in_child(target: Any, *args: Any) -> tuple[float, float, int, float]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=target, args=(*args, out))
    process.start()
    result = out.get()
    process.join()
    return result  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=None)
    parser.add_argument("--movements", type=int, default=2_000_000)
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument("--db", default=None)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/import-bench"))
    args = parser.parse_args()
    contacts = args.contacts if args.contacts is not None else args.accounts * 2
    counts = {"accounts": args.accounts, "contacts": contacts, "movements": args.movements}
    headers = {"accounts": ACCOUNT_HEADER, "contacts": CONTACT_HEADER, "movements": MOVEMENT_HEADER}
    args.dir.mkdir(parents=True, exist_ok=True)
    print(
        f"{'file':<16}{'rows':>9}{'bare s':>8}{'cpu':>7}{'r/s':>9}{'MB':>6}"
        f"{'imp s':>8}{'cpu':>7}{'r/s':>7}{'MB':>6}{'×wall':>7}{'×cpu':>6}"
    )
    for suffix in args.formats.split(","):
        from tui_mutabakat.data import migrate
        from tui_mutabakat.data.session import Database

        url = args.db or f"sqlite:///{args.dir / f'bench-{suffix}.sqlite3'}"
        if args.db is None:
            for stale in args.dir.glob(f"bench-{suffix}.sqlite3*"):
                stale.unlink()
        database = Database.from_url(url)
        migrate.upgrade(database.engine)
        database.dispose()
        for kind, count in counts.items():
            path = args.dir / f"{kind}.{suffix}"
            write_file(path, headers[kind], rows_of(kind, count, args.accounts))
            bare_s, bare_cpu, rows, bare_mb = in_child(bare_read, str(path))
            imp_s, imp_cpu, read, imp_mb = in_child(do_import, url, kind, str(path))
            assert read == rows == count, (read, rows, count)
            print(
                f"{path.name:<16}{rows:>9}{bare_s:>8.1f}{bare_cpu:>7.1f}{rows / bare_s:>9.0f}"
                f"{bare_mb:>6.0f}{imp_s:>8.1f}{imp_cpu:>7.1f}{rows / imp_s:>7.0f}{imp_mb:>6.0f}"
                f"{imp_s / bare_s:>7.1f}{imp_cpu / max(bare_cpu, 0.01):>6.1f}"
            )
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
