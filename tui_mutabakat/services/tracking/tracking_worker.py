"""What `mutabakat worker` does besides sending (SPEC E4, E6): read every sender's mailbox
(users with an IMAP host; with the file backend also the demo inbox maildir
beside the outbox, `<data_dir>/inbox`), then expire overdue letters and queue the day's reminders.

Every step is safe to repeat: messages are processed once by Message-ID, a letter expires
once, and a letter gets at most one reminder a day.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import select

from tui_mutabakat.config import Settings
from tui_mutabakat.data.models import User
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.mail.imap import ImapError
from tui_mutabakat.services.tracking.mailbox import (
    IntakeRun,
    imap_config_for,
    read_mailbox,
    read_maildir,
)
from tui_mutabakat.services.tracking.reminders import run_daily

log = logging.getLogger("mutabakat.tracking")

T = TypeVar("T")


@dataclass
class TrackingReport:
    runs: dict[str, IntakeRun] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    expired: list[int] = field(default_factory=list)
    reminded: list[int] = field(default_factory=list)


def track_once(
    database: Database, settings: Settings, today: dt.date | None = None, actor: str = "worker"
) -> TrackingReport:
    report = TrackingReport()
    with database.reader() as session:
        users = list(
            session.scalars(select(User).where(User.imap_host != "", User.active.is_(True)))
        )
    acting = settings.acting_login
    for user in users:
        if user.login != acting and user.imap_password_ref:
            # Her password is hers (mail/secrets.py): her own worker reads her mailbox.
            log.debug("mailbox of %s is left to a worker of %s", user.login, user.login)
            continue
        try:
            mailbox = imap_config_for(user, acting=acting)
            run = (
                read_mailbox(database, mailbox, limits=settings.read_limits)
                if mailbox is not None
                else None
            )
        except ImapError as exc:
            report.errors.append(f"{user.login}: {exc}")
            log.warning("mailbox of %s: %s", user.login, exc)
            continue
        except Exception as exc:  # noqa: BLE001 — one mailbox never stops the others
            report.errors.append(f"{user.login}: {type(exc).__name__}: {exc}")
            log.exception("mailbox of %s", user.login)
            continue
        if run is not None:
            report.runs[user.login] = run
    inbox = settings.mail_inbox
    if settings.mail_backend != "smtp" and inbox.is_dir():
        report.runs[f"file:{inbox}"] = read_maildir(database, inbox, limits=settings.read_limits)
    with database.unit_of_work() as session:
        report.expired, report.reminded = run_daily(session, today or local_today(), actor)
    for name, run in report.runs.items():
        if run.fetched:
            log.info("%s: %d messages, %s", name, run.fetched, dict(run.outcomes))
        for line in run.unreadable:
            log.warning("%s: unreadable message %s", name, line)
    if report.expired or report.reminded:
        log.info(
            "%d letters expired, %d reminders queued", len(report.expired), len(report.reminded)
        )
    return report


class TrackingThread(Generic[T]):
    """`run()` every `interval` seconds in a daemon thread, until `stop()`: the worker's
    `track_once`, or one mailbox's `read_mailbox`.

    `on_run` gets each run's result, `on_error` the message of a failed run (logged too;
    the next run tries again). Both are called in the thread.
    """

    def __init__(
        self,
        run: Callable[[], T],
        interval: float = 60.0,
        *,
        on_run: Callable[[T], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        name: str = "tracking",
    ) -> None:
        self._run = run
        self._interval = interval
        self._on_run = on_run
        self._on_error = on_error
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> TrackingThread[T]:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                result = self._run()
                if self._on_run is not None:
                    self._on_run(result)
            except Exception as exc:  # noqa: BLE001 — the thread lives on, the caller is told
                log.exception("%s run failed", self._thread.name)
                if self._on_error is not None:
                    self._on_error(f"{type(exc).__name__}: {exc}")
            self._stop.wait(self._interval)
