"""The mailbox on a timer for the tracking screens (SPEC E4): one intake pass at a time on a
thread — the demo inbox maildir with the file backend, the user's IMAP mailbox otherwise —
and a notification when answers or bounces came in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.intake import Outcome
from tui_mutabakat.services.mailbox import IntakeRun, read_maildir, read_user_mailbox

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
                return IntakeRun()  # nothing dropped yet: read, and nothing new
            return read_maildir(database, inbox, limits=settings.read_limits)
        return read_user_mailbox(
            database, login, settings.read_limits, acting=settings.acting_login
        )
    finally:
        _running.release()


def failure_text(error: str) -> str:
    return _("Posta kutusu okunamadı: {error}").format(error=error)


def news_text(run: IntakeRun) -> str:
    return _("Posta kutusu: {answers} yanıt, {bounces} geri dönen mektup geldi.").format(
        answers=run.outcomes[Outcome.ANSWER], bounces=run.outcomes[Outcome.BOUNCE]
    )


def read_text(run: IntakeRun | None) -> str:
    """What a pass the user asked for (Ctrl+U) read: "2 yeni yanıt · 1 geri dönen ileti",
    "Yeni ileti yok", and the number unreadable if any."""
    if run is None:
        return _("Posta kutusu okunmadı: başka bir okuma sürüyor ya da posta kutusu tanımlı değil.")
    parts = []
    if run.outcomes[Outcome.ANSWER]:
        answers = run.outcomes[Outcome.ANSWER]
        parts.append(
            ngettext("{count} yeni yanıt", "{count} yeni yanıt", answers).format(count=answers)
        )
    if run.outcomes[Outcome.BOUNCE]:
        parts.append(_("{count} geri dönen ileti").format(count=run.outcomes[Outcome.BOUNCE]))
    if not parts:
        parts.append(_("Yeni ileti yok"))
    if run.unreadable:
        parts.append(_("{count} ileti okunamadı (F8)").format(count=len(run.unreadable)))
    return " · ".join(parts)


def place_text(settings: Settings, imap_host: str) -> str:
    """The mailbox the tracking screens read, for one dim line: the demo inbox folder with the
    file backend, the user's IMAP host otherwise."""
    if settings.mail_backend == "file":
        return _("Yanıtlar okunur: {place}").format(place=demo_inbox(settings))
    if imap_host:
        return _("Yanıtlar okunur: IMAP {place}").format(place=imap_host)
    return _("Yanıtları okumak için IMAP sunucunuzu girin (Kullanıcılar).")


def tell(notify: Callable[..., None], run: IntakeRun | None) -> bool:
    """Notify the user of news and of messages that could not be read; True when
    something changed."""
    if run is not None and run.unreadable:
        notify(
            _("{count} ileti okunamadı; Okunamayan iletiler listesinde (F8).").format(
                count=len(run.unreadable)
            ),
            title=_("Posta kutusu"),
            severity="warning",
        )
    if run is None or not run.letters:
        return False
    if run.news:
        notify(news_text(run), title=_("Yeni yanıtlar"))
    return True
