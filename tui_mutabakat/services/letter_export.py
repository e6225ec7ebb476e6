"""Export the letters of a batch to CSV or Excel (SPEC E3, F1).

The amounts stay numbers and the dates stay dates: in the `.xlsx` file they are numeric and
date cells a spreadsheet can sum and sort; in the `.csv` file (`;`-separated, UTF-8 with a
byte-order mark, as Turkish Excel opens it) they are written the Turkish way.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.domain.formatting import format_amount
from tui_mutabakat.domain.states import LetterState, letter_state_label, side_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.letter_balances import letter_figures
from tui_mutabakat.services.letter_list import LetterFilter, letters_in_order

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
    return [
        LetterLine(
            code=letter.account_code,
            title=letter.account_title,
            currency=figure.currency,
            balance=abs(figure.balance),
            side=side_label(figure.side) if figure.side else "",
            state=letter_state_label(LetterState(letter.state)),
            state_at=letter.state_at.strftime("%d.%m.%Y %H:%M"),
        )
        for letter in letters
        for figure in figures[letter.id]
    ]


def _header() -> list[str]:
    return [
        _("Hesap kodu"),
        _("Hesap adı"),
        _("Döviz"),
        _("Gönderilen bakiye"),
        _("Borç/Alacak"),
        _("Durum"),
        _("Son olay"),
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
                    line.currency,
                    format_amount(line.balance),
                    line.side,
                    line.state,
                    line.state_at,
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
                line.currency,
                line.balance,
                line.side,
                line.state,
                line.state_at,
            ]
        )
        sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0.00"
    book.save(path)
