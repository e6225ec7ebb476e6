"""A due date that follows its document's date until the user types one of their own.

The movement form and the dispatch-note invoice both fill the due date in as a real value
(the document date + the account's payment term) and move it along when the date changes;
a due date the user typed stays as typed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from textual.widgets import Input

from tui_mutabakat.domain.formatting import format_day, parse_day


def _whole(text: str) -> bool:
    """A date typed whole, its year in four digits (31.12.2026, 2026-12-31, 31122026): "10.12.2"
    is a date still being typed, not the year 2002."""
    cleaned = text.strip()
    if cleaned.isdigit():
        return len(cleaned) == 8
    parts = re.split(r"[./-]", cleaned)
    year = parts[0] if "-" in cleaned else parts[-1]
    return len(parts) == 3 and len(year) == 4


class FollowingDueDate:
    def __init__(self, due: Input, due_for: Callable[[dt.date], dt.date]) -> None:
        self._due = due
        self._due_for = due_for
        #: The value this filled in last; any other non-empty value was typed by the user.
        self._filled = ""

    def fill(self, due: dt.date) -> None:
        """Show `due` as the field's value (one worked out elsewhere, a draft's)."""
        self._filled = format_day(due)
        self._due.value = self._filled

    def date_changed(self, text: str) -> None:
        """The document date now reads `text`: the due date moves with it, unless the user
        typed their own or the date does not read as one yet."""
        current = self._due.value
        if current.strip() and current != self._filled:
            return
        if not _whole(text):
            return
        try:
            date = parse_day(text)
        except ValueError:
            return
        self.fill(self._due_for(date))
