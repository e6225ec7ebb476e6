"""Text typed by users: folding for search, and what a form may store (`clean_text`).

Folding: Turkish letters and case do not matter when looking things up.

SQLite's `LIKE` folds only ASCII letters and PostgreSQL's `lower()` depends on the database
locale, so the account list searches a stored, folded copy of the searchable fields instead:
"çınar", "CINAR" and "Çınar" all find "Çınar İnşaat".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from tui_mutabakat.i18n import gettext as _

_FOLD = str.maketrans(
    {
        "ç": "c",
        "Ç": "c",
        "ğ": "g",
        "Ğ": "g",
        "ı": "i",
        "I": "i",
        "İ": "i",
        "ö": "o",
        "Ö": "o",
        "ş": "s",
        "Ş": "s",
        "ü": "u",
        "Ü": "u",
        "â": "a",
        "Â": "a",
        "î": "i",
        "Î": "i",
        "û": "u",
        "Û": "u",
    }
)


def fold(text: str) -> str:
    """Lower-case ASCII-ish form of `text`: `"Çınar İNŞAAT"` → `"cinar insaat"`. The
    combining dot above goes too: `"İ".lower()` is an "i" with one, and a decomposed "İ" an
    "I" with one."""
    return " ".join(text.translate(_FOLD).lower().replace("\u0307", "").split())


def fold_each(text: str) -> str:
    """`fold` letter for letter, spaces kept: `"İptal Et"` → `"iptal et"`, the same length
    as `text` wherever lower-casing keeps it (to mark where a folded match lies)."""
    return text.translate(_FOLD).lower()


def search_key(*parts: str) -> str:
    """The stored search text of a record: its folded parts separated by spaces."""
    return " ".join(fold(part) for part in parts if part)


#: The Turkish alphabet (with q, w, x where Turkish dictionaries put them).
_ALPHABET = "abcçdefgğhıijklmnoöpqrsştuüvwxyz"
#: Each letter as one ASCII character in alphabetical order ("A" for a … "`" for z), so
#: the key sorts the Turkish way byte by byte, on any database and in any locale.
_RANK = {letter: chr(0x41 + index) for index, letter in enumerate(_ALPHABET)}
_RANK.update({"â": _RANK["a"], "î": _RANK["i"], "û": _RANK["u"]})


def turkish_lower(text: str) -> str:
    """Lower case the Turkish way: `"IŞIK İZMİR"` → `"ışık izmir"`."""
    return text.replace("I", "ı").replace("İ", "i").lower()


def sort_key(text: str) -> str:
    """A key that sorts `text` in Turkish alphabetical order, case and punctuation aside:
    `sort_key("Akın") < sort_key("Aksoy")` (ı comes before s), "Çınar" after "Cem", "Ölmez"
    after "Ozan". Digits come first, a space before any letter; other letters by their
    base letter (é as e), anything else is left out."""
    key = []
    for char in turkish_lower(" ".join(text.split())):
        if char in _RANK:
            key.append(_RANK[char])
        elif char.isdigit() and char.isascii() or char == " ":
            key.append(char)
        elif char.isalpha():
            base = unicodedata.normalize("NFKD", char)[0]
            key.append(_RANK.get(base, char))
    return "".join(key)


# ---------------------------------------------------------------- what a form may store
#
# Every text a user types (codes, titles, names, addresses, notes) passes `clean_text`
# before it is stored, in the services (the forms use the same check as you type). NUL
# and the other control characters are refused (PostgreSQL refuses NUL with a `DataError`,
# and a control character in a header or a CSV is trouble); so are the bidirectional
# overrides and isolates, which make text display as something it is not (`U+202E`), and
# any other invisible format character. Zero-width spaces and joiners and the byte order
# mark, which pasting brings along unseen, are removed. The text is put in NFC (a
# decomposed "ş" is one character, as typed), stripped, and checked against the column's
# length.

#: Removed silently: invisible, and harmless once removed.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
#: Bidirectional embeddings, overrides and isolates, and the direction marks.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_MULTILINE_OK = frozenset("\n\t")


class TextProblem(ValueError):
    """Text a form must not store; the message is in the user's language."""


def _refusal(char: str) -> str | None:
    """Why `char` cannot be stored, or None."""
    if char in _BIDI:
        return _("yazı yönünü değiştiren görünmez karakter")
    category = unicodedata.category(char)
    if category == "Cc" or char in "\u2028\u2029":
        return _("denetim karakteri")
    if category == "Cs":
        return _("geçersiz Unicode karakteri")
    if category == "Cf":
        return _("görünmez biçim karakteri")
    return None


def clean_text(value: str, *, max_length: int | None = None, multiline: bool = False) -> str:
    """`value` as it may be stored: NFC, zero-width characters removed, stripped (line
    ends made `\\n` when `multiline`). Raises `TextProblem` for a control character (a tab
    or line end is allowed only when `multiline`), a bidi control or another invisible
    format character, and for more than `max_length` characters."""
    text = value
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline and text.isprintable():
        # No control, format, surrogate or separator character (other than the space):
        # nothing to refuse or remove — the loop below would keep every character.
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
    elif not text.isascii() or any(c < " " or c == "\x7f" for c in text):
        kept: list[str] = []
        for index, char in enumerate(text, 1):
            if char in _ZERO_WIDTH:
                continue
            if multiline and char in _MULTILINE_OK:
                kept.append(char)
                continue
            why = _refusal(char)
            if why is not None:
                raise TextProblem(
                    _("{position}. karakter kullanılamaz: {why} (U+{code:04X}).").format(
                        position=index, why=why, code=ord(char)
                    )
                )
            kept.append(char)
        text = unicodedata.normalize("NFC", "".join(kept))
    text = text.strip()
    if max_length is not None and len(text) > max_length:
        raise TextProblem(
            _("En fazla {limit} karakter olabilir ({length} yazıldı).").format(
                limit=max_length, length=len(text)
            )
        )
    return text


def join_sentences(parts: Iterable[str]) -> str:
    """Messages in one line: after one that ends a sentence ("E-posta adresi boş.") a
    space, else "; " — never ".; "."""
    joined = ""
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if joined:
            joined += " " if joined.endswith((".", "!", "?", ":")) else "; "
        joined += part
    return joined


def address_line(address: str, city: str) -> str:
    """The address with the city after it — unless the address already ends with the city
    ("… Kadıköy/İstanbul" and "İstanbul": once), whatever its case and Turkish letters.
    The address field may hold the district and city (as ERPs export it) or not."""
    address, city = address.strip(), city.strip()
    if not city:
        return address
    folded, name = fold(address), fold(city)
    if folded.endswith(name):
        before = folded[: len(folded) - len(name)]
        if not before or not before[-1].isalnum():
            return address
    return f"{address} {city}".strip()
