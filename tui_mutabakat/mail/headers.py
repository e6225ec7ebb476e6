"""Header values of a message from anywhere, decoded as written (SPEC E4, issue 10).

Raw UTF-8 in headers (RFC 6532, common from modern servers) is read as UTF-8 — and, when it
is not valid UTF-8, as Windows-1254, the legacy Turkish code page; RFC 2047 encoded words are
decoded word by word, an unknown or lying charset or a broken word leaving that word as it
came. Nothing here raises on hostile input, and every pattern is linear in the text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from email.message import Message

#: Longest header value kept (characters): a Subject is short, a flood is cut.
MAX_HEADER = 4000

# Bounded runs, no nested repetition: each character is examined a fixed number of times.
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]+")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_SURROGATE = re.compile("[\udc80-\udcff]")


def unescape(value: str) -> str:
    """A header value as the parser left it (8-bit bytes as surrogates) → text."""
    if value.isascii() or _SURROGATE.search(value) is None:
        return value
    raw = value.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1254", "replace")


def header_map(message: Message) -> dict[str, str]:
    """The first value of each header, lower-case name → raw text (unfolded, bounded)."""
    return field_map(message.raw_items())


def field_map(items: Iterable[tuple[str, object]]) -> dict[str, str]:
    """`header_map` of (name, value) pairs as `Message.raw_items()` gives them."""
    found: dict[str, str] = {}
    for name, value in items:
        key = str(name).strip().lower()
        if key not in found:
            text = value if isinstance(value, str) else str(value)
            found[key] = " ".join(unescape(text[: MAX_HEADER * 2]).split())[:MAX_HEADER]
    return found


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; everything else as it is, whitespace collapsed."""
    value = value[:MAX_HEADER]
    if "=?" not in value:
        return printable(value)
    out: list[str] = []
    position = 0
    for match in _ENCODED_WORD.finditer(value):
        between = value[position : match.start()]
        # Whitespace between two adjacent encoded words is not part of the text.
        if not (position and (between == "" or _BETWEEN_WORDS.fullmatch(between))):
            out.append(between)
        decoded = _decode_word(match.group(1), match.group(2), match.group(3))
        out.append(decoded if decoded is not None else match.group(0))
        position = match.end()
    out.append(value[position:])
    return printable("".join(out))


def printable(text: str) -> str:
    """Control characters a sender slipped in become spaces; whitespace collapsed."""
    if text.isprintable():
        return " ".join(text.split())
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _decode_word(charset: str, encoding: str, text: str) -> str | None:
    charset = charset.partition("*")[0].lower()  # RFC 2231 language suffix
    try:
        if encoding in "bB":
            data = base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
        else:
            data = _QP_ESCAPE.sub(
                lambda m: bytes([int(m.group(1), 16)]),
                text.replace("_", " ").encode("ascii", "replace"),
            )
    except (binascii.Error, ValueError):
        return None
    try:
        decoded = data.decode(charset, "replace")
    except (LookupError, ValueError, TypeError, UnicodeError):
        decoded = data.decode("utf-8", "replace")
    return decoded


def header_block(raw: bytes, limit: int = 16_000) -> str:
    """The raw header block of a message, for a person to read (bounded, never raises)."""
    head = raw[: limit + 4]
    for separator in (b"\r\n\r\n", b"\n\n"):
        cut = head.find(separator)
        if cut >= 0:
            head = head[:cut]
            break
    text = head[:limit].decode("utf-8", "replace")
    return "".join(ch if ch.isprintable() or ch in "\r\n\t" else "\ufffd" for ch in text)
