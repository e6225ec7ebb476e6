"""Composing letters: options of the send dialog, checks (SPEC D5), rendering, the MIME
message, and the preview (D4)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import BalanceKey, BalanceRow, balances_for_keys
from tui_mutabakat.data.base import utcnow
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.message import (
    Attachment,
    OutgoingLetter,
    build_message,
    new_message_id,
    new_token,
    subject_with_token,
)
from tui_mutabakat.mail.templates import (
    LetterFacts,
    LetterRenderer,
    LetterTemplateError,
    OpenItem,
    RenderedLetter,
    TemplateSource,
    letter_context,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.errors import InvalidInput
from tui_mutabakat.services.letters import (
    AccountRecipients,
    SenderInfo,
    company_info,
    load_template,
    open_items_for,
    recipients_for,
    sender_info,
    statement_csv,
)
from tui_mutabakat.services.limits import day_in_range
from tui_mutabakat.services.working_settings import get_working_settings

#: A letter's row and its recipients' rows, ready to insert.
Prepared = tuple[dict[str, Any], list[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class SendOptions:
    """What the send dialog asks (SPEC D4)."""

    #: The letters' subject; empty: each letter's subject comes from the template.
    title: str = ""
    #: The answer-by date; `None`: as-of date + the working settings' answer period.
    answer_by: date | None = None
    template: str = "letter_tr"
    attach_statement: bool = False
    open_items: bool = False
    exclude_zero: bool = True


class SkipKind(StrEnum):
    """Why a row is on a batch's error list (SPEC D5): the groups the list shows apart."""

    #: Something to fix (no valid address, a template error…): no letter.
    ERROR = "error"
    #: A zero balance, left out by the send option: no letter, nothing to fix.
    ZERO = "zero"
    #: The account already had a live letter for the date: no second letter.
    DUPLICATE = "duplicate"
    #: The letter went out, but some of the account's addresses were invalid.
    ADDRESS = "address"


@dataclass(frozen=True, slots=True)
class SkippedAccount:
    account_id: int
    code: str
    title: str
    currency: str
    reason: str
    kind: str = SkipKind.ERROR


@dataclass(frozen=True, slots=True)
class BatchCreated:
    batch_id: int | None
    letters: int
    skipped: list[SkippedAccount]
    #: Accounts that got their letter but lost an invalid address on the way.
    warnings: list[SkippedAccount] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LetterPreview:
    subject: str
    text: str
    html: str
    to: tuple[str, ...]
    problems: tuple[str, ...]


def answer_by_default(session: Session, as_of: date) -> date:
    return as_of + timedelta(days=get_working_settings(session).answer_period_days)


class Composer:
    """Turns balance rows into letters with one compiled template."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        as_of: date,
        options: SendOptions,
        source: TemplateSource | None = None,
    ) -> None:
        day_in_range(as_of, "as_of")
        day_in_range(options.answer_by, "answer_by")
        self.as_of = as_of
        self.options = options
        self.answer_by = options.answer_by or answer_by_default(session, as_of)
        if self.answer_by < as_of:
            raise InvalidInput(
                _("Geçerlilik tarihi mutabakat tarihinden önce olamaz."), "answer_by"
            )
        self.sender: SenderInfo = sender_info(session, actor)
        self.company = company_info(session)
        source = source or load_template(session, options.template)
        self.language = source.language
        try:
            self.renderer = LetterRenderer(source)
        except LetterTemplateError as exc:
            raise InvalidInput(str(exc), "template") from exc

    def facts(
        self, row: BalanceRow, who: AccountRecipients, token: str, items: list[OpenItem]
    ) -> LetterFacts:
        attachment = ""
        if self.options.attach_statement:
            attachment = _attachment_name(row.code, row.currency)
        return LetterFacts(
            company=self.company,
            account=who.account,
            currency=row.currency,
            debit_total=row.debit,
            credit_total=row.credit,
            balance=row.balance,
            as_of=self.as_of,
            answer_by=self.answer_by,
            token=token,
            title=self.options.title.strip(),
            sender_name=self.sender.name,
            sender_email=self.sender.address,
            open_items=tuple(items) if self.options.open_items else (),
            attachment_name=attachment,
        )

    def render(self, facts: LetterFacts) -> RenderedLetter:
        rendered = self.renderer.render(letter_context(facts, self.language))
        if self.options.title.strip():
            return RenderedLetter(self.options.title.strip(), rendered.text, rendered.html)
        return rendered


def _attachment_name(code: str, currency: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"ekstre_{code}_{currency}.csv")


def preview_letter(
    session: Session,
    actor: Actor,
    as_of: date,
    key: BalanceKey,
    options: SendOptions,
    *,
    source: TemplateSource | None = None,
) -> LetterPreview:
    """The letter one row would get, as the send dialog shows it; the template editor
    passes the text being edited as `source` for a live preview on a real account."""
    try:
        composer = Composer(session, actor, as_of, options, source)
    except InvalidInput as exc:
        if exc.field != "template":
            raise
        return LetterPreview("", "", "", (), (str(exc),))
    rows = balances_for_keys(session, as_of, [key])
    if not rows:
        raise InvalidInput(_("Hesap bulunamadı (silinmiş olabilir)."))
    row = rows[0]
    who = recipients_for(session, [row.account_id])[row.account_id]
    items = open_items_for(session, as_of, [key]).get(key, [])
    facts = composer.facts(row, who, "MTB-ORNEK0000000", items)
    try:
        rendered = composer.render(facts)
    except LetterTemplateError as exc:
        return LetterPreview("", "", "", (), (str(exc),))
    return LetterPreview(
        subject=subject_with_token(rendered.subject, facts.token),
        text=rendered.text,
        html=rendered.html,
        to=tuple(a.address for a in who.addressees),
        problems=who.problems,
    )


def prepare(
    composer: Composer,
    key: BalanceKey,
    row: BalanceRow | None,
    people: dict[int, AccountRecipients],
    items: dict[BalanceKey, list[OpenItem]],
) -> tuple[Prepared | None, SkippedAccount | None, SkippedAccount | None]:
    who = people.get(key[0])
    if row is None or who is None:
        return None, SkippedAccount(key[0], "", "", key[1], _("Hesap bulunamadı.")), None

    def skip(reason: str) -> SkippedAccount:
        return SkippedAccount(row.account_id, row.code, row.title, row.currency, reason)

    if composer.options.exclude_zero and row.balance == Decimal("0"):
        zero = _("Bakiye sıfır (sıfır bakiyeler hariç tutuldu).")
        return None, replace(skip(zero), kind=SkipKind.ZERO), None
    if not who.addressees:
        return None, skip("; ".join(who.problems) or _("Geçerli alıcı yok.")), None
    token = new_token()
    own_items = items.get(key, [])
    facts = composer.facts(row, who, token, own_items)
    try:
        rendered = composer.render(facts)
    except LetterTemplateError as exc:
        return None, skip(str(exc)), None
    sender = composer.sender
    message_id = new_message_id(token, sender.address)
    attachment = None
    if composer.options.attach_statement:
        attachment = Attachment(facts.attachment_name, statement_csv(own_items, row.currency))
    try:
        message = build_message(
            OutgoingLetter(
                from_address=sender.address,
                from_name=sender.name,
                to=tuple((a.name, a.address) for a in who.addressees),
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                token=token,
                message_id=message_id,
                date=utcnow(),
                attachment=attachment,
            )
        )
    except ValueError as exc:  # UnicodeError too: one letter that cannot be built is skipped
        return None, skip(_("İleti oluşturulamadı: {reason}").format(reason=exc)), None
    letter = {
        "account_id": row.account_id,
        "account_code": row.code,
        "account_title": row.title,
        "currency": row.currency,
        "debit_total": row.debit,
        "credit_total": row.credit,
        "balance": row.balance,
        "side": row.side.value,
        "token": token,
        "message_id": message_id,
        "subject": subject_with_token(rendered.subject, token)[:500],
        "message": message,
    }
    recipients = [
        {"contact_id": a.contact_id, "name": a.name[:120], "address": a.address}
        for a in who.addressees
    ]
    warning = None
    if who.problems:
        warning = replace(skip("; ".join(who.problems)), kind=SkipKind.ADDRESS)
    return (letter, recipients), None, warning
