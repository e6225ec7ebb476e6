"""Delivery status notifications (SPEC E4, issue 10): what a bounce says about whom.

A standard report (RFC 3464 / RFC 6533) is taken at its word, recipient by recipient: only
`Action: failed` (or, without a known action, a 5.x.x status) is a failure; `delayed` (or,
without a known action, a 4.x.x status) is a delay,
shown on the recipient and changing nothing; `delivered`, `relayed` and `expanded` say
nothing bad. A non-standard free-text bounce is searched for the addresses named above the
returned original. Every scan here is linear in the text it is given.
"""

from __future__ import annotations

import email
import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message

from tui_mutabakat.mail.headers import header_map, printable

_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_SMTP_LINE = re.compile(r"\b[45]\d\d\b")
# The local part may start only where a run of its characters starts (the look-behind), and
# is taken whole (possessive): no start inside a run, no backtracking over it — linear.
_ADDRESS = re.compile(
    r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]{1,64}+@(?:[A-Za-z0-9-]{1,63}+\.)+[A-Za-z]{2,24}+"
    r"(?![A-Za-z0-9-])"
)
BOUNCE_SENDER = re.compile(r"mailer-daemon|postmaster|microsoftexchange", re.IGNORECASE)
_ORIGINAL_MARKS = ("original message", "copy of the message", "returned message", "özgün ileti")
_ORIGINAL_HEADERS = ("received:", "return-path:", "from:", "message-id:")
_ACTIONS = ("failed", "delayed", "delivered", "relayed", "expanded")
REPORT_TYPES = ("message/delivery-status", "message/global-delivery-status")


@dataclass(frozen=True, slots=True)
class FailedRecipient:
    address: str
    status: str = ""
    diagnostic: str = ""
    #: The recipient as first addressed (`Original-Recipient`), when the report gives it.
    original: str = ""


@dataclass(frozen=True, slots=True)
class Report:
    failed: tuple[FailedRecipient, ...]
    delayed: tuple[FailedRecipient, ...]


def dsn_report(parts: list[Message]) -> Report:
    """Failures and delays of the per-recipient blocks of every delivery-status part."""
    return report_of(header_map(block) for part in parts for block in _blocks(part))


def report_of(blocks: Iterable[dict[str, str]]) -> Report:
    """`dsn_report` of the blocks' fields (`headers.header_map` of each)."""
    failed: list[FailedRecipient] = []
    delayed: list[FailedRecipient] = []
    for fields in blocks:
        if not ("final-recipient" in fields or "original-recipient" in fields):
            continue  # the per-message block
        action = fields.get("action", "").strip().lower()
        status = printable(fields.get("status", ""))[:32]
        final = _address(fields.get("final-recipient", ""))
        original = _address(fields.get("original-recipient", ""))
        if not (final or original):
            continue
        diagnostic = printable(fields.get("diagnostic-code", ""))
        if diagnostic.lower().startswith("smtp;"):
            diagnostic = diagnostic[5:].strip()
        entry = FailedRecipient(final or original, status, diagnostic[:1000], original)
        # The action decides; a report without a known one is read by its status.
        if action == "failed" or (action not in _ACTIONS and status.startswith("5.")):
            failed.append(entry)
        elif action == "delayed" or (action not in _ACTIONS and status.startswith("4.")):
            delayed.append(entry)
    return Report(tuple(failed), tuple(delayed))


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    # message/global-delivery-status (and a report the parser left as text): blocks
    # separated by blank lines, each a set of header fields.
    text = payload if isinstance(payload, str) else ""
    text = text.replace("\r\n", "\n")[:200_000]
    return [email.message_from_string(block + "\n") for block in text.split("\n\n") if block]


def _address(field: str) -> str:
    """`rfc822; <a@b.c>` → `a@b.c`."""
    address = field.partition(";")[2].strip() or field.strip()
    return address.strip("<> ").lower()[:254]


#: Characters of a free-text bounce searched for the failed addresses: its human part.
MAX_HEAD = 100_000


def guess_failed(text: str, bouncer: str) -> tuple[FailedRecipient, ...]:
    """Non-standard bounces: the addresses named above the returned original, with the
    first status code and SMTP answer line found (in the first `MAX_HEAD` characters)."""
    head = _above_original(text[:MAX_HEAD])
    status_match = _STATUS.search(head)
    diagnostic = next(
        (printable(line[:1000]) for line in head.splitlines() if _SMTP_LINE.search(line)), ""
    )
    addresses = [
        a.lower()
        for a in dict.fromkeys(m.group(0) for m in _ADDRESS.finditer(head))
        if a.lower() != bouncer and not BOUNCE_SENDER.search(a)
    ]
    return tuple(
        FailedRecipient(a[:254], status_match.group(1) if status_match else "", diagnostic[:500])
        for a in addresses
    )


def _above_original(text: str) -> str:
    """The text above the first line that starts the returned original: a `--…` line
    naming it, or one of its headers. Line by line, each line examined once."""
    position = 0
    for line in text.splitlines(keepends=True):
        lowered = line[:200].lower()
        if lowered.startswith(_ORIGINAL_HEADERS) or (
            line.startswith("--") and any(mark in line.lower() for mark in _ORIGINAL_MARKS)
        ):
            return text[:position]
        position += len(line)
    return text
