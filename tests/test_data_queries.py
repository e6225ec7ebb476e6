"""Account list queries (SPEC B4, D2) on SQLite and PostgreSQL.

Searching: the code and the tax number match by prefix, the title anywhere in it. The title
is matched against a stored folded copy (`Account.search_text`, see `domain/text.py`), so case
and Turkish letters do not matter, the same on both engines: `şeker` finds `ŞEKER`, `ışık`
finds `IŞIK`, `gida` finds `Gıda`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from tui_mutabakat.data.account_queries import (
    AccountFilter,
    AccountSort,
    account_page,
    balances_for,
    count_accounts,
    distinct_values,
    position_of,
)
from tui_mutabakat.data.models import Account, Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType

ACCOUNTS = [
    # code, title, city, group, tax number, currency, active
    ("120.001", "ŞEKER FABRİKASI A.Ş.", "İSTANBUL", "TOPTAN", "1234567890", "TRY", True),
    ("120.002", "Anadolu Gıda Ltd. Şti.", "ANKARA", "TOPTAN", "2345678901", "TRY", True),
    ("120.010", "IŞIK Elektrik", "İZMİR", "PERAKENDE", "3456789012", "USD", True),
    ("320.001", "Çiçek Tekstil", "BURSA", "", "4567890123", "EUR", False),
    ("320.002", "Zeytin %50 İndirim_Market", "İZMİR", "PERAKENDE", "", "TRY", True),
    ("3120.01", "Mavi İNŞAAT", "ANKARA", "TOPTAN", "5678901234", "TRY", True),
]


@pytest.fixture
def ids(any_database: Database) -> dict[str, int]:
    with any_database.unit_of_work() as session:
        rows = {
            code: Account(
                code=code,
                title=title,
                city=city,
                group_code=group,
                tax_number=tax,
                currency=currency,
                active=active,
            )
            for code, title, city, group, tax, currency, active in ACCOUNTS
        }
        session.add_all(rows.values())
        session.flush()
        return {code: row.id for code, row in rows.items()}


def _codes(db: Database, flt: AccountFilter, offset: int = 0, limit: int = 100) -> list[str]:
    with db.reader() as session:
        return [r.code for r in account_page(session, flt, offset, limit, with_balance=False)]


def _count(db: Database, search: str) -> int:
    with db.reader() as session:
        return count_accounts(session, AccountFilter(search=search))


@pytest.mark.usefixtures("ids")
@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("", sorted(a[0] for a in ACCOUNTS)),
        ("120", ["120.001", "120.002", "120.010"]),  # a code prefix, not "3120.01"
        ("120.00", ["120.001", "120.002"]),
        ("anadolu", ["120.002"]),  # ASCII case ignored
        ("LTD. Ş", ["120.002"]),  # ASCII in the other case, Turkish as stored
        ("ŞEKER", ["120.001"]),
        ("Şeker", ["120.001"]),  # first letter as stored, the rest ASCII
        ("FABRİKA", ["120.001"]),
        ("İNŞAAT", ["3120.01"]),
        ("Çiçek", ["320.001"]),
        ("%50", ["320.002"]),  # LIKE wildcards are taken literally
        ("_Market", ["320.002"]),
        ("%", ["320.002"]),
        ("3456", ["120.010"]),  # tax number prefix
        ("yok böyle", []),
    ],
)
def test_search_on_both_engines(any_database: Database, search: str, expected: list[str]) -> None:
    assert _codes(any_database, AccountFilter(search=search)) == expected
    assert _count(any_database, search) == len(expected)


@pytest.mark.usefixtures("ids")
@pytest.mark.parametrize(
    "any_database",
    [
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ],
    indirect=True,
)
@pytest.mark.parametrize(
    ("search", "code"),
    [("şeker", "120.001"), ("LTD. ŞTİ", "120.002"), ("İnşaat", "3120.01"), ("fabrika", "120.001")],
)
def test_search_ignores_the_case_of_turkish_letters(
    any_database: Database, search: str, code: str
) -> None:
    assert _codes(any_database, AccountFilter(search=search)) == [code]


@pytest.mark.usefixtures("ids")
@pytest.mark.parametrize(("search", "code"), [("ışık", "120.010"), ("GIDA", "120.002")])
def test_search_knows_the_turkish_dotless_i(any_database: Database, search: str, code: str) -> None:
    assert _codes(any_database, AccountFilter(search=search)) == [code]


@pytest.mark.usefixtures("ids")
def test_filters_combine(any_database: Database) -> None:
    assert _codes(any_database, AccountFilter(city="İZMİR")) == ["120.010", "320.002"]
    assert _codes(any_database, AccountFilter(group_code="TOPTAN", search="120")) == [
        "120.001",
        "120.002",
    ]
    assert "320.001" not in _codes(any_database, AccountFilter(only_active=True))
    assert len(_codes(any_database, AccountFilter(only_active=True))) == 5


@pytest.mark.usefixtures("ids")
def test_sorting_and_paging(any_database: Database) -> None:
    by_city = AccountFilter(sort=AccountSort.CITY)
    # Ties are broken by code, so paging is stable.
    assert _codes(any_database, by_city) == [
        "120.002",
        "3120.01",
        "320.001",
        "120.001",
        "120.010",
        "320.002",
    ]
    descending = AccountFilter(sort=AccountSort.CODE, descending=True)
    assert _codes(any_database, descending, offset=1, limit=2) == ["320.001", "3120.01"]
    assert _codes(any_database, descending, offset=6, limit=10) == []
    by_group = AccountFilter(sort=AccountSort.GROUP)
    assert _codes(any_database, by_group)[0] == "320.001"  # the empty group first


@pytest.mark.usefixtures("ids")
def test_title_sort_is_the_turkish_alphabet(any_database: Database) -> None:
    """Anadolu, Çiçek, IŞIK, Mavi, ŞEKER, Zeytin: `Ç` after `C`, `I` before `İ`, `Ş` after
    `S` (issue 11.10: the title's Turkish sort key, the same on both engines)."""
    titles = _codes(any_database, AccountFilter(sort=AccountSort.TITLE))
    assert titles == ["120.002", "320.001", "120.010", "3120.01", "120.001", "320.002"]


def test_position_of_follows_filter_and_sort(any_database: Database, ids: dict[str, int]) -> None:
    flt = AccountFilter(sort=AccountSort.CODE, descending=True)
    with any_database.reader() as session:
        assert position_of(session, flt, ids["120.001"]) == 5
        assert position_of(session, AccountFilter(city="ANKARA"), ids["3120.01"]) == 1
        assert position_of(session, AccountFilter(city="ANKARA"), ids["120.001"]) is None


@pytest.mark.usefixtures("ids")
def test_distinct_values_for_lookups(any_database: Database) -> None:
    with any_database.reader() as session:
        assert distinct_values(session, "city") == ["ANKARA", "BURSA", "İSTANBUL", "İZMİR"]
        assert distinct_values(session, "group_code") == ["PERAKENDE", "TOPTAN"]
        assert distinct_values(session, "group_code", "top") == ["TOPTAN"]
        assert distinct_values(session, "city", "İ") == ["İSTANBUL", "İZMİR"]


def _move(
    session: Session, account_id: int, debit: str, credit: str, currency: str = "TRY"
) -> None:
    session.add(
        Movement(
            account_id=account_id,
            date=dt.date(2026, 6, 30),
            doc_type=DocumentType.ACCOUNT_VOUCHER,
            debit=Decimal(debit),
            credit=Decimal(credit),
            currency=currency,
        )
    )


def test_balances_per_account_and_currency(any_database: Database, ids: dict[str, int]) -> None:
    seker, anadolu, isik = ids["120.001"], ids["120.002"], ids["120.010"]
    with any_database.unit_of_work() as session:
        _move(session, seker, "1000.00", "0")
        _move(session, seker, "0", "250.25")
        _move(session, seker, "0", "100.00", "USD")
        _move(session, anadolu, "0", "99.99")
        _move(session, isik, "500.00", "0", "USD")
        _move(session, isik, "75.50", "0", "TRY")
    with any_database.reader() as session:
        assert balances_for(session, [seker, anadolu, isik]) == {
            (seker, "TRY"): Decimal("749.75"),
            (seker, "USD"): Decimal("-100.00"),
            (anadolu, "TRY"): Decimal("-99.99"),
            (isik, "USD"): Decimal("500.00"),
            (isik, "TRY"): Decimal("75.50"),
        }
        assert balances_for(session, [anadolu]) == {(anadolu, "TRY"): Decimal("-99.99")}
        assert balances_for(session, []) == {}
        page = account_page(session, AccountFilter(search="120"), 0, 10)
    # The list shows the balance in the account's own currency; no movements is zero.
    assert [(r.code, r.currency, r.balance) for r in page] == [
        ("120.001", "TRY", Decimal("749.75")),
        ("120.002", "TRY", Decimal("-99.99")),
        ("120.010", "USD", Decimal("500.00")),
    ]
    with any_database.reader() as session:
        empty = account_page(session, AccountFilter(search="Çiçek"), 0, 10)
    assert [(r.code, r.balance) for r in empty] == [("320.001", Decimal("0"))]
