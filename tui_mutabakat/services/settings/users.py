"""A user's sender identity and SMTP server (SPEC A2), as `mutabakat user set-smtp` sets them.

The password itself is never stored: `password_ref` says where the sender reads it
(`env:NAME`, `file:/path` with mode 0600, or `cmd:command`, see `mail/secrets.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import User
from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.domain.errors import InvalidInput, NotFound, Refused
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.text_input import cleaned

PASSWORD_SOURCES = ("env:", "file:", "cmd:")


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int | None = None
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    login: str = ""
    password_ref: str = ""
    from_address: str = ""
    display_name: str = ""


def _user_to_change(session: Session, actor: Actor, login: str, what: str) -> User:
    """User `login`, if `actor` may change their `what` settings: their own, or an admin."""
    if not actor.is_admin and actor.login != login:
        raise Refused(
            _("Başka bir kullanıcının {what} ayarlarını yalnızca yönetici değiştirir.").format(
                what=what
            )
        )
    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        raise NotFound(_("Kullanıcı bulunamadı: {login}").format(login=login))
    return user


def _checked_server(
    session: Session, actor: Actor, login: str, host: str, port: int | None, ref: str, what: str
) -> tuple[User, str]:
    """The user whose `what` ("SMTP"/"IMAP") server is being set, after the checks both
    share; returns the user and the cleaned password reference."""
    user = _user_to_change(session, actor, login, what)
    if not host.strip():
        raise InvalidInput(_("{what} sunucusu boş olamaz.").format(what=what), "host")
    if port is not None and not 0 < port < 65536:
        raise InvalidInput(_("Port 1 ile 65535 arasında olmalı."), "port")
    ref = ref.strip()
    if ref and not ref.startswith(PASSWORD_SOURCES):
        raise InvalidInput(
            _(
                "Parola kaynağı env:AD, file:/yol ya da cmd:komut olmalı; parolanın kendisi "
                "saklanmaz."
            ),
            "password_ref",
        )
    return user, ref


def _checked_from(address: str) -> str:
    """The sender address, normalised, or the reason it cannot be one."""
    check = check_email(address)
    if not check.ok or check.normalized is None:
        raise InvalidInput(check.reason or _("Geçersiz e-posta adresi."), "from_address")
    return check.normalized


def _clean_smtp(smtp: SmtpSettings) -> SmtpSettings:
    return cleaned(
        smtp,
        {
            "host": (User.smtp_host, _("SMTP sunucusu"), False),
            "login": (User.smtp_login, _("SMTP kullanıcı adı"), False),
            "password_ref": (User.smtp_password_ref, _("Parola kaynağı"), False),
            "from_address": (User.from_address, _("Gönderen adresi"), False),
            "display_name": (User.display_name, _("Gönderen adı"), False),
        },
    )


def _clean_imap(imap: ImapSettings) -> ImapSettings:
    return cleaned(
        imap,
        {
            "host": (User.imap_host, _("IMAP sunucusu"), False),
            "login": (User.imap_login, _("IMAP kullanıcı adı"), False),
            "password_ref": (User.imap_password_ref, _("Parola kaynağı"), False),
        },
    )


def set_smtp(session: Session, actor: Actor, login: str, smtp: SmtpSettings) -> User:
    """Store the SMTP server and sender identity of user `login`, checked. A user sets
    their own; an admin anyone's."""
    smtp = _clean_smtp(smtp)
    user, ref = _checked_server(
        session, actor, login, smtp.host, smtp.port, smtp.password_ref, "SMTP"
    )
    address = _checked_from(smtp.from_address) if smtp.from_address else user.from_address
    user.smtp_host = smtp.host.strip()
    user.smtp_port = smtp.port
    user.smtp_security = smtp.security
    user.smtp_login = smtp.login.strip()
    user.smtp_password_ref = ref
    user.from_address = address
    if smtp.display_name:
        user.display_name = smtp.display_name.strip()
    session.flush()
    record(session, actor, "set_smtp", "user", user.id, f"{user.smtp_host}:{user.smtp_port}")
    return user


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """The mailbox answers and bounces are read from (SPEC E4)."""

    host: str
    port: int | None = None
    security: SmtpSecurity = SmtpSecurity.TLS
    login: str = ""
    password_ref: str = ""


def set_imap(session: Session, actor: Actor, login: str, imap: ImapSettings) -> User:
    """Store the IMAP mailbox of user `login`, checked like the SMTP settings."""
    imap = _clean_imap(imap)
    user, ref = _checked_server(
        session, actor, login, imap.host, imap.port, imap.password_ref, "IMAP"
    )
    user.imap_host = imap.host.strip()
    user.imap_port = imap.port
    user.imap_security = imap.security
    user.imap_login = imap.login.strip()
    user.imap_password_ref = ref
    session.flush()
    record(session, actor, "set_imap", "user", user.id, f"{user.imap_host}:{user.imap_port}")
    return user


@dataclass(frozen=True, slots=True)
class UserMail:
    """What the mail settings screen shows and saves for one user."""

    login: str
    smtp: SmtpSettings
    imap: ImapSettings
    #: The service sender an admin set (`user_admin.set_send_via`); shown, not saved here.
    send_via: str = ""


def imap_host_of(session: Session, login: str) -> str:
    """The IMAP server a user's answers are read from; empty when none is set."""
    return session.scalar(select(User.imap_host).where(User.login == login)) or ""


def user_logins(session: Session, actor: Actor) -> list[str]:
    """The users whose mail settings `actor` may change: an admin all, anyone else only
    their own."""
    if not actor.is_admin:
        return [actor.login]
    return list(session.scalars(select(User.login).order_by(User.login)))


def load_user_mail(session: Session, login: str) -> UserMail:
    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        raise NotFound(_("Kullanıcı bulunamadı: {login}").format(login=login))
    smtp = SmtpSettings(
        user.smtp_host,
        user.smtp_port,
        SmtpSecurity(user.smtp_security),
        user.smtp_login,
        user.smtp_password_ref,
        user.from_address,
        user.display_name,
    )
    imap = ImapSettings(
        user.imap_host,
        user.imap_port,
        SmtpSecurity(user.imap_security),
        user.imap_login,
        user.imap_password_ref,
    )
    return UserMail(user.login, smtp, imap, user.send_via)


def save_user_mail(session: Session, actor: Actor, mail: UserMail) -> None:
    """Save the sender identity always, and each server whose host is filled in, with the
    checks of `set_smtp` and `set_imap`."""
    if mail.smtp.host.strip():
        with _fields_of("smtp"):
            set_smtp(session, actor, mail.login, mail.smtp)
    else:
        user = _user_to_change(session, actor, mail.login, "SMTP")
        mail = UserMail(mail.login, _clean_smtp(mail.smtp), mail.imap)
        if mail.smtp.from_address.strip():
            user.from_address = _checked_from(mail.smtp.from_address)
        user.display_name = mail.smtp.display_name.strip()
        session.flush()
    if mail.imap.host.strip():
        with _fields_of("imap"):
            set_imap(session, actor, mail.login, mail.imap)


@contextmanager
def _fields_of(server: str) -> Iterator[None]:
    """Name a refused field after its server (`smtp_host`, `imap_port`, …): both servers
    share the checks, and the screen shows both."""
    try:
        yield
    except InvalidInput as error:
        if error.field in ("host", "port", "password_ref"):
            raise InvalidInput(str(error), f"{server}_{error.field}") from None
        raise
