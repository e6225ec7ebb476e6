"""The range of every date the product accepts (one place), and today's date.

01.01.1900 – 31.12.2199: wide enough for any document, due date or as-of date an accountant
enters and for the dates computed from them (answer-by, reminders: a few hundred days
later), narrow enough that adding days never runs past `date.max` (31.12.9999, where Python
raises) and that PostgreSQL and SQLite keep every one of them. A date outside is refused
where it comes in (domain/formatting.py `parse_day`, the services, the command line).
"""

from __future__ import annotations

import datetime as dt
from datetime import date

from tui_mutabakat.domain.money import OutOfRange
from tui_mutabakat.i18n import gettext as _

MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2199, 12, 31)


def day_out_of_range() -> OutOfRange:
    """The refusal of a date outside the range, with its message."""
    return OutOfRange(
        _("Tarih {first} ile {last} arasında olmalı.").format(
            first=MIN_DAY.strftime("%d.%m.%Y"), last=MAX_DAY.strftime("%d.%m.%Y")
        )
    )


def check_day(value: date) -> date:
    """`value`, when it lies within `MIN_DAY` … `MAX_DAY`; else `OutOfRange`."""
    if not MIN_DAY <= value <= MAX_DAY:
        raise day_out_of_range()
    return value


def local_today() -> date:
    """Today on this machine's calendar, where the user sits (the "sistem tarihi")."""
    return dt.datetime.now().astimezone().date()
