"""Debt closing ("Borç Takip", SPEC C5): match debit against credit items, by hand or FIFO.

A match pairs two movements of one currency; its amount is in that currency and raises both
movements' `settled`. The due-date gap control of the account (K days, action) applies to
every pair: stop → the pair is refused (FIFO skips it and logs each pair it skipped), warn →
it needs the user's confirmation (FIFO asks once, listing every such pair), continue → done
and logged.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import Account, AuditEvent, Movement
from tui_mutabakat.data.ops_models import Settlement
from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.domain.errors import NotFound, Refused
from tui_mutabakat.domain.formatting import format_money
from tui_mutabakat.domain.rules import (
    ClosingResult,
    Match,
    OpenItem,
    Outcome,
    Refusal,
    evaluate_closing_match,
    plan_fifo,
    plan_match,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.movements import NeedsConfirmation, RuleStop
from tui_mutabakat.services.accounts.parameters import load_parameters
from tui_mutabakat.services.accounts.rule_log import log_on_account
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.limits import amount_in_range

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class SettleItem:
    """An open item of the settle window, in its own currency."""

    movement_id: int
    date: dt.date
    doc_type: DocumentType
    doc_no: str
    description: str
    due_date: dt.date | None
    amount: Decimal
    settled: Decimal
    currency: str

    @property
    def unsettled(self) -> Decimal:
        return self.amount - self.settled

    @property
    def effective_due(self) -> dt.date:
        return self.due_date if self.due_date is not None else self.date

    def open_item(self) -> OpenItem:
        return OpenItem(
            self.movement_id, self.doc_type, self.date, self.due_date, self.amount, self.settled
        )


@dataclass(frozen=True, slots=True)
class MatchRow:
    id: int
    debit_id: int
    credit_id: int
    debit_doc: str
    credit_doc: str
    amount: Decimal
    currency: str
    created_at: dt.datetime
    created_by: str


@dataclass(frozen=True, slots=True)
class SettleView:
    debits: tuple[SettleItem, ...]
    credits: tuple[SettleItem, ...]
    matches: tuple[MatchRow, ...]


@dataclass(frozen=True, slots=True)
class ClosingControl:
    """The account's gap control: K days (None: no control) and the action."""

    days: int | None
    action: RuleAction

    def check(self, debit: OpenItem, credit: OpenItem) -> ClosingResult:
        return evaluate_closing_match(self.days, self.action, debit, credit)


@dataclass(frozen=True, slots=True)
class PairCheck:
    match: Match
    closing: ClosingResult
    currency: str


@dataclass(frozen=True, slots=True)
class StoppedPair:
    """A pair FIFO would have matched had the gap control not stopped it."""

    debit_id: int
    credit_id: int
    closing: ClosingResult


@dataclass(frozen=True, slots=True)
class FifoPlan:
    """What FIFO would do: the pairs to match, those among them to confirm, those stopped;
    `documents` names every item involved (movement id → document number)."""

    pairs: tuple[PairCheck, ...]
    stopped: tuple[StoppedPair, ...]
    documents: Mapping[int, str] = field(default_factory=dict)

    @property
    def warned(self) -> tuple[PairCheck, ...]:
        return tuple(p for p in self.pairs if p.closing.outcome is Outcome.WARN)


class ClosingStop(RuleStop):
    def __init__(self, message: str, pair: PairCheck) -> None:
        super().__init__(message)
        self.pair = pair


class ClosingWarning(NeedsConfirmation):
    def __init__(self, message: str, pair: PairCheck) -> None:
        super().__init__(message)
        self.pair = pair


class FifoWarning(NeedsConfirmation):
    def __init__(self, message: str, plan: FifoPlan) -> None:
        super().__init__(message)
        self.plan = plan


def closing_control(session: Session, account_id: int) -> ClosingControl:
    params = load_parameters(session, account_id)
    return ClosingControl(params.close_check_days, params.close_check_action)


def _item(row: Movement) -> SettleItem:
    amount = row.debit if row.debit > ZERO else row.credit
    return SettleItem(
        row.id,
        row.date,
        row.doc_type,
        row.doc_no,
        row.description,
        row.due_date,
        amount,
        row.settled,
        row.currency,
    )


def _open_items(session: Session, account_id: int, *, debit: bool) -> list[SettleItem]:
    side = Movement.debit if debit else Movement.credit
    query = select(Movement).where(
        Movement.account_id == account_id, side > ZERO, side > Movement.settled
    )
    rows = session.scalars(query.order_by(Movement.due_date, Movement.date, Movement.id))
    return sorted((_item(r) for r in rows), key=lambda i: (i.effective_due, i.date, i.movement_id))


def list_matches(session: Session, account_id: int) -> list[MatchRow]:
    rows = session.scalars(
        select(Settlement).where(Settlement.account_id == account_id).order_by(Settlement.id)
    ).all()
    ids = {r.debit_movement_id for r in rows} | {r.credit_movement_id for r in rows}
    movements = {m.id: m for m in session.scalars(select(Movement).where(Movement.id.in_(ids)))}
    return [
        MatchRow(
            r.id,
            r.debit_movement_id,
            r.credit_movement_id,
            movements[r.debit_movement_id].doc_no,
            movements[r.credit_movement_id].doc_no,
            r.amount,
            movements[r.debit_movement_id].currency,
            r.created_at,
            r.created_by,
        )
        for r in rows
    ]


def load_view(session: Session, account_id: int) -> SettleView:
    if session.get(Account, account_id) is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    return SettleView(
        tuple(_open_items(session, account_id, debit=True)),
        tuple(_open_items(session, account_id, debit=False)),
        tuple(list_matches(session, account_id)),
    )


def _locked_pair(
    session: Session, account_id: int, debit_id: int, credit_id: int
) -> tuple[Movement, Movement]:
    debit = session.get(Movement, debit_id, with_for_update=True)
    credit = session.get(Movement, credit_id, with_for_update=True)
    if debit is None or credit is None:
        raise NotFound(_("Hareket bulunamadı (silinmiş olabilir)."))
    if debit.account_id != account_id or credit.account_id != account_id:
        raise Refused(_("Kalemler bu hesaba ait değil."))
    if debit.debit <= ZERO or credit.credit <= ZERO:
        raise Refused(_("Bir borç kalemi bir alacak kalemiyle eşlenmeli."))
    if debit.currency != credit.currency:
        raise Refused(
            _("Farklı döviz cinsindeki kalemler eşlenemez ({debit} / {credit}).").format(
                debit=debit.currency, credit=credit.currency
            )
        )
    return debit, credit


def check_pair(
    session: Session, account_id: int, debit_id: int, credit_id: int, amount: Decimal | None
) -> PairCheck:
    """Plan a manual match and run the gap control; refusals of the plan raise `Refused`."""
    amount_in_range(amount, "amount")
    debit, credit = _locked_pair(session, account_id, debit_id, credit_id)
    debit_item, credit_item = _item(debit).open_item(), _item(credit).open_item()
    planned = plan_match(debit_item, credit_item, amount)
    if isinstance(planned, Refusal):
        raise Refused(planned.reason)
    closing = closing_control(session, account_id).check(debit_item, credit_item)
    return PairCheck(planned, closing, debit.currency)


def _apply(
    session: Session, actor: Actor, account_id: int, pairs: Sequence[PairCheck], how: str
) -> list[int]:
    """Write the matches: raise both movements' `settled`, add the rows, log each one."""
    ids = {p.match.debit_id for p in pairs} | {p.match.credit_id for p in pairs}
    query = select(Movement).where(Movement.id.in_(ids)).with_for_update()
    movements = {m.id: m for m in session.scalars(query)}
    if len(movements) != len(ids):
        raise NotFound(_("Hareket bulunamadı (silinmiş olabilir)."))
    rows = []
    for pair in pairs:
        match = pair.match
        movements[match.debit_id].settled += match.amount
        movements[match.credit_id].settled += match.amount
        rows.append(
            Settlement(
                account_id=account_id,
                debit_movement_id=match.debit_id,
                credit_movement_id=match.credit_id,
                amount=match.amount,
                created_by=actor.login,
            )
        )
    session.add_all(rows)
    session.flush()
    # A FIFO run's pairs carry one token, so the whole run can be undone as one (not a row
    # id: SQLite gives a deleted row's id again).
    run = f" run={secrets.token_hex(6)}" if how == "fifo" else ""
    for pair, row in zip(pairs, rows, strict=True):
        match = pair.match
        detail = f"{how}{run} debit={match.debit_id} credit={match.credit_id} amount={match.amount}"
        if pair.closing.must_log:
            detail += f" {pair.closing.audit_detail}"
        record(session, actor, "settle", "settlement", row.id, detail)
    return [row.id for row in rows]


def settle_pair(
    session: Session,
    actor: Actor,
    account_id: int,
    debit_id: int,
    credit_id: int,
    amount: Decimal | None = None,
    *,
    confirmed: bool = False,
) -> int:
    """Match `amount` (None: as much as possible) of a debit against a credit item."""
    pair = check_pair(session, account_id, debit_id, credit_id, amount)
    amount_text = format_money(pair.match.amount, pair.currency)
    if pair.closing.outcome is Outcome.STOP:
        message = _("Borç kapama vade kontrolü: eşleme durduruldu. {text}")
        raise ClosingStop(message.format(text=pair.closing.text), pair)
    if pair.closing.outcome is Outcome.WARN and not confirmed:
        message = _("Borç kapama vade kontrolü: {text} {amount} yine de kapatılsın mı?")
        raise ClosingWarning(message.format(text=pair.closing.text, amount=amount_text), pair)
    return _apply(session, actor, account_id, [pair], "manual")[0]


def plan_fifo_settlement(session: Session, account_id: int) -> FifoPlan:
    """FIFO over every currency of the account; pairs the control stops are skipped."""
    control = closing_control(session, account_id)
    documents: dict[int, str] = {}
    debits_by_currency: dict[str, list[OpenItem]] = defaultdict(list)
    for item in _open_items(session, account_id, debit=True):
        debits_by_currency[item.currency].append(item.open_item())
        documents[item.movement_id] = item.doc_no
    credits_by_currency: dict[str, list[OpenItem]] = defaultdict(list)
    for item in _open_items(session, account_id, debit=False):
        credits_by_currency[item.currency].append(item.open_item())
        documents[item.movement_id] = item.doc_no
    items = {
        i.movement_id: i
        for group in (*debits_by_currency.values(), *credits_by_currency.values())
        for i in group
    }
    stopped: dict[tuple[int, int], ClosingResult] = {}

    def allowed(debit: OpenItem, credit: OpenItem) -> bool:
        closing = control.check(debit, credit)
        if closing.outcome is Outcome.STOP:
            stopped[(debit.movement_id, credit.movement_id)] = closing
            return False
        return True

    pairs: list[PairCheck] = []
    for currency in sorted(debits_by_currency):
        for match in plan_fifo(
            debits_by_currency[currency], credits_by_currency.get(currency, []), allowed
        ):
            closing = control.check(items[match.debit_id], items[match.credit_id])
            pairs.append(PairCheck(match, closing, currency))
    skipped = tuple(StoppedPair(d, c, closing) for (d, c), closing in sorted(stopped.items()))
    return FifoPlan(tuple(pairs), skipped, documents)


def pair_document(documents: Mapping[int, str], debit_id: int, credit_id: int) -> str:
    """`FT-1 ↔ BNK-7`: the two documents of a pair (`#id` for an item without a number)."""
    return " ↔ ".join(documents.get(i) or f"#{i}" for i in (debit_id, credit_id))


def log_closing(
    session: Session,
    actor: Actor,
    account_id: int,
    action: str,
    pair: PairCheck | StoppedPair,
    document: str,
    *,
    how: str = "manual",
) -> None:
    """Log a pair the gap control stopped (`closing_stop`) or whose warning was answered
    "no" (`closing_declined`) on the account: nothing else was written to log it with."""
    if isinstance(pair, StoppedPair):
        debit_id, credit_id, amount = pair.debit_id, pair.credit_id, ""
    else:
        match = pair.match
        debit_id, credit_id, amount = match.debit_id, match.credit_id, f" amount={match.amount}"
    tail = "refused" if action == "closing_stop" else "declined"
    detail = (
        f"{how} {pair.closing.audit_detail} debit={debit_id} credit={credit_id}{amount} "
        f"{tail}={document}"
    )
    log_on_account(session, actor, account_id, action, detail)


@dataclass(frozen=True, slots=True)
class FifoOutcome:
    count: int
    totals: dict[str, Decimal]
    stopped: int


def settle_fifo(
    session: Session, actor: Actor, account_id: int, *, confirmed: bool = False
) -> FifoOutcome:
    """Settle everything FIFO; raises `FifoWarning` listing the warn pairs unless confirmed."""
    session.execute(
        select(Movement.id).where(Movement.account_id == account_id).with_for_update()
    ).all()
    plan = plan_fifo_settlement(session, account_id)
    if plan.warned and not confirmed:
        message = _(
            "Borç kapama vade kontrolü: {count} eşlemede vade farkı sınırı aşıyor. "
            "Hepsi kapatılsın mı?"
        )
        raise FifoWarning(message.format(count=len(plan.warned)), plan)
    _apply(session, actor, account_id, plan.pairs, "fifo")
    for stopped in plan.stopped:  # every pair the control kept FIFO from matching
        document = pair_document(plan.documents, stopped.debit_id, stopped.credit_id)
        log_closing(session, actor, account_id, "closing_stop", stopped, document, how="fifo")
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for pair in plan.pairs:
        totals[pair.currency] += pair.match.amount
    return FifoOutcome(len(plan.pairs), dict(totals), len(plan.stopped))


def undo_match(session: Session, actor: Actor, settlement_id: int, *, how: str = "") -> None:
    """Delete a match and lower both movements' `settled` by its amount."""
    row = session.get(Settlement, settlement_id, with_for_update=True)
    if row is None:
        raise NotFound(_("Eşleme bulunamadı (geri alınmış olabilir)."))
    for movement_id in (row.debit_movement_id, row.credit_movement_id):
        movement = session.get(Movement, movement_id, with_for_update=True)
        if movement is None:
            raise NotFound(_("Hareket bulunamadı (silinmiş olabilir)."))
        movement.settled = max(ZERO, movement.settled - row.amount)
    detail = f"debit={row.debit_movement_id} credit={row.credit_movement_id} amount={row.amount}"
    record(session, actor, "undo_settle", "settlement", row.id, f"{how} {detail}".strip())
    session.delete(row)


def last_fifo_run(session: Session, account_id: int) -> tuple[int, ...]:
    """The matches of the account's last FIFO run still there, when the account's last match
    is one of them; else `()` (the last match was made by hand)."""
    last = last_match_id(session, account_id)
    if last is None:
        return ()
    run = re.match(r"fifo run=(\w+) ", _settle_details(session, [last]).get(last, ""))
    if run is None:
        return ()
    marker = f"fifo run={run.group(1)} "
    logged = session.scalars(
        select(AuditEvent.entity_id).where(
            AuditEvent.action == "settle",
            AuditEvent.entity == "settlement",
            AuditEvent.detail.startswith(marker),
        )
    )
    ids = [int(i) for i in logged if i.isdigit()]
    still = session.scalars(
        select(Settlement.id).where(Settlement.account_id == account_id, Settlement.id.in_(ids))
    ).all()
    # a row id given again to a later match is that match's, not the run's
    details = _settle_details(session, still)
    return tuple(sorted(i for i in still if details.get(i, "").startswith(marker)))


def _settle_details(session: Session, settlement_ids: Sequence[int]) -> dict[int, str]:
    """Each settlement's latest `settle` log line (its own, should the id have been used by
    an undone match before)."""
    events = session.execute(
        select(AuditEvent.entity_id, AuditEvent.detail)
        .where(
            AuditEvent.action == "settle",
            AuditEvent.entity == "settlement",
            AuditEvent.entity_id.in_([str(i) for i in settlement_ids]),
        )
        .order_by(AuditEvent.id)
    )
    return {int(entity_id): detail for entity_id, detail in events}


def undo_fifo_run(session: Session, actor: Actor, settlement_ids: Sequence[int]) -> None:
    """Undo every match of a FIFO run, in the caller's one transaction: all or none."""
    for settlement_id in sorted(settlement_ids):
        undo_match(session, actor, settlement_id, how="fifo")


def last_match_id(session: Session, account_id: int) -> int | None:
    return session.scalar(
        select(Settlement.id)
        .where(Settlement.account_id == account_id)
        .order_by(Settlement.id.desc())
        .limit(1)
    )
