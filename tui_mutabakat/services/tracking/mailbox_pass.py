"""One pass over the mailbox for the tracking screens (SPEC E4): the demo inbox maildir with
the file backend, the user's IMAP mailbox otherwise — and never two passes at once in one
process (the screens read on a timer and on Ctrl+U)."""

from __future__ import annotations

import threading
from pathlib import Path

from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.services.tracking.mailbox import IntakeRun, read_maildir, read_user_mailbox

#: Seconds between two passes while a tracking screen is open.
POLL_SECONDS = 30.0
_running = threading.Lock()


def demo_inbox(settings: Settings) -> str:
    return str(settings.mail_inbox)


def intake_once(database: Database, settings: Settings, login: str) -> IntakeRun | None:
    """One pass; None when another pass is running or no IMAP mailbox is set."""
    if not _running.acquire(blocking=False):
        return None
    try:
        if settings.mail_backend == "file":
            inbox = Path(demo_inbox(settings))
            if not inbox.exists():
                # Nothing dropped yet. The folder the tracking screen names is made here,
                # so a newcomer finds it where it says replies are read from.
                inbox.mkdir(parents=True, exist_ok=True)
                return IntakeRun()
            return read_maildir(database, inbox, limits=settings.read_limits)
        return read_user_mailbox(
            database, login, settings.read_limits, acting=settings.acting_login
        )
    finally:
        _running.release()
