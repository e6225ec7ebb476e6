"""Turkish number and date formats for screens and letters (Babel, never by hand)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from tui_mutabakat.domain.dates import MAX_DAY, MIN_DAY, check_day, day_out_of_range
from tui_mutabakat.domain.money import check_amount

LOCALE = "tr_TR"
_CURRENCY_LABELS = {"TRY": "TL"}


def currency_label(code: str) -> str:
    """A currency as users read it: "TL" for the Turkish lira (stored as its ISO code
    `TRY`), every other by its code ("USD", "EUR"). Every screen, list, message and page
    that names a currency goes through here. Several ("TRY/EUR": an account's letter that
    lists them) are said each ("TL/EUR")."""
    if "/" in code:
        return "/".join(currency_label(part) for part in code.split("/"))
    return _CURRENCY_LABELS.get(code, code)


def currency_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    """(label, code) pairs for a choice of currencies (a `Select`): "TL" shown, `TRY` kept."""
    return [(currency_label(code), code) for code in codes]


def format_amount(value: Decimal | None) -> str:
    """`Decimal("1234567.89")` → `"1.234.567,89"`.

    An amount of at most two decimal places (every stored one) is written by Python's own
    grouping with the separators swapped: Babel's output, about twenty times sooner (a page
    of a list formats three amounts a row). Anything else goes through Babel."""
    if value is None:
        return ""
    if value.is_finite() and int(value.as_tuple().exponent) >= -2:
        return f"{value:,.2f}".translate(_SWAP_SEPARATORS)
    return format_decimal(value, format="#,##0.00", locale=LOCALE, decimal_quantization=True)


_SWAP_SEPARATORS = str.maketrans({",": ".", ".": ","})


def format_money(value: Decimal | None, currency: str = "TRY") -> str:
    """`Decimal("1234567.89")` → `"1.234.567,89 TL"`."""
    if value is None:
        return ""
    return f"{format_amount(value)} {currency_label(currency)}"


def format_day(value: date | None) -> str:
    """`date(2026, 12, 31)` → `"31.12.2026"`."""
    if value is None:
        return ""
    return format_date(value, format="dd.MM.yyyy", locale=LOCALE)


def parse_amount(text: str) -> Decimal:
    """Parse an amount typed the Turkish way (`1.234,56`) or plainly (`1234.56`).

    Raises `ValueError` with a short reason when the text is not an amount, `OutOfRange` (a
    `ValueError` whose text is the user's message) when it is beyond domain/money.py's range.
    """
    cleaned = text.strip().replace(" ", "").replace("TL", "")
    if not cleaned:
        raise ValueError("empty amount")
    if "," in cleaned or cleaned.count(".") > 1:
        try:
            value = parse_decimal(cleaned, locale=LOCALE, strict=False)
        except NumberFormatError as exc:
            raise ValueError(str(exc)) from exc
    else:
        try:
            value = Decimal(cleaned)
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not an amount: {text!r}")
    return check_amount(value).quantize(Decimal("0.01"))


def local_moment(moment: datetime) -> datetime:
    """A stored moment in local time. A naive one is UTC: SQLite gives them back naive."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone()


def format_moment(moment: datetime) -> str:
    """A stored moment in local time, `31.12.2026 14:05` (strftime, not Babel: the same
    digits, and a page formats a few hundred of them)."""
    return f"{local_moment(moment):%d.%m.%Y %H:%M}"


def parse_day(text: str) -> date:
    """Parse `31.12.2026` (also `31/12/2026`, `2026-12-31`, and typed without separators as
    in the ERPs: `31122026`, `311226`).

    Raises `ValueError` when the text is not a date, `OutOfRange` (a `ValueError` whose text
    is the user's message) when it is one outside domain/dates.py's range.
    """
    cleaned = text.strip()
    if cleaned.isdigit() and len(cleaned) in (6, 8):
        cleaned = f"{cleaned[:2]}.{cleaned[2:4]}.{cleaned[4:]}"
    if "-" in cleaned:
        parts = cleaned.split("-")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a date: {text!r}")
        year, month, day = (int(p) for p in parts)
    else:
        parts = cleaned.replace("/", ".").split(".")
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a date: {text!r}")
        day, month, year = (int(p) for p in parts)
        if year < 100:
            year += 2000
    if not MIN_DAY.year <= year <= MAX_DAY.year:
        raise day_out_of_range()
    return check_day(date(year, month, day))
