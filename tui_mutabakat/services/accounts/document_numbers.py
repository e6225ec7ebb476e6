"""Document numbers of sales orders (`SS-…`), invoices (`FT-…`) and dispatch notes (`IR-…`):
the next free number of a series, counted in the saving transaction."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from sqlalchemy import ColumnElement, func, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from tui_mutabakat.data.ops_models import Invoice, SalesOrder

#: Digits of a generated number: `FT-000001`.
NUMBER_DIGITS = 6


def _next_number(prefix: str, taken: Callable[[str], bool], start: int) -> str:
    count = start
    while True:
        count += 1
        candidate = f"{prefix}-{count:0{NUMBER_DIGITS}d}"
        if not taken(candidate):
            return candidate


def _in_series(column: InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    """`FT-` and six characters: the numbers of one series, not a dispatch note's `IR-…` beside
    an invoice's `FT-…` nor a number typed by hand — counting those left gaps (issue 11).

    The number is counted, not kept in a counter: it is read in the saving transaction, so a
    save refused by a rule or rolled back uses nothing up; two saves at once that read the
    same count meet the unique constraint on `number`, never a duplicate — and on PostgreSQL
    do not meet at all (`_serialize`)."""
    return column.like(f"{prefix}-" + "_" * NUMBER_DIGITS)


def _serialize(session: Session, prefix: str) -> None:
    """On PostgreSQL the second of two saves numbering one series at once waits here until the
    first commits or rolls back (a transaction-level advisory lock), then counts its row: two
    users get FT-000001 and FT-000002, not a unique-constraint error. SQLite lets one writer
    at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"mutabakat-number-{prefix}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def next_order_number(session: Session) -> str:
    def taken(number: str) -> bool:
        return session.scalar(select(SalesOrder.id).where(SalesOrder.number == number)) is not None

    _serialize(session, "SS")
    series = select(func.count(SalesOrder.id)).where(_in_series(SalesOrder.number, "SS"))
    return _next_number("SS", taken, session.scalar(series) or 0)


def next_invoice_number(session: Session, prefix: str = "FT", *, saving: bool = True) -> str:
    """The next free number: `FT-…` for an invoice, `IR-…` for a dispatch note. `saving`
    False: only to propose it in a form (the save checks it again), so nothing waits."""

    def taken(number: str) -> bool:
        return session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None

    if saving:
        _serialize(session, prefix)
    series = select(func.count(Invoice.id)).where(_in_series(Invoice.number, prefix))
    return _next_number(prefix, taken, session.scalar(series) or 0)
