"""The statement ("ekstre") attached to a letter (SPEC D8): the account's movements up to the
as-of date, one section per currency, as a CSV file for Excel in Turkish (`;` separated, UTF-8
with a byte-order mark), in the letter's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tui_mutabakat.mail.letter_words import SIDE_WORDS, STATEMENT_WORDS, doc_type_words, words
from tui_mutabakat.mail.templates import StatementLine, fast_amount, fast_day, side_of


@dataclass(frozen=True, slots=True)
class Statement:
    """The movements of one account in one currency up to the as-of date."""

    currency: str
    #: The balance brought forward from before `start`; `None` when there is no start
    #: (every movement is listed, from the first, and there is no opening line).
    opening: Decimal | None
    start: date | None
    lines: tuple[StatementLine, ...]

    @property
    def closing(self) -> Decimal:
        if self.lines:
            return self.lines[-1].balance
        return self.opening or Decimal("0")


def statement_csv(
    statements: Sequence[Statement], language: str, account: str, as_of: date
) -> bytes:
    """Date, document type in words, document no, description, debit, credit, running
    balance and its side; an opening line first when the statement starts at a date."""
    text = words(STATEMENT_WORDS, language)
    sides = words(SIDE_WORDS, language)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([text["account"], account])
    writer.writerow([text["as_of"], fast_day(as_of)])
    header = ["date", "doc_type", "doc_no", "description", "debit", "credit", "balance", "side"]
    for statement in statements:
        writer.writerow([])
        writer.writerow([text["currency"], statement.currency])
        writer.writerow([text[name] for name in header])
        if statement.opening is not None and statement.start is not None:
            opening = statement.opening
            writer.writerow(
                [
                    fast_day(statement.start),
                    text["opening"].format(day=fast_day(statement.start)),
                    "",
                    "",
                    "",
                    "",
                    fast_amount(abs(opening)),
                    sides[side_of(opening)],
                ]
            )
        for line in statement.lines:
            writer.writerow(
                [
                    fast_day(line.date),
                    doc_type_words(line.doc_type, language),
                    line.doc_no,
                    line.description,
                    fast_amount(line.debit) if line.debit else "",
                    fast_amount(line.credit) if line.credit else "",
                    fast_amount(abs(line.balance)),
                    sides[side_of(line.balance)],
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")
