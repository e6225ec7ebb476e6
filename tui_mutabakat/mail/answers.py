"""Reading one message from the sender's mailbox (SPEC E4). Pure: bytes in, a view out.

`read_message(raw)` says what the message is — an answer to a letter (agreed, disagreed
with their balance, unclear), an automatic reply (never an answer), or a delivery status
notification (a bounce, RFC 3464 or one of the common non-standard formats) — and which
letter it may belong to: reply tokens (`[MTB-…]` in the subject, `X-Mutabakat-Token`, the
token inside our Message-IDs found in `In-Reply-To`/`References` or, for a bounce, in the
returned original) and those Message-IDs themselves.
"""

from __future__ import annotations

import email
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr

from tui_mutabakat.mail.message import TOKEN_HEADER, TOKEN_PATTERN
from tui_mutabakat.mail.reply_text import AnswerKind, Figure, classify, html_to_text, new_text

_TOKEN_ANY_CASE = re.compile(TOKEN_PATTERN.pattern, re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")
_OUR_MESSAGE_ID = re.compile(r"<mutabakat\.(mtb-[0-9a-z]{12})\.[^<>\s]*>", re.IGNORECASE)
_ID_HEADER = re.compile(
    r"^(?:Message-ID|In-Reply-To|References):[ \t]*(.*(?:\r?\n[ \t].*)*)",
    re.IGNORECASE | re.MULTILINE,
)
_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_SMTP_LINE = re.compile(r"\b[45]\d\d\b")
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned to sender|delivery (status notification|failure|has failed)|"
    r"mail delivery failed|failure notice|teslim edilemedi|iletilemedi|"
    r"delivery failed|nondeliverable|non-delivery",
    re.IGNORECASE,
)
_BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster|microsoftexchange", re.IGNORECASE)
_AUTO_SUBJECT = re.compile(
    r"out of (the )?office|automatic reply|auto[- ]?reply|autoreply|otomatik (yanıt|cevap)|"
    r"ofis dışı|ofiste değil|izindeyim|otomatik yan[ıi]t|"
    # Read and delivery receipts ("Okundu:", "Read:", "Teslim edildi:", "Delivered:").
    r"^\s*(read|not read|okundu|okunmadı|okunmad[ıi]|teslim edildi|delivered)\s*:",
    re.IGNORECASE,
)


class MessageKind:
    ANSWER = "answer"
    BOUNCE = "bounce"
    AUTO = "auto"


@dataclass(frozen=True, slots=True)
class FailedRecipient:
    address: str
    status: str = ""
    diagnostic: str = ""


@dataclass(frozen=True, slots=True)
class ReadMessage:
    #: The Message-ID, or `sha256:<hex>` of the bytes when there is none.
    key: str
    kind: str
    from_address: str
    subject: str
    #: Reply tokens, most trustworthy first.
    tokens: tuple[str, ...]
    #: Message-IDs this message refers to (ours among them, if it is about a letter).
    refers_to: tuple[str, ...]
    answer: AnswerKind = AnswerKind.UNCLEAR
    text: str = ""
    balance: Decimal | None = None
    side: str = ""
    failed: tuple[FailedRecipient, ...] = field(default_factory=tuple)
    #: Every figure of a disagreeing answer, with its currency if named (the letter's
    #: currencies decide which can be tied to one: `services.intake`).
    figures: tuple[Figure, ...] = ()


def read_message(raw: bytes) -> ReadMessage:
    # compat32 parsing: `policy.default` parses every header it is asked for through the
    # header registry, which costs more than the rest of the intake; only Subject and From
    # need decoding here.
    message = email.message_from_bytes(raw)
    key = _header(message, "Message-ID").strip()
    match = _MESSAGE_ID.search(key)
    key = match.group(0) if match else "sha256:" + hashlib.sha256(raw).hexdigest()
    subject = _decoded(_header(message, "Subject"))
    from_address = parseaddr(_decoded(_header(message, "From")))[1].lower()
    if _is_bounce(message, subject, from_address):
        return _read_bounce(message, raw, key, subject, from_address)
    refers = tuple(_MESSAGE_ID.findall(_header(message, "In-Reply-To")))
    refers += tuple(
        m for m in _MESSAGE_ID.findall(_header(message, "References")) if m not in refers
    )
    tokens = _tokens(
        [_header(message, TOKEN_HEADER), subject]
        + [m.group(1) for ref in refers for m in [_OUR_MESSAGE_ID.match(ref)] if m]
    )
    body = _body_text(message)
    text = new_text(body)
    if not tokens:
        # Last resort: a token quoted in the body (the letter carries it in its text).
        tokens = _tokens([body])
    if _is_auto(message, subject):
        return ReadMessage(
            key,
            MessageKind.AUTO,
            from_address,
            subject,
            tokens,
            refers,
            AnswerKind.AUTO,
            text[:2000],
        )
    reading = classify(text)
    return ReadMessage(
        key,
        MessageKind.ANSWER,
        from_address,
        subject,
        tokens,
        refers,
        reading.kind,
        text[:2000],
        reading.balance,
        reading.side,
        figures=reading.figures,
    )


def _decoded(value: str) -> str:
    """RFC 2047 words decoded; text that is not valid stays as it came."""
    try:
        return " ".join(str(make_header(decode_header(value))).split())
    except (ValueError, LookupError, UnicodeError):
        return " ".join(value.split())


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError):
        return ""
    return str(value) if value is not None else ""


def _tokens(texts: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for text in texts:
        for token in _TOKEN_ANY_CASE.findall(text):
            token = token.upper()
            if token not in found:
                found.append(token)
    return tuple(found)


def _is_auto(message: Message, subject: str) -> bool:
    if message.get_content_type() == "multipart/report":
        # A report that is not about delivery: a read receipt (RFC 8098) and the like.
        return True
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    if _header(message, "Precedence").strip().lower() in ("auto_reply", "bulk", "junk"):
        return True
    return bool(_AUTO_SUBJECT.search(subject))


def _is_bounce(message: Message, subject: str, from_address: str) -> bool:
    if message.get_content_type() == "multipart/report":
        return str(message.get_param("report-type", "")).lower() == "delivery-status"
    return bool(_BOUNCE_SUBJECT.search(subject)) and (
        bool(_BOUNCE_SENDER.search(from_address))
        or _header(message, "Auto-Submitted").strip().lower() not in ("", "no")
        or not from_address
        or "mail delivery" in subject.lower()
        or "teslim" in subject.lower()
    )


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _leaf_parts(message: Message) -> Iterator[Message]:
    """Every leaf part, not descending into attached messages or reports."""
    if message.is_multipart():
        for part in message.get_payload():
            if isinstance(part, Message) and part.get_content_maintype() != "message":
                yield from _leaf_parts(part)
    else:
        yield message


def _body_text(message: Message) -> str:
    plain = html = ""
    for part in _leaf_parts(message):
        if part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and not plain:
            plain = _text_of(part)
        elif kind == "text/html" and not html:
            html = _text_of(part)
    if plain.strip():
        return plain
    return html_to_text(html) if html else ""


def _read_bounce(
    message: Message, raw: bytes, key: str, subject: str, from_address: str
) -> ReadMessage:
    failed: list[FailedRecipient] = []
    human = _body_text(message)
    reports = [
        part
        for part in message.walk()
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status")
    ]
    for part in reports:
        failed.extend(_dsn_recipients(part))
    # A standard report is taken at its word (a "delayed" report names no failure); only
    # free-text bounces are searched for addresses.
    if not reports:
        failed = _guess_failed(human, from_address)
    # The returned original (attached, or quoted inline by non-standard bouncers) carries
    # our Message-ID and token in its headers; the bounce's own are never ours.
    text = raw.decode("utf-8", "replace")
    own = {key}
    ids = [m for line in _ID_HEADER.findall(text) for m in _MESSAGE_ID.findall(line)]
    refers = tuple(m for m in dict.fromkeys(ids) if m not in own)
    tokens = _tokens(
        [text] + [m.group(1) for ref in refers for m in [_OUR_MESSAGE_ID.match(ref)] if m]
    )
    return ReadMessage(
        key,
        MessageKind.BOUNCE,
        from_address,
        subject,
        tokens,
        refers,
        AnswerKind.UNCLEAR,
        human[:2000].strip(),
        failed=tuple(failed),
    )


def _dsn_recipients(part: Message) -> list[FailedRecipient]:
    blocks = part.get_payload()
    failed: list[FailedRecipient] = []
    if not isinstance(blocks, list):
        return failed
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        if not isinstance(block, Message):
            continue
        action = _header(block, "Action").strip().lower()
        if action and action != "failed":
            continue
        recipient = _header(block, "Final-Recipient") or _header(block, "Original-Recipient")
        address = recipient.partition(";")[2].strip() or recipient.strip()
        address = address.strip("<>").lower()
        if not address:
            continue
        status = _header(block, "Status").strip()
        diagnostic = " ".join(_header(block, "Diagnostic-Code").split())
        if diagnostic.lower().startswith("smtp;"):
            diagnostic = diagnostic[5:].strip()
        failed.append(FailedRecipient(address, status, diagnostic))
    return failed


def _guess_failed(text: str, bouncer: str) -> list[FailedRecipient]:
    """Non-standard bounces: the addresses named above the returned original, with the
    first status code and SMTP answer line found."""
    head = re.split(
        r"^-{2,}.*(original message|copy of the message|returned message|özgün ileti)|"
        r"^(Received|Return-Path|From|Message-ID):",
        text,
        maxsplit=1,
        flags=re.IGNORECASE | re.MULTILINE,
    )[0]
    status_match = _STATUS.search(head)
    diagnostic = next(
        (" ".join(line.split()) for line in head.splitlines() if _SMTP_LINE.search(line)), ""
    )
    addresses = [
        a.lower()
        for a in dict.fromkeys(_ADDRESS.findall(head))
        if a.lower() != bouncer and not _BOUNCE_SENDER.search(a)
    ]
    return [
        FailedRecipient(a, status_match.group(1) if status_match else "", diagnostic[:500])
        for a in addresses
    ]
