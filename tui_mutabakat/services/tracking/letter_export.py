"""Export the letters of a batch to CSV or Excel (SPEC E3, F1).

The amounts stay numbers and the dates stay dates: in the `.xlsx` file they are numeric and
date cells a spreadsheet can sum and sort; in the `.csv` file (`;`-separated, UTF-8 with a
byte-order mark, as Turkish Excel opens it) they are written the Turkish way.

Each line also carries the letter's latest answer: their balance in that currency, its side
and the difference, the channel, and the proof of an answer given on the answer page — who
answered (flagged when not one of the letter's recipients), when, from where, and the
SHA-256 of the message as sent and of the page as shown (SPEC E5, issue 15 point 6).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.tracking_models import AnswerBalance, LetterAnswer
from tui_mutabakat.domain.formatting import currency_label, format_amount
from tui_mutabakat.domain.states import LetterState, letter_state_label, side_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.tracking.letter_balances import letter_figures
from tui_mutabakat.services.tracking.letter_list import LetterFilter, letters_in_order

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True, slots=True)
class LetterLine:
    code: str
    title: str
    currency: str
    balance: Decimal
    side: str
    state: str
    state_at: str
    #: Their balance in this currency (positive), its side and the difference to ours.
    their_balance: Decimal | None = None
    their_side: str = ""
    difference: Decimal | None = None
    channel: str = ""
    responder: str = ""
    responder_email: str = ""
    #: "⚠" when the responder is not one of the letter's recipients.
    foreign: str = ""
    answered_at: str = ""
    client_address: str = ""
    sent_sha256: str = ""
    shown_sha256: str = ""


def _channel_word(channel: str) -> str:
    words = {
        "email": _("e-posta"),
        "phone": _("telefon"),
        "paper": _("kâğıt"),
        "web": _("yanıt sayfası"),
    }
    return words.get(channel, channel)


def _latest_answers(session: Session, letter_ids: list[int]) -> dict[int, LetterAnswer]:
    """The newest answer of each letter (the one that counts)."""
    latest: dict[int, LetterAnswer] = {}
    for start in range(0, len(letter_ids), 500):
        chunk = letter_ids[start : start + 500]
        newest = (
            select(func.max(LetterAnswer.id))
            .where(LetterAnswer.letter_id.in_(chunk))
            .group_by(LetterAnswer.letter_id)
        )
        for answer in session.scalars(select(LetterAnswer).where(LetterAnswer.id.in_(newest))):
            latest[answer.letter_id] = answer
    return latest


def _answer_balances(
    session: Session, answers: list[LetterAnswer]
) -> dict[tuple[int, str], AnswerBalance]:
    found: dict[tuple[int, str], AnswerBalance] = {}
    ids = [a.id for a in answers]
    for start in range(0, len(ids), 500):
        for row in session.scalars(
            select(AnswerBalance).where(AnswerBalance.answer_id.in_(ids[start : start + 500]))
        ):
            found[(row.answer_id, row.currency)] = row
    return found


def letter_lines(
    session: Session, batch_id: int, flt: LetterFilter | None = None
) -> list[LetterLine]:
    """A line per letter and currency: a letter of several currencies has a line for
    each balance it stated (the amounts stay numbers a spreadsheet can sum by currency).
    With `flt` (of this batch): only the letters it shows, in its order."""
    if flt is not None and flt.batch_id == batch_id:
        letters: Sequence[Letter] = letters_in_order(session, flt)
    else:
        letters = session.scalars(
            select(Letter).where(Letter.batch_id == batch_id).order_by(Letter.account_code)
        ).all()
    figures = letter_figures(session, letters)
    answers = _latest_answers(session, [x.id for x in letters])
    theirs = _answer_balances(session, list(answers.values()))
    lines = []
    for letter in letters:
        answer = answers.get(letter.id)
        for figure in figures[letter.id]:
            line = LetterLine(
                code=letter.account_code,
                title=letter.account_title,
                currency=figure.currency,
                balance=abs(figure.balance),
                side=side_label(figure.side) if figure.side else "",
                state=letter_state_label(LetterState(letter.state)),
                state_at=letter.state_at.strftime("%d.%m.%Y %H:%M"),
            )
            if answer is not None:
                line = _with_answer(line, answer, theirs.get((answer.id, figure.currency)))
            lines.append(line)
    return lines


def _with_answer(
    line: LetterLine, answer: LetterAnswer, theirs: AnswerBalance | None
) -> LetterLine:
    their_side = theirs.their_side if theirs is not None else ""
    return replace(
        line,
        their_balance=theirs.their_balance if theirs is not None else None,
        their_side=side_label(their_side) if their_side else "",
        difference=theirs.difference if theirs is not None else None,
        channel=_channel_word(answer.channel),
        responder=answer.responder,
        responder_email=answer.from_address,
        foreign="⚠" if answer.foreign_sender else "",
        answered_at=answer.answered_at.strftime("%d.%m.%Y %H:%M"),
        client_address=answer.client_address,
        sent_sha256=answer.sent_sha256,
        shown_sha256=answer.shown_sha256,
    )


def _header() -> list[str]:
    return [
        _("Hesap kodu"),
        _("Hesap adı"),
        _("Döviz"),
        _("Gönderilen bakiye"),
        _("Borç/Alacak"),
        _("Durum"),
        _("Son olay"),
        _("Onların bakiyesi"),
        _("Onların B/A"),
        _("Fark"),
        _("Yanıt kanalı"),
        _("Yanıtlayan"),
        _("Yanıtlayanın e-postası"),
        _("Alıcı değil"),
        _("Yanıt zamanı"),
        _("Yanıt adresi (IP)"),
        _("İleti SHA-256"),
        _("Sayfa SHA-256"),
    ]


def _answer_cells(line: LetterLine) -> list[object]:
    return [
        line.channel,
        line.responder,
        line.responder_email,
        line.foreign,
        line.answered_at,
        line.client_address,
        line.sent_sha256,
        line.shown_sha256,
    ]


def export_letters(
    session: Session, batch_id: int, path: Path, flt: LetterFilter | None = None
) -> int:
    """Write the batch's letters to `path` (`.csv` or `.xlsx`) — with `flt`, those the list
    shows, in its order; returns how many rows."""
    lines = letter_lines(session, batch_id, flt)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"export format must be one of {FORMATS}, not {suffix!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == "csv":
        _write_csv(path, lines)
    else:
        _write_xlsx(path, lines)
    return len(lines)


def _write_csv(path: Path, lines: Sequence[LetterLine]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(_header())
        for line in lines:
            writer.writerow(
                [
                    line.code,
                    line.title,
                    currency_label(line.currency),
                    format_amount(line.balance),
                    line.side,
                    line.state,
                    line.state_at,
                    "" if line.their_balance is None else format_amount(line.their_balance),
                    line.their_side,
                    "" if line.difference is None else format_amount(line.difference),
                    *_answer_cells(line),
                ]
            )


def _write_xlsx(path: Path, lines: Sequence[LetterLine]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Mektuplar")
    sheet.append(_header())
    for line in lines:
        sheet.append(
            [
                line.code,
                line.title,
                currency_label(line.currency),
                line.balance,
                line.side,
                line.state,
                line.state_at,
                line.their_balance,
                line.their_side,
                line.difference,
                *_answer_cells(line),
            ]
        )
        for column in (4, 8, 10):
            sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00"
    book.save(path)
