"""Reading one message from the sender's mailbox (SPEC E4). Pure: bytes in, a view out.

`read_message(raw)` says what the message is — an answer to a letter (agreed, disagreed
with their balance, unclear), an automatic reply (never an answer), or a delivery status
notification (a bounce, RFC 3464 or one of the common non-standard formats) — and which
letter it may belong to: reply tokens (`[MTB-…]` in the subject, `X-Mutabakat-Token`, the
token inside our Message-IDs found in `In-Reply-To`/`References` or, for a bounce, in the
returned original) and those Message-IDs themselves.

The mailbox is written to by the whole internet (issue 10): `read_safely` never raises —
a message it cannot read, or one over the `ReadLimits` (size, parts, nesting, text), comes
back as `Unreadable` with the reason and its raw headers, for a person to look at. Every
pattern run on the message's text is linear in its length, and the text examined is bounded.
"""

from __future__ import annotations

import email
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import Message
from email.utils import parseaddr

from tui_mutabakat.domain.text import fold
from tui_mutabakat.mail.bounces import (
    BOUNCE_SENDER,
    REPORT_TYPES,
    FailedRecipient,
    Report,
    dsn_report,
    guess_failed,
    report_of,
)
from tui_mutabakat.mail.headers import decode_words, field_map, header_block, header_map
from tui_mutabakat.mail.limits import DEFAULT_LIMITS, ReadLimits
from tui_mutabakat.mail.message import TOKEN_HEADER, TOKEN_PATTERN
from tui_mutabakat.mail.reply_text import AnswerKind, Figure, classify, html_to_text, new_text
from tui_mutabakat.mail.simple_part import simple_part

__all__ = ["FailedRecipient", "MessageKind", "ReadLimits", "ReadMessage", "Unreadable"]

_TOKEN_ANY_CASE = re.compile(TOKEN_PATTERN.pattern, re.IGNORECASE)
# No `@` on either side of the one `@`, bounded runs: linear however many `<` and `@`.
_MESSAGE_ID = re.compile(r"<[^<>\s@]{1,250}@[^<>\s@]{1,250}>")
_OUR_MESSAGE_ID = re.compile(r"<mutabakat\.(mtb-[0-9a-z]{12})\.[^<>\s]*>", re.IGNORECASE)
_ID_HEADER = re.compile(
    r"^(?:Message-ID|In-Reply-To|References):[ \t]*([^\r\n]*(?:\r?\n[ \t][^\r\n]*)*)",
    re.IGNORECASE | re.MULTILINE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|returned to sender|delivery (status notification|failure|has failed)|"
    r"mail delivery failed|failure notice|teslim edilemedi|iletilemedi|"
    r"delivery failed|nondeliverable|non-delivery",
)
# On the folded subject (lower case, Turkish letters as ASCII, single spaces).
_AUTO_SUBJECT = re.compile(
    r"out of (the )?office|away from (the )?office|automatic reply|auto[- ]?reply|autoreply|"
    r"auto[- ]?response|autoresponder|vacation (reply|message)|on (annual )?leave|"
    r"otomatik (yanit|cevap|mesaj|ileti)|ofis disi|ofiste degil|ofis disinda|izindeyim|"
    r"izinliyim|yillik izin|tatildeyim|"
    # Read and delivery receipts ("Okundu:", "Read:", "Teslim edildi:", "Delivered:").
    r"^(read|not read|okundu|okunmadi|teslim edildi|delivered) ?:",
)
_AUTO_PRECEDENCE = ("auto_reply", "bulk", "junk")


class MessageKind:
    ANSWER = "answer"
    BOUNCE = "bounce"
    AUTO = "auto"


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
    #: Recipients a report says are delayed ("still trying"): a note, not a failure.
    delayed: tuple[FailedRecipient, ...] = field(default_factory=tuple)
    #: A standard delivery report (RFC 3464), taken at its word.
    standard_report: bool = False
    #: A bounce that quotes the letter (our Message-ID or token below its own headers).
    quotes_letter: bool = False
    #: The tokens the message names itself (`X-Mutabakat-Token`, the subject).
    named_tokens: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A message the reader could not or would not read."""

    key: str
    message_id: str
    error: str
    headers: str


class LimitExceeded(ValueError):
    """The message is over one of the `ReadLimits`."""


def message_key(message_id: str, raw: bytes) -> str:
    match = _MESSAGE_ID.search(message_id[:1000])
    if match and len(match.group(0)) <= 255 and match.group(0).isprintable():
        return match.group(0)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def read_safely(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ReadMessage | Unreadable:
    """`read_message`, or why not: never raises for anything in the message."""
    try:
        return read_message(raw, limits)
    except LimitExceeded as exc:
        return _unreadable(raw, f"Sınır aşıldı: {exc}")
    except RecursionError:
        return _unreadable(raw, "iç içe parça sınırı aşıldı (RecursionError)")
    except Exception as exc:  # noqa: BLE001 — whatever a message does, intake goes on
        return _unreadable(raw, f"{type(exc).__name__}: {exc}"[:1000])


def _unreadable(raw: bytes, error: str) -> Unreadable:
    headers = header_block(raw)
    message_id = ""
    for line in headers.splitlines()[:2000]:
        if line[:11].lower() == "message-id:":
            message_id = line[11:].strip()[:255]
            break
    return Unreadable(message_key(message_id, raw), message_id, error, headers)


def check_limits(raw: bytes, limits: ReadLimits) -> None:
    """Cheap checks before parsing: size, and upper bounds of the parts and of nesting."""
    if len(raw) > limits.max_bytes:
        raise LimitExceeded(f"ileti {limits.max_bytes} bayttan büyük")
    # Every part starts after a boundary line ("--…"), every multipart names "multipart/".
    delimiters = raw.count(b"\n--") + raw.startswith(b"--")
    if delimiters > 2 * limits.max_parts + 2:
        raise LimitExceeded(f"{limits.max_parts} parçadan fazla")
    if raw.lower().count(b"multipart/") > limits.max_parts:
        raise LimitExceeded(f"{limits.max_parts} parçadan fazla")


def read_message(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ReadMessage:
    check_limits(raw, limits)
    simple = simple_part(raw, limits.max_parts, limits.max_depth)
    if simple is None:
        return read_parsed(raw, limits)
    # One text part, or one level of parts (most answers): read as `email` would read it,
    # without building a `Message` (`simple_part`); no delivery report is read so.
    plain = html = ""
    for leaf in simple.leaves:
        if leaf.disposition == "attachment" or leaf.payload is None:
            continue
        if leaf.content_type == "text/plain" and not plain:
            plain = _decode_text(leaf.payload, leaf.charset, limits)
        elif leaf.content_type == "text/html" and not html:
            html = _decode_text(leaf.payload, leaf.charset, limits)
    body = _body_of(plain, html, limits)
    fields = field_map(simple.fields)
    blocks = simple.report_blocks
    report = None if blocks is None else report_of(field_map(block) for block in blocks)
    return _read(raw, fields, simple.content_type, simple.report_type, body, lambda: report, limits)


def read_parsed(raw: bytes, limits: ReadLimits = DEFAULT_LIMITS) -> ReadMessage:
    """`read_message` through the `email` parser, whatever the message's shape."""
    check_limits(raw, limits)
    # compat32 parsing: `policy.default` parses every header it is asked for through the
    # header registry, which costs more than the rest of the intake; only Subject and From
    # need decoding here (raw UTF-8 and RFC 2047 alike, `headers`).
    message = email.message_from_bytes(raw)
    _bound_parameters(message)
    leaves = list(_leaf_parts(message, limits))
    content_type = message.get_content_type()
    report_type = ""
    if content_type == "multipart/report":
        report_type = str(message.get_param("report-type", "")).lower()
    body = _body_text(leaves, limits)
    fields = header_map(message)

    def report() -> Report | None:
        parts = _reports(message, limits)
        return dsn_report(parts) if parts else None

    return _read(raw, fields, content_type, report_type, body, report, limits)


#: Parameters (";"s) and characters of one Content-Type or Content-Disposition read: the
#: `email` package splits parameters in quadratic time (`message._parseparam`), so 200 000
#: of them held a message for minutes. No real header comes near either bound.
MAX_PARAMETERS = 100
MAX_PARAMETER_CHARS = 10_000


def _bound_parameters(message: Message) -> None:
    """Cut every part's Content-Type and Content-Disposition to the bounds above before
    anything asks for a parameter (a cut parameter is only ever a wrong charset or file
    name, which the reading survives)."""
    for part in message.walk():
        for name in ("Content-Type", "Content-Disposition"):
            value = part.get(name)
            if value is None:
                continue
            text = str(value)
            if len(text) <= MAX_PARAMETER_CHARS and text.count(";") <= MAX_PARAMETERS:
                continue
            kept = ";".join(text[:MAX_PARAMETER_CHARS].split(";")[: MAX_PARAMETERS + 1])
            part.replace_header(name, kept)


def _read(
    raw: bytes,
    fields: dict[str, str],
    content_type: str,
    report_type: str,
    body: str,
    report: Callable[[], Report | None],
    limits: ReadLimits,
) -> ReadMessage:
    """What the message is, from its fields, its type and its text; `report`: what its
    delivery-status parts say, None without any (asked for a bounce only)."""
    key = message_key(fields.get("message-id", ""), raw)
    subject = decode_words(fields.get("subject", ""))
    from_address = sender_address(decode_words(fields.get("from", "")))
    if _is_bounce(content_type, report_type, fields, subject, from_address):
        return _read_bounce(body, report(), raw, key, subject, from_address, limits)
    refers = tuple(_MESSAGE_ID.findall(fields.get("in-reply-to", "")))
    refers += tuple(m for m in _MESSAGE_ID.findall(fields.get("references", "")) if m not in refers)
    named = _tokens([fields.get(TOKEN_HEADER.lower(), ""), subject])
    tokens = _tokens(
        list(named) + [m.group(1) for ref in refers for m in [_OUR_MESSAGE_ID.match(ref)] if m]
    )
    text = new_text(body)
    if not tokens:
        # Last resort: a token quoted in the body (the letter carries it in its text).
        tokens = _tokens([body])
    if _is_auto(content_type, fields, subject):
        return ReadMessage(
            key,
            MessageKind.AUTO,
            from_address,
            subject,
            tokens,
            refers,
            AnswerKind.AUTO,
            clean_text(text[:2000]),
            named_tokens=named,
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
        clean_text(text[:2000]),
        reading.balance,
        reading.side,
        figures=reading.figures,
        named_tokens=named,
    )


# `Name <local@domain>` with no special character in the name and a plain dot-atom
# address: what `parseaddr` gives is the address, found here without its tokenizer.
# No repetition can match what another next to it does: linear.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_FROM = re.compile(
    rf"[^\"<>()\[\]\\,;:@.]*<({_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>\s*"
)


def sender_address(value: str) -> str:
    """The address of a `From` value, lower case (as `email.utils.parseaddr` reads it)."""
    plain = _PLAIN_FROM.fullmatch(value[:2000])
    address = plain.group(1) if plain else parseaddr(value)[1]
    return address.lower()[:254]


def clean_text(text: str) -> str:
    """Text as stored: no NUL or other control characters but line breaks and tabs."""
    text = text.replace("\r\n", "\n")  # as the loop below would leave it, at C speed
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")


def tokens_in_ids(message_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The reply tokens inside our Message-IDs among `message_ids`."""
    return tuple(
        m.group(1).upper() for ref in message_ids for m in [_OUR_MESSAGE_ID.match(ref)] if m
    )


def _tokens(texts: list[str]) -> tuple[str, ...]:
    found: list[str] = []
    for text in texts:
        for token in _TOKEN_ANY_CASE.findall(text):
            token = token.upper()
            if token not in found:
                found.append(token)
    return tuple(found)


def _is_auto(content_type: str, fields: dict[str, str], subject: str) -> bool:
    if content_type == "multipart/report":
        # A report that is not about delivery: a read receipt (RFC 8098) and the like.
        return True
    auto = fields.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return True
    if "x-autoreply" in fields or "x-autorespond" in fields:
        return True
    if fields.get("precedence", "").strip().lower() in _AUTO_PRECEDENCE:
        return True
    return bool(_AUTO_SUBJECT.search(fold(subject)))


def _is_bounce(
    content_type: str, report_type: str, fields: dict[str, str], subject: str, from_address: str
) -> bool:
    if content_type == "multipart/report":
        return report_type in ("delivery-status", "global-delivery-status")
    lowered = subject.lower()
    auto = fields.get("auto-submitted", "").strip().lower()
    return bool(_BOUNCE_SUBJECT.search(lowered)) and (
        bool(BOUNCE_SENDER.search(from_address))
        or (auto != "" and not auto.startswith("no"))
        or not from_address
        or "mail delivery" in lowered
        or "teslim" in lowered
    )


def _text_of(part: Message, limits: ReadLimits) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return _decode_text(payload, part.get_content_charset(), limits)


def _decode_text(payload: bytes, charset: str | None, limits: ReadLimits) -> str:
    payload = payload[: limits.max_text * 4]
    charset = str(charset or "utf-8")
    try:
        if "escape" in charset.lower():  # unicode-escape and the like: not a charset
            raise LookupError(charset)
        text = payload.decode(charset, "replace")
    except (LookupError, ValueError, TypeError, UnicodeError):
        text = payload.decode("utf-8", "replace")
    return text[: limits.max_text]


def _leaf_parts(message: Message, limits: ReadLimits) -> Iterator[Message]:
    """Every leaf part, not descending into attached messages or reports; iterative, and
    refusing a tree over the limits of parts and nesting."""
    stack: list[tuple[Message, int]] = [(message, 0)]
    count = 0
    while stack:
        part, depth = stack.pop()
        count += 1
        if count > limits.max_parts:
            raise LimitExceeded(f"{limits.max_parts} parçadan fazla")
        if depth > limits.max_depth:
            raise LimitExceeded(f"{limits.max_depth} düzeyden derin iç içe parça")
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                for child in reversed(children):
                    if isinstance(child, Message) and child.get_content_maintype() != "message":
                        stack.append((child, depth + 1))
        else:
            yield part


def _body_text(leaves: list[Message], limits: ReadLimits) -> str:
    plain = html = ""
    for part in leaves:
        if part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and not plain:
            plain = _text_of(part, limits)
        elif kind == "text/html" and not html:
            html = _text_of(part, limits)
    return _body_of(plain, html, limits)


def _body_of(plain: str, html: str, limits: ReadLimits) -> str:
    """The text of the first plain part, else of the first HTML part."""
    if plain.strip():
        return plain
    return html_to_text(html)[: limits.max_text] if html else ""


def _reports(message: Message, limits: ReadLimits) -> list[Message]:
    found: list[Message] = []
    stack: list[tuple[Message, int]] = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if part.get_content_type() in REPORT_TYPES:
            found.append(part)
        elif part.is_multipart() and depth < limits.max_depth:
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(
                    (c, depth + 1) for c in children[: limits.max_parts] if isinstance(c, Message)
                )
    return found


def _read_bounce(
    human: str,
    report: Report | None,
    raw: bytes,
    key: str,
    subject: str,
    from_address: str,
    limits: ReadLimits,
) -> ReadMessage:
    failed: tuple[FailedRecipient, ...] = ()
    delayed: tuple[FailedRecipient, ...] = ()
    if report is not None:
        # A standard report is taken at its word: a "delayed" report names no failure.
        failed, delayed = report.failed, report.delayed
    else:
        # Only free-text bounces are searched for addresses.
        failed = guess_failed(human, from_address)
    # The returned original (attached, or quoted inline by non-standard bouncers) carries
    # our Message-ID and token in its headers; the bounce's own are never ours.
    text = raw[: limits.max_text * 2].decode("utf-8", "replace")
    ids = [m for line in _ID_HEADER.findall(text) for m in _MESSAGE_ID.findall(line[:4000])]
    refers = tuple(m for m in dict.fromkeys(ids) if m != key)
    ours = [m.group(1) for ref in refers for m in [_OUR_MESSAGE_ID.match(ref)] if m]
    tokens = _tokens([text] + ours)
    end = text.find("\r\n\r\n")
    end = text.find("\n\n") if end < 0 else end
    quotes = bool(ours) or (end >= 0 and bool(_TOKEN_ANY_CASE.search(text, end)))
    return ReadMessage(
        key,
        MessageKind.BOUNCE,
        from_address,
        subject,
        tokens,
        refers,
        AnswerKind.UNCLEAR,
        clean_text(human[:2000]).strip(),
        failed=failed,
        delayed=delayed,
        standard_report=report is not None,
        quotes_letter=quotes,
    )
