"""The states of batches, letters and recipients (SPEC "Letter and recipient states").

One vocabulary for screens, tests and exports. The string values are what the database
stores; the labels are what the user reads.
"""

from __future__ import annotations

from enum import StrEnum

from tui_mutabakat.i18n import gettext as _


class LetterState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    AGREED = "agreed"
    DISAGREED = "disagreed"
    UNCLEAR = "unclear"
    NO_ANSWER = "no_answer"
    BOUNCED = "bounced"
    CANCELLED = "cancelled"


class RecipientState(StrEnum):
    """One delivery to one address."""

    QUEUED = "queued"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    DEFERRED = "deferred"
    BOUNCED = "bounced"


class BatchState(StrEnum):
    """A batch is `open` while any of its letters still waits for delivery."""

    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class BalanceSide(StrEnum):
    """B: the counterparty owes us (borç); A: we owe them (alacak); empty: zero balance."""

    DEBIT = "B"
    CREDIT = "A"
    NONE = ""


#: Which letter state may follow which. Delivery uses the first rows; answers and
#: user actions (SPEC E) use the rest.
LETTER_TRANSITIONS: dict[LetterState, frozenset[LetterState]] = {
    LetterState.QUEUED: frozenset({LetterState.SENDING, LetterState.CANCELLED}),
    LetterState.SENDING: frozenset(
        {LetterState.SENT, LetterState.FAILED, LetterState.QUEUED, LetterState.CANCELLED}
    ),
    LetterState.SENT: frozenset(
        {
            LetterState.AGREED,
            LetterState.DISAGREED,
            LetterState.UNCLEAR,
            LetterState.NO_ANSWER,
            LetterState.BOUNCED,
            LetterState.CANCELLED,
        }
    ),
    LetterState.FAILED: frozenset({LetterState.QUEUED, LetterState.CANCELLED}),
    LetterState.UNCLEAR: frozenset(
        {LetterState.AGREED, LetterState.DISAGREED, LetterState.CANCELLED}
    ),
    LetterState.NO_ANSWER: frozenset(
        {LetterState.AGREED, LetterState.DISAGREED, LetterState.UNCLEAR, LetterState.CANCELLED}
    ),
    # A bounced letter may still be answered by phone or on paper.
    LetterState.BOUNCED: frozenset(
        {LetterState.QUEUED, LetterState.AGREED, LetterState.DISAGREED, LetterState.CANCELLED}
    ),
    LetterState.AGREED: frozenset({LetterState.DISAGREED, LetterState.UNCLEAR}),
    LetterState.DISAGREED: frozenset({LetterState.AGREED, LetterState.UNCLEAR}),
    LetterState.CANCELLED: frozenset(),
}

#: Recipient states that end a delivery: nothing more will be attempted.
FINAL_RECIPIENT_STATES = frozenset(
    {RecipientState.ACCEPTED, RecipientState.REFUSED, RecipientState.BOUNCED}
)
#: Recipient states that still need an SMTP transaction.
PENDING_RECIPIENT_STATES = frozenset({RecipientState.QUEUED, RecipientState.DEFERRED})
#: Letter states in which delivery is not finished.
UNDELIVERED_LETTER_STATES = frozenset({LetterState.QUEUED, LetterState.SENDING})


def can_transition(current: LetterState, new: LetterState) -> bool:
    return new in LETTER_TRANSITIONS[current]


def letter_state_label(state: LetterState) -> str:
    labels = {
        LetterState.QUEUED: _("Kuyrukta"),
        LetterState.SENDING: _("Gönderiliyor"),
        LetterState.SENT: _("Gönderildi"),
        LetterState.FAILED: _("Gönderilemedi"),
        LetterState.AGREED: _("Mutabık"),
        LetterState.DISAGREED: _("Mutabık değil"),
        LetterState.UNCLEAR: _("Belirsiz yanıt"),
        LetterState.NO_ANSWER: _("Yanıt yok"),
        LetterState.BOUNCED: _("Geri döndü"),
        LetterState.CANCELLED: _("İptal edildi"),
    }
    return labels[state]


def recipient_state_label(state: RecipientState) -> str:
    labels = {
        RecipientState.QUEUED: _("Kuyrukta"),
        RecipientState.ACCEPTED: _("Sunucu kabul etti"),
        RecipientState.REFUSED: _("Reddedildi"),
        RecipientState.DEFERRED: _("Ertelendi"),
        RecipientState.BOUNCED: _("Geri döndü"),
    }
    return labels[state]


def side_label(side: BalanceSide | str) -> str:
    """`B` → "borç", `A` → "alacak" (the words used inside a letter)."""
    if side == BalanceSide.DEBIT:
        return _("borç")
    if side == BalanceSide.CREDIT:
        return _("alacak")
    return _("sıfır")


def answer_kind_label(kind: str) -> str:
    """An answer's kind in the interface's words (stored: agreed, disagreed, unclear)."""
    words = {
        "agreed": _("Mutabık"),
        "disagreed": _("Mutabık değil"),
        "unclear": _("Belirsiz"),
    }
    return words.get(kind, kind)


def answer_channel_label(channel: str) -> str:
    """How an answer came, in the interface's words (stored: email, phone, paper, web)."""
    words = {
        "email": _("e-posta"),
        "phone": _("telefon"),
        "paper": _("kâğıt"),
        "web": _("yanıt sayfası"),
    }
    return words.get(channel, channel)
