"""Movements of an account (SPEC B5), entered, edited and deleted under due-date tracking (C4).

The rules work in TL: a foreign-currency movement counts at its own `fx_rate` (the TL value
of one unit at the document date), its debit and its settled part alike. The entry form
requires a rate for a foreign movement; a foreign movement stored without one (imported data)
counts at face value, so that it still weighs on the controls instead of escaping them.

Saving a new debit, or an edit that raises the debit (`raises_debit`), runs the check first
and raises instead of saving when the rule says so: `RuleStop`
(stop: never saved) or `NeedsConfirmation` (warn: saved only when called again with
`confirmed=True`). A rule that fired is written to the audit trail with the movement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import Account, Movement
from tui_mutabakat.data.ops_models import Invoice
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import CURRENCIES, DocumentType
from tui_mutabakat.domain.errors import InvalidInput, NotFound, Refused, ServiceError
from tui_mutabakat.domain.formatting import format_day, format_money
from tui_mutabakat.domain.rules import (
    DueTrackingParams,
    DueTrackingResult,
    OpenItem,
    Outcome,
    evaluate_due_tracking,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.parameters import load_parameters
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.limits import amount_in_range, day_in_range, rate_in_range
from tui_mutabakat.services.text_input import checked_text, cleaned

ZERO = Decimal("0")
CENT = Decimal("0.01")


def doc_type_label(kind: DocumentType) -> str:
    labels = {
        DocumentType.SALES_INVOICE: _("Satış Faturası"),
        DocumentType.PURCHASE_INVOICE: _("Alış Faturası"),
        DocumentType.SALES_ORDER_PAID: _("Satış Siparişi (Ödemeli)"),
        DocumentType.CASH: _("Kasa"),
        DocumentType.ACCOUNT_VOUCHER: _("Cari Hesap Fişi"),
        DocumentType.BANK: _("Banka"),
        DocumentType.EXPORT: _("İhracat"),
        DocumentType.OPENING: _("Açılış"),
    }
    return labels[kind]


class NeedsConfirmation(ServiceError):
    """A rule says "warn": nothing was saved; show `str(self)` and call again confirmed."""


class RuleStop(Refused):
    """A rule says "stop": nothing was saved, and confirming does not change that."""


def to_try(amount: Decimal, currency: str, fx_rate: Decimal | None) -> Decimal:
    if currency == "TRY" or fx_rate is None:
        return amount
    return (amount * fx_rate).quantize(CENT, rounding=ROUND_HALF_UP)


def _open_item(row: Movement, amount: Decimal) -> OpenItem:
    return OpenItem(
        movement_id=row.id,
        doc_type=row.doc_type,
        date=row.date,
        due_date=row.due_date,
        amount=to_try(amount, row.currency, row.fx_rate),
        settled=to_try(row.settled, row.currency, row.fx_rate),
    )


def _open_rows(
    session: Session, account_id: int, *, debit: bool, exclude: int | None = None
) -> list[Movement]:
    side = Movement.debit if debit else Movement.credit
    query = select(Movement).where(
        Movement.account_id == account_id, side > ZERO, side > Movement.settled
    )
    if exclude is not None:
        query = query.where(Movement.id != exclude)
    return list(session.scalars(query.order_by(Movement.date, Movement.id)))


def open_debit_items(
    session: Session, account_id: int, *, exclude: int | None = None
) -> list[OpenItem]:
    """The account's unsettled debit movements as the rules see them (TL)."""
    return [
        _open_item(r, r.debit) for r in _open_rows(session, account_id, debit=True, exclude=exclude)
    ]


def open_credit_items(session: Session, account_id: int) -> list[OpenItem]:
    return [_open_item(r, r.credit) for r in _open_rows(session, account_id, debit=False)]


def open_balance(session: Session, account_id: int) -> Decimal:
    """Unsettled debits − unsettled credits, in TL."""
    debit_total = sum((i.unsettled for i in open_debit_items(session, account_id)), ZERO)
    credit_total = sum((i.unsettled for i in open_credit_items(session, account_id)), ZERO)
    return debit_total - credit_total


@dataclass(slots=True)
class MovementData:
    """What the movement form edits. Amounts are in `currency`; `fx_rate` TL per unit."""

    account_id: int
    doc_type: DocumentType
    date: dt.date
    doc_no: str = ""
    description: str = ""
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    currency: str = "TRY"
    fx_rate: Decimal | None = None
    due_date: dt.date | None = None
    id: int | None = None

    @property
    def debits_account(self) -> bool:
        return self.debit > ZERO


@dataclass(frozen=True, slots=True)
class MovementRow:
    id: int
    date: dt.date
    doc_type: DocumentType
    doc_no: str
    description: str
    debit: Decimal
    credit: Decimal
    currency: str
    fx_rate: Decimal | None
    due_date: dt.date | None
    settled: Decimal

    @property
    def unsettled(self) -> Decimal:
        return self.debit + self.credit - self.settled


@dataclass(frozen=True, slots=True)
class OverdueLine:
    """One overdue item of a due-tracking decision, for the dialog: `unsettled` in TL (as the
    rule counts it), `own_unsettled` in the item's own `currency`."""

    movement_id: int
    doc_type: DocumentType
    doc_no: str
    date: dt.date
    due_date: dt.date
    days_overdue: int
    unsettled: Decimal
    currency: str = "TRY"
    own_unsettled: Decimal | None = None

    @property
    def amount_text(self) -> str:
        """`5.000,00 TL`; a foreign item in its own currency with the TL equivalent under
        it: `1.250,00 USD` / `= 40.000,00 TL`."""
        if self.currency == "TRY" or self.own_unsettled is None:
            return format_money(self.unsettled)
        own = format_money(self.own_unsettled, self.currency)
        return f"{own}\n= {format_money(self.unsettled)}"


@dataclass(frozen=True, slots=True)
class DueCheck:
    """The due-tracking decision for one movement, with the overdue items described."""

    result: DueTrackingResult
    lines: tuple[OverdueLine, ...]

    @property
    def outcome(self) -> Outcome:
        return self.result.outcome

    @property
    def total_text(self) -> str:
        return format_money(self.result.overdue_total)


def _row(m: Movement) -> MovementRow:
    return MovementRow(**{f.name: getattr(m, f.name) for f in fields(MovementRow)})


def list_movements(session: Session, account_id: int) -> list[MovementRow]:
    """All movements of an account, oldest first (an account has at most a few thousand)."""
    query = select(Movement).where(Movement.account_id == account_id)
    return [_row(m) for m in session.scalars(query.order_by(Movement.date, Movement.id))]


def load_movement(session: Session, movement_id: int) -> MovementData:
    m = session.get(Movement, movement_id)
    if m is None:
        raise NotFound(_("Hareket bulunamadı (silinmiş olabilir)."))
    return MovementData(**{f.name: getattr(m, f.name) for f in fields(MovementData)})


def tracking_params(session: Session, account_id: int) -> DueTrackingParams:
    p = load_parameters(session, account_id)
    return DueTrackingParams(
        p.due_track_types, p.due_track_days, p.due_track_amount, p.due_track_action
    )


def validate(data: MovementData) -> None:
    day_in_range(data.date, "date")
    day_in_range(data.due_date, "due_date")
    amount_in_range(data.debit, "debit")
    amount_in_range(data.credit, "credit")
    rate_in_range(data.fx_rate, "fx_rate")
    if data.debit < ZERO or data.credit < ZERO:
        raise InvalidInput(_("Tutar negatif olamaz."), "debit")
    if (data.debit > ZERO) == (data.credit > ZERO):
        raise InvalidInput(_("Borç veya alacaktan yalnız biri girilmeli."), "debit")
    if data.currency not in CURRENCIES:
        raise InvalidInput(_("Döviz cinsi geçersiz."), "currency")
    if data.currency != "TRY" and (data.fx_rate is None or data.fx_rate <= ZERO):
        raise InvalidInput(_("Dövizli harekette kur girilmeli."), "fx_rate")
    if data.due_date is not None and data.due_date < data.date:
        raise InvalidInput(_("Vade tarihi belge tarihinden önce olamaz."), "due_date")
    # The texts checked as `clean_movement` does, without copying `data` (an import
    # validates every row this way).
    checked_text(data.doc_no, Movement.doc_no, _("Belge no"), "doc_no")
    checked_text(data.description, Movement.description, _("Açıklama"), "description")


def clean_movement(data: MovementData) -> MovementData:
    """`data` with its texts cleaned (`domain.text.clean_text`, the columns' sizes)."""
    return cleaned(
        data,
        {
            "doc_no": (Movement.doc_no, _("Belge no"), False),
            "description": (Movement.description, _("Açıklama"), False),
        },
    )


def check_movement(session: Session, data: MovementData, today: dt.date | None = None) -> DueCheck:
    """What due-date tracking says about saving `data`; nothing is written."""
    day = today or local_today()
    rows = {r.id: r for r in _open_rows(session, data.account_id, debit=True, exclude=data.id)}
    items = [_open_item(r, r.debit) for r in rows.values()]
    result = evaluate_due_tracking(
        tracking_params(session, data.account_id),
        data.doc_type,
        data.debits_account,
        items,
        day,
    )
    lines = tuple(
        OverdueLine(
            item.movement_id,
            item.doc_type,
            rows[item.movement_id].doc_no,
            item.date,
            item.effective_due,
            result.days_overdue(item),
            item.unsettled,
            rows[item.movement_id].currency,
            rows[item.movement_id].debit - rows[item.movement_id].settled,
        )
        for item in result.overdue
    )
    return DueCheck(result, lines)


class DueTrackingStop(RuleStop):
    def __init__(self, message: str, check: DueCheck) -> None:
        super().__init__(message)
        self.check = check


class DueTrackingWarning(NeedsConfirmation):
    def __init__(self, message: str, check: DueCheck) -> None:
        super().__init__(message)
        self.check = check


def enforce_due_tracking(
    session: Session, data: MovementData, confirmed: bool, today: dt.date | None
) -> DueCheck:
    """Check `data` and raise what the decision requires before anything is written."""
    check = check_movement(session, data, today)
    if check.outcome is Outcome.STOP:
        message = _("Vade takibi: işlem durduruldu, kayıt yapılmadı. {text}")
        raise DueTrackingStop(message.format(text=check.result.text), check)
    if check.outcome is Outcome.WARN and not confirmed:
        message = _("Vade takibi uyarısı: {text} Yine de kaydedilsin mi?")
        raise DueTrackingWarning(message.format(text=check.result.text), check)
    return check


def _invoice_of(session: Session, movement_id: int) -> Invoice | None:
    return session.scalar(select(Invoice).where(Invoice.movement_id == movement_id))


def _guard_edit(session: Session, row: Movement, data: MovementData) -> None:
    if row.account_id != data.account_id:
        raise Refused(_("Hareketin hesabı değiştirilemez."))
    money_changed = (row.debit, row.credit, row.currency, row.fx_rate, row.doc_type) != (
        data.debit,
        data.credit,
        data.currency,
        data.fx_rate,
        data.doc_type,
    )
    invoice = _invoice_of(session, row.id)
    if invoice is not None and money_changed:
        raise Refused(
            _(
                "Bu hareket {number} numaralı faturadan oluştu; tutarı ve türü değiştirilemez."
            ).format(number=invoice.number)
        )
    if row.settled > ZERO:
        if (row.debit > ZERO) != (data.debit > ZERO) or row.currency != data.currency:
            raise Refused(
                _(
                    "Hareketin {amount} tutarı kapatılmış; borç/alacak yönü ve döviz cinsi "
                    "değiştirilemez. Önce kapamayı geri alın."
                ).format(amount=row.settled)
            )
        if data.debit + data.credit < row.settled:
            raise Refused(
                _("Hareketin {amount} tutarı kapatılmış; tutar bundan az olamaz.").format(
                    amount=format_money(row.settled, row.currency)
                )
            )


def save_movement(
    session: Session,
    actor: Actor,
    data: MovementData,
    *,
    confirmed: bool = False,
    today: dt.date | None = None,
) -> int:
    """Create or update a movement under due-date tracking; returns its id.

    Raises `DueTrackingStop` or, unless `confirmed`, `DueTrackingWarning` without writing.
    """
    data = clean_movement(data)
    validate(data)
    if session.get(Account, data.account_id) is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    row: Movement | None = None
    if data.id is not None:
        row = session.get(Movement, data.id, with_for_update=True)
        if row is None:
            raise NotFound(_("Hareket bulunamadı (silinmiş olabilir)."))
        _guard_edit(session, row, data)
    check = (
        enforce_due_tracking(session, data, confirmed, today)
        if row is None or raises_debit(row, data)
        else None
    )
    if row is None:
        row = Movement(account_id=data.account_id, created_by=actor.login, settled=ZERO)
        session.add(row)
    row.doc_type = data.doc_type
    row.date = data.date
    row.doc_no = data.doc_no.strip()
    row.description = data.description.strip()
    row.debit = data.debit
    row.credit = data.credit
    row.currency = data.currency
    row.fx_rate = data.fx_rate if data.currency != "TRY" else None
    row.due_date = data.due_date
    session.flush()
    action = "create" if data.id is None else "update"
    record(session, actor, action, "movement", row.id, _summary(row))
    if check is not None and check.result.must_log:
        detail = f"{check.result.audit_detail} confirmed={int(confirmed)}"
        record(session, actor, "due_tracking", "movement", row.id, detail)
    return row.id


def raises_debit(row: Movement, data: MovementData) -> bool:
    """Whether an edit adds debt due-date tracking controls (seed 004: it controls "cari
    hesabı borçlandıran işlem girişleri"): a larger debit in TL, or the debit moved to another
    document type. Correcting a text, a date or lowering the amount adds none."""
    before = to_try(row.debit, row.currency, row.fx_rate)
    after = to_try(data.debit, data.currency, data.fx_rate)
    return after > before or (data.debit > ZERO and data.doc_type != row.doc_type)


def record_refusal(
    session: Session, actor: Actor, account_id: int, check: DueCheck, what: str
) -> None:
    """Log what due-date tracking stopped (`what`: the document), in its own unit of work."""
    detail = f"{check.result.audit_detail} refused={what}"
    record(session, actor, "due_tracking_stop", "account", account_id, detail)


def record_declined(
    session: Session, actor: Actor, account_id: int, check: DueCheck, what: str
) -> None:
    """Log a due-tracking warning the user answered "no" to (nothing was saved)."""
    detail = f"{check.result.audit_detail} declined={what}"
    record(session, actor, "due_tracking_declined", "account", account_id, detail)


def delete_movement(session: Session, actor: Actor, movement_id: int) -> None:
    """Delete a movement; refused when any of it is settled or an invoice made it.

    Due-date tracking does not apply: deleting a movement never adds to the account's debt.
    """
    row = session.get(Movement, movement_id, with_for_update=True)
    if row is None:
        raise NotFound(_("Hareket bulunamadı (silinmiş olabilir)."))
    _check_deletable(session, row)
    record(session, actor, "delete", "movement", row.id, _summary(row))
    session.delete(row)


def movement_to_delete(session: Session, movement_id: int) -> str:
    """The document the delete question names ("Satış Faturası F-12, 15.01.2026, 1.234,56
    TL borç"); refused at once (before any question) when it could not be deleted."""
    row = session.get(Movement, movement_id)
    if row is None:
        raise NotFound(_("Hareket bulunamadı (silinmiş olabilir)."))
    _check_deletable(session, row)
    number = f" {row.doc_no}" if row.doc_no else ""
    amount, side = (row.debit, _("borç")) if row.debit else (row.credit, _("alacak"))
    return _("{kind}{number}, {day}, {amount} {side}").format(
        kind=doc_type_label(row.doc_type),
        number=number,
        day=format_day(row.date),
        amount=format_money(amount, row.currency),
        side=side,
    )


def _check_deletable(session: Session, row: Movement) -> None:
    if row.settled > ZERO:
        raise Refused(
            _(
                "Hareketin {amount} tutarı kapatılmış; kapanmış hareket silinemez. "
                "Önce Borç Takip'te kapamayı geri alın."
            ).format(amount=format_money(row.settled, row.currency))
        )
    invoice = _invoice_of(session, row.id)
    if invoice is not None:
        raise Refused(
            _("Bu hareket {number} numaralı faturadan oluştu; tek başına silinemez.").format(
                number=invoice.number
            )
        )


def _summary(row: Movement) -> str:
    return (
        f"account={row.account_id} {row.doc_type.value} {row.doc_no} {row.date.isoformat()} "
        f"debit={row.debit} credit={row.credit} {row.currency}"
    )
