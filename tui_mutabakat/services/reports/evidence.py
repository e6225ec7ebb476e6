"""The evidence pack for the auditor (SPEC F1, issue 16 point 2).

For one letter: a PDF with what was sent (subject, recipients, the letter's text, SHA-256 of
the message bytes as the outbox handed them to the server), every delivery attempt with the
server's answer, bounces, every answer with who gave it and their text or figures, and the
whole status history. An answer given on the web page also shows the responder, where from,
the hashes of the message as sent and of the page as shown, and its files: name, size,
content type, SHA-256, and whether the stored file is still there and still the same. For a
batch: that PDF for each letter, and a summary as PDF and xlsx (counts per state, response
rate, each letter with state, our balance, theirs, the difference). Everything is written
owner-only: the folder 0700, the files 0600.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import as_utc
from tui_mutabakat.data.outbox_models import Letter, LetterMessage, ReconciliationBatch
from tui_mutabakat.data.tracking_models import AnswerAttachment
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.formatting import currency_label
from tui_mutabakat.domain.history import server_answer_text
from tui_mutabakat.domain.states import (
    LetterState,
    answer_channel_label,
    answer_kind_label,
    letter_state_label,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.pdf_flow import Column, Flow
from tui_mutabakat.mail.templates import fast_amount, fast_day
from tui_mutabakat.services.portal.files import CONTENT_TYPES, stored_sha256
from tui_mutabakat.services.tracking.letter_balances import figures_text, letter_figures
from tui_mutabakat.services.tracking.tracking import (
    batch_counts,
    history_actor_label,
    history_change,
    latest_answer,
    letter_details,
    recipient_state_text,
)

ANSWERED = ("agreed", "disagreed", "unclear")


def owner_only_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.chmod(0o700)  # whatever the umask, and a folder that existed before
    return path


def write_owner_only(path: Path, data: bytes) -> Path:
    """`data` in `path`, readable by the owner alone (also when the file existed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb", closefd=False) as out:
            out.write(data)
    finally:
        os.close(fd)
    return path


def _when(value: dt.datetime | None) -> str:
    """A stored moment in UTC, `31.12.2026 14:05:09` (the report says UTC)."""
    if value is None:
        return ""
    return f"{as_utc(value).astimezone(dt.UTC):%d.%m.%Y %H:%M:%S}"


def _sent_text(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        return ""
    part = message.get_body(("plain",))
    try:
        return str(part.get_content()) if part is not None else ""
    except (LookupError, ValueError):
        return ""


def _attachment_rows(attachment: AnswerAttachment, data_dir: Path) -> list[tuple[str, str]]:
    """An answer-page file: its name, size, type and hash as stored, and whether the file
    in the upload directory is still there and still the same."""
    content_type = CONTENT_TYPES.get(attachment.kind, attachment.kind)
    size = _("{n} bayt").format(n=attachment.size)
    on_disk = stored_sha256(data_dir, attachment.stored_name)
    rows = [(_("Ek"), f"{attachment.file_name} · {size} · {content_type}")]
    if attachment.sha256:
        rows.append((_("SHA-256"), attachment.sha256))
    elif on_disk is not None:
        rows.append((_("SHA-256"), on_disk + " " + _("(dosyadan hesaplandı)")))
    if on_disk is None:
        rows.append((_("Dosya"), _("dosya bulunamadı: {name}").format(name=attachment.stored_name)))
    elif attachment.sha256 and on_disk != attachment.sha256:
        rows.append((_("Dosya"), _("dosya değişmiş, şimdiki SHA-256: {hash}").format(hash=on_disk)))
    return rows


def letter_evidence_pdf(session: Session, letter_id: int, *, data_dir: Path) -> bytes:
    """One letter's evidence as PDF bytes; the answer-page files are looked up under
    `data_dir` (the portal's upload directory)."""
    details = letter_details(session, letter_id)
    letter = details.letter
    raw = session.get(LetterMessage, letter.id)
    message = raw.message if raw is not None else b""
    flow = Flow(_("Kanıt dosyası"), _("Sayfa"))
    flow.paragraph(_("Mutabakat kanıt dosyası"), 15, bold=True)
    flow.paragraph(f"{letter.account_code} — {letter.account_title}", 11, bold=True)
    flow.rule()
    flow.pairs(
        [
            (_("Mektup no"), str(letter.id)),
            (_("Toplu gönderim"), f"{letter.batch_id} — {letter.batch.title}"),
            (_("Mutabakat tarihi"), fast_day(letter.batch.as_of)),
            (_("Geçerlilik tarihi"), fast_day(letter.batch.answer_by)),
            (_("Durum"), letter_state_label(letter.state)),
            (_("Bakiyemiz"), figures_text(details.balances)),
            (_("Gönderim zamanı (UTC)"), _when(letter.sent_at)),
        ]
    )
    flow.heading(_("Gönderilen"))
    flow.pairs(
        [
            (_("Konu"), letter.subject),
            (_("Message-ID"), letter.message_id),
            (_("Referans"), letter.token),
            (_("Alıcılar"), ", ".join(f"{r.name} <{r.address}>" for r in details.recipients)),
            (_("SHA-256"), hashlib.sha256(message).hexdigest() if message else _("ileti yok")),
            (_("İleti boyutu"), _("{n} bayt").format(n=len(message))),
        ]
    )
    flow.heading(_("Mektubun metni"), 11)
    flow.paragraph(_sent_text(message) if message else _("ileti yok"), 8.5)
    flow.heading(_("Teslim denemeleri"))
    flow.table(
        [
            Column(_("Adres"), 0.3),
            Column(_("Durum"), 0.14),
            Column(_("Deneme"), 0.08, right=True),
            Column(_("Son deneme"), 0.18),
            Column(_("Sunucunun yanıtı"), 0.3),
        ],
        [
            [
                r.address,
                recipient_state_text(r.state, r.smtp_code, r.smtp_answer),
                str(r.attempts),
                _when(r.last_attempt_at),
                server_answer_text(r.smtp_code, r.smtp_answer),
            ]
            for r in details.recipients
        ],
    )
    flow.heading(_("Geri dönenler"))
    if not details.bounces:
        flow.paragraph(_("Geri dönen ileti yok."), 9)
    for bounce in details.bounces:
        flow.paragraph(
            f"{_when(bounce.received_at)} · {bounce.address} · {bounce.status} · "
            f"{bounce.diagnostic}",
            9,
        )
    flow.heading(_("Yanıtlar"))
    if not details.answers:
        flow.paragraph(_("Yanıt yok."), 9)
    for answer in details.answers:
        who = answer.from_address or history_actor_label(answer.recorded_by)
        kind = answer_kind_label(answer.kind)
        flow.paragraph(f"{_when(answer.answered_at)} · {kind} · {who}", 9.5, bold=True)
        rows = [
            (_("Kanal"), answer_channel_label(answer.channel)),
            (_("Kaydeden"), history_actor_label(answer.recorded_by)),
        ]
        if answer.responder:
            rows.append((_("Yanıtlayan"), answer.responder))
        if answer.client_address:
            rows.append((_("IP adresi"), answer.client_address))
        if answer.user_agent:
            rows.append((_("Tarayıcı"), answer.user_agent))
        if answer.sent_sha256:  # the message as sent, as the page saw it
            rows.append((_("İleti SHA-256"), answer.sent_sha256))
        if answer.shown_sha256:  # what the page showed when they answered
            rows.append((_("Sayfa SHA-256"), answer.shown_sha256))
        for figure in details.answer_balances.get(answer.id, []):
            rows.append(
                (
                    _("Bakiyeleri ({currency})").format(currency=currency_label(figure.currency)),
                    f"{fast_amount(figure.their_balance)} {figure.their_side} · "
                    + _("fark {amount}").format(amount=fast_amount(figure.difference)),
                )
            )
        if answer.note:
            rows.append((_("Not"), answer.note))
        if answer.excerpt:
            rows.append((_("Metin"), answer.excerpt))
        for attachment in details.attachments.get(answer.id, []):
            rows += _attachment_rows(attachment, data_dir)
        flow.pairs(rows, 9)
    flow.heading(_("Durum geçmişi"))
    flow.table(
        [
            Column(_("Zaman (UTC)"), 0.2),
            Column(_("Kim"), 0.14),
            Column(_("Alıcı"), 0.2),
            Column(_("Eski -> yeni"), 0.2),
            Column(_("Neden"), 0.26),
        ],
        [
            [
                _when(line.at),
                history_actor_label(line.actor),
                line.address,
                change.replace("→", "->"),
                f"{line.smtp_code or ''} {why}".strip(),
            ]
            for line in details.history
            for change, why in [history_change(line)]
        ],
    )
    return flow.to_bytes()


@dataclass(frozen=True, slots=True)
class SummaryRow:
    letter_id: int
    code: str
    title: str
    state: LetterState
    ours: str
    theirs: str
    difference: str


@dataclass(frozen=True, slots=True)
class BatchSummary:
    batch: ReconciliationBatch
    counts: dict[str, int]
    response_rate: Decimal
    rows: list[SummaryRow]


def batch_summary(session: Session, batch_id: int) -> BatchSummary:
    batch = session.get(ReconciliationBatch, batch_id)
    if batch is None:
        raise InvalidInput(_("Toplu gönderim bulunamadı: {id}").format(id=batch_id))
    letters = list(
        session.scalars(select(Letter).where(Letter.batch_id == batch_id).order_by(Letter.id))
    )
    counts = batch_counts(session, [batch_id])[batch_id]
    figures = letter_figures(session, letters)
    details_rows = []
    for letter in letters:
        answer = latest_answer(session, letter.id)
        theirs = difference = ""
        if answer is not None:
            answer_rows = letter_details(session, letter.id).answer_balances.get(answer.id, [])
            theirs = " · ".join(
                f"{fast_amount(r.their_balance)} {currency_label(r.currency)} {r.their_side}"
                for r in answer_rows
            )
            difference = " · ".join(
                f"{fast_amount(r.difference)} {currency_label(r.currency)}" for r in answer_rows
            )
        details_rows.append(
            SummaryRow(
                letter.id,
                letter.account_code,
                letter.account_title,
                letter.state,
                figures_text(figures.get(letter.id, [])),
                theirs,
                difference,
            )
        )
    reached = sum(
        n for state, n in counts.items() if state not in ("queued", "failed", "cancelled")
    )
    answered = sum(counts.get(state, 0) for state in ANSWERED)
    rate = (Decimal(answered) * 100 / reached).quantize(Decimal("0.1")) if reached else Decimal(0)
    return BatchSummary(batch, counts, rate, details_rows)


def summary_pdf(summary: BatchSummary) -> bytes:
    batch = summary.batch
    flow = Flow(_("Toplu gönderim özeti"), _("Sayfa"))
    flow.paragraph(_("Toplu gönderim özeti"), 15, bold=True)
    flow.paragraph(f"{batch.id} — {batch.title}", 11, bold=True)
    flow.rule()
    flow.pairs(
        [
            (_("Mutabakat tarihi"), fast_day(batch.as_of)),
            (_("Geçerlilik tarihi"), fast_day(batch.answer_by)),
            (_("Gönderen"), f"{batch.from_name} <{batch.from_address}>"),
            (_("Yanıt oranı"), f"%{str(summary.response_rate).replace('.', ',')}"),
        ]
        + [(letter_state_label(LetterState(s)), str(n)) for s, n in summary.counts.items()]
    )
    flow.heading(_("Mektuplar"))
    flow.table(
        [
            Column(_("Kod"), 0.11),
            Column(_("Ünvan"), 0.22),
            Column(_("Durum"), 0.12),
            Column(_("Bakiyemiz"), 0.19),
            Column(_("Bakiyeleri"), 0.19),
            Column(_("Fark"), 0.17),
        ],
        [
            [r.code, r.title, letter_state_label(r.state), r.ours, r.theirs, r.difference]
            for r in summary.rows
        ],
        size=8,
    )
    return flow.to_bytes()


def summary_xlsx(summary: BatchSummary, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Özet")
    sheet.append([_("Toplu gönderim"), summary.batch.id, summary.batch.title])
    sheet.append([_("Yanıt oranı (%)"), float(summary.response_rate)])
    for state, count in summary.counts.items():
        sheet.append([letter_state_label(LetterState(state)), count])
    letters = book.create_sheet(_("Mektuplar"))
    letters.append(
        [
            _("Mektup no"),
            _("Kod"),
            _("Ünvan"),
            _("Durum"),
            _("Bakiyemiz"),
            _("Bakiyeleri"),
            _("Fark"),
        ]
    )
    for r in summary.rows:
        letters.append(
            [
                r.letter_id,
                r.code,
                r.title,
                letter_state_label(r.state),
                r.ours,
                r.theirs,
                r.difference,
            ]
        )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        book.save(out)


def letter_file_name(letter: Letter) -> str:
    name = f"mektup_{letter.id}_{letter.account_code}.pdf"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def write_letter_evidence(
    session: Session, letter_id: int, out_dir: Path, *, data_dir: Path
) -> Path:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise InvalidInput(_("Mektup bulunamadı: {id}").format(id=letter_id))
    owner_only_dir(out_dir)
    return write_owner_only(
        out_dir / letter_file_name(letter),
        letter_evidence_pdf(session, letter_id, data_dir=data_dir),
    )


def write_batch_evidence(
    session: Session, batch_id: int, out_dir: Path, *, data_dir: Path
) -> list[Path]:
    """The batch's evidence pack in `out_dir`: the summary (PDF, xlsx) and a PDF per
    letter (answer-page files looked up under `data_dir`); returns the files written."""
    summary = batch_summary(session, batch_id)
    owner_only_dir(out_dir)
    written = [write_owner_only(out_dir / f"ozet_{batch_id}.pdf", summary_pdf(summary))]
    xlsx = out_dir / f"ozet_{batch_id}.xlsx"
    summary_xlsx(summary, xlsx)
    written.append(xlsx)
    letters = owner_only_dir(out_dir / "mektuplar")
    for row in summary.rows:
        written.append(write_letter_evidence(session, row.letter_id, letters, data_dir=data_dir))
    return written
