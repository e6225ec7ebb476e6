"""Reading the sender's mailbox over IMAP (SPEC E4), with the standard library's imaplib.

Implicit TLS, STARTTLS, or plain IMAP on the loopback interface only (as for SMTP). Messages
are fetched with `BODY.PEEK[]`, so reading flags nothing; nothing is ever deleted or moved.
The caller marks as seen only the messages it matched (`mark_seen`).
"""

from __future__ import annotations

import imaplib
import re
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.delivery import is_loopback
from tui_mutabakat.mail.secrets import Secret

_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


class ImapError(Exception):
    """The mailbox could not be read; the message says why (never the password)."""


@dataclass(frozen=True, slots=True)
class ImapConfig:
    """How to reach one mailbox, the password resolved (what a user stores is
    `services.settings.users.ImapSettings`, like `SmtpConfig` and `SmtpSettings`)."""

    host: str
    port: int
    security: SmtpSecurity
    login: str
    password: Secret | None
    folder: str = "INBOX"
    timeout: float = 30.0
    #: For tests and private servers: a CA bundle to trust instead of the system's.
    cafile: str | None = None

    @property
    def key(self) -> str:
        """Names the mailbox in `MailboxState`: `login@host:port/INBOX`."""
        return f"{self.login}@{self.host}:{self.port}/{self.folder}"


def default_port(security: SmtpSecurity) -> int:
    return 993 if security is SmtpSecurity.TLS else 143


class Mailbox:
    """One open IMAP session on one folder."""

    def __init__(self, settings: ImapConfig) -> None:
        self.settings = settings
        self._conn = _connect(settings)
        try:
            typ, data = self._conn.select(_quote(settings.folder))
            if typ != "OK":
                raise ImapError(f"{settings.folder}: {_text(data)}")
            self.uidvalidity = self._uidvalidity()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Mailbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _uidvalidity(self) -> int:
        _typ, data = self._conn.response("UIDVALIDITY")
        for item in data:
            if isinstance(item, bytes) and item.strip().isdigit():
                return int(item)
        typ, status = self._conn.status(_quote(self.settings.folder), "(UIDVALIDITY)")
        match = _UIDVALIDITY.search(b" ".join(s for s in status if isinstance(s, bytes)))
        if typ != "OK" or match is None:
            raise ImapError("UIDVALIDITY")
        return int(match.group(1))

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs greater than `last_uid`, ascending. (`n:*` always names the last message,
        even when its UID is below n, hence the filter.)"""
        typ, data = self._conn.uid("SEARCH", "UID", f"{last_uid + 1}:*")
        if typ != "OK":
            raise ImapError(f"SEARCH: {_text(data)}")
        found = b" ".join(d for d in data if isinstance(d, bytes)).split()
        return sorted(u for u in (int(x) for x in found) if u > last_uid)

    def sizes_after(self, last_uid: int) -> dict[int, int]:
        """UID → size in bytes of every message above `last_uid` (one command)."""
        typ, data = self._conn.uid("FETCH", f"{last_uid + 1}:*", "(RFC822.SIZE)")
        if typ != "OK":
            raise ImapError(f"FETCH: {_text(data)}")
        found: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if isinstance(line, bytes):
                uid, size = _UID.search(line), _SIZE.search(line)
                if uid is not None and size is not None and int(uid.group(1)) > last_uid:
                    found[int(uid.group(1))] = int(size.group(1))
        return found

    def fetch(self, uids: Sequence[int], max_bytes: int = 0) -> Iterator[tuple[int, bytes]]:
        """(uid, raw message) of each UID, without setting \\Seen; with `max_bytes`, at
        most that many bytes plus one of each (a longer message comes back cut, one byte
        over, for the reader to refuse)."""
        if not uids:
            return
        section = f"BODY.PEEK[]<0.{max_bytes + 1}>" if max_bytes > 0 else "BODY.PEEK[]"
        typ, data = self._conn.uid("FETCH", _uid_set(uids), f"({section})")
        if typ != "OK":
            raise ImapError(f"FETCH: {_text(data)}")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                match = _UID.search(item[0])
                if match is not None:
                    yield int(match.group(1)), item[1]

    def mark_seen(self, uids: Sequence[int]) -> None:
        if uids:
            typ, data = self._conn.uid("STORE", _uid_set(uids), "+FLAGS.SILENT", r"(\Seen)")
            if typ != "OK":
                raise ImapError(f"STORE: {_text(data)}")

    def close(self) -> None:
        try:
            self._conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _connect(settings: ImapConfig) -> imaplib.IMAP4:
    if settings.security is SmtpSecurity.NONE and not is_loopback(settings.host):
        raise ImapError(
            _("{host}: şifresiz IMAP yalnız bu bilgisayarda kullanılabilir").format(
                host=settings.host
            )
        )
    context = ssl.create_default_context(cafile=settings.cafile)
    conn: imaplib.IMAP4
    try:
        if settings.security is SmtpSecurity.TLS:
            conn = imaplib.IMAP4_SSL(
                settings.host, settings.port, ssl_context=context, timeout=settings.timeout
            )
        else:
            conn = imaplib.IMAP4(settings.host, settings.port, timeout=settings.timeout)
            if settings.security is SmtpSecurity.STARTTLS:
                conn.starttls(context)
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        raise ImapError(f"{settings.host}:{settings.port}: {exc}") from exc
    try:
        password = settings.password.reveal() if settings.password else ""
        if password.isascii() and settings.login.isascii():
            conn.login(settings.login, password)
        else:
            # LOGIN is ASCII only in imaplib; SASL PLAIN carries UTF-8 (RFC 4616).
            plain = f"\0{settings.login}\0{password}".encode()
            conn.authenticate("PLAIN", lambda _challenge: plain)
    except (imaplib.IMAP4.error, OSError) as exc:
        try:
            conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
        raise ImapError(f"{settings.login}@{settings.host}: {exc}") from None
    return conn


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uid_set(uids: Sequence[int]) -> str:
    return ",".join(str(u) for u in uids)


def _text(data: object) -> str:
    if isinstance(data, list):
        return " ".join(d.decode("utf-8", "replace") for d in data if isinstance(d, bytes))
    return str(data)
