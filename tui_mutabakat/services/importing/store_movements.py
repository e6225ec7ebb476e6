"""Movements and opening balances written a chunk at a time (see `store` for the matching)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from tui_mutabakat.data.models import Movement
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.importing.fields import Kind
from tui_mutabakat.services.importing.rows import MovementRecord, Record
from tui_mutabakat.services.importing.store_base import (
    ZERO,
    Result,
    RowChange,
    StoreBase,
    refused,
    unknown_code,
)


class MovementWriter(StoreBase):
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
                results.append(unknown_code())
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
                results.append(Result(RowChange.UNCHANGED))
                continue
            existing[key] = (0, ZERO, ZERO, ZERO)
            new.append(self._movement_row(record, account_id, currency))
            results.append(Result(RowChange.ADDED))
        if new:
            self._insert(Movement, new)
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
                results.append(unknown_code())
                continue
            number, record, account_id, currency = item
            key = (account_id, currency, record.date)
            seen = self.balance_rows.get(key)
            if seen is not None:
                results.append(
                    refused(
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
                results.append(Result(RowChange.ADDED))
                continue
            movement_id, debit, credit, settled = stored
            if (debit, credit) == (record.debit, record.credit):
                results.append(Result(RowChange.UNCHANGED))
            elif not self.update:
                results.append(
                    refused(
                        "balance",
                        _(
                            "bu tarihte farklı bir açılış bakiyesi kayıtlı; değiştirmek için "
                            "güncelleme seçeneğini (--update) kullanın"
                        ),
                    )
                )
            elif settled > ZERO:
                results.append(
                    refused(
                        "balance",
                        _("kayıtlı açılış bakiyesinin bir kısmı kapatılmış; değiştirilemez"),
                    )
                )
            else:
                movement = self.session.get(Movement, movement_id)
                assert movement is not None
                movement.debit, movement.credit = record.debit, record.credit
                results.append(Result(RowChange.UPDATED))
        if new:
            self._insert(Movement, new)
        self.session.flush()
        self.session.expunge_all()
        return results
