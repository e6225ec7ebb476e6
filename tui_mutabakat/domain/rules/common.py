"""What every rule shares: the open item it reads, the decision it returns, a refusal.

Amounts are in one currency (the account's reporting currency, TL unless the caller says
otherwise); converting foreign-currency movements is the caller's job, before the rules run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.domain.formatting import format_amount, format_day

ZERO = Decimal("0")

#: A figure behind a decision, kept raw (not formatted) so an audit log records the value
#: itself; `format_figure` renders it for a screen.
Figure = Decimal | int | str | dt.date


class Outcome(StrEnum):
    """What the caller must do with the operation a rule looked at."""

    PASS = "pass"  # go on (when the rule fired with action "continue": go on, and log it)
    WARN = "warn"  # show the figures, let the user confirm or go back
    STOP = "stop"  # refuse, with the reason


def outcome_for(action: RuleAction, fired: bool) -> Outcome:
    """The outcome of a control whose configured `action` applies only when it `fired`."""
    if not fired or action is RuleAction.CONTINUE:
        return Outcome.PASS
    if action is RuleAction.WARN:
        return Outcome.WARN
    return Outcome.STOP


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One movement of an account as the rules see it: how much of it is still open.

    `amount` is the movement's debit (for a debit item) or credit (for a credit item);
    `settled` is how much of it debt closing has matched so far.
    """

    movement_id: int
    doc_type: DocumentType
    date: dt.date
    due_date: dt.date | None
    amount: Decimal
    settled: Decimal = ZERO

    @property
    def unsettled(self) -> Decimal:
        return self.amount - self.settled

    @property
    def is_open(self) -> bool:
        return self.unsettled > ZERO

    @property
    def effective_due(self) -> dt.date:
        """The due date the rules use: a movement without one is due on its document date.

        This is what Turkish ERPs do ("vadesiz" = due at once), and it keeps an undated debt
        from escaping every control.
        """
        return self.due_date if self.due_date is not None else self.date


@dataclass(frozen=True, slots=True)
class Refusal:
    """An operation a rule does not allow, with the reason in the user's language."""

    reason: str


def total_unsettled(items: Iterable[OpenItem]) -> Decimal:
    return sum((item.unsettled for item in items), ZERO)


def format_figure(value: Figure) -> str:
    """Render a figure the Turkish way: amounts `1.234,56`, dates `31.12.2026`."""
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, dt.date):
        return format_day(value)
    return str(value)
