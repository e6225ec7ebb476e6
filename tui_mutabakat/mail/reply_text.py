"""The words of a reply: the text above the quoted letter, and what it says (SPEC E4).

Pure functions over text. `new_text` cuts a reply at the first sign of the quoted original
(Thunderbird's `> ` lines, Gmail's "On … wrote:" / "… tarihinde … şunu yazdı:", Outlook's
"From:/Gönderen:" block or its underline, "Original Message" separators); `classify` reads
what is left; `html_to_text` turns an HTML-only reply into lines, quoting blockquotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from html.parser import HTMLParser

from tui_mutabakat.domain.money import MAX_AMOUNT
from tui_mutabakat.domain.text import fold


class AnswerKind(StrEnum):
    AGREED = "agreed"
    DISAGREED = "disagreed"
    UNCLEAR = "unclear"
    #: An automatic reply (out of office …): never an answer.
    AUTO = "auto"


# `match`ed at the start of one line, every run possessive (taken whole, never given back):
# one pass over the line. The "… wrote:" / "… yazdı:" ends are
# checked on the line's last characters (`_ends_wrote`), never with a `.*` that backtracks.
_QUOTE_START = re.compile(
    r"\s*+(?:>"
    r"|-{2,}+\s*+(?:original message|orijinal ileti|özgün ileti|forwarded message)"
    r"|(?:from|gönderen|kimden)\s*+:\s*+\S"
    r"|_{10,}+\s*+$)",
    re.IGNORECASE,
)
_WROTE_END = re.compile(r"(?:^|\W)(?:wrote|yazd[ıi]):$", re.IGNORECASE)
_HEADER_START = re.compile(r"\s*(?:on\b|\d)", re.IGNORECASE)


def _ends_wrote(line: str) -> bool:
    """Ends with "wrote:" or "yazdı:" (a whole word), trailing spaces aside."""
    return _WROTE_END.search(line.rstrip()[-7:]) is not None


def is_quote_start(line: str) -> bool:
    return line == "-- " or _QUOTE_START.match(line) is not None or _ends_wrote(line)


def new_text(body: str) -> str:
    """The part of a reply above the quoted original, trimmed."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if is_quote_start(line):
            break
        # "On Mon, 1 Dec 2026 at 10:00, Someone <x@y>\nwrote:" — Gmail wraps long headers.
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if following.strip() and _ends_wrote(following):
            if _HEADER_START.match(line) or "tarihinde" in line:
                break
        kept.append(line)
    return "\n".join(kept).strip()


# Disagreement first: "mutabık değiliz" contains "mutabık", "not agreed" contains "agreed".
_DISAGREED = re.compile(
    r"\b(mutabik\s+degil\w*|mutabik\s+olmad\w*|mutabakat\s+saglanamad\w*|not\s+agreed?"
    r"|do\s+not\s+agree|don'?t\s+agree|disagree\w*|(cannot|can'?t|do\s+not|don'?t)\s+confirm"
    r"|onaylam[iy]\w*|katilmiyoruz|itiraz\w*|uyusmuyor|tutmuyor)\b"
)
_AGREED = re.compile(
    r"\b(mutabikiz|agreed|we\s+agree|i\s+agree|we\s+confirm|confirmed|onayliyoruz|"
    r"onaylarim|onayliyorum|dogrudur|mutabakat\s+saglanmistir)\b"
)

_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)(?![\d])"
    r"(\s*(?:tl|try|₺|usd|eur|gbp))?"
    r"(\s*\(?\s*(?:b|a|borç|borc|alacak)\b\)?)?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b")


@dataclass(frozen=True, slots=True)
class Reading:
    kind: AnswerKind
    #: Their balance, as a positive amount, when they gave one.
    balance: Decimal | None = None
    #: "B" (borç), "A" (alacak) or "" when they did not say.
    side: str = ""
    #: Every figure the reply gives, with the currency it names, if any.
    figures: tuple[Figure, ...] = ()


def classify(text: str) -> Reading:
    """Agreed, disagreed (with the balance they give) or unclear."""
    folded = fold(text)
    if _DISAGREED.search(folded):
        balance, side = find_balance(text)
        return Reading(AnswerKind.DISAGREED, balance, side, find_figures(text))
    if _AGREED.search(folded):
        return Reading(AnswerKind.AGREED)
    return Reading(AnswerKind.UNCLEAR)


def parse_number(text: str) -> Decimal | None:
    """`12.345,67`, `12,345.67`, `12345,67`, `12 345,67` → Decimal('12345.67')."""
    cleaned = text.replace(" ", "").replace("'", "")
    last_dot, last_comma = cleaned.rfind("."), cleaned.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        mark = "." if last_dot >= 0 else ","
        tail = cleaned.rsplit(mark, 1)[1]
        # One mark followed by three digits is a thousands separator (12.345 / 12,345).
        decimal_mark = mark if cleaned.count(mark) == 1 and len(tail) != 3 else ""
    else:
        decimal_mark = ""
    thousands = {".", ","} - {decimal_mark}
    for sep in thousands:
        cleaned = cleaned.replace(sep, "")
    if decimal_mark:
        cleaned = cleaned.replace(decimal_mark, ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) > MAX_AMOUNT:
        return None  # no balance anybody keeps: not a figure to tie the answer to
    return value.quantize(Decimal("0.01"))


def find_balance(text: str) -> tuple[Decimal | None, str]:
    """The balance a reply gives, and its side: the first amount marked with a currency or
    a side, else the first with decimals, else the first number (dates left out)."""
    cleaned = _DATE.sub(" ", text)
    best: tuple[int, Decimal, str] | None = None
    for match in _NUMBER.finditer(cleaned):
        value = parse_number(match.group(1))
        if value is None:
            continue
        side_text = fold(match.group(3) or "").strip(" ()")
        side = "B" if side_text.startswith("b") else "A" if side_text.startswith("a") else ""
        rank = (
            0
            if (match.group(2) or side)
            else 1
            if re.search(r"[.,]\d{1,2}$", match.group(1))
            else 2
        )
        if best is None or rank < best[0]:
            best = (rank, value, side)
    if best is None:
        return None, ""
    if not best[2]:
        words = fold(text)
        side = "A" if re.search(r"\balacak", words) else "B" if re.search(r"\bborc", words) else ""
        return best[1], side
    return best[1], best[2]


@dataclass(frozen=True, slots=True)
class Figure:
    """An amount a reply gives: positive, with its side and the currency it names."""

    amount: Decimal
    side: str
    #: An ISO code ("TRY", "USD", …), or "" when the reply names none.
    currency: str
    #: Marked with a currency or a side: surely a balance, not some other number.
    marked: bool
    #: Has decimals (`12.345,67`): likely an amount.
    decimals: bool


_CURRENCY_WORDS = {
    "tl": "TRY",
    "try": "TRY",
    "₺": "TRY",
    "usd": "USD",
    "$": "USD",
    "dolar": "USD",
    "eur": "EUR",
    "€": "EUR",
    "euro": "EUR",
    "avro": "EUR",
    "gbp": "GBP",
    "£": "GBP",
    "sterlin": "GBP",
}
_CURRENCY = r"(?:\b(?:tl|try|usd|eur|gbp|dolar|euro|avro|sterlin)\b|[₺$€£])"
_FIGURE = re.compile(
    rf"(?:(?P<pre>{_CURRENCY})[ \t]?)?"
    r"(?<![\d.,])(?P<number>\d{1,3}(?:[.,' ]\d{3}){1,6}(?:[.,]\d{1,2})?|\d{1,18}(?:[.,]\d{1,2})?)"
    r"(?!\d)"
    rf"(?:[ \t]?(?P<post>{_CURRENCY}))?"
    r"(?:[ \t]{0,3}\(?[ \t]{0,3}(?P<side>b|a|borç|borc|alacak)\b\)?)?",
    re.IGNORECASE,
)


def find_figures(text: str, limit: int = 50) -> tuple[Figure, ...]:
    """Every amount of a reply (dates left out), each with the currency it names (before or
    after it: `USD 3.000,00`, `3.000,00 USD`, `$3,000.00`) and its side; at most `limit`."""
    found: list[Figure] = []
    for match in _FIGURE.finditer(_DATE.sub(" ", text)):
        value = parse_number(match.group("number"))
        if value is None:
            continue
        word = (match.group("pre") or match.group("post") or "").lower()
        side_text = fold(match.group("side") or "")
        side = "B" if side_text.startswith("b") else "A" if side_text.startswith("a") else ""
        currency = _CURRENCY_WORDS.get(word, "")
        decimals = bool(re.search(r"[.,]\d{1,2}$", match.group("number")))
        found.append(Figure(value, side, currency, bool(currency or side), decimals))
        if len(found) >= limit:
            break
    return tuple(found)


class _HtmlText(HTMLParser):
    _BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "hr", "table"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.quote = 0
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k in ("class", "id"))
        if tag in ("style", "script", "head"):
            self.skip += 1
        elif tag == "blockquote" or "gmail_quote" in classes or "divRplyFwdMsg" in classes:
            self._newline()
            self.quote += 1
        elif tag in self._BLOCK:
            self._newline()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag == "blockquote" and self.quote:
            self.quote -= 1
            self._newline()
        elif tag in self._BLOCK:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        text = " ".join(data.split())
        if text:
            if self.quote and not self.lines[-1]:
                self.lines[-1] = "> "
            self.lines[-1] = (
                f"{self.lines[-1]} {text}" if self.lines[-1].strip() else (self.lines[-1] + text)
            )

    def _newline(self) -> None:
        if self.lines[-1]:
            self.lines.append("")


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return "\n".join(line.rstrip() for line in parser.lines).strip()
