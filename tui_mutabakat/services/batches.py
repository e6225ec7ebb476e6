"""Create a batch of letters (SPEC D4, D5) and end or cancel it (D6, D7).

`create_batch` checks every selected row, renders and builds each letter's message and
writes the batch, its letters and recipients, all `queued`, with their first history event,
in the caller's transaction: once it commits, the outbox holds everything the sender needs,
and nothing has gone to a server yet. Rows that cannot be sent are returned (and kept on the
batch) with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import BalanceKey, BalanceRow, balances_for_keys
from tui_mutabakat.data.outbox_models import Letter, LetterMessage, Recipient, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
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
from tui_mutabakat.services.batch_status import finish_batches
from tui_mutabakat.services.context import Actor, record
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
from tui_mutabakat.services.outbox import utcnow, write_letter_events, write_recipient_events
from tui_mutabakat.services.working_settings import get_working_settings

_CHUNK = 500
#: A letter's row and its recipients' rows, ready to insert.
_Prepared = tuple[dict[str, Any], list[dict[str, Any]]]


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


@dataclass(frozen=True, slots=True)
class SkippedAccount:
    account_id: int
    code: str
    title: str
    currency: str
    reason: str


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


class _Composer:
    """Turns balance rows into letters with one compiled template."""

    def __init__(
        self,
        session: Session,
        actor: Actor,
        as_of: date,
        options: SendOptions,
        source: TemplateSource | None = None,
    ) -> None:
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
        composer = _Composer(session, actor, as_of, options, source)
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


def create_batch(
    session: Session,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
) -> BatchCreated:
    """Check, render and queue a letter for every selected (account, currency) row, all in
    the caller's transaction."""
    builder = _BatchBuilder(session, actor, as_of, keys, options, criteria)
    for part in builder.parts():
        builder.add(session, part)
    return builder.close(session)


def create_batch_streaming(
    database: Database,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
) -> BatchCreated:
    """Like `create_batch`, but each chunk of letters is committed as soon as it is built,
    so a running sender starts on the first letters while the others are being rendered.
    The batch cannot end before its last chunk is in (`prepared_at`)."""
    with database.unit_of_work() as session:
        builder = _BatchBuilder(session, actor, as_of, keys, options, criteria)
    for part in builder.parts():
        with database.unit_of_work() as session:
            builder.add(session, part)
    with database.unit_of_work() as session:
        return builder.close(session)


class _BatchBuilder:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        as_of: date,
        keys: Sequence[BalanceKey],
        options: SendOptions,
        criteria: dict[str, Any] | None,
    ) -> None:
        if not keys:
            raise InvalidInput(_("Gönderilecek hesap seçilmedi."))
        self.actor = actor
        self.as_of = as_of
        self.options = options
        self.keys = list(dict.fromkeys(keys))
        self.composer = _Composer(session, actor, as_of, options)
        self.skipped: list[SkippedAccount] = []
        self.warnings: list[SkippedAccount] = []
        self.letters = 0
        self.first_subject = ""
        batch = ReconciliationBatch(
            title=options.title.strip() or _("Cari hesap mutabakatı"),
            as_of=as_of,
            answer_by=self.composer.answer_by,
            template_name=options.template,
            attach_statement=options.attach_statement,
            open_items=options.open_items,
            exclude_zero=options.exclude_zero,
            criteria=json.dumps(criteria or {}, ensure_ascii=False, default=str),
            state=BatchState.OPEN,
            sender_login=actor.login,
            from_address=self.composer.sender.address,
            from_name=self.composer.sender.name,
            created_by=actor.login,
        )
        session.add(batch)
        session.flush()
        self.batch_id = batch.id

    def parts(self) -> list[list[BalanceKey]]:
        return [self.keys[i : i + _CHUNK] for i in range(0, len(self.keys), _CHUNK)]

    def add(self, session: Session, part: list[BalanceKey]) -> None:
        options = self.options
        rows = {r.key: r for r in balances_for_keys(session, self.as_of, part)}
        people = recipients_for(session, sorted({a for a, _c in part}))
        want_items = options.open_items or options.attach_statement
        items = open_items_for(session, self.as_of, part) if want_items else {}
        prepared: list[_Prepared] = []
        for key in part:
            letter, why, warning = _prepare(self.composer, key, rows.get(key), people, items)
            if letter is None:
                if why is not None:
                    self.skipped.append(why)
                continue
            if warning is not None:
                self.warnings.append(warning)
            self.first_subject = self.first_subject or str(letter[0]["subject"])
            prepared.append(letter)
        _insert_letters(session, self.actor, self.batch_id, prepared)
        self.letters += len(prepared)

    def close(self, session: Session) -> BatchCreated:
        batch = session.get(ReconciliationBatch, self.batch_id)
        assert batch is not None
        now = utcnow()
        if not self.options.title.strip() and self.first_subject:
            batch.title = self.first_subject.rsplit(" [", 1)[0][:400]
        batch.letter_count = self.letters
        batch.skipped = json.dumps([asdict(s) for s in self.skipped], ensure_ascii=False)
        batch.prepared_at = now
        if not self.letters:
            batch.state = BatchState.DONE
            batch.finished_at = now
        session.flush()
        record(
            session,
            self.actor,
            "create",
            "batch",
            self.batch_id,
            _("{letters} mektup kuyrukta, {skipped} hesap atlandı").format(
                letters=self.letters, skipped=len(self.skipped)
            ),
        )
        finish_batches(session.connection(), {self.batch_id}, now)
        return BatchCreated(self.batch_id, self.letters, self.skipped, self.warnings)


def _prepare(
    composer: _Composer,
    key: BalanceKey,
    row: BalanceRow | None,
    people: dict[int, AccountRecipients],
    items: dict[BalanceKey, list[OpenItem]],
) -> tuple[_Prepared | None, SkippedAccount | None, SkippedAccount | None]:
    who = people.get(key[0])
    if row is None or who is None:
        return None, SkippedAccount(key[0], "", "", key[1], _("Hesap bulunamadı.")), None

    def skip(reason: str) -> SkippedAccount:
        return SkippedAccount(row.account_id, row.code, row.title, row.currency, reason)

    if composer.options.exclude_zero and row.balance == Decimal("0"):
        return None, skip(_("Bakiye sıfır (sıfır bakiyeler hariç tutuldu).")), None
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
    warning = skip("; ".join(who.problems)) if who.problems else None
    return (letter, recipients), None, warning


def _insert_letters(
    session: Session,
    actor: Actor,
    batch_id: int,
    prepared: list[_Prepared],
) -> None:
    now = utcnow()
    conn = session.connection()
    reason = _("Gönderim kuyruğuna alındı")
    for start in range(0, len(prepared), _CHUNK):
        part = prepared[start : start + _CHUNK]
        letter_rows = [
            {
                **{k: v for k, v in letter.items() if k != "message"},
                "batch_id": batch_id,
                "state": LetterState.QUEUED,
                "state_at": now,
                "next_attempt_at": now,
                "created_at": now,
                "attempts": 0,
                "claimed_by": "",
                "last_error": "",
            }
            for letter, _r in part
        ]
        ids = (
            conn.execute(
                insert(Letter).returning(Letter.id, sort_by_parameter_order=True), letter_rows
            )
            .scalars()
            .all()
        )
        conn.execute(
            insert(LetterMessage),
            [
                {"letter_id": letter_id, "message": letter["message"]}
                for letter_id, (letter, _r) in zip(ids, part, strict=True)
            ],
        )
        recipient_rows = [
            {
                **recipient,
                "letter_id": letter_id,
                "state": RecipientState.QUEUED,
                "smtp_answer": "",
                "attempts": 0,
                "in_doubt": False,
            }
            for letter_id, (_l, recipients) in zip(ids, part, strict=True)
            for recipient in recipients
        ]
        recipient_ids = (
            conn.execute(
                insert(Recipient).returning(Recipient.id, sort_by_parameter_order=True),
                recipient_rows,
            )
            .scalars()
            .all()
        )
        write_letter_events(
            conn,
            [
                {
                    "letter_id": i,
                    "actor": actor.login,
                    "from_state": None,
                    "to_state": LetterState.QUEUED.value,
                    "reason": reason,
                    "at": now,
                }
                for i in ids
            ],
        )
        write_recipient_events(
            conn,
            [
                {
                    "recipient_id": i,
                    "actor": actor.login,
                    "from_state": None,
                    "to_state": RecipientState.QUEUED.value,
                    "smtp_code": None,
                    "reason": reason,
                    "at": now,
                }
                for i in recipient_ids
            ],
        )


def batch_skipped(session: Session, batch_id: int) -> list[SkippedAccount]:
    batch = session.get(ReconciliationBatch, batch_id)
    if batch is None:
        return []
    return [SkippedAccount(**item) for item in json.loads(batch.skipped or "[]")]


def letters_of(session: Session, batch_id: int) -> list[Letter]:
    return list(session.scalars(select(Letter).where(Letter.batch_id == batch_id)))
