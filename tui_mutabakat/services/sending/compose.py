"""Composing letters: options of the send dialog, checks (SPEC D5), rendering, the MIME
message, and the preview (D4).

A letter goes to an account and lists the balance of every currency it has as of the date
(SPEC D3); with `SendOptions.per_currency` each (account, currency) gets a letter of its
own. The selection is turned into letter keys by `letter_keys`: `(account, "")` stands for
the account's one letter, `(account, currency)` for a one-currency letter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import (
    BalanceKey,
    BalanceRow,
    balances_for_keys,
    balances_of_accounts,
)
from tui_mutabakat.data.base import utcnow
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.text import join_sentences
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.letter_pdf import letter_pdf, pdf_name
from tui_mutabakat.mail.message import (
    Attachment,
    OutgoingLetter,
    build_message,
    new_message_id,
    new_token,
    subject_with_token,
)
from tui_mutabakat.mail.statement_file import Statement, statement_csv
from tui_mutabakat.mail.templates import (
    CurrencyBalance,
    LetterFacts,
    LetterRenderer,
    LetterTemplateError,
    OpenItemLine,
    RenderedLetter,
    TemplateSource,
    letter_context,
    lists_every_currency,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.limits import day_in_range
from tui_mutabakat.services.portal.links import links_of
from tui_mutabakat.services.sending.letters import (
    AccountRecipients,
    SenderInfo,
    company_info,
    load_template,
    recipients_for,
    sender_info,
)
from tui_mutabakat.services.sending.statement import open_items_for, statements_for
from tui_mutabakat.services.settings.working_settings import get_working_settings

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
    #: One letter per (account, currency) instead of one per account.
    per_currency: bool = False
    #: The statement starts here, after a line with the balance brought forward;
    #: `None`: it lists every movement up to the as-of date.
    statement_from: date | None = None
    #: The letter goes along as a PDF too, `Mutabakat_<kod>_<tarih>.pdf` (SPEC F1).
    attach_pdf: bool = False


def letter_keys(keys: Sequence[BalanceKey], options: SendOptions) -> list[BalanceKey]:
    """The letters a selection of list rows means: one per account — any row of an account
    stands for its one letter, `(account, "")` — or, with `per_currency`, one per row."""
    if options.per_currency:
        return list(dict.fromkeys(keys))
    return list(dict.fromkeys((account_id, "") for account_id, _currency in keys))


def sent_keys(
    keys: Sequence[BalanceKey], skipped: Sequence[SkippedAccount], options: SendOptions
) -> list[BalanceKey]:
    """The rows of `keys` that have their letter now: with one letter per account, a row
    counts as sent unless its account was skipped. An account left out because it already
    had a live letter for the date (`SkipKind.DUPLICATE`) has its letter, and an invalid
    address beside valid ones (`SkipKind.ADDRESS`) did not stop it."""
    missing = [s for s in skipped if s.kind not in (SkipKind.DUPLICATE, SkipKind.ADDRESS)]
    if options.per_currency:
        left_out = {(s.account_id, s.currency) for s in missing}
        return [key for key in keys if key not in left_out]
    accounts = {s.account_id for s in missing}
    return [key for key in keys if key[0] not in accounts]


def currency_order(currency: str) -> tuple[int, str]:
    """TL first, then the others by code."""
    return (currency != "TRY", currency)


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
        #: Makes each letter's link to the answer page when the portal is on.
        self.links = links_of(session.info)
        self.sender: SenderInfo = sender_info(session, actor)
        self.company = company_info(session)
        source = source or load_template(session, options.template)
        self.language = source.language
        #: The template shows every currency of a letter (not only the first).
        self.lists_currencies = lists_every_currency(source)
        try:
            self.renderer = LetterRenderer(source)
        except LetterTemplateError as exc:
            raise InvalidInput(str(exc), "template") from exc

    def facts(
        self,
        rows: Sequence[BalanceRow],
        who: AccountRecipients,
        token: str,
        items: dict[BalanceKey, list[OpenItemLine]],
    ) -> LetterFacts:
        attachment = ""
        if self.options.attach_statement:
            currency = rows[0].currency if len(rows) == 1 else ""
            attachment = _attachment_name(rows[0].code, currency)
        return LetterFacts(
            company=self.company,
            account=who.account,
            balances=tuple(
                CurrencyBalance(
                    row.currency,
                    row.debit,
                    row.credit,
                    row.balance,
                    tuple(items.get(row.key, ())) if self.options.open_items else (),
                )
                for row in rows
            ),
            as_of=self.as_of,
            answer_by=self.answer_by,
            token=token,
            title=self.options.title.strip(),
            sender_name=self.sender.name,
            sender_email=self.sender.address,
            show_open_items=self.options.open_items,
            attachment_name=attachment,
            answer_url=self.links.url(token, self.answer_by) if self.links else "",
        )

    def render(self, facts: LetterFacts) -> RenderedLetter:
        rendered = self.renderer.render(letter_context(facts, self.language))
        if self.options.title.strip():
            return RenderedLetter(self.options.title.strip(), rendered.text, rendered.html)
        return rendered


def _attachment_name(code: str, currency: str) -> str:
    name = f"ekstre_{code}_{currency}.csv" if currency else f"ekstre_{code}.csv"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


@dataclass(frozen=True, slots=True)
class LetterData:
    """What the letters of some keys are made of, read in a few queries."""

    rows: dict[BalanceKey, list[BalanceRow]]
    people: dict[int, AccountRecipients]
    items: dict[BalanceKey, list[OpenItemLine]]
    statements: dict[BalanceKey, Statement]


def letter_data(session: Session, composer: Composer, keys: Sequence[BalanceKey]) -> LetterData:
    """The balances (every currency of an account's letter), recipients, open items and
    statements of the letters of `keys` (see `letter_keys`)."""
    as_of, options = composer.as_of, composer.options
    rows: dict[BalanceKey, list[BalanceRow]] = {}
    whole = [a for a, c in keys if not c]
    if whole:
        by_account = balances_of_accounts(session, as_of, whole)
        for account_id in whole:
            found = by_account.get(account_id, [])
            rows[(account_id, "")] = sorted(found, key=lambda r: currency_order(r.currency))
    single = [k for k in keys if k[1]]
    for row in balances_for_keys(session, as_of, single):
        rows[row.key] = [row]
    people = recipients_for(session, sorted({a for a, _c in keys}))
    currency_keys = [row.key for found in rows.values() for row in found]
    items = open_items_for(session, as_of, currency_keys) if options.open_items else {}
    statements = {}
    if options.attach_statement:
        statements = statements_for(session, as_of, currency_keys, options.statement_from)
    return LetterData(rows, people, items, statements)


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
    [key] = letter_keys([key], options)
    data = letter_data(session, composer, [key])
    rows = data.rows.get(key)
    who = data.people.get(key[0])
    if not rows or who is None:
        raise InvalidInput(_("Hesap bulunamadı (silinmiş olabilir)."))
    rows = _shown(rows, options)
    if len(rows) > 1 and not composer.lists_currencies:
        return LetterPreview("", "", "", (), (_one_currency_template(),))
    facts = composer.facts(rows, who, "MTB-ORNEK0000000", data.items)
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


def _shown(rows: list[BalanceRow], options: SendOptions) -> list[BalanceRow]:
    """The currencies a letter lists: with zeros excluded, those with a balance (all of
    them, when every one is zero: the letter is skipped then)."""
    if not options.exclude_zero:
        return rows
    return [r for r in rows if r.balance != Decimal("0")] or rows


def _one_currency_template() -> str:
    return _(
        "Şablon yalnızca bir para birimini gösteriyor ('balances' alanı yok): birden çok "
        "para birimli hesabın mektubu bununla yazılamaz. Şablonu güncelleyin ya da "
        '"Her dövize ayrı mektup" seçin.'
    )


def prepare(
    composer: Composer, key: BalanceKey, data: LetterData
) -> tuple[Prepared | None, SkippedAccount | None, SkippedAccount | None]:
    who = data.people.get(key[0])
    found = data.rows.get(key)
    if not found or who is None:
        return None, SkippedAccount(key[0], "", "", key[1], _("Hesap bulunamadı.")), None
    rows = _shown(found, composer.options)
    first = rows[0]
    currencies = "/".join(r.currency for r in rows)

    def skip(reason: str) -> SkippedAccount:
        return SkippedAccount(first.account_id, first.code, first.title, currencies, reason)

    if composer.options.exclude_zero and all(r.balance == Decimal("0") for r in rows):
        zero = _("Bakiye sıfır (sıfır bakiyeler hariç tutuldu).")
        return None, replace(skip(zero), kind=SkipKind.ZERO), None
    if not who.addressees:
        return None, skip(join_sentences(who.problems) or _("Geçerli alıcı yok.")), None
    if len(rows) > 1 and not composer.lists_currencies:
        return None, skip(_one_currency_template()), None
    token = new_token()
    facts = composer.facts(rows, who, token, data.items)
    try:
        rendered = composer.render(facts)
    except LetterTemplateError as exc:
        return None, skip(str(exc)), None
    sender = composer.sender
    message_id = new_message_id(token, sender.address)
    attachments: list[Attachment] = []
    if composer.options.attach_statement:
        statements = [data.statements[r.key] for r in rows if r.key in data.statements]
        content = statement_csv(
            statements, composer.language, f"{first.code} {first.title}", composer.as_of
        )
        attachments.append(Attachment(facts.attachment_name, content))
    if composer.options.attach_pdf:
        currency = first.currency if len(rows) == 1 and composer.options.per_currency else ""
        pdf = letter_pdf(facts, composer.language)
        attachments.append(
            Attachment(pdf_name(first.code, composer.as_of, currency), pdf, "application", "pdf")
        )
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
                attachments=tuple(attachments),
            )
        )
    except ValueError as exc:  # UnicodeError too: one letter that cannot be built is skipped
        return None, skip(_("İleti oluşturulamadı: {reason}").format(reason=exc)), None
    letter = {
        "account_id": first.account_id,
        "account_code": first.code,
        "account_title": first.title,
        "currency": first.currency,
        "debit_total": first.debit,
        "credit_total": first.credit,
        "balance": first.balance,
        "side": first.side.value,
        "token": token,
        "message_id": message_id,
        "subject": subject_with_token(rendered.subject, token)[:500],
        "message": message,
        "balances": [
            {
                "currency": r.currency,
                "position": position,
                "debit_total": r.debit,
                "credit_total": r.credit,
                "balance": r.balance,
                "side": r.side.value,
            }
            for position, r in enumerate(rows)
        ],
    }
    recipients = [
        {"contact_id": a.contact_id, "name": a.name[:120], "address": a.address}
        for a in who.addressees
    ]
    warning = None
    if who.problems:
        warning = replace(skip(join_sentences(who.problems)), kind=SkipKind.ADDRESS)
    return (letter, recipients), None, warning
