"""Import from files as ERPs write them, on SQLite and PostgreSQL: what is stored, what is
refused, what a second import does, and that a refused file leaves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from tests.import_files import (
    ACCOUNT_HEADER,
    account_rows,
    vkn,
    write_csv_1254,
    write_ods,
    write_xlsx,
)
from tui_mutabakat.data.import_models import ImportRun
from tui_mutabakat.data.models import Account, AccountParameters, Contact, Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.importing import (
    ImportCancelled,
    ImportOptions,
    Kind,
    run_import,
)
from tui_mutabakat.services.importing import run as run_module
from tui_mutabakat.services.importing.readers import file_digest


def count(database: Database, model: type) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def import_accounts(database: Database, actor: Actor, path: Path, **options: object) -> object:
    return run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path, **options))  # type: ignore[arg-type]


def test_accounts_contacts_and_balances_from_erp_style_xlsx(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    accounts = write_xlsx(
        tmp_path / "cari.xlsx",
        [ACCOUNT_HEADER, *account_rows(3)],
        sheet="Cari Liste",
        title="CARİ HESAP LİSTESİ",
    )
    summary = run_import(any_database, any_actor, ImportOptions(Kind.ACCOUNTS, accounts))
    assert (summary.outcome, summary.read, summary.added, summary.refused) == ("imported", 3, 3, 0)
    assert summary.sheet == "Cari Liste"
    contacts = write_xlsx(
        tmp_path / "yetkili.xlsx",
        [
            ["Cari Kodu", "Adı Soyadı", "E-Posta", "Görevi", "Mutabakat"],
            ["120.01.001", "Ayşe Çelik", "ayse@musteri1.com.tr", "Muhasebe Müdürü", "Evet"],
            ["120.01.001", "Ömer Şahin", "omer@@musteri1.com.tr", "Finans", "E"],
            ["120.01.002", "İpek Güneş", "ipek@musteri2.com.tr", "", "Hayır"],
        ],
    )
    summary = run_import(any_database, any_actor, ImportOptions(Kind.CONTACTS, contacts))
    assert (summary.added, summary.refused, summary.warning_count) == (3, 0, 1)
    assert "@" in summary.warnings[0].reason and summary.warnings[0].row == 3
    balances = write_xlsx(
        tmp_path / "bakiye.xlsx",
        [
            ["Cari Kodu", "Cari Adı", "Bakiye", "B/A"],
            ["120.01.001", "x", "1.234,56", "B"],
            ["120.01.002", "x", 2500.75, "A"],
            ["120.01.003", "x", 0, "B"],
        ],
    )
    as_of = dt.date(2026, 12, 31)
    summary = run_import(
        any_database, any_actor, ImportOptions(Kind.BALANCES, balances, as_of=as_of)
    )
    assert (summary.added, summary.unchanged, summary.refused) == (2, 1, 0)

    with any_database.reader() as session:
        first = session.scalar(select(Account).where(Account.code == "120.01.001"))
        assert first is not None
        assert first.title == "Müşteri 1 Şirketi Ltd. Şti."
        assert first.tax_number == vkn(1) and first.currency == "TRY"
        assert first.search_text == "musteri 1 sirketi ltd. sti."
        assert first.created_by == "tester"
        assert session.get(AccountParameters, first.id) is not None
        people = session.scalars(select(Contact).order_by(Contact.id)).all()
        assert [(c.name, c.receives_reconciliation) for c in people] == [
            ("Ayşe Çelik", True),
            ("Ömer Şahin", True),
            ("İpek Güneş", False),
        ]
        opening = session.execute(
            select(Account.code, Movement.debit, Movement.credit, Movement.date, Movement.doc_type)
            .join(Account, Account.id == Movement.account_id)
            .order_by(Account.code)
        ).all()
        assert [tuple(r) for r in opening] == [
            ("120.01.001", Decimal("1234.56"), Decimal("0"), as_of, DocumentType.OPENING),
            ("120.01.002", Decimal("0"), Decimal("2500.75"), as_of, DocumentType.OPENING),
        ]
        runs = session.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [(r.kind, r.outcome, r.added, r.user_login) for r in runs] == [
            ("accounts", "imported", 3, "tester"),
            ("contacts", "imported", 3, "tester"),
            ("balances", "imported", 2, "tester"),
        ]
        assert runs[0].sha256 == file_digest(accounts) and runs[0].file_name == "cari.xlsx"

    # The same three files again: nothing added, and it says so.
    for kind, path in (
        (Kind.ACCOUNTS, accounts),
        (Kind.CONTACTS, contacts),
        (Kind.BALANCES, balances),
    ):
        again = run_import(any_database, any_actor, ImportOptions(kind, path, as_of=as_of))
        assert (again.outcome, again.added, again.updated, again.refused) == ("imported", 0, 0, 0)
        assert again.unchanged == again.read
    assert (count(any_database, Account), count(any_database, Contact)) == (3, 3)
    assert count(any_database, Movement) == 2


def test_a_file_with_errors_on_known_rows_imports_nothing_and_lists_exactly_them(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    rows = account_rows(10)
    rows[2][2] = "1234567899"  # sheet row 7 (title 3 rows + header): wrong check digit
    rows[5][1] = ""  # row 10: no title
    rows[8][5] = "YEN"  # row 13: unknown currency
    path = write_xlsx(tmp_path / "cari.xlsx", [ACCOUNT_HEADER, *rows], title="Cari Liste")
    errors = tmp_path / "hatalar.xlsx"
    summary = run_import(
        any_database, any_actor, ImportOptions(Kind.ACCOUNTS, path, errors_path=errors)
    )
    assert summary.outcome == "refused" and not summary.stored
    assert [(p.row, p.column) for p in summary.problems] == [
        (7, "C (VKN)"),
        (10, "B (Cari Hesap Adı)"),
        (13, "F (Döviz)"),
    ]
    assert "kontrol hanesi" in summary.problems[0].reason
    assert count(any_database, Account) == 0
    with any_database.reader() as session:
        run = session.scalars(select(ImportRun)).one()
        assert (run.outcome, run.refused, run.added, run.rows_read) == ("refused", 3, 0, 10)
    book = CalamineWorkbook.from_path(str(errors))
    written = book.get_sheet_by_index(0).to_python()
    assert written[0] == [*ACCOUNT_HEADER, "Hata"]
    assert [r[0] for r in written[1:]] == ["120.01.003", "120.01.006", "120.01.009"]
    assert "Döviz" in written[3][-1]

    # The valid rows on request, then the fixed errors file: all ten, nothing twice.
    valid = run_import(any_database, any_actor, ImportOptions(Kind.ACCOUNTS, path, valid_only=True))
    assert (valid.outcome, valid.added, valid.refused) == ("imported", 7, 3)
    fixed_rows = [[*r[:-1]] for r in written]
    fixed_rows[1][2] = vkn(3)
    fixed_rows[2][1] = "Düzeltilmiş Ünvan"
    fixed_rows[3][5] = "USD"
    fixed = write_xlsx(tmp_path / "duzeltilmis.xlsx", fixed_rows)
    summary = run_import(any_database, any_actor, ImportOptions(Kind.ACCOUNTS, fixed))
    assert (summary.added, summary.refused) == (3, 0)
    assert count(any_database, Account) == 10


def test_windows_1254_csv_with_semicolons_and_turkish_numbers(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    write_csv_1254(
        tmp_path / "cari.csv",
        [
            ["Cari Kodu", "Ünvanı", "Döviz"],
            ["320.01.001", "Gülşen Ağaç İşleri", "TL"],
            ["320.01.002", "Öztürk Dış Ticaret", "USD"],
        ],
    )
    run_import(any_database, any_actor, ImportOptions(Kind.ACCOUNTS, tmp_path / "cari.csv"))
    path = write_csv_1254(
        tmp_path / "hareket.csv",
        [
            [
                "Cari Kodu",
                "Tarih",
                "Evrak Tipi",
                "Evrak No",
                "Açıklama",
                "Borç",
                "Alacak",
                "Döviz",
                "Döviz Tutarı",
                "Kur",
                "Vade Tarihi",
            ],
            [
                "320.01.001",
                "15.11.2026",
                "Alış Faturası",
                "ABC-1",
                "Kereste ödemesi şüpheli",
                "",
                "1.234,56",
                "TL",
                "",
                "",
                "15.12.2026",
            ],
            [
                "320.01.001",
                "20/11/2026",
                "Banka",
                "HVL-7",
                "Havale",
                "1.234,56",
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "320.01.002",
                "2026-11-30",
                "Alış Faturası",
                "USD-9",
                "İthalat",
                "",
                "38.123,40",
                "USD",
                "1.000,00",
                "38,1234",
                "",
            ],
        ],
    )
    summary = run_import(any_database, any_actor, ImportOptions(Kind.MOVEMENTS, path))
    assert (summary.added, summary.refused) == (3, 0), summary.problems
    with any_database.reader() as session:
        rows = session.execute(
            select(
                Movement.doc_type,
                Movement.description,
                Movement.debit,
                Movement.credit,
                Movement.currency,
                Movement.fx_rate,
                Movement.due_date,
            ).order_by(Movement.id)
        ).all()
        titles = session.scalars(select(Account.title).order_by(Account.code)).all()
    assert titles == ["Gülşen Ağaç İşleri", "Öztürk Dış Ticaret"]
    assert [tuple(r) for r in rows] == [
        (
            DocumentType.PURCHASE_INVOICE,
            "Kereste ödemesi şüpheli",
            Decimal("0"),
            Decimal("1234.56"),
            "TRY",
            None,
            dt.date(2026, 12, 15),
        ),
        (DocumentType.BANK, "Havale", Decimal("1234.56"), Decimal("0"), "TRY", None, None),
        (
            DocumentType.PURCHASE_INVOICE,
            "İthalat",
            Decimal("0"),
            Decimal("1000.00"),
            "USD",
            Decimal("38.1234"),
            None,
        ),
    ]
    again = run_import(any_database, any_actor, ImportOptions(Kind.MOVEMENTS, path))
    assert (again.added, again.unchanged) == (0, 3)
    assert count(any_database, Movement) == 3


def test_unknown_codes_and_a_changed_balance_are_refused_until_asked(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    accounts = write_xlsx(tmp_path / "a.xlsx", [ACCOUNT_HEADER, *account_rows(2)])
    run_import(database, actor, ImportOptions(Kind.ACCOUNTS, accounts))
    contacts = write_xlsx(
        tmp_path / "c.xlsx", [["Cari Kodu", "Yetkili", "E-Mail"], ["999", "Kimse", "k@x.com"]]
    )
    refused = run_import(database, actor, ImportOptions(Kind.CONTACTS, contacts))
    assert refused.refused == 1 and "hesap yok" in refused.problems[0].reason
    day = dt.date(2026, 12, 31)
    first = write_xlsx(tmp_path / "b1.xlsx", [["Cari Kodu", "Bakiye"], ["120.01.001", "-100"]])
    run_import(database, actor, ImportOptions(Kind.BALANCES, first, as_of=day))
    second = write_xlsx(tmp_path / "b2.xlsx", [["Cari Kodu", "Bakiye"], ["120.01.001", "250"]])
    changed = run_import(database, actor, ImportOptions(Kind.BALANCES, second, as_of=day))
    assert changed.outcome == "refused" and "--update" in changed.problems[0].reason
    updated = run_import(
        database, actor, ImportOptions(Kind.BALANCES, second, as_of=day, update=True)
    )
    assert (updated.updated, updated.added) == (1, 0)
    with database.reader() as session:
        stored = session.execute(select(Movement.debit, Movement.credit)).all()
    assert [tuple(r) for r in stored] == [(Decimal("250.00"), Decimal("0.00"))]


def test_accounts_change_only_with_update(database: Database, actor: Actor, tmp_path: Path) -> None:
    run_import(
        database,
        actor,
        ImportOptions(
            Kind.ACCOUNTS, write_xlsx(tmp_path / "a.xlsx", [ACCOUNT_HEADER, *account_rows(2)])
        ),
    )
    rows = account_rows(2)
    rows[1][1] = "Yeni Ünvan A.Ş."
    path = write_xlsx(tmp_path / "b.xlsx", [ACCOUNT_HEADER[:2], *(r[:2] for r in rows)])
    kept = run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path))
    assert (kept.updated, kept.unchanged, kept.warning_count) == (0, 2, 1)
    changed = run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path, update=True))
    assert (changed.updated, changed.unchanged) == (1, 1)
    with database.reader() as session:
        account = session.scalar(select(Account).where(Account.code == "120.01.002"))
        assert account is not None
        # Columns the file does not have are left alone; the search text follows the title.
        assert (account.title, account.tax_number) == ("Yeni Ünvan A.Ş.", vkn(2))
        assert account.search_text == "yeni unvan a.s." and account.version_id == 2


def test_dry_run_and_cancel_store_nothing(
    database: Database, actor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [ACCOUNT_HEADER, *account_rows(25)])
    dry = run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path, dry_run=True))
    assert (dry.outcome, dry.added) == ("dry_run", 25)
    assert count(database, Account) == 0
    monkeypatch.setattr(run_module, "CHUNK", 10)
    seen: list[int] = []
    with pytest.raises(ImportCancelled):
        run_import(
            database,
            actor,
            ImportOptions(Kind.ACCOUNTS, path),
            progress=lambda done, _total: seen.append(done),
            cancelled=lambda: len(seen) >= 2,
        )
    assert seen == [10, 20]
    assert count(database, Account) == 0
    with database.reader() as session:
        outcomes = session.scalars(select(ImportRun.outcome).order_by(ImportRun.id)).all()
    assert outcomes == ["dry_run", "cancelled"]


def test_a_file_without_the_required_headers_says_which_are_missing(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "a.xlsx", [["Kodu yok", "Ünvanı"], ["1", "x"]])
    with pytest.raises(InvalidInput, match="Cari Kodu"):
        run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path))
    with pytest.raises(InvalidInput, match="sayfası yok"):
        run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path, sheet="Yok"))


def test_contacts_match_by_account_and_email_and_change_only_with_update(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    run_import(
        any_database,
        any_actor,
        ImportOptions(
            Kind.ACCOUNTS, write_xlsx(tmp_path / "a.xlsx", [ACCOUNT_HEADER, *account_rows(1)])
        ),
    )
    header = ["Cari Kodu", "Yetkili", "E-Posta", "Telefon"]
    first = write_xlsx(
        tmp_path / "c1.xlsx",
        [header, ["120.01.001", "Ali Kaya", "ali@x.com.tr", "1"], ["120.01.001", "Adsız", "", "2"]],
    )
    assert run_import(any_database, any_actor, ImportOptions(Kind.CONTACTS, first)).added == 2
    # The same person with the address in capitals and a new phone.
    second = write_xlsx(
        tmp_path / "c2.xlsx",
        [header, ["120.01.001", "Ali Kaya", "ALI@x.com.tr", "9"], ["120.01.001", "Adsız", "", "2"]],
    )
    kept = run_import(any_database, any_actor, ImportOptions(Kind.CONTACTS, second))
    assert (kept.added, kept.updated, kept.unchanged) == (0, 0, 2)
    reasons = [w.reason for w in kept.warnings]
    assert "--update" in reasons[0] and "E-Posta" in reasons[0]  # the new address and phone
    assert "boş" in reasons[1]  # no address: imported, flagged as on the card
    changed = run_import(any_database, any_actor, ImportOptions(Kind.CONTACTS, second, update=True))
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 1)
    with any_database.reader() as session:
        rows = session.execute(select(Contact.email, Contact.phone).order_by(Contact.id)).all()
    assert [tuple(r) for r in rows] == [("ALI@x.com.tr", "9"), ("", "2")]


def test_a_large_xlsx_is_read_row_by_row_with_the_same_result(
    database: Database, actor: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the size limit openpyxl streams the sheet; rows, numbers and dates stay the same."""
    from tui_mutabakat.services.importing import readers

    monkeypatch.setattr(readers, "STREAMING_XLSX_BYTES", 0)
    rows = account_rows(4)
    rows[2][1] = ""  # sheet row 7 under a three-row title and the header
    path = write_xlsx(tmp_path / "cari.xlsx", [ACCOUNT_HEADER, *rows], title="Cari Liste")
    refused = run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path))
    assert [(p.row, p.column) for p in refused.problems] == [(7, "B (Cari Hesap Adı)")]
    rows[2][1] = "Düzeltildi"
    write_xlsx(path, [ACCOUNT_HEADER, *rows], title="Cari Liste")
    assert run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path)).added == 4
    movements = write_xlsx(
        tmp_path / "hareket.xlsx",
        [
            ["Cari Kodu", "Tarih", "Evrak No", "Borç", "Alacak", "Vade Tarihi"],
            ["120.01.001", dt.date(2026, 11, 30), "F-1", 1500.25, None, dt.date(2026, 12, 30)],
        ],
    )
    summary = run_import(database, actor, ImportOptions(Kind.MOVEMENTS, movements))
    assert summary.added == 1
    with database.reader() as session:
        stored = session.execute(select(Movement.date, Movement.debit, Movement.due_date)).one()
    assert tuple(stored) == (dt.date(2026, 11, 30), Decimal("1500.25"), dt.date(2026, 12, 30))


def test_ods_and_utf8_csv_with_commas_or_tabs(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    ods = write_ods(
        tmp_path / "cari.ods",
        [["Cari Kodu", "Ünvanı", "Bakiye", "B/A"], ["120.01.001", "Çınar A.Ş.", 1234.56, "B"]],
        sheet="Cari",
    )
    assert run_import(database, actor, ImportOptions(Kind.ACCOUNTS, ods)).added == 1
    day = dt.date(2026, 12, 31)
    balances = run_import(database, actor, ImportOptions(Kind.BALANCES, ods, as_of=day))
    assert (balances.added, balances.sheet) == (1, "Cari")
    english = tmp_path / "accounts.csv"
    english.write_text(
        'Account Code,Title,Currency\n320.01.001,"Smith, Jones & Co. Ltd.",USD\n', encoding="utf-8"
    )
    assert run_import(database, actor, ImportOptions(Kind.ACCOUNTS, english)).added == 1
    tabbed = tmp_path / "bakiye.txt"
    tabbed.write_text(
        "Cari Kodu\tBakiye\tTarih\n320.01.001\t-1,234.50\t2026-12-31\n", encoding="utf-8-sig"
    )
    assert run_import(database, actor, ImportOptions(Kind.BALANCES, tabbed)).added == 1
    with database.reader() as session:
        rows = session.execute(
            select(Account.code, Account.title, Movement.debit, Movement.credit, Movement.currency)
            .join(Movement, Movement.account_id == Account.id)
            .order_by(Account.code)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("120.01.001", "Çınar A.Ş.", Decimal("1234.56"), Decimal("0"), "TRY"),
        ("320.01.001", "Smith, Jones & Co. Ltd.", Decimal("0"), Decimal("1234.50"), "USD"),
    ]


def test_several_addresses_in_one_cell_give_one_contact_each(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    accounts = write_xlsx(tmp_path / "a.xlsx", [ACCOUNT_HEADER, *account_rows(1)])
    run_import(database, actor, ImportOptions(Kind.ACCOUNTS, accounts))
    path = write_xlsx(
        tmp_path / "c.xlsx",
        [
            ["Cari Kodu", "Yetkili", "E-Posta"],
            ["120.01.001", "Muhasebe", "muhasebe@x.com.tr; finans@x.com.tr,yanlis@"],
        ],
    )
    summary = run_import(database, actor, ImportOptions(Kind.CONTACTS, path))
    assert (summary.read, summary.added, summary.warning_count) == (1, 1, 1)
    assert summary.warnings[0].reason.startswith("yanlis@: ")
    again = run_import(database, actor, ImportOptions(Kind.CONTACTS, path))
    assert (again.added, again.unchanged) == (0, 1)
    with database.reader() as session:
        emails = session.scalars(select(Contact.email).order_by(Contact.id)).all()
    assert emails == ["muhasebe@x.com.tr", "finans@x.com.tr", "yanlis@"]


def test_a_genuine_xls_from_an_older_erp(database: Database, actor: Actor) -> None:
    """A real Excel 97-2003 (BIFF8) file, written by xlwt (tests/data/make_xls.py): a title
    above the header, codes and tax numbers stored as numbers, numeric balances with B/A,
    date cells, a second sheet."""
    xls = Path(__file__).with_name("data") / "cari_mikro.xls"
    assert xls.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")  # OLE2, not a zip
    accounts = run_import(database, actor, ImportOptions(Kind.ACCOUNTS, xls))
    assert (accounts.outcome, accounts.sheet, accounts.added) == ("imported", "Cari Bakiye", 3)
    balances = run_import(database, actor, ImportOptions(Kind.BALANCES, xls, sheet="Cari Bakiye"))
    assert (balances.outcome, balances.added, balances.unchanged) == ("imported", 2, 1)
    with database.reader() as session:
        rows = session.execute(
            select(
                Account.code,
                Account.title,
                Account.tax_number,
                Movement.date,
                Movement.debit,
                Movement.credit,
            )
            .outerjoin(Movement, Movement.account_id == Account.id)
            .order_by(Account.code)
        ).all()
    day = dt.date(2026, 12, 31)
    assert [tuple(r) for r in rows] == [
        (
            "120.01.001",
            "Çağlar Gıda Sanayi ve Ticaret A.Ş.",
            "1000079190",
            day,
            Decimal("1234.56"),
            Decimal("0"),
        ),
        (
            "120.01.002",
            "Şölen Öztürk İnşaat Ltd. Şti.",
            "1000158383",
            day,
            Decimal("0"),
            Decimal("99.90"),
        ),
        ("12001003", "Ilgın Ağaç Ürünleri", "", None, None, None),
    ]
    again = run_import(database, actor, ImportOptions(Kind.ACCOUNTS, xls))
    assert (again.added, again.unchanged) == (0, 3)
