"""The ranges of domain/money.py and domain/dates.py as a use case's refusals.

Every service that takes an amount, a quantity, a rate or a date from outside checks it
here, so the screens, the command line and any other caller get the same message
(`InvalidInput` naming the field) instead of a database error or a crash.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from tui_mutabakat.domain.dates import check_day
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.money import OutOfRange, check_amount, check_quantity, check_rate
from tui_mutabakat.i18n import gettext as _

T = TypeVar("T", Decimal, date)


def _checked(check: Callable[[T], T], value: T | None, field: str | None) -> None:
    if value is None:
        return
    try:
        check(value)
    except OutOfRange as exc:
        raise InvalidInput(str(exc), field) from exc


def amount_in_range(value: Decimal | None, field: str | None = None) -> None:
    """Refuse an amount beyond ±9.999.999.999.999.999,99 (`InvalidInput` for `field`)."""
    _checked(check_amount, value, field)


def quantity_in_range(value: Decimal | None, field: str | None = None) -> None:
    _checked(check_quantity, value, field)


def rate_in_range(value: Decimal | None, field: str | None = None) -> None:
    _checked(check_rate, value, field)


def day_in_range(value: date | None, field: str | None = None) -> None:
    """Refuse a date outside 01.01.1900 – 31.12.2199 (`InvalidInput` for `field`)."""
    _checked(check_day, value, field)


#: The most days a day count (answer period, reminder, ageing, due-date days) may be: ten
#: years, so a date plus such a count stays a date.
MAX_DAY_COUNT = 3660
#: The most copies of an invoice.
MAX_COPIES = 99


def day_count_in_range(value: int | None, field: str | None = None) -> None:
    if value is not None and value > MAX_DAY_COUNT:
        raise InvalidInput(
            _("Gün sayısı en fazla {count} olabilir.").format(count=MAX_DAY_COUNT), field
        )
