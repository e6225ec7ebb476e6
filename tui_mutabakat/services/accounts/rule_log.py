"""Every decision of the account-parameter rules, as logged, for one account (issue 11.8).

The rules log where they decide: due-date tracking with the movement or order it let through
(`due_tracking`), or on the account when it stopped an entry (`due_tracking_stop`) or the
user answered a warning "no" (`due_tracking_declined`); debt closing with the settlement it
allowed (`settle` with a `closing_gap` detail) or on the account (`closing_stop`, also for
each pair FIFO skipped; `closing_declined`); controlled approval with the order (`approve`,
`approval_refused`, `approval_override`). `list_decisions` gathers them for the account,
newest first, naming each document by its number (an order's, a movement's, a settlement's
two movements'; `#id` only for what has none), also for lines logged before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import AuditEvent, Movement
from tui_mutabakat.data.ops_models import SalesOrder
from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.domain.formatting import format_amount, format_day
from tui_mutabakat.domain.rules.order_approval import Criterion
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.accounts.movements import doc_type_label
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
    """One decision; `rule_short` and `decision_short` are the words of the table at 80
    columns (`Vade`, `Uyarı: evet`), `rule` and `decision` the full ones."""

    at: dt.datetime
    login: str
    rule: str
    decision: str
    document: str
    detail: str
    rule_short: str = ""
    decision_short: str = ""


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


def _rule_short(action: str, detail: str) -> str:
    if action.startswith("due_tracking"):
        return _("Vade")
    if detail.startswith("fifo "):
        return _("FIFO")
    if action.startswith("closing") or "closing_gap" in detail:
        return _("Kapama")
    return _("Onay")


def _decision_short(action: str, detail: str) -> str:
    if action == "closing_stop" and detail.startswith("fifo "):
        return _("Atlandı")
    if action in ("due_tracking_stop", "closing_stop"):
        return _("Durduruldu")
    if action in ("due_tracking_declined", "closing_declined"):
        return _("Uyarı: hayır")
    if action == "approval_refused":
        return _("Onaylanmadı")
    if action == "approval_override":
        return _("Gerekçeyle")
    if action == "approve":
        return _("Onaylandı")
    if _field(detail, "outcome") == "warn":
        return _("Uyarı: evet")
    return _("Devam")


def _field(detail: str, name: str) -> str:
    found = re.search(rf"(?:^| ){name}=(\S*)", detail)
    return found.group(1) if found else ""


def _document(detail: str) -> str:
    """What a stop or a "no" was about: the rest of the line after `refused=`/`declined=`."""
    found = re.search(r"(?:refused|declined)=(.*)$", detail)
    return found.group(1).strip() if found else ""


def _decision_of(action: str, detail: str) -> str:
    if action == "closing_stop" and detail.startswith("fifo "):
        return _("Durduruldu — FIFO atladı")
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


def _action_word(value: str) -> str:
    words = {
        RuleAction.CONTINUE.value: _("işleme devam"),
        RuleAction.WARN.value: _("kullanıcı uyarılsın"),
        RuleAction.STOP.value: _("işlem durdurulsun"),
    }
    return words.get(value, value)


def _day(value: str) -> str:
    try:
        return format_day(dt.date.fromisoformat(value))
    except ValueError:
        return value


def _money(value: str) -> str:
    try:
        return format_amount(Decimal(value))
    except (ArithmeticError, ValueError):
        return value


def _criterion(name: str, value: str) -> str:
    """`risk=ticked:fail` → "Risk kriteri: işaretli, sağlanmadı"; `risk=bypassed:fail` (the
    account ticks it, this approval unticked it while it failed) → "Risk kriteri: işareti
    kaldırıldı, sağlanmadı"."""
    ticked, _sep, verdict = value.partition(":")
    try:
        label = Criterion(name).label
    except ValueError:
        label = name
    marks = {"ticked": _("işaretli"), "bypassed": _("işareti kaldırıldı")}
    mark = marks.get(ticked, _("işaretsiz"))
    result = _("sağlandı") if verdict == "pass" else _("sağlanmadı")
    return f"{label}: {mark}, {result}"


def _changes(value: str) -> str:
    """`risk:on->off` → "Risk kriteri: işaretli → işaretsiz"."""
    parts = []
    for change in value.split():
        name, _sep, move = change.partition(":")
        before, _arrow, after = move.partition("->")
        try:
            label = Criterion(name).label
        except ValueError:
            label = name
        words = {"on": _("işaretli"), "off": _("işaretsiz")}
        parts.append(f"{label}: {words.get(before, before)} → {words.get(after, after)}")
    return "; ".join(parts)


def detail_text(detail: str, documents: Mapping[int, str] | None = None) -> str:
    """The logged line of a decision in the interface's words: the rule's figures with their
    names, dates and amounts written the Turkish way (the log keeps a language-neutral
    `key=value` line; what the decision was about is the document column). `documents`
    names the movements the line refers to by id (`debit=12001` → its document number)."""
    named = documents or {}
    head = re.split(r" (?:refused|declined)=", detail, maxsplit=1)[0]
    reason = changed = ""
    if " reason=" in head:
        head, reason = head.split(" reason=", 1)
    if (found := re.search(r"(?:^| )changed=(.*)$", head)) is not None:
        head, changed = head[: found.start()], found.group(1)
    parts: list[str] = []
    for token in head.split():
        key, sep, value = token.partition("=")
        if not sep:
            if token in ("manual", "fifo"):
                parts.append(_("elle eşleme") if token == "manual" else _("FIFO eşleme"))
            continue
        if key == "run":  # which FIFO run the pair was of: for undoing it, not to read
            continue
        if key == "fired":
            parts.append(_("kural çalıştı") if value == "1" else _("kural çalışmadı"))
        elif key == "action":
            parts.append(_("ayar: {action}").format(action=_action_word(value)))
        elif key == "outcome":
            parts.append(_("sonuç: {action}").format(action=_action_word(value)))
        elif key == "D":
            parts.append(_("gün sınırı {days}").format(days=value))
        elif key == "A":
            limit = _("yok") if value == "-" else _money(value)
            parts.append(_("tutar sınırı {amount}").format(amount=limit))
        elif key == "S":
            parts.append(_("gecikmiş toplam {amount} TL").format(amount=_money(value)))
        elif key == "items":
            count = len([x for x in value.strip("[]").split(",") if x])
            parts.append(_("gecikmiş kalem {count}").format(count=count))
        elif key == "today":
            parts.append(_("tarih {day}").format(day=_day(value)))
        elif key == "K":
            days = ngettext("sınır {days} gün", "sınır {days} gün", _number(value))
            parts.append(days.format(days=value))
        elif key == "gap":
            gap = ngettext("vade farkı {days} gün", "vade farkı {days} gün", _number(value))
            parts.append(gap.format(days=value))
        elif key == "debit_due":
            parts.append(_("borç vadesi {day}").format(day=_day(value)))
        elif key == "credit_due":
            parts.append(_("alacak vadesi {day}").format(day=_day(value)))
        elif key == "debit":
            parts.append(_("borç belgesi {document}").format(document=_named(named, value)))
        elif key == "credit":
            parts.append(_("alacak belgesi {document}").format(document=_named(named, value)))
        elif key == "amount":
            parts.append(_("tutar {amount}").format(amount=_money(value)))
        elif key == "confirmed":
            if value == "1":
                parts.append(_("uyarıya evet dendi"))
        elif key == "approved":
            parts.append(_("kriterler sağlandı") if value == "1" else _("kriter sağlanmadı"))
        elif key in {c.value for c in Criterion}:
            parts.append(_criterion(key, value))
        else:
            parts.append(token)
    if changed.strip() not in ("", "-"):
        parts.append(_("bu onayda değiştirilen: {changes}").format(changes=_changes(changed)))
    if reason:
        parts.append(_("gerekçe: {reason}").format(reason=reason))
    return " · ".join(parts)


def _named(documents: Mapping[int, str], value: str) -> str:
    """A movement id of the log by its document number; `#id` when it has none (or is gone)."""
    number = documents.get(int(value)) if value.isdigit() else None
    return number or f"#{value}"


def _refers(rest: str) -> str:
    """`dispatch=IR-1` → "irsaliye IR-1", `order=SS-1` → "sipariş SS-1" (older log lines)."""
    key, sep, value = rest.partition("=")
    if sep and key == "dispatch":
        return _("irsaliye {number}").format(number=value)
    if sep and key == "order":
        return _("sipariş {number}").format(number=value)
    return rest


def document_text(document: str) -> str:
    """`sales_invoice T3` → "Satış Faturası T3"; `sales_order 2` → "Satış siparişi #2";
    `sales_invoice dispatch=IR-1` → "Satış Faturası (irsaliye IR-1)", `sales_invoice FT-2
    dispatch=IR-1` → "Satış Faturası FT-2 (irsaliye IR-1)"; a paid order stopped
    before it had a number → "Satış Siparişi (Ödemeli) yeni sipariş"."""
    kind, _sep, rest = document.partition(" ")
    rest = rest.strip()
    try:
        label = doc_type_label(DocumentType(kind))
    except ValueError:
        pass
    else:
        if not rest and kind == DocumentType.SALES_ORDER_PAID.value:
            rest = _("yeni sipariş")
        else:
            words = rest.split(" ")
            number = " ".join(w for w in words if "=" not in w)
            refers = ", ".join(_refers(w) for w in words if "=" in w)
            rest = f"{number} ({refers})".strip() if refers else number
        return f"{label} {rest}".strip()
    entities = {
        "sales_order": _("Satış siparişi"),
        "settlement": _("Borç kapama"),
        "movement": _("Hareket"),
        "account": _("Hesap"),
    }
    if kind in entities:
        return f"{entities[kind]} #{rest}".strip()
    return document


def list_decisions(session: Session, account_id: int) -> list[Decision]:
    movements = {
        row.id: (row.doc_type, row.doc_no)
        for row in session.execute(
            select(Movement.id, Movement.doc_type, Movement.doc_no).where(
                Movement.account_id == account_id
            )
        )
    }
    orders = {
        row.id: row.number
        for row in session.execute(
            select(SalesOrder.id, SalesOrder.number).where(SalesOrder.account_id == account_id)
        )
    }
    numbers = {i: no for i, (_kind, no) in movements.items()}

    def as_text(ids: Mapping[int, object]) -> list[str]:
        return [str(i) for i in ids]

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
            )
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(DECISIONS_SHOWN)
    )
    # A closing decision is the account's by the movements it names (`debit=` in its
    # detail), not by its settlement row: an undo deletes that row, and SQLite gives its id
    # to the next settlement, of any account.
    closing = select(AuditEvent).where(
        AuditEvent.entity == "settlement",
        AuditEvent.action == "settle",
        AuditEvent.detail.contains("closing_gap"),
    )
    closings = [e for e in session.scalars(closing) if _debit_of(e.detail) in movements]
    events = sorted([*session.scalars(query), *closings], key=lambda e: (e.at, e.id), reverse=True)[
        :DECISIONS_SHOWN
    ]
    found = []
    for event in events:
        what = _document(event.detail)
        document = document_text(what) if what else _entity_document(event, movements, orders)
        found.append(
            Decision(
                event.at,
                event.user_login,
                _rule_of(event.action, event.detail),
                _decision_of(event.action, event.detail),
                document,
                detail_text(event.detail, numbers),
                _rule_short(event.action, event.detail),
                _decision_short(event.action, event.detail),
            )
        )
    return found


_PAIR = re.compile(r"\bdebit=(\d+) credit=(\d+)\b")


def _debit_of(detail: str) -> int | None:
    found = _PAIR.search(detail)
    return int(found.group(1)) if found else None


def _entity_document(
    event: AuditEvent,
    movements: Mapping[int, tuple[DocumentType, str]],
    orders: Mapping[int, str],
) -> str:
    """What an order's, a movement's or a settlement's decision was about, by document
    numbers (`#id` only for what has none or is gone)."""
    entity, entity_id = event.entity, event.entity_id
    key = int(entity_id) if entity_id.isdigit() else -1
    if entity == "sales_order" and orders.get(key):
        return _("Satış siparişi {number}").format(number=orders[key])
    if entity == "movement" and key in movements:
        kind, number = movements[key]
        return f"{doc_type_label(kind)} {number or f'#{key}'}"
    found = _PAIR.search(event.detail) if entity == "settlement" else None
    if found:
        ids = (int(found.group(1)), int(found.group(2)))
        pair = " ↔ ".join(
            movements[i][1] if movements.get(i, ("", ""))[1] else f"#{i}" for i in ids
        )
        return _("Borç kapama {pair}").format(pair=pair)
    return document_text(f"{entity} {entity_id}")


def _number(value: str) -> int:
    """A count from the log (for the plural of its words); 0 when it is not a number."""
    return int(value) if value.strip().isdigit() else 0
