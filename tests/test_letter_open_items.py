"""The items open on the as-of date and the statement up to it (SPEC D8, issue 9 point 1)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.send_data import add_account, add_movement
from tui_mutabakat.data.balance_queries import balances_for_keys
from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.ops_models import Settlement
from tui_mutabakat.data.session import Database
from tui_mutabakat.demo.data import create_demo_company
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.mail.letter_words import doc_type_words
from tui_mutabakat.mail.statement_file import statement_csv
from tui_mutabakat.services.accounts.settlement import settle_pair
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.statement import items_total, open_items_for, statements_for

START = date(2026, 1, 1)
_codes = itertools.count(1)

movement_strategy = st.tuples(
    st.integers(0, 59),  # day
    st.booleans(),  # debit?
    st.integers(1, 10_000_000),  # kuruş
    st.sampled_from(["TRY", "USD"]),
)
settle_strategy = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), st.integers(0, 100)),
    max_size=12,
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    movements=st.lists(movement_strategy, min_size=1, max_size=14),
    matches=settle_strategy,
    days=st.lists(st.integers(-1, 61), min_size=1, max_size=4),
)
def test_open_items_on_any_date_add_up_to_the_balance_on_that_date(
    any_database: Database,
    any_actor: Actor,
    movements: list[tuple[int, bool, int, str]],
    matches: list[tuple[int, int, int]],
    days: list[int],
) -> None:
    """Random movements, settled in a random order by random partial matches: on every
    date, per currency, the open debit items less the open credit items are the balance."""
    code = f"120.{next(_codes):05d}"
    with any_database.unit_of_work() as session:
        account = add_account(session, code, "Özellik", emails=("a@ornek.com.tr",))
        rows = []
        for day, is_debit, cents, currency in movements:
            amount = str(Decimal(cents) / 100)
            rows.append(
                add_movement(
                    session,
                    account,
                    START + timedelta(days=day),
                    debit=amount if is_debit else "0",
                    credit="0" if is_debit else amount,
                    currency=currency,
                )
            )
        session.flush()
        account_id = account.id
        ids = [(m.id, m.debit > 0, m.currency) for m in rows]
    debits = [i for i in ids if i[1]]
    credit_ids = [i for i in ids if not i[1]]
    for pick_debit, pick_credit, percent in matches:
        if not debits or not credit_ids:
            break
        debit = debits[pick_debit % len(debits)]
        same = [c for c in credit_ids if c[2] == debit[2]]
        if not same:
            continue
        credit = same[pick_credit % len(same)]
        with any_database.unit_of_work() as session:
            left = [
                (m.debit + m.credit - m.settled)
                for m in (session.get(Movement, debit[0]), session.get(Movement, credit[0]))
                if m is not None
            ]
            most = min(left)
            if most <= 0:
                continue
            amount = max(Decimal("0.01"), (most * percent / 100).quantize(Decimal("0.01")))
            settle_pair(session, any_actor, account_id, debit[0], credit[0], amount, confirmed=True)
    with any_database.reader() as session:
        for offset in days:
            as_of = START + timedelta(days=offset)
            keys = [(account_id, "TRY"), (account_id, "USD")]
            balances = {r.key: r.balance for r in balances_for_keys(session, as_of, keys)}
            items = open_items_for(session, as_of, keys)
            for key in keys:
                listed = items.get(key, [])
                assert all(i.date <= as_of for i in listed)
                assert all(i.open_amount > 0 for i in listed)
                assert items_total(listed) == balances[key], (as_of, key)
            statements = statements_for(session, as_of, keys)
            for key in keys:
                assert statements[key].closing == balances[key]


def test_a_payment_after_the_date_does_not_close_items_before_it(
    any_database: Database, any_actor: Actor
) -> None:
    """The case of the issue: a bank payment dated after the as-of date that settled
    invoices must not take them out of a letter as of that date."""
    with any_database.unit_of_work() as session:
        account = add_account(session, "120.001", "Alfa", emails=("a@ornek.com.tr",))
        first = add_movement(session, account, date(2026, 11, 3), debit="35073.95", doc_no="F1")
        second = add_movement(session, account, date(2026, 11, 20), debit="59684.15", doc_no="F2")
        payment = add_movement(
            session, account, date(2026, 12, 5), credit="35073.95", doc_no="BANKA"
        )
        session.flush()
        ids = account.id, first.id, second.id, payment.id
    account_id, first_id, _second_id, payment_id = ids
    with any_database.unit_of_work() as session:
        settle_pair(session, any_actor, account_id, first_id, payment_id, confirmed=True)
    key = (account_id, "TRY")
    with any_database.reader() as session:
        before = open_items_for(session, date(2026, 11, 30), [key])[key]
        after = open_items_for(session, date(2026, 12, 5), [key])[key]
    assert [i.doc_no for i in before] == ["F1", "F2"]
    assert items_total(before) == Decimal("94758.10")
    assert before[0].open_amount == Decimal("35073.95")
    assert [i.doc_no for i in after] == ["F2"]
    assert items_total(after) == Decimal("59684.15")


def test_the_statement_lists_the_movements_with_words_and_a_running_balance(
    any_database: Database,
) -> None:
    with any_database.unit_of_work() as session:
        account = add_account(session, "120.002", "Beta", emails=("b@ornek.com.tr",))
        add_movement(session, account, date(2026, 1, 10), debit="1000", doc_no="F1")
        add_movement(session, account, date(2026, 2, 10), credit="300", doc_no="B1")
        add_movement(session, account, date(2026, 3, 10), debit="50", doc_no="F2")
        add_movement(session, account, date(2026, 4, 10), debit="999", doc_no="SONRA")
        session.flush()
        key = (account.id, "TRY")
    with any_database.reader() as session:
        whole = statements_for(session, date(2026, 3, 31), [key])[key]
        period = statements_for(session, date(2026, 3, 31), [key], date(2026, 2, 1))[key]
    assert [line.doc_no for line in whole.lines] == ["F1", "B1", "F2"]
    assert [line.balance for line in whole.lines] == [
        Decimal("1000.00"),
        Decimal("700.00"),
        Decimal("750.00"),
    ]
    assert whole.opening is None
    assert period.opening == Decimal("1000.00")
    assert [line.doc_no for line in period.lines] == ["B1", "F2"]
    turkish = statement_csv([period], "tr", "120.002 Beta", date(2026, 3, 31)).decode("utf-8-sig")
    lines = turkish.splitlines()
    assert "Tarih;Belge türü;Belge no;Açıklama;Borç;Alacak;Bakiye;Borç/Alacak" in lines
    assert "01.02.2026;Devir (01.02.2026 öncesi);;;;;1.000,00;borç" in lines
    assert "10.02.2026;Banka;B1;Belge B1;;300,00;700,00;borç" in lines
    assert "10.03.2026;Satış faturası;F2;Belge F2;50,00;;750,00;borç" in lines
    assert "sales_invoice" not in turkish and "SONRA" not in turkish
    english = statement_csv([whole], "en", "120.002 Beta", date(2026, 3, 31)).decode("utf-8-sig")
    assert "Date;Document type;Document no;Description;Debit;Credit;Balance;Debit/Credit" in english
    assert "10.01.2026;Sales invoice;F1;Belge F1;1.000,00;;1.000,00;debit" in english
    assert "Brought forward" not in english


def test_the_demos_settlement_is_recorded_so_past_letters_add_up(any_database: Database) -> None:
    """The demo's FIFO settlement is written as matches: every settled amount is explained,
    and on past dates the open items of every account add up to its balance with no line
    of difference."""
    create_demo_company(any_database)
    with any_database.reader() as session:
        explained: dict[int, Decimal] = defaultdict(Decimal)
        for row in session.scalars(select(Settlement)):
            explained[row.debit_movement_id] += row.amount
            explained[row.credit_movement_id] += row.amount
        movements = session.scalars(select(Movement)).all()
        assert movements and all(m.settled == explained[m.id] for m in movements)
        keys = list({(m.account_id, m.currency) for m in movements})
        for as_of in (local_today() - timedelta(days=200), local_today() - timedelta(days=30)):
            balances = {r.key: r.balance for r in balances_for_keys(session, as_of, keys)}
            items = open_items_for(session, as_of, keys)
            assert all(items_total(items.get(k, [])) == balances[k] for k in keys)


def test_every_document_type_has_words_in_both_languages() -> None:
    for language in ("tr", "en"):
        for kind in DocumentType:
            assert doc_type_words(kind.value, language) != kind.value
