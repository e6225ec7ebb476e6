"""How fast the import reads ERP files, and how much memory it takes, beside a bare read.

    PYTHONPATH=. python bench/import.py --accounts 100000 --contacts 200000 \
        --movements 2000000 [--formats xlsx,csv] [--kinds accounts,movements] [--runs 3]

Writes an accounts, a contacts and a movements file in each format (xlsx with openpyxl's
write-only mode, CSV as Windows-1254 with `;` and Turkish numbers, as Turkish Excel saves
it; kept in `--dir` for the next run), then for each file `--runs` pairs (`paired.py`),
each side in a child process of its own so that peak memory is per step:

- the import: `run_import` into a fresh copy of a SQLite database (migrated, with the
  accounts already imported for contacts and movements);
- the anchor, the bare read: every row of the file through `python-calamine` (xlsx) or
  `csv.reader` over the decoded file (CSV) — the floor any import stands on.

It prints CPU seconds of both sides and their ratio as min / median / max (on a shared
machine CPU is the steadier clock), the import's rows per second (wall) and its peak
resident memory (MB, getrusage).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import multiprocessing
import random
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).parent))
from paired import interleave, report, spread  # noqa: E402

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


def _fresh(url_path: Path, base: Path) -> str:
    """A copy of `base` (a migrated database, with the accounts when the kind needs them)."""
    for stale in url_path.parent.glob(url_path.name + "*"):
        stale.unlink()
    shutil.copyfile(base, url_path)
    return f"sqlite:///{url_path}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--contacts", type=int, default=None)
    parser.add_argument("--movements", type=int, default=2_000_000)
    parser.add_argument("--formats", default="xlsx,csv")
    parser.add_argument("--kinds", default="accounts,contacts,movements")
    parser.add_argument("--runs", type=int, default=3, help="pairs (import, bare read) per file")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/import-bench"))
    args = parser.parse_args()
    contacts = args.contacts if args.contacts is not None else args.accounts * 2
    counts = {"accounts": args.accounts, "contacts": contacts, "movements": args.movements}
    headers = {"accounts": ACCOUNT_HEADER, "contacts": CONTACT_HEADER, "movements": MOVEMENT_HEADER}
    args.dir.mkdir(parents=True, exist_ok=True)
    from tui_mutabakat.data import migrate
    from tui_mutabakat.data.session import Database

    empty = args.dir / "empty.sqlite3"
    with_accounts = args.dir / "accounts.sqlite3"
    for stale in args.dir.glob("*.sqlite3*"):
        stale.unlink()
    database = Database.from_url(f"sqlite:///{empty}")
    migrate.upgrade(database.engine)
    database.dispose()
    for suffix in args.formats.split(","):
        for kind in args.kinds.split(","):
            count = counts[kind]
            path = args.dir / f"{kind}-{count}.{suffix}"
            if not path.exists():
                write_file(path, headers[kind], rows_of(kind, count, args.accounts))
            if kind != "accounts" and not with_accounts.exists():
                accounts = args.dir / f"accounts-{args.accounts}.{suffix}"
                if not accounts.exists():
                    write_file(accounts, ACCOUNT_HEADER, rows_of("accounts", args.accounts, 0))
                url = _fresh(with_accounts, empty)
                in_child(do_import, url, "accounts", str(accounts))
            base = empty if kind == "accounts" else with_accounts
            size = path.stat().st_size / 2**20
            print(f"{path.name}: {count} rows, {size:.0f} MB; CPU seconds, import vs bare read")
            peaks: list[float] = []
            walls: list[float] = []

            def product(
                path: Path = path,
                kind: str = kind,
                base: Path = base,
                peaks: list[float] = peaks,
                walls: list[float] = walls,
            ) -> float:
                url = _fresh(args.dir / "run.sqlite3", base)
                seconds, cpu, read, peak = in_child(do_import, url, kind, str(path))
                assert read == counts[kind], (read, counts[kind])
                peaks.append(peak)
                walls.append(seconds)
                return cpu

            def anchor(path: Path = path) -> float:
                return in_child(bare_read, str(path))[1]

            pairs = interleave(args.runs, product, anchor, kind, " s")
            report(f"{path.name} import/bare CPU", pairs, " s")
            rates = [count / w for w in walls]
            print(f"  import rows/s (wall): {spread(rates)}; peak RSS MB: {spread(peaks)}")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
