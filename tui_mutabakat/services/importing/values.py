"""Cell values as ERPs write them, read into Decimal, date, bool and text.

A cell is what a reader gives: `str`, `int`, `float`, `bool`, `date`, `datetime`, or `None`
/ `""` for an empty cell. Every parser raises `ValueError` with a short Turkish reason.

Numbers: `1.234,56` (Turkish), `1,234.56` (English), `1234,56`, `1234.56`, numeric cells,
with `TL`/`₺`/a currency code around them, a leading or trailing minus, or in parentheses.
When a number has both separators the last one is the decimal mark; when it has one
separator once, followed by exactly three digits, that separator groups thousands
(`1.234` and `1,234` are 1234: money has two decimals, so the other reading is no amount);
otherwise it is the decimal mark. Amounts keep at most two decimals; rates six.

Dates: date cells, Excel serial numbers (days since 1899-12-30), `31.12.2026`,
`31/12/2026`, `31-12-2026`, `2026-12-31`, each optionally followed by a time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation

from tui_mutabakat.i18n import gettext as _

Cell = object

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CURRENCY_WORDS = re.compile(r"(?i)\b(?:tl|try|ytl|usd|eur|gbp)\b|[₺$€£]")
_NUMBER = re.compile(r"\d+(?:[.,' ]\d+)*")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_ISO_DAY = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_TURKISH_DAY = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})")
_SERIAL = re.compile(r"\d+(?:[.,]\d+)?")


def is_empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def text(cell: Cell) -> str:
    """A cell as text: numbers without a useless `.0` (codes and tax numbers are often
    stored as numbers by Excel), dates in `31.12.2026` form."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.strftime("%d.%m.%Y")
    if isinstance(cell, dt.date):
        return cell.strftime("%d.%m.%Y")
    return " ".join(str(cell).replace("\u00a0", " ").split())


def number(cell: Cell, *, places: int = 2) -> Decimal:
    """A number with at most `places` decimals (see the module text for the formats)."""
    if isinstance(cell, bool) or cell is None:
        raise ValueError(_("sayı değil"))
    if isinstance(cell, int):
        value = Decimal(cell)
    elif isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            raise ValueError(_("sayı değil"))
        value = Decimal(repr(cell))
    elif isinstance(cell, Decimal):
        value = cell
    elif isinstance(cell, str):
        value = _number_text(cell, places)
    else:
        raise ValueError(_("sayı değil"))
    if not value.is_finite() or abs(value) >= Decimal(10) ** 15:
        raise ValueError(_("sayı çok büyük ya da geçersiz"))
    quantum = Decimal(1).scaleb(-places)
    rounded = value.quantize(quantum)
    if rounded != value:
        raise ValueError(_("en fazla {places} ondalık hane olabilir").format(places=places))
    return rounded


def _number_text(raw: str, places: int) -> Decimal:
    cleaned = _CURRENCY_WORDS.sub("", raw.replace("\u00a0", " ")).strip()
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1].strip()
    if cleaned.endswith("-"):
        negative, cleaned = True, cleaned[:-1].strip()
    if cleaned.startswith("-"):
        negative, cleaned = not negative, cleaned[1:].strip()
    elif cleaned.startswith("+"):
        cleaned = cleaned[1:].strip()
    if not cleaned or not _NUMBER.fullmatch(cleaned):
        raise ValueError(_("sayı değil: {text}").format(text=raw.strip()[:40]))
    digits = cleaned.replace(" ", "").replace("'", "")
    dots, commas = digits.count("."), digits.count(",")
    if dots and commas:
        decimal_mark = "." if digits.rfind(".") > digits.rfind(",") else ","
    elif dots + commas == 1:
        mark = "." if dots else ","
        after = len(digits) - digits.find(mark) - 1
        # "1.234" is a thousand in a money column; a rate keeps "38,123" as a rate.
        decimal_mark = mark if (after != 3 or places > 2) else ""
    elif dots + commas > 1:
        decimal_mark = ""  # "1.234.567": grouping only
    else:
        decimal_mark = ""
    grouping = "," if decimal_mark == "." else "." if decimal_mark == "," else ".,"
    if decimal_mark and digits.count(decimal_mark) > 1:
        raise ValueError(_("sayı değil: {text}").format(text=raw.strip()[:40]))
    for char in grouping:
        digits = digits.replace(char, "")
    if decimal_mark:
        digits = digits.replace(decimal_mark, ".")
    try:
        value = Decimal(digits)
    except InvalidOperation as exc:
        raise ValueError(_("sayı değil: {text}").format(text=raw.strip()[:40])) from exc
    return -value if negative else value


def day(cell: Cell) -> dt.date:
    """A date (see the module text for the forms taken)."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, bool) or cell is None:
        raise ValueError(_("tarih değil"))
    if isinstance(cell, int | float):
        return _serial(float(cell))
    if not isinstance(cell, str):
        raise ValueError(_("tarih değil"))
    return _day_text(cell)


@functools.lru_cache(maxsize=4096)
def _day_text(cell: str) -> dt.date:
    """A date written as text; a ledger repeats its days, so each text is read once."""
    raw = cell.strip()
    cleaned = _TIME_TAIL.sub("", raw).strip()
    try:
        if _ISO_DAY.fullmatch(cleaned):
            year, month, mday = (int(p) for p in cleaned.split("-"))
            return dt.date(year, month, mday)
        match = _TURKISH_DAY.fullmatch(cleaned)
        if match:
            mday, month, year = (int(p) for p in match.groups())
            if year < 100:
                year += 2000
            return dt.date(year, month, mday)
        if _SERIAL.fullmatch(cleaned):
            return _serial(float(cleaned.replace(",", ".")))
    except ValueError as exc:
        raise ValueError(_("geçersiz tarih: {text}").format(text=raw[:40])) from exc
    raise ValueError(_("tarih değil: {text}").format(text=raw[:40]))


def _serial(value: float) -> dt.date:
    # Excel's serials for 1950..2100; anything else is not a date in a ledger.
    if not 18_264 <= value < 73_051:
        raise ValueError(_("tarih değil: {text}").format(text=text(value)))
    return _EXCEL_EPOCH + dt.timedelta(days=int(value))


_YES = {"1", "e", "evet", "x", "var", "true", "yes", "y", "doğru", "dogru", "aktif"}
_NO = {"0", "h", "hayır", "hayir", "yok", "false", "no", "n", "yanlış", "yanlis", "pasif"}


def flag(cell: Cell) -> bool:
    """A yes/no cell: `Evet`/`Hayır`, `E`/`H`, `1`/`0`, `X`/empty."""
    if isinstance(cell, bool):
        return cell
    word = text(cell).lower().replace("İ", "i")
    if word in _YES:
        return True
    if word in _NO or not word:
        return False
    raise ValueError(_("evet/hayır değil: {text}").format(text=word[:40]))


def side(cell: Cell) -> int:
    """A debit/credit mark: +1 for B/Borç/D/Dr, -1 for A/Alacak/C/Cr."""
    word = text(cell).strip("() ").lower()
    if word in ("b", "borç", "borc", "borçlu", "borclu", "d", "dr", "debit"):
        return 1
    if word in ("a", "alacak", "alacaklı", "alacakli", "c", "cr", "credit"):
        return -1
    raise ValueError(_("B (borç) ya da A (alacak) olmalı: {text}").format(text=word[:20]))


_CURRENCY_ALIASES = {
    "tl": "TRY",
    "try": "TRY",
    "ytl": "TRY",
    "₺": "TRY",
    "usd": "USD",
    "$": "USD",
    "abd doları": "USD",
    "dolar": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "avro": "EUR",
    "€": "EUR",
    "gbp": "GBP",
    "£": "GBP",
    "sterlin": "GBP",
}


def currency(cell: Cell, known: tuple[str, ...]) -> str:
    """A currency code; empty means TRY."""
    word = text(cell).lower()
    if not word:
        return "TRY"
    code = _CURRENCY_ALIASES.get(word, word.upper())
    if code not in known:
        raise ValueError(
            _("döviz cinsi şunlardan biri olmalı: {codes}").format(codes=", ".join(known))
        )
    return code


def routing_word(value: str) -> str:
    """The word an export writes for a routing value (`contacts` / `department`)."""
    return _("Departman") if value == "department" else _("Yetkililer")


def routing(cell: Cell) -> str:
    """`Yetkililer` / `Departman` (or the stored values) → `contacts` / `department`."""
    word = text(cell).lower().replace("İ", "i")
    if word in ("yetkililer", "yetkili", "contacts", "kişiler", "kisiler"):
        return "contacts"
    if word in ("departman", "department", "departmana", "muhasebe"):
        return "department"
    raise ValueError(_("Yetkililer ya da Departman olmalı: {text}").format(text=word[:20]))
