"""`mutabakat import` / `export` from the command line: exit status, summary, templates, a
round trip of the demo company, and a process killed with SIGKILL in the middle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from tests.import_files import ACCOUNT_HEADER, account_rows, write_xlsx
from tui_mutabakat import cli
from tui_mutabakat.config import sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.import_models import ImportRun
from tui_mutabakat.data.models import Account, Contact, Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.demo.data import create_demo_company

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """No user configuration file, the acting user `tester`; the same for child processes."""
    values = {
        "MUTABAKAT_CONFIG": str(tmp_path / "none.toml"),
        "MUTABAKAT_DATA_DIR": str(tmp_path),
        "MUTABAKAT_USER": "tester",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return {**os.environ, **values, "PYTHONPATH": str(ROOT)}


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def count(database: Database, model: type) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_exit_status_and_summary(
    database: Database,
    environment: dict[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = account_rows(4)
    rows[1][2] = "1111111111"
    path = write_xlsx(tmp_path / "cari.xlsx", [ACCOUNT_HEADER, *rows])
    errors = tmp_path / "hatalar.xlsx"
    db = ["--db", url_of(database)]
    assert cli.main([*db, "import", "accounts", str(path), "--errors", str(errors)]) == 1
    out = capsys.readouterr().out
    assert "satır 3, sütun C (VKN)" in out
    assert "reddedilen: 1" in out and "hiçbir satır alınmadı" in out
    assert errors.exists() and count(database, Account) == 0
    assert cli.main([*db, "import", "accounts", str(path), "--dry-run", "--valid-only"]) == 0
    assert "Deneme" in capsys.readouterr().out and count(database, Account) == 0
    assert cli.main([*db, "import", "accounts", str(path), "--valid-only"]) == 0
    assert "eklenen: 3" in capsys.readouterr().out
    assert cli.main([*db, "import", "accounts", str(path), "--valid-only"]) == 0
    assert "hiçbir şey eklenmedi" in capsys.readouterr().out
    assert cli.main([*db, "import", "balances", str(tmp_path / "yok.xlsx")]) == 1
    assert "bulunamadı" in capsys.readouterr().err
    assert cli.main([*db, "import", "balances", str(path), "--as-of", "dün"]) == 2
    assert cli.main([*db, "import"]) == 2


def test_a_saved_mapping_reads_headers_no_erp_uses(
    database: Database, environment: dict[str, str], tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "liste.xlsx", [["No", "Firma"], ["M-1", "Birinci"]])
    mapping = tmp_path / "eslesme.json"
    mapping.write_text('{"Cari Kodu": "No", "title": "Firma"}', encoding="utf-8")
    db = ["--db", url_of(database)]
    command = [*db, "import", "accounts", str(path), "--mapping", str(mapping)]
    assert cli.main([*command, "--save-mapping", "liste"]) == 0
    assert count(database, Account) == 1
    second = write_xlsx(tmp_path / "liste2.xlsx", [["No", "Firma"], ["M-2", "İkinci"]])
    assert cli.main([*db, "import", "accounts", str(second), "--mapping", "liste"]) == 0
    assert count(database, Account) == 2
    assert cli.main([*db, "import", "contacts", str(second), "--mapping", "liste"]) == 1


def test_template_has_the_headers(environment: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "sablon.xlsx"
    assert cli.main(["import", "--template", "movements", str(out)]) == 0
    header = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()[0]
    assert header[:2] == ["Cari Kodu", "Tarih"]
    assert {"Borç", "Alacak", "Evrak No", "Döviz Tutarı", "Kur", "Vade Tarihi"} <= set(header)
    assert cli.main(["import", "--template", "nothing", str(out)]) == 2


def _export_all(url: str, folder: Path, suffix: str) -> dict[str, Path]:
    files = {}
    for kind in ("accounts", "contacts", "movements"):
        files[kind] = folder / f"{kind}{suffix}"
        assert cli.main(["--db", url, "export", kind, str(files[kind])]) == 0
    return files


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_an_export_imports_back_unchanged(
    database: Database, environment: dict[str, str], tmp_path: Path, suffix: str
) -> None:
    """The demo company out, into an empty database, and out again: the same files."""
    create_demo_company(database)
    first = _export_all(url_of(database), tmp_path / "a", suffix)
    other = Database.from_url(sqlite_url(tmp_path / "b.sqlite3"))
    migrate.upgrade(other.engine)
    try:
        for kind in ("accounts", "contacts", "movements"):
            assert cli.main(["--db", url_of(other), "import", kind, str(first[kind])]) == 0
        second = _export_all(url_of(other), tmp_path / "b", suffix)
        for kind in ("accounts", "contacts", "movements"):
            if suffix == ".csv":
                assert first[kind].read_bytes() == second[kind].read_bytes(), kind
            else:
                a = CalamineWorkbook.from_path(str(first[kind])).get_sheet_by_index(0)
                b = CalamineWorkbook.from_path(str(second[kind])).get_sheet_by_index(0)
                assert a.to_python() == b.to_python(), kind
        for model in (Account, Contact, Movement):
            assert count(other, model) == count(database, model)
        # And the export imported into the database it came from adds nothing.
        for kind in ("accounts", "contacts", "movements"):
            assert cli.main(["--db", url_of(database), "import", kind, str(first[kind])]) == 0
        assert count(database, Movement) == count(other, Movement)
    finally:
        other.dispose()


def test_a_process_killed_mid_import_leaves_nothing(
    any_database: Database, environment: dict[str, str], tmp_path: Path
) -> None:
    rows = ["Cari Kodu;Ünvanı;İl"] + [
        f"120.{n // 1000:03d}.{n % 1000:03d};Müşteri {n} Ticaret Ltd. Şti.;İzmir"
        for n in range(40_000)
    ]
    path = tmp_path / "cari.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1254"))
    command = [sys.executable, "-m", "tui_mutabakat", "--db", url_of(any_database)]
    child = subprocess.Popen(
        [*command, "import", "accounts", str(path)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        line = child.stderr.readline()
        if line.startswith("Not:"):  # SQLite: other sessions cannot write meanwhile
            assert "başka oturumlar" in line, line
            line = child.stderr.readline()
        # The first chunk is written (in the open transaction) before the first progress line.
        assert "satır okundu" in line, line
        os.kill(child.pid, signal.SIGKILL)
    finally:
        returncode = child.wait(timeout=60)
        if child.stderr is not None:
            child.stderr.close()
    assert returncode == -signal.SIGKILL, "the import finished before it was killed"
    assert count(any_database, Account) == 0
    # The import's line, written before its transaction, says it never finished.
    with any_database.reader() as session:
        runs = session.execute(select(ImportRun.outcome, ImportRun.finished_at)).all()
    assert [tuple(r) for r in runs] == [("running", None)]
    # The database takes the same file whole afterwards.
    done = subprocess.run(
        [*command, "import", "accounts", str(path)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert count(any_database, Account) == 40_000


def test_erp_files_in_then_letters_out(
    database: Database, environment: dict[str, str], tmp_path: Path
) -> None:
    """The issue's "done when": an account list, a contact list and a balance list as an ERP
    exports them (Windows-1254 CSV with `;`), three bad rows fixed through the errors file,
    then reconciliation letters to the imported accounts."""
    from datetime import date

    from tests.import_files import vkn, write_csv_1254
    from tests.send_data import add_company, configure_sender, write_batch
    from tui_mutabakat.data.outbox_models import Letter
    from tui_mutabakat.services.context import resolve_actor
    from tui_mutabakat.services.sending.compose import SendOptions

    db = ["--db", url_of(database)]
    accounts = [["Cari Kodu", "Cari Adı", "Vergi No", "İl"]] + [
        [f"120.01.{n:03d}", f"Müşteri {n} Ltd. Şti.", vkn(n), "İzmir"] for n in range(1, 6)
    ]
    accounts[2][2] = "1234567899"  # a wrong check digit
    write_csv_1254(tmp_path / "cari.csv", accounts)
    contacts = [["Cari Kodu", "Yetkili", "E-Posta"]] + [
        [f"120.01.{n:03d}", f"Yetkili {n}", f"yetkili{n}@musteri{n}.com.tr"] for n in range(1, 6)
    ]
    contacts[4][0] = "120.01.099"  # no such account
    write_csv_1254(tmp_path / "yetkili.csv", contacts)
    balances = [["Cari Kodu", "Bakiye", "B/A"]] + [
        [f"120.01.{n:03d}", f"{n}.000,50", "B"] for n in range(1, 6)
    ]
    balances[5][2] = "X"  # neither B nor A
    write_csv_1254(tmp_path / "bakiye.csv", balances)

    # Each list: the valid rows in, the refused row to its errors file with the reason;
    # fixed there and imported again.
    as_of = ["--as-of", "31.12.2026"]
    fixes = {
        "cari": ("accounts", 2, vkn(2)),  # accounts[2] is 120.01.002 on sheet row 3
        "yetkili": ("contacts", 0, "120.01.004"),
        "bakiye": ("balances", 2, "B"),
    }
    for name, (kind, column, value) in fixes.items():
        source, errors = tmp_path / f"{name}.csv", tmp_path / f"{name}_hatalar.xlsx"
        base = [*db, "import", kind, str(source), *as_of]
        assert cli.main([*base, "--errors", str(errors)]) == 1  # refused: nothing in
        assert cli.main([*base, "--valid-only"]) == 0
        sheet = CalamineWorkbook.from_path(str(errors)).get_sheet_by_index(0).to_python()
        assert len(sheet) == 2 and sheet[0][-1] == "Hata" and sheet[1][-1], sheet
        fixed = [sheet[0][:-1], [*sheet[1][:-1]]]
        fixed[1][column] = value
        path = write_xlsx(tmp_path / f"{name}_duzeltilmis.xlsx", fixed)
        assert cli.main([*db, "import", kind, str(path), *as_of]) == 0
    assert (count(database, Account), count(database, Contact)) == (5, 5)
    assert count(database, Movement) == 5

    with database.unit_of_work() as session:
        actor = resolve_actor(session, "tester")
        add_company(session)
        configure_sender(session, "tester")
        ids = session.scalars(select(Account.id).order_by(Account.code)).all()
    created = write_batch(
        database, actor, date(2026, 12, 31), [(i, "TRY") for i in ids], SendOptions()
    )
    assert created.letters == 5
    assert cli.main([*db, "worker", "--once", "--poll", "0.1"]) == 0
    letters = sorted((tmp_path / "outbox" / "new").glob("*.eml"))
    assert len(letters) == 5
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Letter)) == 5
