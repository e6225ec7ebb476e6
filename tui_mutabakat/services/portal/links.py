"""Signed, expiring links to the answer page (SPEC E5, issue 15).

A link is `<portal_url>/m/<token>`; the token is `<payload>.<mac>`, both base64url without
padding: the payload names the letter (its reply token, unique and random, known before the
letter's row exists) and the last day the link is valid (the answer-by date plus a grace);
the mac is HMAC-SHA256 over the payload with a key of 32 random bytes kept in a file of its
own in the data directory (0600, created on first use, never in the database). Anything
that does not verify — tampered, unknown, expired — is `None` to the caller, one refusal.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database

#: Where `Session.info` keeps the `PortalLinks` of a portal that is on.
SESSION_KEY = "portal_links"
KEY_FILE = "portal.key"
KEY_BYTES = 32
#: A token longer than this is not looked at (a reply token is 16 characters).
MAX_TOKEN = 200


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def load_key(data_dir: Path) -> bytes:
    """The portal's key, made on first use: 32 random bytes in a 0600 file."""
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
    key = path.read_bytes()
    if len(key) < KEY_BYTES:
        raise ValueError(f"{path}: the portal key is too short")
    return key


@dataclass(frozen=True, slots=True)
class LinkTarget:
    """What a verified token names."""

    reply_token: str
    expires: dt.date


@dataclass(frozen=True, slots=True)
class PortalLinks:
    """Makes and checks the links of one portal (picklable: composed letters in a child
    process carry it too)."""

    base_url: str
    key: bytes
    grace_days: int = 14

    def _mac(self, payload: str, purpose: bytes = b"link") -> str:
        digest = hmac.new(
            self.key, purpose + b"\0" + payload.encode("utf-8", "replace"), hashlib.sha256
        )
        return _b64(digest.digest())

    def token(self, reply_token: str, answer_by: dt.date) -> str:
        expires = answer_by + dt.timedelta(days=self.grace_days)
        payload = _b64(f"{reply_token}|{expires.isoformat()}".encode("ascii"))
        return f"{payload}.{self._mac(payload)}"

    def url(self, reply_token: str, answer_by: dt.date) -> str:
        return f"{self.base_url.rstrip('/')}/m/{self.token(reply_token, answer_by)}"

    def verify(self, token: str, today: dt.date) -> LinkTarget | None:
        """The letter a token names, or None: bad form, bad mac or past its day."""
        if len(token) > MAX_TOKEN or token.count(".") != 1:
            return None
        payload, mac = token.split(".")
        if not hmac.compare_digest(mac.encode("ascii", "replace"), self._mac(payload).encode()):
            return None
        try:
            reply_token, day = _unb64(payload).decode("ascii").split("|")
            expires = dt.date.fromisoformat(day)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None
        if today > expires:
            return None
        return LinkTarget(reply_token, expires)

    def form_token(self, link_token: str, issued: int) -> str:
        """The CSRF token of the answer form on one link's page (`issued`: Unix time)."""
        payload = f"{issued}"
        return f"{payload}.{self._mac(link_token + '|' + payload, b'form')}"

    def check_form_token(self, link_token: str, value: str, now: int, max_age: int) -> bool:
        if len(value) > MAX_TOKEN or value.count(".") != 1:
            return False
        payload, mac = value.split(".")
        good = self._mac(link_token + "|" + payload, b"form")
        if not hmac.compare_digest(mac.encode("ascii", "replace"), good.encode()):
            return False
        try:
            issued = int(payload)
        except ValueError:
            return False
        return 0 <= now - issued <= max_age


def portal_links(data_dir: Path, portal_url: str, grace_days: int) -> PortalLinks | None:
    """The link maker of a configured portal, or None when `portal_url` is not set."""
    if not portal_url:
        return None
    return PortalLinks(portal_url.rstrip("/"), load_key(data_dir), grace_days)


def session_info(data_dir: Path, portal_url: str, grace_days: int) -> dict[str, object]:
    """`Database(info=…)` for a process whose letters carry the portal link."""
    links = portal_links(data_dir, portal_url, grace_days)
    return {SESSION_KEY: links} if links is not None else {}


def links_of(info: dict[str, object]) -> PortalLinks | None:
    links = info.get(SESSION_KEY)
    return links if isinstance(links, PortalLinks) else None


def open_database(settings: Settings) -> Database:
    """The database of `settings`, its sessions carrying the portal's link maker when the
    portal is on (every new letter then has its link)."""
    info = session_info(settings.data_dir, settings.portal_url, settings.portal_grace_days)
    return Database.from_url(settings.database_url, dict(info))
