"""Every decision of the account-parameter rules, as logged, for one account (issue 11.8).

The rules log where they decide: due-date tracking with the movement or order it let through
(`due_tracking`), or on the account when it stopped an entry (`due_tracking_stop`) or the
user answered a warning "no" (`due_tracking_declined`); debt closing with the settlement it
allowed (`settle` with a `closing_gap` detail) or on the account (`closing_stop`,
`closing_declined`); controlled approval with the order (`approve`, `approval_refused`,
`approval_override`). `list_decisions` gathers them for the account, newest first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import AuditEvent, Movement
from tui_mutabakat.data.ops_models import SalesOrder, Settlement
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record

#: Audit actions that are rule decisions, on the account itself.
ACCOUNT_ACTIONS = (
    "due_tracking_stop",
    "due_tracking_declined",
    "closing_stop",
    "closing_declined",
)
ORDER_ACTIONS = ("due_tracking", "approve", "approval_refused", "approval_override")
DECISIONS_SHOWN = 500


@dataclass(frozen=True, slots=True)
class Decision:
    at: dt.datetime
    login: str
    rule: str
    decision: str
    document: str
    detail: str


def log_on_account(
    session: Session, actor: Actor, account_id: int, action: str, detail: str
) -> None:
    """Log a decision that left nothing else to log it with (a stop, a "no")."""
    if action not in ACCOUNT_ACTIONS:
        raise ValueError(action)
    record(session, actor, action, "account", account_id, detail)


def _rule_of(action: str, detail: str) -> str:
    if action.startswith("due_tracking"):
        return _("Vade takibi")
    if action.startswith("closing") or "closing_gap" in detail:
        return _("Borç kapama vade kontrolü")
    return _("Kontrollü onay")


def _field(detail: str, name: str) -> str:
    found = re.search(rf"(?:^| ){name}=(\S*)", detail)
    return found.group(1) if found else ""


def _document(detail: str) -> str:
    """What a stop or a "no" was about: the rest of the line after `refused=`/`declined=`."""
    found = re.search(r"(?:refused|declined)=(.*)$", detail)
    return found.group(1).strip() if found else ""


def _decision_of(action: str, detail: str) -> str:
    if action in ("due_tracking_stop", "closing_stop"):
        return _("Durduruldu")
    if action in ("due_tracking_declined", "closing_declined"):
        return _("Uyarı — hayır (kaydedilmedi)")
    if action == "approval_refused":
        return _("Onaylanmadı")
    if action == "approval_override":
        return _("Kritere rağmen onaylandı")
    if action == "approve":
        return _("Onaylandı")
    if _field(detail, "outcome") == "warn":
        return _("Uyarı — evet (kaydedildi)")
    return _("İşleme devam (kaydedildi)")


def list_decisions(session: Session, account_id: int) -> list[Decision]:
    movements = select(Movement.id).where(Movement.account_id == account_id)
    orders = select(SalesOrder.id).where(SalesOrder.account_id == account_id)
    settlements = select(Settlement.id).where(Settlement.account_id == account_id)

    def as_text(ids: Select[int]) -> list[str]:
        return [str(i) for i in session.scalars(ids)]

    query = (
        select(AuditEvent)
        .where(
            or_(
                and_(
                    AuditEvent.entity == "account",
                    AuditEvent.entity_id == str(account_id),
                    AuditEvent.action.in_(ACCOUNT_ACTIONS),
                ),
                and_(
                    AuditEvent.entity == "movement",
                    AuditEvent.action == "due_tracking",
                    AuditEvent.entity_id.in_(as_text(movements)),
                ),
                and_(
                    AuditEvent.entity == "sales_order",
                    AuditEvent.action.in_(ORDER_ACTIONS),
                    AuditEvent.entity_id.in_(as_text(orders)),
                ),
                and_(
                    AuditEvent.entity == "settlement",
                    AuditEvent.action == "settle",
                    AuditEvent.detail.contains("closing_gap"),
                    AuditEvent.entity_id.in_(as_text(settlements)),
                ),
            )
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(DECISIONS_SHOWN)
    )
    found = []
    for event in session.scalars(query):
        document = _document(event.detail) or f"{event.entity} {event.entity_id}"
        found.append(
            Decision(
                event.at,
                event.user_login,
                _rule_of(event.action, event.detail),
                _decision_of(event.action, event.detail),
                document,
                event.detail,
            )
        )
    return found
