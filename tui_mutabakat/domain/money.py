"""The range of every amount, quantity and exchange rate the product keeps (one place).

Each is a number of 18 digits (PostgreSQL `NUMERIC(18, places)`, integer units on SQLite,
data/money.py): an amount has 2 decimal places, so the largest is 9.999.999.999.999.999,99;
a quantity has 3, an exchange rate 6. A value beyond its range is refused where it comes in
(the parsers in domain/formatting.py, the services, the command line) with `OutOfRange`,
whose text is the message for the user.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

from tui_mutabakat.i18n import gettext as _

#: Digits of every stored number.
DIGITS = 18
AMOUNT_PLACES = 2
QUANTITY_PLACES = 3
RATE_PLACES = 6


def largest(places: int) -> Decimal:
    """The largest number of `DIGITS` digits with `places` decimals."""
    return Decimal(10**DIGITS - 1).scaleb(-places)


#: The largest amount (either sign): 9.999.999.999.999.999,99.
MAX_AMOUNT = largest(AMOUNT_PLACES)
MAX_QUANTITY = largest(QUANTITY_PLACES)
MAX_RATE = largest(RATE_PLACES)


class OutOfRange(ValueError):
    """A number or a date the product cannot keep; `str()` is the message for the user."""


def _limit_text(places: int) -> str:
    return format_decimal(largest(places), format="#,##0." + "0" * places, locale="tr_TR")


def check_amount(value: Decimal) -> Decimal:
    """`value`, when it is a finite amount within ±`MAX_AMOUNT`; else `OutOfRange`."""
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        raise OutOfRange(
            _("Tutar çok büyük: en fazla {limit} olabilir.").format(
                limit=_limit_text(AMOUNT_PLACES)
            )
        )
    return value


def check_quantity(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) > MAX_QUANTITY:
        raise OutOfRange(
            _("Miktar çok büyük: en fazla {limit} olabilir.").format(
                limit=_limit_text(QUANTITY_PLACES)
            )
        )
    return value


def check_rate(value: Decimal) -> Decimal:
    if not value.is_finite() or abs(value) > MAX_RATE:
        raise OutOfRange(
            _("Kur çok büyük: en fazla {limit} olabilir.").format(limit=_limit_text(RATE_PLACES))
        )
    return value
