"""What the import's writers share: the outcome of a row, and the state of one import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from tui_mutabakat.data.base import Base, utcnow
from tui_mutabakat.data.models import Account
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.importing.fields import Kind
from tui_mutabakat.services.importing.rows import Problem

ZERO = Decimal("0")


class RowChange(Enum):
    """What importing did with one row."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(slots=True)
class Result:
    outcome: RowChange
    problems: list[Problem] = field(default_factory=list)
    #: Kept as it is, but worth saying (differs from what is stored; no `update`).
    warnings: list[Problem] = field(default_factory=list)


def refused(name: str, reason: str) -> Result:
    return Result(RowChange.REFUSED, [Problem(name, reason)])


def unknown_code() -> Result:
    return refused("code", _("bu kodla bir hesap yok (önce hesapları içe aktarın)"))


class StoreBase:
    """The state of one import's writing; `present` is the fields the file has columns for."""

    def __init__(
        self, session: Session, actor: Actor, kind: Kind, *, update: bool, present: set[str]
    ) -> None:
        self.session = session
        self.actor = actor
        self.kind = kind
        self.update = update
        self.present = present
        self.now = utcnow()
        #: code → (account id, currency): every account, and the ones this import adds.
        self.accounts: dict[str, tuple[int, str]] = {
            code: (account_id, currency)
            for account_id, code, currency in session.execute(
                select(Account.id, Account.code, Account.currency)
            )
        }
        self.codes_in_file: dict[str, int] = {}
        self._parameters: dict[str, Any] | None = None
        #: (account id, currency, date) → the row that gave that opening balance.
        self.balance_rows: dict[tuple[int, str, dt.date], int] = {}

    @property
    def _core(self) -> Connection:
        """The session's connection: Core inserts of many rows, no ORM bookkeeping."""
        return self.session.connection()

    def _insert(self, model: type[Base], rows: list[dict[str, Any]]) -> None:
        """`INSERT` of `rows` (all with the same keys) in one driver `executemany`.

        SQLAlchemy's Core executemany costs about as much per row as checking the row: it
        builds and processes every row's parameters through the compiled statement. Here
        each column's bind processor (the models' types: money in units on SQLite, dates,
        enums) is looked up once and applied to a plain tuple. Columns left out must have
        no Python-side default that is not a constant; otherwise, and for a driver whose
        parameter style is not handled, Core does it."""
        if not rows:
            return
        table = model.__table__
        assert isinstance(table, Table)
        connection = self._core
        dialect = connection.dialect
        names = list(rows[0])
        constants: dict[str, Any] = {}
        for column in table.columns:
            if column.name in names or column.primary_key or column.default is None:
                continue
            if not isinstance(column.default, ScalarElementColumnDefault):
                connection.execute(insert(model), rows)
                return
            constants[column.name] = column.default.arg
        style = dialect.paramstyle
        if style not in ("qmark", "pyformat"):
            connection.execute(insert(model), rows)
            return
        columns = [*names, *constants]
        processors = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]
        quote = dialect.identifier_preparer
        marks = ", ".join("?" if style == "qmark" else f"%(p{i})s" for i in range(len(columns)))
        sql = (
            f"INSERT INTO {quote.format_table(table)} "
            f"({', '.join(quote.quote(name) for name in columns)}) VALUES ({marks})"
        )
        fixed = [constants[name] for name in constants]
        prepared: list[Any] = []
        for row in rows:
            values = [row[name] for name in names]
            values += fixed
            cells = [
                v if p is None or v is None else p(v)
                for p, v in zip(processors, values, strict=True)
            ]
            prepared.append(
                tuple(cells) if style == "qmark" else {f"p{i}": v for i, v in enumerate(cells)}
            )
        connection.exec_driver_sql(sql, prepared)

    def _account(self, code: str) -> tuple[int, str] | None:
        return self.accounts.get(code)
