"""The answer page's use cases (SPEC E5, issue 15), free of any web framework.

`open_letter` turns a link's token into the letter it names (or None: one refusal for
tampered, unknown, expired and cancelled alike); `page_view` is what the page shows of it;
`record_web_answer` lands an answer in the same tracking as an e-mailed one — the letter's
state, their balance per currency, the note, the history — with the responder, where they
answered from, and the SHA-256 of the message as sent and of the page as shown.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import Letter, LetterEvent, LetterMessage, Recipient
from tui_mutabakat.data.tracking_models import AnswerAttachment, LetterAnswer
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import LetterState, can_transition
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.reply_text import AnswerKind
from tui_mutabakat.mail.templates import OpenItemLine
from tui_mutabakat.services.portal.links import PortalLinks
from tui_mutabakat.services.sending.letters import company_info, load_template
from tui_mutabakat.services.sending.statement import open_items_for
from tui_mutabakat.services.tracking.intake import KIND_TO_STATE, add_answer, change_letter_state
from tui_mutabakat.services.tracking.letter_balances import BalanceFigure, figures_of
from tui_mutabakat.services.tracking.tracking import checked_balances

CHANNEL = "web"
#: States a letter can be answered in on the page (an unclear e-mail may be made clear here).
OPEN_STATES = (LetterState.SENT, LetterState.NO_ANSWER, LetterState.BOUNCED, LetterState.UNCLEAR)
#: States a page answer leaves a letter in (the ones a later page answer may replace).
ANSWERED_STATES = (LetterState.AGREED, LetterState.DISAGREED)


#: The kinds of a letter's own attachments the page offers for download.
DOCUMENT_TYPES = {"application/pdf": "pdf", "text/csv": "csv"}
_DOCUMENT_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Document:
    """One file the letter carried (its statement, its PDF), as it was sent."""

    name: str
    content_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


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
    #: The letter's own files offered for download: (name, kind, size, sha256).
    documents: tuple[tuple[str, str, int, str], ...] = ()

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
        if self.documents:
            shown["documents"] = [[name, sha] for name, _kind, _size, sha in self.documents]
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
    letter = session.scalars(
        select(Letter)
        .options(joinedload(Letter.batch))  # the page needs the batch: one query, not two
        .where(Letter.token == target.reply_token)
    ).first()
    if letter is None or letter.state is LetterState.CANCELLED:
        return None
    return letter


def page_language(session: Session, letter: Letter) -> str:
    try:
        return load_template(session, letter.batch.template_name).language
    except Exception:  # a template deleted since: the page is Turkish
        return "tr"


def letter_documents(session: Session, letter: Letter) -> list[Document]:
    """The statement and the PDF the letter carried, taken from the message as it was sent
    (nothing is made anew: the file downloaded is the file e-mailed)."""
    batch = letter.batch
    if not (batch.attach_statement or batch.attach_pdf):
        return []
    raw = session.scalar(select(LetterMessage.message).where(LetterMessage.letter_id == letter.id))
    if not raw:
        return []
    message = email.message_from_bytes(raw, policy=email.policy.default)
    found: list[Document] = []
    for part in message.walk():
        content_type = part.get_content_type()
        if part.get_content_disposition() != "attachment" or content_type not in DOCUMENT_TYPES:
            continue
        content = part.get_payload(decode=True)
        if not isinstance(content, bytes):
            continue
        kind = DOCUMENT_TYPES[content_type]
        stem = _DOCUMENT_NAME.sub("_", (part.get_filename() or "").rsplit(".", 1)[0])
        found.append(Document(f"{stem.strip('._-')[:80] or 'belge'}.{kind}", content_type, content))
    return found


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
        documents=tuple(
            (d.name, DOCUMENT_TYPES[d.content_type], len(d.content), d.sha256)
            for d in letter_documents(session, letter)
        ),
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


def can_replace(session: Session, letter: Letter, today: dt.date) -> bool:
    """An answer given on the page may be replaced by a later one until the answer-by date,
    while it is still the letter's latest answer (nobody recorded or decided another)."""
    if today > letter.batch.answer_by or letter.state not in ANSWERED_STATES:
        return False
    latest = session.scalars(
        select(LetterAnswer.channel)
        .where(LetterAnswer.letter_id == letter.id)
        .order_by(LetterAnswer.id.desc())
        .limit(1)
    ).first()
    return latest == CHANNEL


def record_web_answer(
    session: Session,
    letter: Letter,
    kind: AnswerKind,
    theirs: Mapping[str, tuple[Decimal, str]],
    note: str,
    responder: Responder,
    shown_sha256: str,
    files: Sequence[StoredFile] = (),
    *,
    replaces: int | None = None,
    today: dt.date | None = None,
) -> LetterAnswer:
    """Land a page answer in tracking. A later answer replaces the page's earlier one (the
    answer `replaces` names, which must still be the latest, see `can_replace`) until the
    answer-by date; both stay in the history. Refused otherwise when the page already has
    this letter's answer, or when the letter cannot take one any more."""
    if kind not in (AnswerKind.AGREED, AnswerKind.DISAGREED):
        raise InvalidInput(_("Yanıt mutabık ya da mutabık değil olmalı."), "kind")
    target = KIND_TO_STATE[kind]
    previous = web_answer(session, letter.id)
    if previous is not None:
        if replaces != previous.id or today is None or not can_replace(session, letter, today):
            raise Refused(_("Bu mektubun yanıtı bu sayfadan zaten verildi."))
    elif letter.state not in OPEN_STATES or not can_transition(letter.state, target):
        raise Refused(_("Bu mektuba artık yanıt verilemez."))
    checked = checked_balances(session, letter, theirs) if theirs else {}
    foreign = not _is_recipient(session, letter, responder.email)
    sent = session.scalar(select(LetterMessage.message).where(LetterMessage.letter_id == letter.id))
    now = utcnow()
    # Every column is set before the row is first written: the portal's database role
    # inserts answers and may not update them.
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
        foreign_sender=foreign,
    )
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
    why = history_reason(
        "portal_answer",
        name=responder.name[:200],
        email=responder.email[:200],
        address=responder.client_address,
        kind=kind.value,
        note=note[:200],
        replaced=previous is not None or None,
    )
    if letter.state is target:
        # The same answer again (other figures, say): the history still says so.
        session.add(
            LetterEvent(
                letter_id=letter.id,
                actor="portal",
                from_state=target.value,
                to_state=target.value,
                **why.columns(),
                at=now,
            )
        )
    else:
        change_letter_state(session, letter, target, "portal", why, now)
    session.flush()
    return answer
