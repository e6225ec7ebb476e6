"""The send list once open (issue 14.6): its keys read once, the count their number, every
page a slice of them — equal, on random data and on both engines, to a reference computed
in Python from the movements themselves and to the straightforward sorted query."""

from __future__ import annotations

import random
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.send_data import accounts_to_send, add_account, add_movement, write_batch
from tui_mutabakat.data.balance_list import KeyList, list_keys
from tui_mutabakat.data.balance_queries import (
    BalanceCriteria,
    BalanceFilter,
    BalanceKey,
    BalanceSort,
    balance_page,
    count_balances,
)
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.sending.send_rows import BalanceSource, KeyNumbers, balance_cells
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions

AS_OF = date(2026, 6, 30)
CURRENCIES = ("TRY", "USD", "EUR")


@dataclass
class Made:
    """An account as the generator made it, with its movements (date, currency, d, c)."""

    id: int
    code: str
    title: str
    currency: str
    active: bool
    group_code: str
    region_code: str
    reachable: bool
    movements: list[tuple[date, str, Decimal, Decimal]] = field(default_factory=list)


def _amount(rng: random.Random) -> Decimal:
    return Decimal(rng.randrange(1, 2_000_000)) / 100


def generate(database: Database, seed: int, accounts: int = 70) -> list[Made]:
    """Accounts with codes of one width (so every collation orders them alike), some
    inactive, some without movements, some whose movements cancel out, some in a foreign
    currency of their own; movements in three currencies, some after the as-of date."""
    rng = random.Random(seed)
    numbers = rng.sample(range(10_000), accounts)
    made: list[Made] = []
    with database.unit_of_work() as session:
        for number in numbers:
            reachable = rng.random() < 0.7
            department = reachable and rng.random() < 0.3
            account = add_account(
                session,
                f"120.{number:04d}",
                f"T{rng.randrange(100):02d}",  # repeated titles: ties broken by code
                emails=() if department else ((f"m{number}@f.com.tr",) if reachable else ("x",)),
                department_email=f"d{number}@f.com.tr" if department else "",
                group_code=rng.choice(("", "G1", "G2")),
                region_code=rng.choice(("", "EGE")),
                currency="USD" if rng.random() < 0.15 else "TRY",
                active=rng.random() < 0.9,
            )
            row = Made(
                account.id,
                account.code,
                account.title,
                account.currency,
                account.active,
                account.group_code,
                account.region_code,
                reachable,
            )
            for _ in range(rng.choice((0, 0, 1, 2, 3, 5, 8))):
                day = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
                currency = rng.choice(CURRENCIES)
                amount = _amount(rng)
                if rng.random() < 0.5:
                    debit, credit = amount, Decimal(0)
                else:
                    debit, credit = Decimal(0), amount
                add_movement(
                    session, account, day, debit=str(debit), credit=str(credit), currency=currency
                )
                row.movements.append((day, currency, debit, credit))
                if rng.random() < 0.15:  # cancelled by a movement on the same day
                    add_movement(
                        session,
                        account,
                        day,
                        debit=str(credit),
                        credit=str(debit),
                        currency=currency,
                    )
                    row.movements.append((day, currency, credit, debit))
            made.append(row)
    return made


@dataclass(frozen=True)
class Expected:
    key: BalanceKey
    code: str
    title: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


def reference(made: list[Made], criteria: BalanceCriteria) -> list[Expected]:
    """The list as SPEC D1/D2 define it, computed in Python from the generated movements."""
    rows: list[Expected] = []
    for account in made:
        if criteria.only_active and not account.active:
            continue
        if criteria.code_from and account.code < criteria.code_from:
            continue
        if criteria.code_to and account.code > criteria.code_to:
            continue
        if criteria.group_code and account.group_code != criteria.group_code:
            continue
        if criteria.region_code and account.region_code != criteria.region_code:
            continue
        if criteria.only_valid_recipients and not account.reachable:
            continue
        sums: dict[str, list[Decimal]] = {}
        for day, currency, debit, credit in account.movements:
            if day <= criteria.as_of and criteria.currency in ("", currency):
                total = sums.setdefault(currency, [Decimal(0), Decimal(0)])
                total[0] += debit
                total[1] += credit
        if not sums and criteria.currency in ("", account.currency):
            sums[account.currency] = [Decimal(0), Decimal(0)]
        for currency, (debit, credit) in sums.items():
            rows.append(
                Expected((account.id, currency), account.code, account.title, debit, credit)
            )
    limit = criteria.amount or Decimal(0)
    kept = {
        BalanceFilter.ALL: lambda r: True,
        BalanceFilter.NON_ZERO: lambda r: r.balance != 0,
        BalanceFilter.DEBIT: lambda r: r.balance > 0,
        BalanceFilter.CREDIT: lambda r: r.balance < 0,
        BalanceFilter.ABOVE: lambda r: abs(r.balance) > limit,
    }[criteria.balance_filter]
    rows = [r for r in rows if kept(r)]
    rows.sort(key=lambda r: r.key[1])  # currency, ascending in every order
    rows.sort(
        key=lambda r: r.code, reverse=criteria.descending and criteria.sort is BalanceSort.CODE
    )
    if criteria.sort is BalanceSort.TITLE:
        rows.sort(key=lambda r: r.title, reverse=criteria.descending)
    elif criteria.sort is BalanceSort.BALANCE:
        rows.sort(key=lambda r: r.balance, reverse=criteria.descending)
    return rows


def criteria_cases() -> Iterator[BalanceCriteria]:
    for sort in BalanceSort:
        for descending in (False, True):
            yield BalanceCriteria(as_of=AS_OF, sort=sort, descending=descending)
    for balance_filter in BalanceFilter:
        yield BalanceCriteria(
            as_of=AS_OF,
            balance_filter=balance_filter,
            amount=Decimal("5000"),
            sort=BalanceSort.BALANCE,
        )
    yield BalanceCriteria(as_of=AS_OF, currency="USD")
    yield BalanceCriteria(as_of=AS_OF, currency="EUR", balance_filter=BalanceFilter.NON_ZERO)
    yield BalanceCriteria(as_of=date(2026, 3, 1), group_code="G1", only_valid_recipients=True)
    yield BalanceCriteria(as_of=AS_OF, code_from="120.2000", code_to="120.6999", region_code="EGE")
    yield BalanceCriteria(as_of=AS_OF, only_active=False, sort=BalanceSort.TITLE, descending=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_keys_count_and_pages_equal_the_reference(any_database: Database, seed: int) -> None:
    made = generate(any_database, seed)
    for criteria in criteria_cases():
        expected = reference(made, criteria)
        with any_database.reader() as session:
            keys = list_keys(session, criteria)
            sorted_query = balance_page(session, criteria, 0, 10_000)
            counted = count_balances(session, criteria)
        assert list(keys) == [r.key for r in expected], criteria
        assert [r.key for r in sorted_query] == [r.key for r in expected], criteria
        assert len(keys) == counted == len(expected)

        source = BalanceSource(any_database, criteria, KeyNumbers())
        assert source.count() == len(expected)
        size = 9
        for offset in range(0, len(expected) + size, size):
            page = source.rows(offset, size)
            wanted = sorted_query[offset : offset + size]
            assert [source.numbers.key(row.key) for row in page] == [r.key for r in wanted]
            assert [row.cells for row in page] == [balance_cells(r) for r in wanted]
            assert [row.muted for row in page] == [not r.recipient_ok for r in wanted]
            assert [(r.debit, r.credit) for r in wanted] == [
                (e.debit, e.credit) for e in expected[offset : offset + size]
            ]


def test_key_list_is_compact_and_keeps_its_keys() -> None:
    keys = [(n, str(CURRENCIES[n % 3]).upper()) for n in range(1, 100_001)]
    tracemalloc.start()
    listed = KeyList(keys)
    held, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert held < 2_000_000  # 100 000 rows in under 2 MB
    assert len(listed) == 100_000
    assert list(listed) == keys
    assert listed[99_999] == (100_000, "USD")
    assert listed.slice(99_998, 100_050) == keys[99_998:]
    assert listed.slice(100_000, 100_100) == []
    assert listed.index((100_000, "USD")) == 99_999
    assert listed.index((5, "EUR")) == 4
    assert listed.index((5, "TRY")) is None
    assert listed.index((0, "TRY")) is None
    assert len({id(currency) for _account, currency in listed}) == 3


def test_the_list_keeps_its_rows_until_read_again_and_letters_take_fresh_balances(
    any_database: Database, any_actor: Actor
) -> None:
    """Members and order are those of the opening read; the figures of a page and of a
    letter are read when they are needed; F5 (a new source) reads the members again."""
    keys = accounts_to_send(any_database, any_actor, 3)
    criteria = BalanceCriteria(as_of=AS_OF, balance_filter=BalanceFilter.NON_ZERO)
    opened = BalanceSource(any_database, criteria, KeyNumbers())
    assert opened.count() == 3
    with any_database.unit_of_work() as session:
        first = session.get(Account, keys[0][0])
        assert first is not None
        add_movement(session, first, date(2026, 3, 1), credit="100.50")  # balance now zero
        newcomer = add_account(session, "120.999", "Yeni", emails=("y@y.com.tr",))
        add_movement(session, newcomer, date(2026, 3, 1), debit="7")
    assert opened.count() == 3
    [row, *_rest] = opened.rows(0, 100)
    assert row.cells[5] == "0,00"  # the page's figures are read when it is shown

    created = write_batch(any_database, any_actor, AS_OF, keys[1:], SendOptions())
    assert created.batch_id is not None
    with any_database.reader() as session:
        stated = sorted(
            session.scalars(select(Letter.balance).where(Letter.batch_id == created.batch_id))
        )
    assert stated == [Decimal("200.50"), Decimal("300.50")]

    again = BalanceSource(any_database, criteria, opened.numbers)
    assert list(again.keys()) == [*keys[1:], (newcomer.id, "TRY")]
    # The cursor's row is found where it is now: the second row is the first.
    assert opened.index_of(opened.numbers.number(keys[1])) == 1
    assert again.index_of(opened.numbers.number(keys[1])) == 0
    assert again.index_of(opened.numbers.number(keys[0])) is None


def test_sums_past_64_bits_keep_the_list_exact(any_database: Database) -> None:
    """Twelve movements of the largest amount a column holds add up past SQLite's 64-bit
    integers: the keys (filtered and sorted by the sums) and the page are still exact."""
    largest = "9999999999999999.99"
    with any_database.unit_of_work() as session:
        big = add_account(session, "120.0001", "Büyük", emails=("b@b.com.tr",))
        small = add_account(session, "120.0002", "Küçük", emails=("k@k.com.tr",))
        for day in range(1, 13):
            add_movement(session, big, date(2026, 1, day), debit=largest)
        add_movement(session, small, date(2026, 1, 1), credit="1.00")
        ids = (big.id, small.id)
    criteria = BalanceCriteria(
        as_of=AS_OF,
        balance_filter=BalanceFilter.ABOVE,
        amount=Decimal("0.50"),
        sort=BalanceSort.BALANCE,
        descending=True,
    )
    source = BalanceSource(any_database, criteria, KeyNumbers())
    assert list(source.keys()) == [(ids[0], "TRY"), (ids[1], "TRY")]
    [first, second] = source.rows(0, 100)
    assert first.cells[3] == "119.999.999.999.999.999,88"
    assert second.cells[5] == "1,00 A"
