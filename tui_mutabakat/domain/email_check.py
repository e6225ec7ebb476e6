"""E-mail address checking with `email-validator` (SPEC B3), reasons in the user's language."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, EmailSyntaxError, EmailUndeliverableError
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


def check_email(address: str | None, *, check_dns: bool = False) -> EmailCheck:
    text = (address or "").strip()
    if not text:
        return EmailCheck(text, None, _("E-posta adresi boş."))
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
