"""Reading the sender's mailbox into the letters (SPEC E4): IMAP → `intake.process_message`.

`read_mailbox` fetches the UIDs above the last one seen (per mailbox and UIDVALIDITY),
processes them in chunks, each chunk and its new `last_uid` in one transaction, and then
flags as seen only the messages that matched a letter. A message that fails to parse is
recorded as processed ("error") so it never blocks the mailbox. When two readers race on
one mailbox, the loser's chunk fails on the unique Message-ID and is read again next time
(then as duplicates). `MailboxPoller` runs it on
a timer in a thread (for the interface and `mutabakat worker`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.models import User
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import MailboxState, ProcessedMessage
from tui_mutabakat.mail.answers import ReadMessage, read_message
from tui_mutabakat.mail.imap import ImapError, ImapSettings, Mailbox, default_port
from tui_mutabakat.mail.secrets import SecretError, resolve_owned
from tui_mutabakat.services.intake import IntakeResult, LetterLookup, Outcome, process_read


@dataclass
class IntakeRun:
    fetched: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    #: Letters whose state changed or got an answer or a bounce in this run.
    letters: set[int] = field(default_factory=set)
    seconds: float = 0.0

    @property
    def news(self) -> int:
        """Answers and bounces found: what the user is told about."""
        return self.outcomes[Outcome.ANSWER] + self.outcomes[Outcome.BOUNCE]


def imap_settings_for(user: User, *, acting: str) -> ImapSettings | None:
    """The user's IMAP settings, None when no IMAP host is set. The password reference is
    resolved only when the process acts as the user (`acting`, see `mail/secrets.py`)."""
    if not user.imap_host:
        return None
    try:
        password = resolve_owned(user.imap_password_ref, owner=user.login, acting=acting)
    except SecretError as exc:
        raise ImapError(str(exc)) from None
    return ImapSettings(
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


def _read_all(
    session: Session, fetched: list[tuple[int, bytes]], key: str
) -> list[tuple[int, ReadMessage | IntakeResult]]:
    """Each message read; one that cannot be read is recorded as processed ("error"), so
    it never blocks the mailbox."""
    reads: list[tuple[int, ReadMessage | IntakeResult]] = []
    for uid, raw in fetched:
        try:
            reads.append((uid, read_message(raw)))
        except (ValueError, LookupError, TypeError, AttributeError, IndexError) as exc:
            digest = "sha256:" + hashlib.sha256(raw).hexdigest()
            known = select(ProcessedMessage.id).where(ProcessedMessage.message_key == digest)
            if session.scalar(known) is not None:
                reads.append((uid, IntakeResult(Outcome.DUPLICATE, digest)))
                continue
            session.add(
                ProcessedMessage(
                    message_key=digest, mailbox=key, uid=uid, outcome="error", detail=str(exc)[:500]
                )
            )
            session.flush()
            reads.append((uid, IntakeResult("error", digest, detail=str(exc))))
    return reads


def _process_chunk(
    session: Session, fetched: list[tuple[int, bytes]], key: str, run: IntakeRun
) -> list[int]:
    """Process a chunk of (uid, raw) in the session; returns the UIDs that matched."""
    reads = _read_all(session, fetched, key)
    lookup = LetterLookup(session, [r for _uid, r in reads if isinstance(r, ReadMessage)])
    matched: list[int] = []
    for uid, read in reads:
        if isinstance(read, IntakeResult):
            result = read
        else:
            result = process_read(session, read, mailbox=key, uid=uid, lookup=lookup)
        run.fetched += 1
        run.outcomes[result.outcome] += 1
        if result.letter_id is not None:
            matched.append(uid)
            run.letters.add(result.letter_id)
    return matched


def read_maildir(database: Database, directory: Path, *, chunk: int = 200) -> IntakeRun:
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
            _process_chunk(session, [(0, path.read_bytes()) for path in part], key, run)
    run.seconds = time.perf_counter() - started
    return run


def read_mailbox(database: Database, settings: ImapSettings, *, chunk: int = 200) -> IntakeRun:
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
        for start in range(0, len(uids), chunk):
            part = uids[start : start + chunk]
            with database.unit_of_work() as session:
                fetched = list(mailbox.fetch(part))
                matched = _process_chunk(session, fetched, settings.key, run)
                state = _state(session, settings.key)
                state.last_uid = max(part)
                state.checked_at = utcnow()
            mailbox.mark_seen(matched)
    run.seconds = time.perf_counter() - started
    return run


class MailboxPoller:
    """Reads the mailbox every `interval` seconds in a daemon thread until `stop()`.

    `on_run` gets each run's result, `on_error` the message of a failed run (the next
    run tries again). Both are called in the poller's thread.
    """

    def __init__(
        self,
        database: Database,
        settings: Callable[[], ImapSettings | None],
        interval: float,
        on_run: Callable[[IntakeRun], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self._database = database
        self._settings = settings
        self._interval = interval
        self._on_run = on_run
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="mailbox", daemon=True)

    def start(self) -> MailboxPoller:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                settings = self._settings()
                if settings is not None:
                    run = read_mailbox(self._database, settings)
                    if self._on_run is not None:
                        self._on_run(run)
            except (ImapError, SQLAlchemyError, OSError) as exc:
                # The thread lives on: the next run tries again.
                if self._on_error is not None:
                    self._on_error(str(exc))
            self._stop.wait(self._interval)


def mailbox_of(database: Database, login: str, *, acting: str) -> ImapSettings | None:
    """The IMAP settings of user `login` (None when the user has no IMAP host), for a
    process acting as `acting`."""
    with database.reader() as session:
        user = session.scalar(select(User).where(User.login == login))
        return imap_settings_for(user, acting=acting) if user is not None else None


def read_user_mailbox(database: Database, login: str, *, acting: str) -> IntakeRun | None:
    """Read the mailbox of user `login`: what the interface's timer and the worker call."""
    settings = mailbox_of(database, login, acting=acting)
    return read_mailbox(database, settings) if settings is not None else None
