"""A batch of letters written straight into the outbox tables, with fixed times, for the
letter list's tests and pictures (no mail is sent: the list only reads these rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from tui_mutabakat.data.outbox_models import (
    Letter,
    LetterBalance,
    Recipient,
    ReconciliationBatch,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState, RecipientState

SENT_AT = dt.datetime(2026, 12, 5, 9, 30, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Row:
    code: str
    title: str
    state: LetterState
    #: (currency, signed balance) per currency, in the letter's order.
    balances: tuple[tuple[str, str], ...] = (("TRY", "1000.00"),)
    in_doubt: bool = False
    #: Minutes after `SENT_AT` of the letter's last state change.
    minutes: int = 0


ROWS = (
    Row("120.001", "Anadolu Gıda San. ve Tic. A.Ş.", LetterState.AGREED, minutes=300),
    Row("120.002", "İPTAL EDİLEN İNŞAAT LTD.", LetterState.CANCELLED, minutes=120),
    Row("120.003", "Işık Elektrik", LetterState.DISAGREED, (("TRY", "-2500.50"),), minutes=240),
    Row("120.004", "Çınar Ambalaj", LetterState.UNCLEAR, (("TRY", "750.00"),), minutes=200),
    Row("120.005", "Ege Lojistik", LetterState.BOUNCED, minutes=60),
    Row(
        "120.006",
        "Zeytin Tarım",
        LetterState.SENT,
        (("TRY", "12000.00"), ("USD", "-3000.00")),
        in_doubt=True,
        minutes=5,
    ),
    Row("120.007", "Bahar İptal Sigorta", LetterState.NO_ANSWER, (("EUR", "99.90"),), minutes=30),
    Row("320.001", "Demir Çelik A.Ş.", LetterState.SENT, (("TRY", "-45000.00"),), minutes=10),
)


def add_letters(
    database: Database, rows: tuple[Row, ...] = ROWS, title: str = "Yıl sonu mutabakatı 2026"
) -> int:
    """One batch with a letter per row (a recipient each); returns the batch id."""
    with database.unit_of_work() as session:
        batch = ReconciliationBatch(
            title=title,
            as_of=dt.date(2026, 11, 30),
            answer_by=dt.date(2030, 1, 31),
            template_name="letter_tr",
            sender_login="tester",
            from_address="muhasebe@ornek.com.tr",
            created_by="tester",
            created_at=SENT_AT,
            letter_count=len(rows),
        )
        session.add(batch)
        session.flush()
        for n, row in enumerate(rows):
            currency, first = row.balances[0]
            amount = Decimal(first)
            letter = Letter(
                batch_id=batch.id,
                account_code=row.code,
                account_title=row.title,
                currency=currency,
                debit_total=max(amount, Decimal("0")),
                credit_total=max(-amount, Decimal("0")),
                balance=amount,
                side="B" if amount > 0 else "A",
                token=f"t{batch.id}x{n}",
                message_id=f"<m{batch.id}.{n}@ornek.com.tr>",
                subject="Mutabakat",
                state=row.state,
                state_at=SENT_AT + dt.timedelta(minutes=row.minutes),
                created_at=SENT_AT,
            )
            session.add(letter)
            session.flush()
            for position, (code, text) in enumerate(row.balances):
                value = Decimal(text)
                session.add(
                    LetterBalance(
                        letter_id=letter.id,
                        currency=code,
                        position=position,
                        debit_total=max(value, Decimal("0")),
                        credit_total=max(-value, Decimal("0")),
                        balance=value,
                        side="B" if value > 0 else "A",
                    )
                )
            session.add(
                Recipient(
                    letter_id=letter.id,
                    address=f"muhasebe{n}@firma.com.tr",
                    state=RecipientState.ACCEPTED,
                    in_doubt=row.in_doubt,
                )
            )
        return batch.id
