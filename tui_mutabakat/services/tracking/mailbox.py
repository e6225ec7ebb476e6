"""Reading the sender's mailbox into the letters (SPEC E4): IMAP → `intake.process_message`.

`read_mailbox` fetches the UIDs above the last one seen (per mailbox and UIDVALIDITY),
processes them in chunks (at most `chunk` messages and `CHUNK_BYTES`), each chunk and its
new `last_uid` in one transaction, and flags as seen only the messages that matched a
letter, once their chunk is committed (`SEEN_AT_ONCE` at a time). Each message is read
on its own, and applied in its own savepoint when its chunk fails as a whole: one that
cannot be read, is over the `ReadLimits` or fails to apply is recorded as processed
("error") and listed as unreadable with its raw headers, so it never blocks the mailbox;
the last UID advances. When two readers race on one mailbox, the
loser's messages fail on the unique Message-ID and are then found processed: duplicates,
not errors. `mutabakat worker` runs it on a timer in a thread (`TrackingThread`).
"""

from __future__ import annotations

import contextlib
import hashlib
import imaplib
import logging
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.bulk_insert import BulkRows
from tui_mutabakat.data.models import User
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import MailboxState
from tui_mutabakat.mail.answers import ReadMessage, Unreadable, read_safely
from tui_mutabakat.mail.headers import header_block
from tui_mutabakat.mail.imap import ImapConfig, ImapError, Mailbox, default_port
from tui_mutabakat.mail.limits import DEFAULT_LIMITS, ReadLimits
from tui_mutabakat.mail.secrets import SecretError, resolve_owned
from tui_mutabakat.services.tracking.intake import (
    IntakeOutcome,
    IntakeResult,
    already_processed,
    process_read,
    record_unreadable,
)
from tui_mutabakat.services.tracking.letter_rows import LetterLookup

log = logging.getLogger("mutabakat.mailbox")


@dataclass
class IntakeRun:
    fetched: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    #: Letters whose state changed or got an answer or a bounce in this run.
    letters: set[int] = field(default_factory=set)
    seconds: float = 0.0
    #: Messages listed as unreadable in this run ("UID n: why").
    unreadable: list[str] = field(default_factory=list)

    @property
    def news(self) -> int:
        """Answers and bounces found: what the user is told about."""
        return self.outcomes[IntakeOutcome.ANSWER] + self.outcomes[IntakeOutcome.BOUNCE]


def imap_config_for(user: User, *, acting: str) -> ImapConfig | None:
    """The user's IMAP settings, None when no IMAP host is set. The password reference is
    resolved only when the process acts as the user (`acting`, see `mail/secrets.py`)."""
    if not user.imap_host:
        return None
    try:
        password = resolve_owned(user.imap_password_ref, owner=user.login, acting=acting)
    except SecretError as exc:
        raise ImapError(str(exc)) from None
    return ImapConfig(
        host=user.imap_host,
        port=user.imap_port or default_port(user.imap_security),
        security=user.imap_security,
        login=user.imap_login or user.from_address,
        password=password,
    )


def _state(session: Session, key: str) -> MailboxState:
    state = session.scalar(select(MailboxState).where(MailboxState.mailbox == key))
    if state is None:
        state = MailboxState(mailbox=key, uidvalidity=0, last_uid=0)
        session.add(state)
        session.flush()
    return state


def _process_chunk(
    session: Session,
    fetched: list[tuple[int, bytes]],
    key: str,
    run: IntakeRun,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> list[int]:
    """Process a chunk of (uid, raw) in the session; returns the UIDs that matched.

    Each message is read on its own; one that cannot be read or is over a limit is listed
    as unreadable with its raw headers. The chunk is applied in one savepoint; should that
    fail, it is applied again message by message, a savepoint each, so that only the
    message at fault is rolled back and listed, and the chunk goes on."""
    reads = [(uid, raw, read_safely(raw, limits)) for uid, raw in fetched]
    lookup = LetterLookup(session, [r for _u, _raw, r in reads if isinstance(r, ReadMessage)])
    before = set(lookup.processed)
    # No flush before each query: what a message's queries need is kept by `lookup` (the
    # letters and recipients as rows, the processed keys). The chunk's changed letters and
    # recipients are written by one statement per table (`lookup.write`), and so are its
    # new history rows (`BulkRows`).
    try:
        with session.no_autoflush, session.begin_nested():
            rows = BulkRows()
            results = [
                _one(session, lookup, uid, raw, read, key, rows=rows) for uid, raw, read in reads
            ]
            lookup.write(session)
            rows.write(session)
    except Exception as exc:  # noqa: BLE001 — then one message at a time
        log.warning("mailbox %s: chunk rolled back (%s); message by message", key, exc)
        lookup = LetterLookup(session, [r for _u, _raw, r in reads if isinstance(r, ReadMessage)])
        lookup.processed = before
        with session.no_autoflush:
            results = [_one(session, lookup, uid, raw, read, key) for uid, raw, read in reads]
    matched: list[int] = []
    for (uid, _raw, _read), result in zip(reads, results, strict=True):
        run.fetched += 1
        run.outcomes[result.outcome] += 1
        if result.outcome in (IntakeOutcome.ERROR, IntakeOutcome.CONFLICT):
            run.unreadable.append(f"UID {uid}: {result.detail}"[:300])
        if result.letter_id is not None:
            matched.append(uid)
            run.letters.add(result.letter_id)
    return matched


def _one(
    session: Session,
    lookup: LetterLookup,
    uid: int,
    raw: bytes,
    read: ReadMessage | Unreadable,
    key: str,
    *,
    rows: BulkRows | None = None,
) -> IntakeResult:
    """One message: in a chunk's savepoint, its new rows into the chunk's `rows`; else
    alone, in its own savepoint, a failure listed instead of raised."""
    alone = rows is None
    if isinstance(read, ReadMessage):
        if rows is not None:
            return process_read(
                session, read, mailbox=key, uid=uid, lookup=lookup, raw=raw, rows=rows
            )
        try:
            with session.begin_nested():
                result = process_read(session, read, mailbox=key, uid=uid, lookup=lookup, raw=raw)
                lookup.write(session)
                return result
        except Exception as exc:  # noqa: BLE001 — one message never stops the intake
            log.warning("mailbox %s UID %s: %s", key, uid, exc)
            lookup.processed.discard(read.key)  # rolled back with its savepoint
            lookup.undo()
            read = Unreadable(read.key, read.key, f"{type(exc).__name__}: {exc}"[:1000], "")
    if read.key in lookup.processed or already_processed(session, read.key):
        return IntakeResult(IntakeOutcome.DUPLICATE, read.key)
    if not alone:
        _list(session, read, raw, key, uid)
    else:
        try:
            with session.begin_nested():
                _list(session, read, raw, key, uid)
        except Exception as exc:  # noqa: BLE001 — then at least its digest and the reason
            log.warning("mailbox %s UID %s: %s", key, uid, exc)
            digest = "sha256:" + hashlib.sha256(raw).hexdigest()
            if already_processed(session, digest):
                return IntakeResult(IntakeOutcome.DUPLICATE, digest)
            read = Unreadable(digest, "", ascii(read.error)[:1000], "")
            with session.begin_nested():
                _list(session, read, b"", key, uid)
    lookup.processed.add(read.key)
    return IntakeResult(IntakeOutcome.ERROR, read.key, detail=read.error)


def _list(session: Session, read: Unreadable, raw: bytes, key: str, uid: int) -> None:
    record_unreadable(
        session,
        read.key,
        reason=IntakeOutcome.ERROR,
        error=read.error,
        headers=read.headers or header_block(raw),
        mailbox=key,
        uid=uid or None,
        message_id=read.message_id,
        processed=True,
    )


def read_maildir(
    database: Database, directory: Path, *, chunk: int = 200, limits: ReadLimits = DEFAULT_LIMITS
) -> IntakeRun:
    """The demo's mailbox: every message file in a maildir (`new/`, `cur/`) or a plain
    folder of `.eml` files. Files are never moved or deleted; the processed-message table
    (by Message-ID) keeps each from counting twice."""
    started = time.perf_counter()
    run = IntakeRun()
    folders = [directory / "new", directory / "cur"]
    if not any(folder.is_dir() for folder in folders):
        folders = [directory]
    files = sorted(
        path for folder in folders if folder.is_dir() for path in folder.iterdir() if path.is_file()
    )
    key = f"file:{directory}"
    for start in range(0, len(files), chunk):
        part = files[start : start + chunk]
        with database.unit_of_work() as session:
            fetched = [(0, _read_file(path, limits.max_bytes)) for path in part]
            _process_chunk(session, fetched, key, run, limits)
    run.seconds = time.perf_counter() - started
    return run


def _read_file(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(max_bytes + 1)


#: Matched messages flagged as seen by one STORE (at most; the rest when the run ends).
SEEN_AT_ONCE = 2_000

#: Bytes fetched for one chunk at most (each message counted up to the size limit): a
#: mailbox of big messages is read in smaller chunks, never all in memory at once.
CHUNK_BYTES = 64_000_000


def chunks(
    uids: list[int], sizes: dict[int, int], count: int, max_bytes: int
) -> Iterator[list[int]]:
    """`uids` in chunks of at most `count` messages and `CHUNK_BYTES` (one message alone
    may be a chunk of its own)."""
    part: list[int] = []
    total = 0
    for uid in uids:
        size = min(sizes.get(uid, 0), max_bytes + 1)
        if part and (len(part) >= count or total + size > CHUNK_BYTES):
            yield part
            part, total = [], 0
        part.append(uid)
        total += size
    if part:
        yield part


def read_mailbox(
    database: Database,
    settings: ImapConfig,
    *,
    chunk: int = 200,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> IntakeRun:
    """Read what is new in the mailbox; safe to run again (nothing counts twice)."""
    started = time.perf_counter()
    run = IntakeRun()
    with Mailbox(settings) as mailbox:
        with database.unit_of_work() as session:
            state = _state(session, settings.key)
            if state.uidvalidity != mailbox.uidvalidity:
                # A new folder (or one rebuilt): read it all again; processed messages
                # are known by Message-ID and are not counted twice.
                state.uidvalidity = mailbox.uidvalidity
                state.last_uid = 0
            last_uid = state.last_uid
        uids = mailbox.uids_after(last_uid)
        sizes = mailbox.sizes_after(last_uid) if uids else {}
        # Flagged once their chunk is committed, a few thousand at a time: in a big maildir
        # folder each STORE costs the server more than the messages it names.
        seen: list[int] = []
        try:
            for part in chunks(uids, sizes, chunk, limits.max_bytes):
                with database.unit_of_work() as session:
                    fetched = list(mailbox.fetch(part, max_bytes=limits.max_bytes))
                    matched = _process_chunk(session, fetched, settings.key, run, limits)
                    state = _state(session, settings.key)
                    state.last_uid = max(part)
                    state.checked_at = utcnow()
                seen += matched
                if len(seen) >= SEEN_AT_ONCE:
                    mailbox.mark_seen(seen)
                    seen = []
        except BaseException:
            with contextlib.suppress(ImapError, OSError, imaplib.IMAP4.error):
                mailbox.mark_seen(seen)  # what was committed before the failure
            raise
        mailbox.mark_seen(seen)
    run.seconds = time.perf_counter() - started
    return run


def mailbox_of(database: Database, login: str, *, acting: str) -> ImapConfig | None:
    """The IMAP settings of user `login` (None when the user has no IMAP host), for a
    process acting as `acting`."""
    with database.reader() as session:
        user = session.scalar(select(User).where(User.login == login))
        return imap_config_for(user, acting=acting) if user is not None else None


def read_user_mailbox(
    database: Database, login: str, limits: ReadLimits = DEFAULT_LIMITS, *, acting: str
) -> IntakeRun | None:
    """Read the mailbox of user `login`: what the interface's timer and the worker call."""
    settings = mailbox_of(database, login, acting=acting)
    return read_mailbox(database, settings, limits=limits) if settings is not None else None
