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
    rf"(?:\"([A-Za-z0-9'()+_,./:=?-]{{1,70}})\"|([A-Za-z0-9_.+-]{{1,70}})){_SPACE}"
)
_CONTENT_TYPE = re.compile(
    rf"{_SPACE}([A-Za-z]{{1,20}}/[A-Za-z0-9.+-]{{1,64}}){_SPACE}((?:{_PARAMETER})*)"
)
_PARAMETERS = re.compile(_PARAMETER)
#: A Content-Type longer than this is left to the parser (`answers._bound_parameters`): a
#: megabyte of parameters made the pattern above take super-linear time.
_LONGEST_CONTENT_TYPE = 2_000
_UUENCODE = ("x-uuencode", "uuencode", "uue", "x-uue")


@dataclass(frozen=True, slots=True)
class Leaf:
    """A part that is not a container, as `_leaf_parts` in `answers` yields them."""

    #: `get_content_type()`.
    content_type: str
    #: `get_content_disposition()`.
    disposition: str | None
    #: The body, its transfer encoding undone (`get_payload(decode=True)`); read only for
    #: a text part (None for another).
    payload: bytes | None
    #: `get_content_charset()`: lower case, None when not given.
    charset: str | None


@dataclass(frozen=True, slots=True)
class SimplePart:
    #: (name, value) of every header field, as `Message.raw_items()` gives them.
    fields: list[tuple[str, str]]
    #: `get_content_type()`: `text/…`, or `multipart/…` with one level of parts.
    content_type: str
    #: The message itself when it is one part; else its parts that are no container
    #: (`message/…`), in order.
    leaves: list[Leaf]
    #: Parts of a multipart (containers too); 0 for one part.
    parts: int = 0
    #: `get_param("report-type")` of a `multipart/report`, lower case ("" when none).
    report_type: str = ""
    #: Of its one `message/delivery-status` part: the header fields of each block that
    #: has any (as `bounces._blocks` gives them); None when it has no such part.
    report_blocks: list[list[tuple[str, str]]] | None = None


#: Containers read here: one level of parts, none of them a multipart. (A digest, nested
#: multiparts and anything out of shape are parsed by `email`.)
_MULTIPARTS = (
    "multipart/alternative",
    "multipart/mixed",
    "multipart/related",
    "multipart/report",
)


def simple_part(raw: bytes, max_parts: int = 500, max_depth: int = 30) -> SimplePart | None:
    """The message read as `email` reads it, or None when it is not of a plain shape (or
    when its parts would be over `max_parts` or `max_depth`: the parser says so then)."""
    if max_parts < 2 or max_depth < 1:
        return None
    if b"\r" in raw.replace(b"\r\n", b""):
        return None  # a bare CR ends a line for the parser
    head = _head(raw)
    if head is None:
        return None
    fields, body = head
    first = _first(fields)
    value = first.get("content-type")
    if value is not None and _split(value).startswith("multipart/"):
        return _multipart(fields, _split(value), value, body, max_parts)
    leaf = _leaf_of(first, body)
    if leaf is None or leaf.payload is None:
        return None
    return SimplePart(fields, leaf.content_type, [leaf])


def _multipart(
    fields: list[tuple[str, str]], content_type: str, value: str, body: bytes, max_parts: int
) -> SimplePart | None:
    parameters = _parameters(value)
    boundary = parameters.get("boundary")
    if content_type not in _MULTIPARTS or boundary is None:
        return None
    parts = _parts(body, "--" + boundary)
    if parts is None or len(parts) + 1 > max_parts:
        return None
    leaves: list[Leaf] = []
    blocks: list[list[tuple[str, str]]] | None = None
    for part in parts:
        head = _head(part)
        if head is None:
            return None
        part_first = _first(head[0])
        kind = _split(part_first.get("content-type", "text/plain"))
        if kind == "message/delivery-status":
            if blocks is not None:
                return None  # one report part only
            blocks = _report_blocks(head[1])
            if blocks is None:
                return None
        elif kind.startswith("message/"):
            # An attached message: neither a leaf nor read, unless it holds a report.
            if kind == "message/global-delivery-status" or b"delivery-status" in part.lower():
                return None
        else:
            leaf = _leaf_of(part_first, head[1])
            if leaf is None:
                return None
            leaves.append(leaf)
    report_type = ""
    if content_type == "multipart/report":
        report_type = parameters.get("report-type", "").lower()
    return SimplePart(fields, content_type, leaves, len(parts), report_type, blocks)


def _parameters(value: str) -> dict[str, str]:
    """The parameters of a plain `Content-Type` value (the first of each name, lower
    case), as `get_param` reads them; empty when the value is out of shape."""
    match = _CONTENT_TYPE.fullmatch(value) if value.isascii() else None
    found: dict[str, str] = {}
    if match is not None:
        for parameter in _PARAMETERS.finditer(match.group(2)):
            found.setdefault(parameter.group(1).lower(), parameter.group(2) or parameter.group(3))
    return found


def _report_blocks(body: bytes) -> list[list[tuple[str, str]]] | None:
    """The header fields of each block of a delivery-status part (blocks separated by
    empty lines, as the parser splits them); None when a line is no field."""
    blocks: list[list[tuple[str, str]]] = []
    lines: list[str] = []
    text = body.decode("ascii", "surrogateescape")
    # Lines end at LF only (no bare CR here), as the parser's lines do.
    for line in (x + "\n" for x in text.split("\n")) if text else ():
        if line in ("\n", "\r\n"):
            if lines:
                block = _fields("".join(lines))
                if block is None:
                    return None
                blocks.append(block)
            lines = []
        else:
            lines.append(line)
    if lines:
        block = _fields("".join(lines))
        if block is None:
            return None
        blocks.append(block)
    return blocks


def _head(raw: bytes) -> tuple[list[tuple[str, str]], bytes] | None:
    """The header fields and the body; None when a line before the first empty one is not
    a field (nor its continuation). An empty first line: no fields."""
    if raw.startswith((b"\n", b"\r\n")):
        return [], raw[1 if raw[:1] == b"\n" else 2 :]
    blank = _blank_line(raw)
    if blank <= 0:
        return None
    fields = _fields(raw[:blank].decode("ascii", "surrogateescape"))
    if fields is None:
        return None
    return fields, raw[blank + (1 if raw[blank : blank + 1] == b"\n" else 2) :]


def _first(fields: list[tuple[str, str]]) -> dict[str, str]:
    """The first value of each field (as `Message.get`), lower-case name."""
    first: dict[str, str] = {}
    for name, value in fields:
        first.setdefault(name.lower(), value)
    return first


def _split(value: str) -> str:
    """`get_content_type()` of a `Content-Type` value (ASCII only, else "")."""
    if not value.isascii():
        return ""
    kind = value.partition(";")[0].strip().lower()
    return kind if kind.count("/") == 1 else "text/plain"


def _parts(body: bytes, separator: str) -> list[bytes] | None:
    """The parts between the boundary lines, each without the line end before the next
    boundary (as the parser leaves them); None unless a plain sequence of separators
    ends in a close boundary."""
    mark = separator.encode("ascii")
    parts: list[bytes] = []
    start = -1  # where the current part starts; -1 in the preamble
    at = 0
    closed = False
    previous_was_boundary = False
    for line in body.splitlines(keepends=True):
        kind = _boundary_line(line, mark)
        if kind is None:
            previous_was_boundary = False
            at += len(line)
            continue
        if previous_was_boundary:
            return None  # the parser skips a boundary line right after another
        if start >= 0:
            part = body[start:at]
            parts.append(
                part[:-2] if part.endswith(b"\r\n") else part[:-1] if part.endswith(b"\n") else part
            )
        elif kind == "close":
            return None  # a close boundary before any part
        at += len(line)
        if kind == "close":
            closed = True
            break
        start = at
        previous_was_boundary = True
    return parts if closed and parts else None


_AFTER_SEPARATOR = re.compile(rb"(--)?[ \t]*(?:\r\n|\n)?")


def _boundary_line(line: bytes, mark: bytes) -> str | None:
    """ "close", "separator", or None: the parser's `boundaryre` on one line."""
    if not line.startswith(mark):
        return None
    after = _AFTER_SEPARATOR.fullmatch(line, len(mark))
    if after is None:
        return None
    return "close" if after.group(1) else "separator"


def _leaf_of(first: dict[str, str], body: bytes) -> Leaf | None:
    """A part that is no container, from its fields; None when it is one, or when a field
    that decides how it reads is out of the plain shape."""
    disposition = first.get("content-disposition")
    if disposition is not None:
        if not disposition.isascii():
            return None
        disposition = disposition.partition(";")[0].strip().lower()
    content_type, charset = "text/plain", None
    if "content-type" in first:
        content_type = _split(first["content-type"])
        if not content_type or content_type.startswith(("multipart/", "message/")):
            return None
        if not content_type.startswith("text/"):
            return Leaf(content_type, disposition, None, None)
        if len(first["content-type"]) > _LONGEST_CONTENT_TYPE:
            return None  # out of the plain shape: the parser's reading, bounded
        match = _CONTENT_TYPE.fullmatch(first["content-type"])
        if match is None:
            return None
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
    if encoding == "quoted-printable":
        payload = quopri.decodestring(body)
    elif encoding == "base64":
        payload, _defects = decode_b(b"".join(body.splitlines()))
    else:
        payload = body
    return Leaf(content_type, disposition, bytes(payload), charset)


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
