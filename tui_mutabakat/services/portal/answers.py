"""The answer page's use cases (SPEC E5, issue 15), free of any web framework.

`open_letter` turns a link's token into the letter it names (or None: one refusal for
tampered, unknown, expired and cancelled alike); `page_view` is what the page shows of it;
`record_web_answer` lands an answer in the same tracking as an e-mailed one — the letter's
state, their balance per currency, the note, the history — with the responder, where they
answered from, and the SHA-256 of the message as sent and of the page as shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import Letter, LetterMessage, Recipient
from tui_mutabakat.data.tracking_models import AnswerAttachment, LetterAnswer
from tui_mutabakat.domain.states import LetterState, can_transition
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.reply_text import AnswerKind
from tui_mutabakat.mail.templates import OpenItemLine
from tui_mutabakat.services.errors import InvalidInput, Refused
from tui_mutabakat.services.portal.links import PortalLinks
from tui_mutabakat.services.sending.letters import company_info, load_template
from tui_mutabakat.services.sending.statement import open_items_for
from tui_mutabakat.services.tracking.intake import KIND_TO_STATE, add_answer, change_letter_state
from tui_mutabakat.services.tracking.letter_balances import BalanceFigure, figures_of
from tui_mutabakat.services.tracking.tracking import checked_balances

CHANNEL = "web"
#: States a letter can be answered in on the page (an unclear e-mail may be made clear here).
OPEN_STATES = (LetterState.SENT, LetterState.NO_ANSWER, LetterState.BOUNCED, LetterState.UNCLEAR)


@dataclass(frozen=True, slots=True)
class PageView:
    """What the page shows of one letter; `digest` is the proof of it."""

    letter_id: int
    language: str
    company: str
    account_code: str
    account_title: str
    as_of: dt.date
    answer_by: dt.date
    balances: tuple[BalanceFigure, ...]
    open_items: Mapping[str, tuple[OpenItemLine, ...]] = field(default_factory=dict)

    def digest(self) -> str:
        """SHA-256 of a canonical text of everything shown."""
        shown = {
            "letter": self.letter_id,
            "company": self.company,
            "account": [self.account_code, self.account_title],
            "as_of": self.as_of.isoformat(),
            "answer_by": self.answer_by.isoformat(),
            "balances": [[b.currency, str(b.balance), b.side] for b in self.balances],
            "open_items": {
                currency: [[i.date.isoformat(), i.doc_no, str(i.open_amount)] for i in items]
                for currency, items in sorted(self.open_items.items())
            },
        }
        text = json.dumps(shown, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Responder:
    """Who answers on the page, as they typed it, and from where."""

    name: str
    email: str
    title: str = ""
    phone: str = ""
    client_address: str = ""
    user_agent: str = ""

    def described(self) -> str:
        parts = [self.name] + [p for p in (self.title, self.phone) if p]
        return ", ".join(parts)[:400]


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An attachment already written to the upload directory."""

    file_name: str
    stored_name: str
    kind: str
    size: int
    sha256: str


def open_letter(session: Session, links: PortalLinks, token: str, today: dt.date) -> Letter | None:
    """The letter a link names, or None (tampered, expired, unknown, cancelled)."""
    target = links.verify(token, today)
    if target is None:
        return None
    letter = session.scalars(select(Letter).where(Letter.token == target.reply_token)).first()
    if letter is None or letter.state is LetterState.CANCELLED:
        return None
    return letter


def page_language(session: Session, letter: Letter) -> str:
    try:
        return load_template(session, letter.batch.template_name).language
    except Exception:  # a template deleted since: the page is Turkish
        return "tr"


def page_view(session: Session, letter: Letter) -> PageView:
    batch = letter.batch
    figures = tuple(figures_of(session, letter))
    items: dict[str, tuple[OpenItemLine, ...]] = {}
    account_id = letter.account_id
    if batch.open_items and account_id is not None:
        keys = [(account_id, f.currency) for f in figures]
        found = open_items_for(session, batch.as_of, keys)
        items = {c: tuple(found.get((account_id, c), ())) for _a, c in keys}
    return PageView(
        letter_id=letter.id,
        language=page_language(session, letter),
        company=company_info(session).title,
        account_code=letter.account_code,
        account_title=letter.account_title,
        as_of=batch.as_of,
        answer_by=batch.answer_by,
        balances=figures,
        open_items=items,
    )


def web_answer(session: Session, letter_id: int) -> LetterAnswer | None:
    """The answer already given on the page for this letter, if any."""
    return session.scalars(
        select(LetterAnswer)
        .where(LetterAnswer.letter_id == letter_id, LetterAnswer.channel == CHANNEL)
        .order_by(LetterAnswer.id.desc())
        .limit(1)
    ).first()


def attachments_of(session: Session, answer_id: int) -> list[AnswerAttachment]:
    return list(
        session.scalars(
            select(AnswerAttachment)
            .where(AnswerAttachment.answer_id == answer_id)
            .order_by(AnswerAttachment.id)
        )
    )


def _is_recipient(session: Session, letter: Letter, address: str) -> bool:
    found = session.scalar(
        select(func.count()).where(
            Recipient.letter_id == letter.id,
            func.lower(Recipient.address) == address.strip().lower(),
        )
    )
    return bool(found)


def record_web_answer(
    session: Session,
    letter: Letter,
    kind: AnswerKind,
    theirs: Mapping[str, tuple[Decimal, str]],
    note: str,
    responder: Responder,
    shown_sha256: str,
    files: Sequence[StoredFile] = (),
) -> LetterAnswer:
    """Land a page answer in tracking. Refused when the page already has this letter's
    answer or the letter cannot take one any more."""
    if kind not in (AnswerKind.AGREED, AnswerKind.DISAGREED):
        raise InvalidInput(_("Yanıt mutabık ya da mutabık değil olmalı."), "kind")
    if web_answer(session, letter.id) is not None:
        raise Refused(_("Bu mektubun yanıtı bu sayfadan zaten verildi."))
    target = KIND_TO_STATE[kind]
    if letter.state not in OPEN_STATES or not can_transition(letter.state, target):
        raise Refused(_("Bu mektuba artık yanıt verilemez."))
    checked = checked_balances(session, letter, theirs) if theirs else {}
    now = utcnow()
    answer = add_answer(
        session,
        letter,
        kind,
        balance=None,
        side="",
        theirs=checked,
        note=note,
        excerpt="",
        from_address=responder.email,
        channel=CHANNEL,
        recorded_by="portal",
        message_key=None,
        now=now,
        foreign_sender=not _is_recipient(session, letter, responder.email),
    )
    sent = session.scalar(select(LetterMessage.message).where(LetterMessage.letter_id == letter.id))
    answer.responder = responder.described()
    answer.client_address = responder.client_address[:64]
    answer.user_agent = responder.user_agent[:400]
    answer.sent_sha256 = hashlib.sha256(sent).hexdigest() if sent else ""
    answer.shown_sha256 = shown_sha256
    session.flush()
    session.add_all(
        AnswerAttachment(
            answer_id=answer.id,
            file_name=f.file_name,
            stored_name=f.stored_name,
            kind=f.kind,
            size=f.size,
            sha256=f.sha256,
        )
        for f in files
    )
    why = f"portal: {responder.name} <{responder.email}>, {responder.client_address}"
    why += f": {kind.value}" + (f" — {note}" if note else "")
    change_letter_state(session, letter, target, "portal", why[:500], now)
    session.flush()
    return answer
