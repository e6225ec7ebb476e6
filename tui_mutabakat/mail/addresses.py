"""Internationalised e-mail addresses on the wire (RFC 5890, RFC 6531, RFC 6532).

An address with an ASCII local part and a non-ASCII domain (`ali@çınar.com.tr`) goes out
with its domain in IDNA A-labels (`ali@xn--nar-1la48a.com.tr`): plain ASCII, every server
takes it. Only a local part outside ASCII (`çağrı@firma.com.tr`) needs SMTPUTF8: such an
address is written as UTF-8 and can reach only a server that offers the extension; the
transport refuses that one recipient otherwise (see `mail/delivery.py`).
"""

from __future__ import annotations

from functools import lru_cache

import idna


@lru_cache(maxsize=4096)
def wire_address(address: str) -> str:
    """The address as it is written in MAIL FROM, RCPT TO and the headers: the domain in
    A-labels where the local part is ASCII, otherwise unchanged (UTF-8)."""
    if address.isascii():
        return address
    local, at, domain = address.rpartition("@")
    if not at or not local.isascii():
        return address
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return address
    return f"{local}@{ascii_domain}"


def needs_smtputf8(address: str) -> bool:
    """True when the address cannot be written in ASCII (its local part is not)."""
    return not wire_address(address).isascii()
