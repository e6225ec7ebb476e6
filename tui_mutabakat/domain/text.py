"""Text folding for search: Turkish letters and case do not matter when looking things up.

SQLite's `LIKE` folds only ASCII letters and PostgreSQL's `lower()` depends on the database
locale, so the account list searches a stored, folded copy of the searchable fields instead:
"çınar", "CINAR" and "Çınar" all find "Çınar İnşaat".
"""

from __future__ import annotations

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
    """Lower-case ASCII-ish form of `text`: `"Çınar İNŞAAT"` → `"cinar insaat"`."""
    return " ".join(text.translate(_FOLD).lower().split())


def search_key(*parts: str) -> str:
    """The stored search text of a record: its folded parts separated by spaces."""
    return " ".join(fold(part) for part in parts if part)
