"""Message translation. Source strings are Turkish; other languages come from `locale/*.po`.

Catalogs are read from the `.po` files with Babel at start-up, so no compiled `.mo` files live
in the repository. Call `set_language` before the interface modules are imported: their key
descriptions are translated when their classes are defined.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
SUPPORTED_LANGUAGES = ("tr", "en")

_catalog: dict[str, str] = {}
_language = "tr"


def set_language(language: str) -> None:
    """Switch every later `gettext` call to `language` ("tr" or "en")."""
    global _language
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; use one of {SUPPORTED_LANGUAGES}")
    _language = language
    _catalog.clear()
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "mutabakat.po"
    if language != "tr" and po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if message.id and message.string and isinstance(message.id, str):
                _catalog[message.id] = str(message.string)


def current_language() -> str:
    return _language


def gettext(message: str) -> str:
    return _catalog.get(message, message)


_ = gettext
