"""A message of one text part, read without the `email` package (issue 14).

Most answers are one `text/plain` or `text/html` part. For those, `simple_part(raw)` gives
what `email.message_from_bytes` (compat32) would: the raw header fields in order, the
content type, the decoded payload and the charset — in a fraction of the time, since the
parser builds a `Message`, and every lookup on it walks all its headers. Anything out of
that plain shape — a multipart, a continuation line first, a line that is no header field
before the blank line, a bare CR, an unusual `Content-Type`, a `Content-Disposition`,
uuencode, 8-bit bytes in the fields that decide how the body reads — gives None, and the
caller parses the message with `email` as before. tests/test_mail_simple_part.py holds the
two readings equal on every sample and on the generated hostile mail.
"""

from __future__ import annotations

import quopri
import re
from dataclasses import dataclass

# Not in typeshed; the very function `email.message.Message.get_payload` decodes with.
from email._encoded_words import decode_b  # type: ignore[import-not-found]

# A header field's first line as the parser's `headerRE` takes it (a name of printable
# ASCII but the colon), with at least one character of name.
_FIELD = re.compile(r"[\x21-\x39\x3b-\x7e]+:")
_SPACE = r"[ \t\r\n]*"
# `text/…` and simple parameters only: a token or a quoted token, no RFC 2231, nothing the
# parser's parameter handling could read another way.
_PARAMETER = (
    rf";{_SPACE}([A-Za-z][A-Za-z0-9-]{{0,30}}){_SPACE}={_SPACE}"
    rf"(?:\"([A-Za-z0-9_.:+-]{{1,64}})\"|([A-Za-z0-9_.:+-]{{1,64}})){_SPACE}"
)
_CONTENT_TYPE = re.compile(rf"{_SPACE}(text/[A-Za-z0-9.+-]{{1,64}}){_SPACE}((?:{_PARAMETER})*)")
_PARAMETERS = re.compile(_PARAMETER)
_UUENCODE = ("x-uuencode", "uuencode", "uue", "x-uue")


@dataclass(frozen=True, slots=True)
class SimplePart:
    #: (name, value) of every header field, as `Message.raw_items()` gives them.
    fields: list[tuple[str, str]]
    #: `text/…`, lower case.
    content_type: str
    #: The body, its transfer encoding undone (`get_payload(decode=True)`).
    payload: bytes
    #: `get_content_charset()`: lower case, None when not given.
    charset: str | None


def simple_part(raw: bytes) -> SimplePart | None:
    """The message read as `email` reads it, or None when it is not one plain text part."""
    blank = _blank_line(raw)
    if blank <= 0:
        return None
    head = raw[:blank]
    if b"\r" in head.replace(b"\r\n", b""):
        return None  # a bare CR ends a line for the parser
    fields = _fields(head.decode("ascii", "surrogateescape"))
    if fields is None:
        return None
    first: dict[str, str] = {}
    for name, value in fields:
        first.setdefault(name.lower(), value)
    if "content-disposition" in first:
        return None
    content_type, charset = "text/plain", None
    if "content-type" in first:
        value = first["content-type"]
        match = _CONTENT_TYPE.fullmatch(value) if value.isascii() else None
        if match is None:
            return None
        content_type = match.group(1).lower()
        for parameter in _PARAMETERS.finditer(match.group(2)):
            if parameter.group(1).lower() == "charset":
                charset = (parameter.group(2) or parameter.group(3)).lower()
                break
    encoding = first.get("content-transfer-encoding", "")
    if not encoding.isascii():
        return None
    encoding = encoding.lower()
    if encoding in _UUENCODE:
        return None
    body = raw[blank + (1 if raw[blank : blank + 1] == b"\n" else 2) :]
    if encoding == "quoted-printable":
        payload = quopri.decodestring(body)
    elif encoding == "base64":
        payload, _defects = decode_b(b"".join(body.splitlines()))
    else:
        payload = body
    return SimplePart(fields, content_type, bytes(payload), charset)


def _blank_line(raw: bytes) -> int:
    """Where the first empty line after a line end starts; -1 when there is none."""
    found = [at + 1 for at in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if at >= 0]
    return min(found) if found else -1


def _fields(head: str) -> list[tuple[str, str]] | None:
    """Header fields as compat32's `header_source_parse` stores them; None when a line is
    not a field or its continuation (the parser would start the body there)."""
    lines = head.split("\n")
    lines.pop()  # `head` ends with a line end
    fields: list[tuple[str, str]] = []
    name = ""
    value: list[str] = []
    for line in lines:
        line += "\n"
        if line[0] in " \t":
            if not name:
                return None
            value.append(line)
            continue
        if _FIELD.match(line) is None:
            return None
        if name:
            fields.append((name, "".join(value).rstrip("\r\n")))
        name, _colon, rest = line.partition(":")
        value = [rest.lstrip(" \t")]
    if name:
        fields.append((name, "".join(value).rstrip("\r\n")))
    return fields
