"""The balances a letter states, one per currency (SPEC D3, E2), for the tracking screens,
the exports and the answers: `12.000,00 TL B · 3.000,00 USD A`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.outbox_models import Letter, LetterBalance
from tui_mutabakat.domain.formatting import format_money
from tui_mutabakat.mail.templates import side_of

if TYPE_CHECKING:
    from tui_mutabakat.services.tracking.letter_rows import LetterRow

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class BalanceFigure:
    currency: str
    debit_total: Decimal
    credit_total: Decimal
    #: Debit minus credit, signed.
    balance: Decimal

    @property
    def side(self) -> str:
        return side_of(self.balance)

    @property
    def text(self) -> str:
        """`12.000,00 TL B`."""
        return f"{format_money(abs(self.balance), self.currency)} {self.side}".rstrip()


def _money(value: object) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(Decimal("0.01"))


def letter_figures(
    session: Session, letters: Sequence[Letter | LetterRow]
) -> dict[int, list[BalanceFigure]]:
    """Each letter's balances in its order; a letter without rows (written before letters
    had several currencies, or a reminder's copy) states its own columns."""
    found: dict[int, list[BalanceFigure]] = defaultdict(list)
    ids = [letter.id for letter in letters]
    for start in range(0, len(ids), _CHUNK):
        statement = (
            select(
                LetterBalance.letter_id,
                LetterBalance.currency,
                LetterBalance.debit_total,
                LetterBalance.credit_total,
                LetterBalance.balance,
            )
            .where(LetterBalance.letter_id.in_(ids[start : start + _CHUNK]))
            .order_by(LetterBalance.letter_id, LetterBalance.position)
        )
        for letter_id, currency, debit, credit, balance in session.execute(statement):
            found[letter_id].append(
                BalanceFigure(currency, _money(debit), _money(credit), _money(balance))
            )
    for letter in letters:
        if letter.id not in found:
            found[letter.id] = [
                BalanceFigure(
                    letter.currency,
                    _money(letter.debit_total),
                    _money(letter.credit_total),
                    _money(letter.balance),
                )
            ]
    return dict(found)


def figures_of(session: Session, letter: Letter) -> list[BalanceFigure]:
    return letter_figures(session, [letter])[letter.id]


def figures_text(figures: Iterable[BalanceFigure]) -> str:
    """`12.000,00 TL B · 3.000,00 USD A`."""
    return " · ".join(figure.text for figure in figures)
