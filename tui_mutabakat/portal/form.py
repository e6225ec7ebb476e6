"""The answer form as the page reads it: the choice, their balance per currency with its
side, the responder; what is wrong in the page's own words (the visitor's language)."""

from __future__ import annotations

from decimal import Decimal

from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.formatting import currency_label, parse_amount
from tui_mutabakat.mail.reply_text import AnswerKind
from tui_mutabakat.services.portal.answers import PageView

MAX_NOTE = 2000


def read_answer(
    fields: dict[str, str], view: PageView, w: dict[str, str]
) -> tuple[list[str], AnswerKind, dict[str, tuple[Decimal, str]]]:
    """The choice and their balances from the form, with what is wrong in the page's words."""
    errors: list[str] = []
    choice = fields.get("choice", "")
    kind = AnswerKind.AGREED if choice == "agreed" else AnswerKind.DISAGREED
    if choice not in ("agreed", "disagreed"):
        errors.append(w["e_choice"])
    if not fields.get("name", "").strip():
        errors.append(w["e_name"])
    if not check_email(fields.get("email", "")[:254]).ok:
        errors.append(w["e_email"])
    if len(fields.get("note", "")) > MAX_NOTE:
        errors.append(w["e_note"])
    theirs: dict[str, tuple[Decimal, str]] = {}
    wrong = len(errors)
    if choice == "disagreed":
        for figure in view.balances:
            text = fields.get(f"amount_{figure.currency}", "").strip()
            side = fields.get(f"side_{figure.currency}", "")
            if not text:
                continue
            try:
                amount = parse_amount(text[:40])
            except ValueError:
                errors.append(w["e_amount"].format(currency=currency_label(figure.currency)))
                continue
            if amount < 0:
                errors.append(w["e_amount"].format(currency=currency_label(figure.currency)))
                continue
            if side not in ("B", "A"):
                errors.append(w["e_side"].format(currency=currency_label(figure.currency)))
                continue
            theirs[figure.currency] = (amount, side)
        if not theirs and len(errors) == wrong:
            errors.append(w["e_none"])
    return errors, kind, theirs
