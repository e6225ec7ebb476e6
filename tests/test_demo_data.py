"""The demo company and the bulk generator: plausible, valid where it must be, deterministic."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tui_mutabakat.config import sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.models import (
    RULE_FIELDS,
    Account,
    AccountParameters,
    AuditEvent,
    Contact,
    Movement,
    WorkingSettings,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.demo.data import (
    DEMO_ACCOUNTS,
    DEMO_MOVEMENTS,
    create_demo_company,
    generate_bulk,
    is_demo_ready,
)
from tui_mutabakat.demo.movements import HISTORY_DAYS
from tui_mutabakat.demo.names import PROVINCES
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.enums import DocumentType, Routing, RuleAction
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.domain.tax_number import is_valid_tax_number, is_valid_tckn, is_valid_vkn
from tui_mutabakat.services.accounts.cards import load_account, recipient_problems
from tui_mutabakat.services.accounts.parameters import default_parameters, load_parameters
from tui_mutabakat.services.settings.working_settings import get_company

CODE = re.compile(r"^(120|320)\.\d{2}\.\d{3}$")


@pytest.fixture
def demo(database: Database) -> Database:
    assert not is_demo_ready(database)
    create_demo_company(database)
    return database


def test_demo_company_and_working_settings(demo: Database) -> None:
    assert is_demo_ready(demo)
    with demo.reader() as session:
        company = get_company(session)
        settings = session.scalars(select(WorkingSettings)).one()
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "demo_create")).all()
    assert company.title.endswith("A.Ş.")
    assert is_valid_vkn(company.tax_number)
    assert company.tax_office and company.city == "İstanbul" and "İstanbul" in company.address
    assert company.phone and check_email(company.email).ok and company.logo_text
    assert (settings.answer_period_days, settings.reminder_days_before) == (30, 7)
    assert settings.due_track_types == DocumentType.SALES_INVOICE.value
    assert settings.due_track_days == 30
    assert settings.due_track_amount == Decimal("10000.00")
    assert settings.due_track_action is RuleAction.WARN
    assert (settings.close_check_days, settings.close_check_action) == (60, RuleAction.WARN)
    assert len(events) == 1


def test_demo_accounts_are_valid_and_varied(demo: Database) -> None:
    with demo.reader() as session:
        accounts = session.scalars(select(Account)).all()
    assert len(accounts) == DEMO_ACCOUNTS
    assert all(CODE.match(a.code) for a in accounts)
    assert all(is_valid_tax_number(a.tax_number) for a in accounts)
    persons = [a for a in accounts if len(a.tax_number) == 11]
    assert persons and all(is_valid_tckn(a.tax_number) for a in persons)
    assert len({a.title for a in accounts}) == len(accounts)
    provinces = {p.name for p in PROVINCES}
    assert {a.city for a in accounts} <= provinces
    istanbul = sum(a.city == "İstanbul" for a in accounts)
    assert istanbul > len(accounts) / 10, "the big cities should dominate"
    assert {a.currency for a in accounts} == {"TRY", "USD", "EUR"}
    assert sum(a.currency == "TRY" for a in accounts) > len(accounts) * 0.7
    assert {"BAYI", "TOPTAN", "PERAKENDE", "IHRACAT", "TEDARIK"} <= {a.group_code for a in accounts}
    assert {"GIDA", "INSAAT", "TEKSTIL", "OTOMOTIV"} <= {a.sector_code for a in accounts}
    assert {"MARMARA", "EGE", "IC_ANADOLU"} <= {a.region_code for a in accounts}
    customers = [a for a in accounts if a.code.startswith("120.")]
    suppliers = [a for a in accounts if a.code.startswith("320.")]
    assert customers and suppliers
    assert any(a.risk_limit and a.risk_limit > 0 for a in customers)


def test_demo_contacts_have_the_usual_mistakes(demo: Database) -> None:
    with demo.reader() as session:
        accounts = session.scalars(select(Account)).all()
        contacts = session.scalars(select(Contact)).all()
        cards = [load_account(session, a.id) for a in accounts]
    per_account: dict[int, int] = defaultdict(int)
    for contact in contacts:
        per_account[contact.account_id] += 1
    assert set(per_account) == {a.id for a in accounts}
    assert set(per_account.values()) <= {1, 2, 3}
    empty = [c for c in contacts if not c.email]
    wrong = [c for c in contacts if c.email and not check_email(c.email).ok]
    assert 0.02 * len(contacts) <= len(empty) <= 0.10 * len(contacts)
    assert 0.02 * len(contacts) <= len(wrong) <= 0.10 * len(contacts)
    department = [a for a in accounts if a.routing is Routing.DEPARTMENT]
    assert 0.05 * len(accounts) <= len(department) <= 0.16 * len(accounts)
    assert all(check_email(a.department_email).ok for a in department)
    assert all(a.department_email.split("@")[0] in ("muhasebe", "finans") for a in department)
    blocked = [card for card in cards if recipient_problems(card)]
    assert blocked, "some accounts should show recipient problems on their card"
    assert len(blocked) < len(cards) / 2


def test_demo_account_parameters_equal_the_working_settings(demo: Database) -> None:
    with demo.reader() as session:
        settings = session.scalars(select(WorkingSettings)).one()
        rows = session.scalars(select(AccountParameters)).all()
        expected = default_parameters(session)
        first = load_parameters(session, rows[0].account_id)
    assert len(rows) == DEMO_ACCOUNTS
    for row in rows:
        assert {n: getattr(row, n) for n in RULE_FIELDS} == {
            n: getattr(settings, n) for n in RULE_FIELDS
        }
    first.version_id = expected.version_id
    assert first == expected


def test_demo_movements_have_a_realistic_shape(demo: Database) -> None:
    today = local_today()
    with demo.reader() as session:
        movements = session.scalars(select(Movement)).all()
        currencies = {i: c for i, c in session.execute(select(Account.id, Account.currency))}
    assert len(movements) == DEMO_MOVEMENTS
    assert {m.currency for m in movements} == {"TRY", "USD", "EUR"}
    assert {m.doc_type for m in movements} == set(DocumentType)
    own_currency = sum(m.currency == currencies[m.account_id] for m in movements)
    assert own_currency > 0.9 * len(movements)
    for m in movements:
        assert today - timedelta(days=HISTORY_DAYS) <= m.date <= today
        assert (m.debit > 0) != (m.credit > 0)
        amount = m.debit + m.credit
        assert amount == amount.quantize(Decimal("0.01"))
        assert Decimal(0) <= m.settled <= amount
        assert (m.fx_rate is None) == (m.currency == "TRY")
        assert m.doc_no and m.description and m.due_date is not None
    invoices = [m for m in movements if m.doc_type is DocumentType.SALES_INVOICE]
    assert {(m.due_date - m.date).days for m in invoices if m.due_date} == {30, 60, 90}
    old = [m for m in movements if m.debit > 0 and m.date < today - timedelta(days=365)]
    assert sum(m.settled == m.debit for m in old) > 0.7 * len(old)
    overdue = [
        m
        for m in movements
        if m.debit > 0 and m.due_date is not None and m.due_date < today and m.settled < m.debit
    ]
    assert len(overdue) >= 50
    long_ago = today - timedelta(days=90)
    assert any(m.due_date is not None and m.due_date < long_ago for m in overdue)


def _check_fifo(movements: list[Movement]) -> None:
    """Matching pairs debits with credits: both sides settle the same total, and only one
    side of an account's currency can still have open items."""
    settled: defaultdict[tuple[int, str], list[Decimal]] = defaultdict(
        lambda: [Decimal(0), Decimal(0), Decimal(0), Decimal(0)]
    )
    for m in movements:
        entry = settled[(m.account_id, m.currency)]
        if m.debit:
            entry[0] += m.settled
            entry[2] += m.debit - m.settled
        else:
            entry[1] += m.settled
            entry[3] += m.credit - m.settled
    for key, (debit_settled, credit_settled, open_debit, open_credit) in settled.items():
        assert debit_settled == credit_settled, key
        assert open_debit == 0 or open_credit == 0, key


def test_demo_settlement_is_first_in_first_out(demo: Database) -> None:
    with demo.reader() as session:
        movements = list(session.scalars(select(Movement).order_by(Movement.id)))
    _check_fifo(movements)
    by_account: dict[tuple[int, str], list[Movement]] = defaultdict(list)
    for m in movements:
        if m.debit:
            by_account[(m.account_id, m.currency)].append(m)
    for debits in by_account.values():
        open_seen = False
        for m in sorted(debits, key=lambda d: (d.date, d.id)):
            if open_seen:
                assert m.settled == 0, "a later debit is never settled before an earlier one"
            open_seen = open_seen or m.settled < m.debit


def _snapshot(database: Database) -> list[tuple[str, str, str]]:
    with database.reader() as session:
        rows = session.execute(
            select(Account.code, Account.title, Contact.email)
            .join(Contact, Contact.account_id == Account.id)
            .order_by(Account.id, Contact.id)
        )
        return [(code, title, email) for code, title, email in rows]


def test_demo_is_deterministic(demo: Database, tmp_path: Path) -> None:
    other = Database.from_url(sqlite_url(tmp_path / "second.sqlite3"))
    migrate.upgrade(other.engine)
    try:
        create_demo_company(other)
        assert _snapshot(other) == _snapshot(demo)
        query = select(func.sum(Movement.debit), func.sum(Movement.settled))
        with demo.reader() as first, other.reader() as second:
            assert first.execute(query).one() == second.execute(query).one()
    finally:
        other.dispose()


def test_demo_is_refused_when_accounts_exist(demo: Database) -> None:
    with pytest.raises(Refused):
        create_demo_company(demo)


def test_generate_bulk_makes_exactly_the_counts(database: Database) -> None:
    lines: list[str] = []
    generate_bulk(database, accounts=500, movements=20_000, seed=11, progress=lines.append)
    with database.reader() as session:
        count = session.scalar(select(func.count(Account.id)))
        parameters = session.scalar(select(func.count()).select_from(AccountParameters))
        per_account = session.execute(
            select(Contact.account_id, func.count()).group_by(Contact.account_id)
        ).all()
        accounts = session.scalars(select(Account)).all()
        movements = list(session.scalars(select(Movement)))
        company = get_company(session)
    assert count == 500 and parameters == 500
    assert len(per_account) == 500 and {n for _id, n in per_account} <= {1, 2}
    assert len(movements) == 20_000
    assert all(is_valid_tax_number(a.tax_number) and CODE.match(a.code) for a in accounts)
    assert {m.currency for m in movements} == {"TRY", "USD", "EUR"}
    _check_fifo(movements)
    assert is_valid_vkn(company.tax_number), "an empty company gets the demo values"
    assert lines[-1].startswith("movements 20000/20000")
    assert any(line.startswith("accounts 500/500") for line in lines)
    counts = [line.split(" (")[0] for line in lines]
    assert len(counts) == len(set(counts)), lines


def test_generate_bulk_continues_after_existing_accounts(demo: Database) -> None:
    generate_bulk(demo, accounts=200, movements=1_000, seed=3, progress=None)
    with demo.reader() as session:
        codes = session.scalars(select(Account.code)).all()
        movements = session.scalar(select(func.count(Movement.id)))
        bulk_events = session.scalar(select(func.count()).where(AuditEvent.action == "demo_bulk"))
    assert len(codes) == len(set(codes)) == DEMO_ACCOUNTS + 200
    assert movements == DEMO_MOVEMENTS + 1_000
    assert bulk_events == 1


def test_generate_bulk_refuses_impossible_counts(database: Database) -> None:
    with pytest.raises(InvalidInput):
        generate_bulk(database, accounts=0, movements=10, seed=1, progress=None)
    with pytest.raises(InvalidInput):
        generate_bulk(database, accounts=-1, movements=0, seed=1, progress=None)
