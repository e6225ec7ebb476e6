"""`format_amount` writes an amount of up to two decimal places without Babel (issue 14.6):
the same text as Babel's Turkish format, whatever the amount."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from tui_mutabakat.domain.formatting import LOCALE, format_amount


def _babel(value: Decimal) -> str:
    return format_decimal(value, format="#,##0.00", locale=LOCALE, decimal_quantization=True)


@given(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.integers(min_value=0, max_value=2),
)
def test_amounts_of_up_to_two_places_read_as_babel_writes_them(units: int, places: int) -> None:
    value = Decimal(units).scaleb(-places)
    assert format_amount(value) == _babel(value)


def test_other_amounts_still_go_through_babel() -> None:
    for text in ("-0.00", "0", "1E+3", "12.345", "-0.005", "1234567.891"):
        value = Decimal(text)
        assert format_amount(value) == _babel(value), text
    assert format_amount(None) == ""
