"""The demo company (`mutabakat demo`, SPEC 4) and the large-data generator (`demo-data`).

Both write through the same path: accounts, their parameters (copied from the working
settings, SPEC C) and contacts, then movements, with SQLAlchemy Core `insert()` executed
for many rows at a time. The demo does it in one transaction; the bulk generator commits
every chunk so that millions of rows never sit in memory or in one journal. Everything is
drawn from `random.Random(seed)`: the same seed gives the same accounts. Movement dates
end today, so overdue items are overdue relative to the day the data was made.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import Base
from tui_mutabakat.data.models import (
    Account,
    AccountParameters,
    Company,
    Contact,
    Movement,
    WorkingSettings,
)
from tui_mutabakat.data.ops_models import Settlement
from tui_mutabakat.data.session import Database
from tui_mutabakat.demo.accounts import (
    CUSTOMER_PREFIX,
    SUPPLIER_PREFIX,
    AccountFactory,
    AccountPlan,
    Row,
    account_code,
)
from tui_mutabakat.demo.movements import Match, MovementFactory, spread
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import DocumentType, Role, RuleAction
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.domain.tax_number import vkn_check_digit
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, os_login, record
from tui_mutabakat.services.settings.working_settings import (
    get_company,
    get_working_settings,
    parameter_values,
)

Progress = Callable[[str], None]

DEMO_SEED = 2026
DEMO_ACCOUNTS = 300
DEMO_MOVEMENTS = 12_000
#: Share of accounts that are customers (120.x); the rest are suppliers (320.x).
CUSTOMER_SHARE = 0.75
ACCOUNT_CHUNK = 10_000
MOVEMENT_CHUNK = 20_000


def is_demo_ready(database: Database) -> bool:
    """Whether the database already holds accounts (the demo, or real data)."""
    with database.reader() as session:
        return session.scalar(select(Account.id).limit(1)) is not None


def create_demo_company(database: Database) -> None:
    """Fill an empty database with the demo company: about 300 accounts, two years of movements.

    Refused when accounts exist: the demo never mixes with real data.
    """
    with database.unit_of_work() as session:
        if session.scalar(select(Account.id).limit(1)) is not None:
            raise Refused(
                _("Veritabanında hesaplar var; demo şirketi yalnızca boş bir veritabanına kurulur.")
            )
        company = get_company(session)
        _fill_company(company)
        settings = get_working_settings(session)
        _fill_working_settings(settings)
        session.flush()
        _populate(
            session.connection(),
            random.Random(DEMO_SEED),
            accounts=DEMO_ACCOUNTS,
            movements=DEMO_MOVEMENTS,
            parameters=parameter_values(settings),
            start=_Numbering(first_id=1, customers=0, suppliers=0),
            max_contacts=3,
            commit=False,
            report=None,
        )
        actor = Actor(os_login(), Role.ADMIN)
        detail = f"{DEMO_ACCOUNTS} hesap, {DEMO_MOVEMENTS} hareket"
        record(session, actor, "demo_create", "company", company.id, detail)


def generate_bulk(
    database: Database,
    *,
    accounts: int,
    movements: int,
    seed: int,
    progress: Progress | None = None,
) -> None:
    """Add `accounts` accounts and exactly `movements` movements of the demo's shape, fast.

    Accounts are numbered after the ones already there. The own company and the working
    settings get the demo values only where they are still empty. Each chunk is committed
    on its own: an interrupted run keeps the chunks written so far.
    """
    if accounts < 0 or movements < 0:
        raise InvalidInput(_("Hesap ve hareket sayısı negatif olamaz."))
    if movements and not accounts:
        raise InvalidInput(_("Hareket üretmek için en az bir hesap gerekir."))
    with database.unit_of_work() as session:
        start = _prepare_bulk(session)
        parameters = parameter_values(get_working_settings(session))
    with database.engine.connect() as connection, _fast_writes(connection):
        _populate(
            connection,
            random.Random(seed),
            accounts=accounts,
            movements=movements,
            parameters=parameters,
            start=start,
            max_contacts=2,
            commit=True,
            report=progress,
        )
    with database.unit_of_work() as session:
        actor = Actor(os_login(), Role.ADMIN)
        detail = f"{accounts} hesap, {movements} hareket, tohum {seed}"
        record(session, actor, "demo_bulk", "account", "*", detail)


def demo_vkn() -> str:
    first_nine = "482913765"
    return first_nine + str(vkn_check_digit(first_nine))


def _fill_company(company: Company) -> None:
    company.title = "Defne Endüstriyel Ürünler San. ve Tic. A.Ş."
    company.tax_office = "Kozyatağı"
    company.tax_number = demo_vkn()
    company.address = "Kozyatağı Mah. Değirmen Sok. No:18 Kat:5, 34742 Kadıköy/İstanbul"
    company.city = "İstanbul"
    company.phone = "0 (216) 555 18 40"
    company.email = "muhasebe@defneendustri.com.tr"
    company.logo_text = "DEFNE ENDÜSTRİ"


def _fill_working_settings(settings: WorkingSettings) -> None:
    """Sensible defaults: 30-day answers, due-date tracking and debt-closing control warn."""
    settings.default_currency = "TRY"
    settings.answer_period_days = 30
    settings.reminder_days_before = 7
    settings.partial_shipment = False
    settings.invoice_copies = 1
    settings.approve_by_risk = True
    settings.approve_by_due_date = True
    settings.approve_by_ageing = False
    settings.ageing_days = 90
    settings.due_track_types = DocumentType.SALES_INVOICE.value
    settings.due_track_days = 30
    settings.due_track_amount = Decimal("10000.00")
    settings.due_track_action = RuleAction.WARN
    settings.close_check_days = 60
    settings.close_check_action = RuleAction.WARN


@dataclass(slots=True)
class _Numbering:
    """Where the new accounts start: the next id and how many codes each prefix has."""

    first_id: int
    customers: int
    suppliers: int


def _prepare_bulk(session: Session) -> _Numbering:
    """Give an empty company and missing working settings the demo values; find the numbering."""
    company = get_company(session)
    if not company.title:
        _fill_company(company)
    if session.scalar(select(WorkingSettings.id).limit(1)) is None:
        _fill_working_settings(get_working_settings(session))
    session.flush()

    def count(prefix: str) -> int:
        return session.scalar(select(func.count()).where(Account.code.like(f"{prefix}.%"))) or 0

    last_id = session.scalar(select(func.max(Account.id))) or 0
    return _Numbering(last_id + 1, count(CUSTOMER_PREFIX), count(SUPPLIER_PREFIX))


@contextmanager
def _fast_writes(connection: Connection) -> Iterator[None]:
    """On SQLite, skip the fsyncs and widen the page cache while generating; restore after.

    The pragmas go straight to the driver: SQLite refuses to change them inside the
    transaction SQLAlchemy opens for every statement.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute("PRAGMA cache_size=-262144")
    try:
        yield
    finally:
        connection.rollback()
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("PRAGMA cache_size=-2000")
        # Fold the write-ahead log into the database now, so the next start does not pay
        # for reading a log of several hundred megabytes.
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class _Reporter:
    """Sends a short line to `progress` about every tenth of the way, with the elapsed time."""

    def __init__(self, progress: Progress | None, what: str, total: int) -> None:
        self.progress = progress
        self.what = what
        self.total = total
        self.step = max(total // 10, 1)
        self.next = self.step
        self.reported = 0
        self.started = time.perf_counter()

    def __call__(self, done: int) -> None:
        due = done >= self.next or done >= self.total
        if self.progress is None or not due or done == self.reported:
            return
        while self.next <= done:
            self.next += self.step
        self.reported = done
        seconds = time.perf_counter() - self.started
        self.progress(f"{self.what} {done}/{self.total} ({seconds:.1f} s)")


def _populate(
    connection: Connection,
    rng: random.Random,
    *,
    accounts: int,
    movements: int,
    parameters: Row,
    start: _Numbering,
    max_contacts: int,
    commit: bool,
    report: Progress | None,
) -> None:
    now = dt.datetime.now(dt.UTC)
    factory = AccountFactory(
        rng,
        now=now,
        parameters=parameters,
        max_contacts=max_contacts,
        unique_titles=accounts <= 5_000,
    )
    plans = _insert_accounts(connection, factory, rng, accounts, start, commit, report)
    if connection.dialect.name == "postgresql" and accounts:
        # The ids were given explicitly: move the sequence past them.
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('account', 'id'), max(id)) FROM account")
        )
    counts = spread(rng, movements, len(plans))
    maker = MovementFactory(rng, today=local_today())
    progress = _Reporter(report, "movements", movements)
    buffer: list[Row] = []
    matches: list[Row] = []
    done = 0
    # Movement ids are given here, so that the settlement's matches can name them.
    next_id = (connection.scalar(select(func.max(Movement.id))) or 0) + 1
    for plan, count in zip(plans, counts, strict=True):
        found: list[Match] = []
        rows = maker.for_account(plan, count, found)
        for offset, row in enumerate(rows):
            row["id"] = next_id + offset
        matches.extend(_match_rows(plan.id, rows, found))
        next_id += len(rows)
        buffer.extend(rows)
        if len(buffer) >= MOVEMENT_CHUNK:
            done += _flush(connection, Movement, buffer, commit=False)
            _flush(connection, Settlement, matches, commit)
            progress(done)
    if buffer:
        done += _flush(connection, Movement, buffer, commit=False)
        _flush(connection, Settlement, matches, commit)
    if connection.dialect.name == "postgresql" and movements:
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence('movement', 'id'), max(id)) FROM movement")
        )
    if movements:
        progress(done)


def _match_rows(account_id: int, rows: list[Row], matches: list[Match]) -> list[Row]:
    """The FIFO settlement's matches as `Settlement` rows (made when the later movement
    was entered), so that debt closing can undo them and a letter can date them."""
    return [
        {
            "account_id": account_id,
            "debit_movement_id": rows[m.debit]["id"],
            "credit_movement_id": rows[m.credit]["id"],
            "amount": Decimal(m.cents) / 100,
            "created_at": rows[m.later]["created_at"],
            "created_by": rows[m.later]["created_by"],
        }
        for m in matches
    ]


def _insert_accounts(
    connection: Connection,
    factory: AccountFactory,
    rng: random.Random,
    accounts: int,
    start: _Numbering,
    commit: bool,
    report: Progress | None,
) -> list[AccountPlan]:
    progress = _Reporter(report, "accounts", accounts)
    plans: list[AccountPlan] = []
    rows: list[Row] = []
    parameters: list[Row] = []
    contacts: list[Row] = []
    customers, suppliers = start.customers, start.suppliers
    for index in range(accounts):
        customer = rng.random() < CUSTOMER_SHARE
        if customer:
            code = account_code(CUSTOMER_PREFIX, customers)
            customers += 1
        else:
            code = account_code(SUPPLIER_PREFIX, suppliers)
            suppliers += 1
        account_id = start.first_id + index
        account, people, plan = factory.make(account_id, code, customer=customer)
        rows.append(account)
        parameters.append(factory.parameters_row(account_id))
        contacts.extend(people)
        plans.append(plan)
        if len(rows) >= ACCOUNT_CHUNK or index == accounts - 1:
            connection.execute(insert(Account), rows)
            connection.execute(insert(AccountParameters), parameters)
            _flush(connection, Contact, contacts, commit)
            rows.clear()
            parameters.clear()
            progress(index + 1)
    return plans


def _flush(connection: Connection, model: type[Base], rows: list[Row], commit: bool) -> int:
    """Insert `rows` with one executemany, empty the list, commit if asked; returns the count."""
    count = len(rows)
    if rows:
        connection.execute(insert(model), rows)
    rows.clear()
    if commit:
        connection.commit()
    return count
