"""Controlled approval of sales orders ("Kontrollü Onaylama", SPEC C3): the account's ticked
criteria with its risk limit, its open balance, its shipped dispatch notes not yet invoiced,
the remaining value of its other approved orders and this order's remaining value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.ops_models import Invoice, SalesOrder
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import OPEN_APPROVED_STATUSES, OrderStatus
from tui_mutabakat.domain.errors import NotFound, Refused
from tui_mutabakat.domain.rules import ApprovalCriteria, ApprovalResult, evaluate_order_approval
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.movements import open_balance, open_debit_items
from tui_mutabakat.services.accounts.orders import ZERO, find_order, remaining_value
from tui_mutabakat.services.accounts.parameters import load_parameters
from tui_mutabakat.services.context import Actor, record


def approved_unshipped(session: Session, account_id: int, exclude: int | None = None) -> Decimal:
    query = (
        select(SalesOrder)
        .where(SalesOrder.account_id == account_id, SalesOrder.status.in_(OPEN_APPROVED_STATUSES))
        .options(selectinload(SalesOrder.lines))
    )
    if exclude is not None:
        query = query.where(SalesOrder.id != exclude)
    return sum((remaining_value(o) for o in session.scalars(query)), ZERO)


def open_dispatch_total(session: Session, account_id: int) -> Decimal:
    """What the account's dispatch notes ("irsaliye") shipped and not yet invoiced are worth:
    the goods have left, so they count in the risk, though no invoice debits the account yet."""
    query = select(Invoice.total).where(
        Invoice.account_id == account_id,
        Invoice.kind == "dispatch",
        Invoice.billed_by_id.is_(None),
    )
    return sum(session.scalars(query), ZERO)


def default_criteria(session: Session, account_id: int) -> ApprovalCriteria:
    """The account's ticked criteria: the defaults of each approval (seed 004: "işlemlere
    öndeğer olarak aktarılır"), which the user may change for one approval."""
    params = load_parameters(session, account_id)
    return ApprovalCriteria(
        params.approve_by_risk,
        params.approve_by_due_date,
        params.approve_by_ageing,
        params.ageing_days,
    )


def evaluate_approval(
    session: Session,
    order_id: int,
    today: dt.date | None = None,
    criteria: ApprovalCriteria | None = None,
) -> ApprovalResult:
    """Controlled approval's verdict on an order, with every criterion's figures; `criteria`
    the ticks of this approval (None: the account's defaults). A criterion the account ticks
    and this approval unticks while it fails still blocks (a bypass is an override)."""
    order = find_order(session, order_id)
    account = session.get(Account, order.account_id)
    if account is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    defaults = default_criteria(session, account.id)
    return evaluate_order_approval(
        criteria if criteria is not None else defaults,
        account.risk_limit,
        open_balance(session, account.id),
        approved_unshipped(session, account.id, exclude=order.id),
        remaining_value(order),
        open_debit_items(session, account.id),
        today or local_today(),
        open_dispatches=open_dispatch_total(session, account.id),
        defaults=defaults,
    )


def _changed_ticks(defaults: ApprovalCriteria, used: ApprovalCriteria) -> str:
    """`risk:on->off ageing:off->on` for the criteria this approval ticked differently."""
    changes = [
        f"{name}:{'on' if before else 'off'}->{'on' if after else 'off'}"
        for name, before, after in (
            ("risk", defaults.risk, used.risk),
            ("due_date", defaults.due_date, used.due_date),
            ("ageing", defaults.ageing, used.ageing),
        )
        if before != after
    ]
    return " ".join(changes) or "-"


class ApprovalRefused(Refused):
    def __init__(self, message: str, result: ApprovalResult) -> None:
        super().__init__(message)
        self.result = result


def approve_order(
    session: Session,
    actor: Actor,
    order_id: int,
    today: dt.date | None = None,
    *,
    criteria: ApprovalCriteria | None = None,
    override_reason: str = "",
) -> ApprovalResult:
    """Approve a draft order when every ticked criterion passes; else `ApprovalRefused`.

    `criteria` are this approval's ticks (None: the account's defaults); criteria ticked
    differently from the defaults are recorded. An admin may approve despite a failed
    criterion by giving `override_reason`; that is recorded as `approval_override`. Unticking
    a default criterion that fails is such a failure (`CriterionResult.bypassed`): ticks are
    defaults to change, not a way around the control.
    """
    order = find_order(session, order_id, lock=True)
    if order.status is not OrderStatus.DRAFT:
        raise Refused(_("Yalnızca taslak sipariş onaylanabilir."))
    defaults = default_criteria(session, order.account_id)
    used = criteria if criteria is not None else defaults
    result = evaluate_approval(session, order_id, today, used)
    reason = " ".join(override_reason.split())
    action = "approve"
    if not result.approved:
        if not reason:
            raise ApprovalRefused(result.text, result)
        if not actor.is_admin:
            raise Refused(_("Sağlanmayan kritere rağmen yalnızca yönetici onaylayabilir."))
        action = "approval_override"
    order.status = OrderStatus.APPROVED
    order.approved_at = utcnow()
    order.approved_by = actor.login
    detail = f"{result.audit_detail} changed={_changed_ticks(defaults, used)}"
    if action == "approval_override":
        detail += f" reason={reason}"
    record(session, actor, action, "sales_order", order.id, detail)
    return result


def record_approval_refused(
    session: Session, actor: Actor, order_id: int, result: ApprovalResult
) -> None:
    """Log an approval the criteria refused (the refused approval itself wrote nothing)."""
    record(session, actor, "approval_refused", "sales_order", order_id, result.audit_detail)
