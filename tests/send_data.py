"""Small builders of accounts, contacts, movements and batches for the sending tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.data.models import Account, Company, Contact, Movement, User
from tui_mutabakat.data.outbox_models import ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, Routing, SmtpSecurity
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.batch_writer import write_chunks
from tui_mutabakat.services.sending.batches import start_batch
from tui_mutabakat.services.sending.compose import BatchCreated, SendOptions, SkippedAccount
from tui_mutabakat.services.sending.error_list import stored_items


def add_company(session: Session) -> Company:
    company = Company(
        title="Örnek Ticaret A.Ş.",
        tax_office="Kadıköy",
        tax_number="1234567890",
        address="Moda Cad. 1",
        city="İstanbul",
        phone="0216 000 00 00",
        email="muhasebe@ornek.com.tr",
        logo_text="ÖRNEK",
    )
    session.add(company)
    return company


def add_account(
    session: Session,
    code: str,
    title: str,
    *,
    emails: tuple[str, ...] = (),
    department_email: str = "",
    group_code: str = "",
    sector_code: str = "",
    region_code: str = "",
    currency: str = "TRY",
    active: bool = True,
) -> Account:
    account = Account(
        code=code,
        title=title,
        currency=currency,
        group_code=group_code,
        sector_code=sector_code,
        region_code=region_code,
        active=active,
        routing=Routing.DEPARTMENT if department_email else Routing.CONTACTS,
        department_email=department_email,
    )
    account.contacts = [
        Contact(name=f"Yetkili {i + 1}", email=email, receives_reconciliation=True)
        for i, email in enumerate(emails)
    ]
    session.add(account)
    session.flush()
    return account


def add_movement(
    session: Session,
    account: Account,
    day: date,
    *,
    debit: str = "0",
    credit: str = "0",
    currency: str = "TRY",
    doc_no: str = "",
    settled: str = "0",
    due: date | None = None,
) -> Movement:
    movement = Movement(
        account_id=account.id,
        date=day,
        doc_type=DocumentType.SALES_INVOICE if Decimal(debit) else DocumentType.BANK,
        doc_no=doc_no,
        description=f"Belge {doc_no}",
        debit=Decimal(debit),
        credit=Decimal(credit),
        currency=currency,
        settled=Decimal(settled),
        due_date=due,
    )
    session.add(movement)
    return movement


def configure_sender(
    session: Session,
    login: str,
    *,
    host: str = "",
    port: int | None = None,
    security: SmtpSecurity = SmtpSecurity.NONE,
    from_address: str = "mutabakat@ornek.com.tr",
) -> None:
    user = session.query(User).filter_by(login=login).one()
    user.from_address = from_address
    user.display_name = "Örnek Muhasebe"
    user.smtp_host = host
    user.smtp_port = port
    user.smtp_security = security


def accounts_to_send(
    database: Database, actor: Actor, count: int, port: int | None = None
) -> list[tuple[int, str]]:
    """The company, the actor as sender (SMTP on 127.0.0.1:`port` when given) and `count`
    accounts 120.000, 120.001, … each with one contact and a debit balance; returns their
    (account, currency) keys."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login, host="127.0.0.1" if port else "", port=port)
        keys = []
        for n in range(count):
            account = add_account(session, f"120.{n:03d}", f"Firma {n}", emails=(f"m{n}@f{n}.com",))
            add_movement(session, account, date(2026, 2, 1), debit=f"{n + 1}00.50")
            keys.append((account.id, "TRY"))
        return keys


def write_batch(
    database: Database,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
) -> BatchCreated:
    """A batch of `keys` written to the outbox the way the application writes one
    (`batches.start_batch`: the send planned, the batch opened; `batch_writer.write_chunks`:
    its letters written chunk by chunk), all `queued`, nothing delivered yet — what
    `mutabakat send --queue-only` does. Without the duplicate guard: a test may write more
    than one batch for an account and a date."""
    writer = start_batch(database, actor, as_of, keys, options, again=True)
    return write_chunks(database, writer)


def batch_skipped(session: Session, batch_id: int) -> list[SkippedAccount]:
    """The accounts kept on a batch's error list."""
    batch = session.get(ReconciliationBatch, batch_id)
    return [] if batch is None else stored_items(batch)
