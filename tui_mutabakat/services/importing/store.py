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

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from tui_mutabakat.data.models import Account, AccountParameters, Contact
from tui_mutabakat.domain.text import search_key, sort_key
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.cards import AccountData
from tui_mutabakat.services.importing.fields import Kind, fields_of
from tui_mutabakat.services.importing.rows import ContactRecord, Problem, Record
from tui_mutabakat.services.importing.store_base import Result, RowChange, refused, unknown_code
from tui_mutabakat.services.importing.store_movements import MovementWriter
from tui_mutabakat.services.settings.working_settings import get_working_settings, parameter_values

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


def _differs(kind: Kind, names: list[str]) -> Result:
    headers = {f.name: f.header for f in fields_of(kind)}
    shown = [headers.get(n, n) for n in names]
    return Result(
        RowChange.UNCHANGED,
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


class Store(MovementWriter):
    """Writes the records of one import: accounts and contacts here, movements and opening
    balances in `MovementWriter`."""

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
                    refused(
                        "code", _("kod dosyada tekrar ediyor (ilk: satır {row})").format(row=first)
                    )
                )
                continue
            self.codes_in_file[record.code] = number
            if record.code in self.accounts:
                known[record.code] = record
                results.append(Result(RowChange.UNCHANGED))
            else:
                new.append((len(results), record))
                results.append(Result(RowChange.ADDED))
        if known:
            changed = self._update_accounts(known)
            for index, (_number, record) in enumerate(records):
                if not isinstance(record, AccountData) or record.code not in changed:
                    continue
                if (
                    results[index].outcome is RowChange.UNCHANGED
                    and known.get(record.code) is record
                ):
                    differs = changed[record.code]
                    results[index] = (
                        Result(RowChange.UPDATED) if self.update else _differs(self.kind, differs)
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
                "title_key": sort_key(data.title),
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
        self._insert(Account, rows)
        codes = [data.code for data in records]
        created = self._core.execute(
            select(Account.id, Account.code, Account.currency).where(Account.code.in_(codes))
        ).all()
        for account_id, code, currency in created:
            self.accounts[code] = (account_id, currency)
        self._insert(
            AccountParameters,
            [{"account_id": row[0], "version_id": 1, **self._parameters} for row in created],
        )

    # --- contacts -------------------------------------------------------------------------

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
                results.append(unknown_code())
                continue
            outcomes = [
                self._contact(existing, new, account[0], record, address)
                for address in record.emails
            ]
            results.append(_combined(outcomes))
        if new:
            self._insert(Contact, new)
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
            return Result(RowChange.ADDED)
        names = [n for n in values if _contact_field(n) in self.present]
        differs = [n for n in names if found[n] != values[n]]
        if not differs or found["id"] is None:
            return Result(RowChange.UNCHANGED)
        if not self.update:
            return _differs(self.kind, [_contact_field(n) for n in differs])
        changes = {n: values[n] for n in differs}
        self._core.execute(update(Contact).where(Contact.id == found["id"]).values(changes))
        found.update(changes)
        return Result(RowChange.UPDATED)


def _combined(results: list[Result]) -> Result:
    """A row that gave several contacts: added if any was, else updated if any was."""
    for outcome in (RowChange.ADDED, RowChange.UPDATED):
        if any(r.outcome is outcome for r in results):
            return Result(outcome, warnings=[w for r in results for w in r.warnings])
    return Result(RowChange.UNCHANGED, warnings=[w for r in results for w in r.warnings])


def _contact_key(account_id: int, email: str, name: str) -> tuple[int, str]:
    address = email.strip().casefold()
    return (account_id, address) if address else (account_id, "\0" + search_key(name))


def _contact_field(column: str) -> str:
    return "receives" if column == "receives_reconciliation" else column
