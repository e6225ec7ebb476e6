"""Trying a user's mail servers from the settings screen: can the sender log in to the SMTP
server, can the mailbox be opened? Nothing is sent and nothing is read."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.imap import ImapError, Mailbox
from tui_mutabakat.mail.transport import TransportUnavailable
from tui_mutabakat.services.sending.worker import transport_for
from tui_mutabakat.services.tracking.mailbox import mailbox_of


@dataclass(frozen=True, slots=True)
class ServerCheck:
    what: str
    ok: bool
    detail: str


def check_servers(database: Database, settings: Settings, login: str) -> list[ServerCheck]:
    """Connect to the SMTP server (and log in) and open the IMAP mailbox of `login`, as
    saved; the reason when either fails. Blocks: call it from a thread."""
    return [_check_smtp(database, settings, login), _check_imap(database, settings, login)]


def _check_smtp(database: Database, settings: Settings, login: str) -> ServerCheck:
    try:
        transport = transport_for(database, replace(settings, mail_backend="smtp"), login)
    except TransportUnavailable as exc:
        return ServerCheck("SMTP", False, str(exc))

    async def connect() -> None:
        try:
            await transport.open()
        finally:
            await transport.close()

    try:
        asyncio.run(connect())
    except TransportUnavailable as exc:
        return ServerCheck("SMTP", False, str(exc))
    return ServerCheck("SMTP", True, _("{where}: bağlanıldı.").format(where=transport.description))


def _check_imap(database: Database, settings: Settings, login: str) -> ServerCheck:
    try:
        mailbox = mailbox_of(database, login, acting=settings.acting_login)
    except ImapError as exc:
        return ServerCheck("IMAP", False, str(exc))
    if mailbox is None:
        return ServerCheck("IMAP", False, _("IMAP sunucusu tanımlı değil."))
    try:
        with Mailbox(mailbox):
            pass
    except ImapError as exc:
        return ServerCheck("IMAP", False, str(exc))
    return ServerCheck("IMAP", True, _("{where}: posta kutusu açıldı.").format(where=mailbox.key))
