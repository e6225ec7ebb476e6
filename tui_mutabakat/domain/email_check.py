"""E-mail address checking with `email-validator` (SPEC B3), reasons in the user's language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from email_validator import (
    SPECIAL_USE_DOMAIN_NAMES,
    EmailNotValidError,
    EmailSyntaxError,
    EmailUndeliverableError,
)
from email_validator import validate_email as _validate

from tui_mutabakat.i18n import gettext as _


@dataclass(frozen=True, slots=True)
class EmailCheck:
    """The outcome of checking one address: the normalised form, or the reason it is wrong."""

    address: str
    normalized: str | None
    reason: str | None

    @property
    def ok(self) -> bool:
        return self.reason is None


#: The everyday address, which `email-validator` accepts unchanged: an ASCII dot-atom local
#: part, lower-case host labels without "--" (no IDNA to normalise), an alphabetic top-level
#: domain. Anything else takes the full check. A batch checks every recipient again, and the
#: full check costs ~35 µs an address; `tests/test_email_check.py` holds the two together.
_EVERYDAY = re.compile(
    r"(?=.{1,64}@)[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?=.{4,253}$)(?:(?!-)(?!.*--)[a-z0-9-]{1,63}(?<!-)\.)+([a-z]{2,63})"
)


def check_email(address: str | None, *, check_dns: bool = False) -> EmailCheck:
    text = (address or "").strip()
    if not text:
        return EmailCheck(text, None, _("E-posta adresi boş."))
    if not check_dns and len(text) <= 254:
        everyday = _EVERYDAY.fullmatch(text)
        if everyday is not None and everyday.group(1) not in SPECIAL_USE_DOMAIN_NAMES:
            return EmailCheck(text, text, None)
    try:
        result = _validate(text, check_deliverability=check_dns)
    except EmailSyntaxError as exc:
        return EmailCheck(text, None, _explain_syntax(text, exc))
    except EmailUndeliverableError:
        return EmailCheck(text, None, _("Alan adı e-posta kabul etmiyor (DNS kaydı yok)."))
    except EmailNotValidError as exc:
        return EmailCheck(text, None, _explain_other(exc))
    return EmailCheck(text, result.normalized, None)


def _explain_syntax(text: str, exc: EmailSyntaxError) -> str:
    if "@" not in text:
        return _("Adreste @ işareti yok.")
    if text.count("@") > 1:
        return _("Adreste birden fazla @ işareti var.")
    local, _sep, domain = text.rpartition("@")
    if not local:
        return _("@ işaretinden önce kullanıcı adı yok.")
    if not domain:
        return _("@ işaretinden sonra alan adı yok.")
    if " " in text:
        return _("Adreste boşluk olamaz.")
    if "." not in domain:
        return _("Alan adı eksik (örnek: firma.com.tr).")
    if ".." in text:
        return _("Adreste art arda iki nokta olamaz.")
    return _explain_other(exc)


def _phrases() -> tuple[tuple[str, str], ...]:
    """What `email-validator` says (in English), as words of the interface: the first entry
    whose phrase occurs in its message. Its own text is never shown."""
    return (
        ("too long", _("Adres çok uzun.")),
        ("period and a hyphen", _("Adreste nokta ile tire yan yana olamaz.")),
        ("two letters followed by two dashes", _("Alan adında iki harften sonra iki tire olamaz.")),
        ("special-use or reserved", _("Alan adı e-posta için kullanılamayan ayrılmış bir ad.")),
        ("top-level domain", _("Alan adının uzantısı geçerli değil (örnek: firma.com.tr).")),
        ("display name", _("Adı ve köşeli ayraçları yazmayın, yalnız adresi yazın.")),
        ("angle bracket", _("Adı ve köşeli ayraçları yazmayın, yalnız adresi yazın.")),
        ("bracket", _("Alan adı yerine köşeli ayraç içinde IP adresi kullanılamaz.")),
        ("Quoting", _("Adresin @ öncesi tırnak içinde yazılamaz.")),
        ("close quote", _("Kapanan tırnaktan sonra karakter olamaz.")),
        ("after the email address", _("Adresten sonra bir şey olamaz.")),
        ("at-sign", _("Adreste @ yerine ona benzeyen başka bir işaret var.")),
        (
            "Internationalized characters before",
            _("@ işaretinden önce Türkçe ya da özel harf olamaz."),
        ),
        ("hyphen", _("Alan adı tire ile başlayamaz ya da bitemez.")),
        ("period", _("Adres ya da alan adı nokta ile başlayamaz ya da bitemez.")),
    )


def _explain_other(exc: EmailNotValidError) -> str:
    """A Turkish (or the interface's) reason for any other refusal, naming the offending
    characters when the library lists them."""
    message = str(exc)
    for phrase, reason in _phrases():
        if phrase in message:
            return reason
    listed = message.rpartition(": ")[2].rstrip(".").split(", ") if ": " in message else []
    # The library names invisible characters in English ("ZERO WIDTH SPACE"): shown as U+….
    shown = [c if len(c) == 1 and c.isprintable() else "" for c in listed]
    if listed and all(shown):
        return _("Adreste geçersiz karakter var: {characters}").format(characters=" ".join(shown))
    return _("Adreste geçersiz karakter var.")
