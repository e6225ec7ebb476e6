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
        return EmailCheck(text, None, _("Geçersiz e-posta adresi: {detail}").format(detail=exc))
    return EmailCheck(text, result.normalized, None)


def _explain_syntax(text: str, exc: EmailSyntaxError) -> str:
    message = str(exc)
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
    return _("Geçersiz e-posta adresi: {detail}").format(detail=message)
