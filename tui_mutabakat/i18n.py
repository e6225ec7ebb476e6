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
#: Messages with plural forms (`ngettext`): Turkish singular → the translation's forms.
_plurals: dict[str, tuple[str, ...]] = {}
_language = "tr"


def set_language(language: str) -> None:
    """Switch every later `gettext` call to `language` ("tr" or "en")."""
    global _language
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {language!r}; use one of {SUPPORTED_LANGUAGES}")
    _language = language
    _catalog.clear()
    _plurals.clear()
    po_path = LOCALE_DIR / language / "LC_MESSAGES" / "mutabakat.po"
    if language != "tr" and po_path.exists():
        _catalog.update(read_catalog(po_path))
        _plurals.update(read_plurals(po_path))


def read_catalog(po_path: Path) -> dict[str, str]:
    """Turkish source → translation, for the entries of `po_path` that are translated and
    not fuzzy (a fuzzy entry is an old translation of a since changed text)."""
    from babel.messages.pofile import read_po  # not needed in Turkish: ~0.1 s at start-up

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        forms = _forms(message.string)
        if isinstance(message.id, str) and message.string:
            found[message.id] = str(message.string)
        elif isinstance(message.id, tuple | list) and forms and all(forms):
            # A plural message, by its singular: its first form (placeholders are compared).
            found[str(message.id[0])] = forms[0]
    return found


def _forms(string: object) -> tuple[str, ...]:
    """The forms of a plural message's translation (empty for a singular message)."""
    return tuple(str(form) for form in string) if isinstance(string, tuple | list) else ()


def read_plurals(po_path: Path) -> dict[str, tuple[str, ...]]:
    """Turkish singular → every form of the translation, for the translated plural messages
    of `po_path` (English: the form for one, the form for any other number)."""
    from babel.messages.pofile import read_po

    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        forms = _forms(message.string)
        if isinstance(message.id, tuple | list) and forms and all(forms) and not message.fuzzy:
            plurals[str(message.id[0])] = forms
    return plurals


def current_language() -> str:
    return _language


def gettext(message: str) -> str:
    return _catalog.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The message for `count` things: `ngettext("{count} hesap", "{count} hesap", n)` gives
    "1 account" / "2 accounts" in English (Turkish does not change the noun after a number).
    Only `count`'s form is chosen here; the caller still formats the placeholders."""
    forms = _plurals.get(singular)
    if forms:
        return forms[0] if count == 1 or len(forms) == 1 else forms[1]
    return singular if count == 1 else plural


def N_(message: str) -> str:  # noqa: N802 - the usual name of the marker
    """Mark a Turkish text for the catalogue without translating it (yet): for texts kept
    in module tables and translated where they are shown (`gettext(text)`)."""
    return message


_ = gettext
