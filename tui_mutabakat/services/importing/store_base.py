"""What the import's writers share: the outcome of a row, and the state of one import."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
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

    def _account(self, code: str) -> tuple[int, str] | None:
        return self.accounts.get(code)
