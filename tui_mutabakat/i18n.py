"""Message translation. Source strings are Turkish; other languages come from `locale/*.po`.

Catalogs are read from the `.po` files with Babel at start-up, so no compiled `.mo` files live
in the repository; as with `msgfmt`, untranslated and fuzzy entries fall back to the Turkish
source. `scripts/update_catalog.sh` extracts the `_()` strings and updates the catalogs.

Call `set_language` before the interface modules (app, screens, widgets) are imported: their
key descriptions, titles and menu entries are translated when their classes and module
constants are defined. The core (domain, data, services) translates only when called.
"""

from __future__ import annotations

from pathlib import Path

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
        _catalog.update(read_catalog(po_path))


def read_catalog(po_path: Path) -> dict[str, str]:
    """Turkish source → translation, for the entries of `po_path` that are translated and
    not fuzzy (a fuzzy entry is an old translation of a since changed text)."""
    from babel.messages.pofile import read_po  # not needed in Turkish: ~0.1 s at start-up

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    return {
        message.id: str(message.string)
        for message in catalog
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy
    }


def current_language() -> str:
    return _language


def gettext(message: str) -> str:
    return _catalog.get(message, message)


_ = gettext
