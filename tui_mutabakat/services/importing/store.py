"""Writing checked records, a chunk at a time, inside the import's one transaction.

New rows go in with Core `insert()` executed for the whole chunk (through the models'
column types, so amounts stay Decimal whatever the column stores); changed accounts go
through the ORM so that their version and search text follow as on the card. Matching:

- accounts by code: a known code is changed only with `update`, else counted unchanged
  (equal) or left as it is (different; the summary says how many);
- contacts by account and e-mail (folded case), or account and name when there is none;
- movements by account, document type, document no, date, amounts and currency;
- opening balances by account, currency and date (one per day): another amount on the
  same day is a refusal unless `update`.

A row whose key was already written earlier in the same file counts as unchanged, so a
file imported twice, or an error file imported after its fixed rows, adds nothing twice.
Imported movements skip due-date tracking (SPEC C4): they are history, not new debt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.models import Account, AccountParameters, Contact, Movement
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.domain.text import search_key
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts import AccountData
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.demo_data import parameter_values
from tui_mutabakat.services.importing.fields import Kind, fields_of
from tui_mutabakat.services.importing.rows import ContactRecord, MovementRecord, Problem, Record
from tui_mutabakat.services.working_settings import get_working_settings

ZERO = Decimal("0")

ACCOUNT_FIELDS = (
    "code",
    "title",
    "tax_number",
    "tax_office",
    "address",
    "city",
    "phone",
    "currency",
    "group_code",
    "sector_code",
    "region_code",
    "risk_limit",
    "notes",
    "active",
    "department_email",
    "routing",
)
_CONTACT_COLUMNS = ("name", "email", "title", "department", "phone", "receives_reconciliation")


class Outcome(Enum):
    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(slots=True)
class Result:
    outcome: Outcome
    problems: list[Problem] = field(default_factory=list)
    #: Kept as it is, but worth saying (differs from what is stored; no `update`).
    warnings: list[Problem] = field(default_factory=list)


def _differs(kind: Kind, names: list[str]) -> Result:
    headers = {f.name: f.header for f in fields_of(kind)}
    shown = [headers.get(n, n) for n in names]
    return Result(
        Outcome.UNCHANGED,
        warnings=[
            Problem(
                names[0],
                _(
                    "kayıtlı olandan farklı ({fields}); değiştirmek için güncelleme seçeneği "
                    "(--update) gerekir"
                ).format(fields=", ".join(shown)),
            )
        ],
    )


def _refused(name: str, reason: str) -> Result:
    return Result(Outcome.REFUSED, [Problem(name, reason)])


class Store:
    """Writes the records of one import; `present` is the fields the file has columns for."""

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

    def write(self, records: Sequence[tuple[int, Record]]) -> list[Result]:
        """Store one chunk; a result for each `(row number, record)` in order."""
        if self.kind is Kind.ACCOUNTS:
            return self._accounts(records)
        if self.kind is Kind.CONTACTS:
            return self._contacts(records)
        return self._movements(records)

    # --- accounts -------------------------------------------------------------------------

    def _accounts(self, records: Sequence[tuple[int, Record]]) -> list[Result]:
        results: list[Result] = []
        new: list[tuple[int, AccountData]] = []
        known: dict[str, AccountData] = {}
        for number, record in records:
            assert isinstance(record, AccountData)
            first = self.codes_in_file.get(record.code)
            if first is not None:
                results.append(
                    _refused(
                        "code", _("kod dosyada tekrar ediyor (ilk: satır {row})").format(row=first)
                    )
                )
                continue
            self.codes_in_file[record.code] = number
            if record.code in self.accounts:
                known[record.code] = record
                results.append(Result(Outcome.UNCHANGED))
            else:
                new.append((len(results), record))
                results.append(Result(Outcome.ADDED))
        if known:
            changed = self._update_accounts(known)
            for index, (_number, record) in enumerate(records):
                if not isinstance(record, AccountData) or record.code not in changed:
                    continue
                if results[index].outcome is Outcome.UNCHANGED and known.get(record.code) is record:
                    differs = changed[record.code]
                    results[index] = (
                        Result(Outcome.UPDATED) if self.update else _differs(self.kind, differs)
                    )
        if new:
            self._insert_accounts([record for _i, record in new])
        return results

    def _update_accounts(self, known: dict[str, AccountData]) -> dict[str, list[str]]:
        """The known accounts whose imported fields differ (code → the fields), changed
        when `update`."""
        names = [n for n in ACCOUNT_FIELDS if n in self.present and n != "code"]
        changed: dict[str, list[str]] = {}
        rows = self.session.scalars(select(Account).where(Account.code.in_(list(known))))
        for account in rows:
            data = known[account.code]
            differs = [n for n in names if getattr(account, n) != getattr(data, n)]
            if not differs:
                continue
            changed[account.code] = differs
            if not self.update:
                continue
            for name in differs:
                setattr(account, name, getattr(data, name))
            account.updated_by = self.actor.login
        self.session.flush()
        self.session.expunge_all()
        return changed

    def _insert_accounts(self, records: list[AccountData]) -> None:
        if self._parameters is None:
            self._parameters = parameter_values(get_working_settings(self.session))
        rows = [
            {
                **{name: getattr(data, name) for name in ACCOUNT_FIELDS},
                "search_text": search_key(data.title),
                "created_at": self.now,
                "created_by": self.actor.login,
                "updated_at": self.now,
                "updated_by": self.actor.login,
                "version_id": 1,
            }
            for data in records
        ]
        # One executemany, then the ids by code: an INSERT … RETURNING in parameter order
        # runs row by row on SQLite.
        self._core.execute(insert(Account), rows)
        codes = [data.code for data in records]
        created = self._core.execute(
            select(Account.id, Account.code, Account.currency).where(Account.code.in_(codes))
        ).all()
        for account_id, code, currency in created:
            self.accounts[code] = (account_id, currency)
        self._core.execute(
            insert(AccountParameters),
            [{"account_id": row[0], "version_id": 1, **self._parameters} for row in created],
        )

    # --- contacts -------------------------------------------------------------------------

    def _account(self, code: str) -> tuple[int, str] | None:
        return self.accounts.get(code)

    def _contacts(self, records: Sequence[tuple[int, Record]]) -> list[Result]:
        ids = {self.accounts[r.code][0] for _n, r in records if r.code in self.accounts}
        #: key → the stored (or, id None, just added) contact's values.
        existing: dict[tuple[int, str], dict[str, Any]] = {}
        if ids:
            query = select(
                Contact.id,
                Contact.account_id,
                *(getattr(Contact, n) for n in _CONTACT_COLUMNS),
            ).where(Contact.account_id.in_(ids))
            for stored_row in self._core.execute(query):
                stored = stored_row._asdict()
                key = _contact_key(stored["account_id"], stored["email"], stored["name"])
                existing.setdefault(key, stored)
        results: list[Result] = []
        new: list[dict[str, Any]] = []
        for _number, record in records:
            assert isinstance(record, ContactRecord)
            account = self._account(record.code)
            if account is None:
                results.append(_unknown_code())
                continue
            outcomes = [
                self._contact(existing, new, account[0], record, address)
                for address in record.emails
            ]
            results.append(_combined(outcomes))
        if new:
            self._core.execute(insert(Contact), new)
        return results

    def _contact(
        self,
        existing: dict[tuple[int, str], dict[str, Any]],
        new: list[dict[str, Any]],
        account_id: int,
        record: ContactRecord,
        address: str,
    ) -> Result:
        """One address of a contact row: added, kept, or changed (with `update`)."""
        key = _contact_key(account_id, address, record.name)
        values = {
            "name": record.name,
            "email": address,
            "title": record.title,
            "department": record.department,
            "phone": record.phone,
            "receives_reconciliation": record.receives,
        }
        found = existing.get(key)
        if found is None:
            added: dict[str, Any] = {"account_id": account_id, **values}
            new.append(added)
            existing[key] = {**added, "id": None}
            return Result(Outcome.ADDED)
        names = [n for n in values if _contact_field(n) in self.present]
        differs = [n for n in names if found[n] != values[n]]
        if not differs or found["id"] is None:
            return Result(Outcome.UNCHANGED)
        if not self.update:
            return _differs(self.kind, [_contact_field(n) for n in differs])
        changes = {n: values[n] for n in differs}
        self._core.execute(update(Contact).where(Contact.id == found["id"]).values(changes))
        found.update(changes)
        return Result(Outcome.UPDATED)

    # --- movements and opening balances ---------------------------------------------------

    def _movements(self, records: Sequence[tuple[int, Record]]) -> list[Result]:
        resolved: list[tuple[int, MovementRecord, int, str] | None] = []
        for _number, record in records:
            assert isinstance(record, MovementRecord)
            account = self._account(record.code)
            if account is None:
                resolved.append(None)
            else:
                resolved.append((_number, record, account[0], record.currency or account[1]))
        present = [r for r in resolved if r is not None]
        existing = self._existing_movements(present)
        if self.kind is Kind.BALANCES:
            return self._balances(resolved, existing)
        results: list[Result] = []
        new: list[dict[str, Any]] = []
        for item in resolved:
            if item is None:
                results.append(_unknown_code())
                continue
            _n, record, account_id, currency = item
            key = (
                account_id,
                record.doc_type,
                record.doc_no,
                record.date,
                record.debit,
                record.credit,
                currency,
            )
            if key in existing:
                results.append(Result(Outcome.UNCHANGED))
                continue
            existing[key] = (0, ZERO, ZERO, ZERO)
            new.append(self._movement_row(record, account_id, currency))
            results.append(Result(Outcome.ADDED))
        if new:
            self._core.execute(insert(Movement), new)
        return results

    def _movement_row(
        self, record: MovementRecord, account_id: int, currency: str
    ) -> dict[str, Any]:
        return {
            "account_id": account_id,
            "date": record.date,
            "doc_type": record.doc_type,
            "doc_no": record.doc_no,
            "description": record.description,
            "debit": record.debit,
            "credit": record.credit,
            "currency": currency,
            "fx_rate": record.fx_rate if currency != "TRY" else None,
            "due_date": record.due_date,
            "settled": ZERO,
            "created_at": self.now,
            "created_by": self.actor.login,
        }

    def _existing_movements(
        self, items: list[tuple[int, MovementRecord, int, str]]
    ) -> dict[tuple[Any, ...], tuple[int, Decimal, Decimal, Decimal]]:
        """The stored movements the chunk could match: key → (id, debit, credit, settled).

        Narrowed by the chunk's accounts, dates and document numbers, so what comes back is
        about the rows that match, however many movements are stored."""
        if not items:
            return {}
        ids = {account_id for _n, _r, account_id, _c in items}
        dates = {r.date for _n, r, _a, _c in items}
        query = select(
            Movement.id,
            Movement.account_id,
            Movement.doc_type,
            Movement.doc_no,
            Movement.date,
            Movement.debit,
            Movement.credit,
            Movement.currency,
            Movement.settled,
        ).where(Movement.account_id.in_(ids), Movement.date.in_(dates))
        if self.kind is Kind.BALANCES:
            query = query.where(Movement.doc_type == DocumentType.OPENING)
        else:
            query = query.where(Movement.doc_no.in_({r.doc_no for _n, r, _a, _c in items}))
        found: dict[tuple[Any, ...], tuple[int, Decimal, Decimal, Decimal]] = {}
        for row in self._core.execute(query):
            if self.kind is Kind.BALANCES:
                key: tuple[Any, ...] = (row.account_id, row.currency, row.date)
            else:
                key = (
                    row.account_id,
                    row.doc_type,
                    row.doc_no,
                    row.date,
                    row.debit,
                    row.credit,
                    row.currency,
                )
            found[key] = (row.id, row.debit, row.credit, row.settled)
        return found

    def _balances(
        self,
        resolved: list[tuple[int, MovementRecord, int, str] | None],
        existing: dict[tuple[Any, ...], tuple[int, Decimal, Decimal, Decimal]],
    ) -> list[Result]:
        results: list[Result] = []
        new: list[dict[str, Any]] = []
        for item in resolved:
            if item is None:
                results.append(_unknown_code())
                continue
            number, record, account_id, currency = item
            key = (account_id, currency, record.date)
            seen = self.balance_rows.get(key)
            if seen is not None:
                results.append(
                    _refused(
                        "code",
                        _(
                            "bu hesabın bu döviz ve tarihte bakiyesi dosyada zaten var "
                            "(satır {row})"
                        ).format(row=seen),
                    )
                )
                continue
            self.balance_rows[key] = number
            stored = existing.get(key)
            if stored is None:
                new.append(self._movement_row(record, account_id, currency))
                results.append(Result(Outcome.ADDED))
                continue
            movement_id, debit, credit, settled = stored
            if (debit, credit) == (record.debit, record.credit):
                results.append(Result(Outcome.UNCHANGED))
            elif not self.update:
                results.append(
                    _refused(
                        "balance",
                        _(
                            "bu tarihte farklı bir açılış bakiyesi kayıtlı; değiştirmek için "
                            "güncelleme seçeneğini (--update) kullanın"
                        ),
                    )
                )
            elif settled > ZERO:
                results.append(
                    _refused(
                        "balance",
                        _("kayıtlı açılış bakiyesinin bir kısmı kapatılmış; değiştirilemez"),
                    )
                )
            else:
                movement = self.session.get(Movement, movement_id)
                assert movement is not None
                movement.debit, movement.credit = record.debit, record.credit
                results.append(Result(Outcome.UPDATED))
        if new:
            self._core.execute(insert(Movement), new)
        self.session.flush()
        self.session.expunge_all()
        return results


def _combined(results: list[Result]) -> Result:
    """A row that gave several contacts: added if any was, else updated if any was."""
    for outcome in (Outcome.ADDED, Outcome.UPDATED):
        if any(r.outcome is outcome for r in results):
            return Result(outcome, warnings=[w for r in results for w in r.warnings])
    return Result(Outcome.UNCHANGED, warnings=[w for r in results for w in r.warnings])


def _contact_key(account_id: int, email: str, name: str) -> tuple[int, str]:
    address = email.strip().casefold()
    return (account_id, address) if address else (account_id, "\0" + search_key(name))


def _contact_field(column: str) -> str:
    return "receives" if column == "receives_reconciliation" else column


def _unknown_code() -> Result:
    return _refused("code", _("bu kodla bir hesap yok (önce hesapları içe aktarın)"))
