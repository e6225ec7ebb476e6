"""Accounts with parameters and raw movements for the tests of movements, settling and orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tui_mutabakat.data.models import AuditEvent, Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.services.accounts.cards import AccountData, save_account
from tui_mutabakat.services.accounts.parameters import load_parameters, save_parameters
from tui_mutabakat.services.context import Actor

TODAY = dt.date(2026, 6, 30)


def make_account(
    database: Database,
    actor: Actor,
    code: str = "120.01",
    *,
    risk_limit: Decimal | None = None,
    **parameters: Any,
) -> int:
    """An account whose rule parameters are the defaults changed by `parameters`."""
    with database.unit_of_work() as session:
        account_id = save_account(
            session,
            actor,
            AccountData(code=code, title=f"Test Ticaret {code}", risk_limit=risk_limit),
        )
        current = load_parameters(session, account_id)
        save_parameters(session, actor, account_id, replace(current, **parameters))
    return account_id


def add_movement(
    database: Database,
    account_id: int,
    *,
    debit: str = "0",
    credit: str = "0",
    date: dt.date,
    due_date: dt.date | None = None,
    doc_type: DocumentType = DocumentType.SALES_INVOICE,
    doc_no: str = "",
    settled: str = "0",
    currency: str = "TRY",
    fx_rate: str | None = None,
) -> int:
    """A movement written straight to the table, as an import would: no rule runs."""
    with database.unit_of_work() as session:
        row = Movement(
            account_id=account_id,
            date=date,
            doc_type=doc_type,
            doc_no=doc_no,
            debit=Decimal(debit),
            credit=Decimal(credit),
            due_date=due_date,
            settled=Decimal(settled),
            currency=currency,
            fx_rate=None if fx_rate is None else Decimal(fx_rate),
        )
        session.add(row)
        session.flush()
        return row.id


def audit(database: Database, action: str) -> list[AuditEvent]:
    with database.reader() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        return list(session.scalars(query))


def movement(database: Database, movement_id: int) -> Movement | None:
    with database.reader() as session:
        return session.get(Movement, movement_id)


def movement_count(database: Database, account_id: int) -> int:
    with database.reader() as session:
        query = select(Movement.id).where(Movement.account_id == account_id)
        return len(session.scalars(query).all())
