"""Running the sender: for one batch from the interface, or as `mutabakat worker`.

The transport of a batch is its sender's: SMTP with the user's server settings when the
mail backend is `smtp`, otherwise the maildir outbox of the settings (the demo default).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.config import Settings
from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.models import User
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.delivery import SmtpConfig, SmtpTransport
from tui_mutabakat.mail.file_backend import FileTransport
from tui_mutabakat.mail.secrets import NotOwner, SecretError, resolve_owned
from tui_mutabakat.mail.transport import Transport, TransportUnavailable
from tui_mutabakat.services.sending.batch_status import close_abandoned_batches
from tui_mutabakat.services.sending.outbox import SenderIdentity
from tui_mutabakat.services.sending.sender import OutboxSender
from tui_mutabakat.services.sending.sender_types import (
    DeliveryOptions,
    ProgressCallback,
    RunReport,
    SendProgress,
)

log = logging.getLogger("mutabakat.worker")

#: Connections per SMTP server (and letters in flight); see the send benchmark.
DEFAULT_SMTP_CONNECTIONS = 8


class ForeignSender(TransportUnavailable):
    """The sender's password reference belongs to another login: the letters stay queued
    for that login's worker (nothing of theirs is run or read here)."""


def _smtp_identity(session: Session, sender_login: str) -> User:
    """The user whose SMTP server and password send the letters of `sender_login`: the
    service sender an admin set for them (`User.send_via`), else their own."""
    user = session.scalar(select(User).where(User.login == sender_login))
    if user is not None and user.send_via:
        service = session.scalar(select(User).where(User.login == user.send_via))
        if service is None or not service.active:
            raise TransportUnavailable(
                _("{login} için gönderici hesabı {service} tanımlı ya da etkin değil.").format(
                    login=sender_login, service=user.send_via
                )
            )
        user = service
    if user is None or not user.smtp_host:
        raise TransportUnavailable(
            _("{login} için SMTP sunucusu tanımlı değil (kullanıcı tanımı).").format(
                login=sender_login
            )
        )
    return user


def transport_for(
    database: Database,
    settings: Settings,
    sender_login: str,
    *,
    connections: int | None = None,
) -> Transport:
    """The transport the letters of `sender_login` go through. The password reference is
    resolved only when this process acts as its owner — the sender, or the service sender
    an admin set for them (`mail/secrets.py`); otherwise `ForeignSender`."""
    if settings.mail_backend != "smtp":
        return FileTransport(settings.mail_outbox)
    with database.reader() as session:
        user = _smtp_identity(session, sender_login)
        owner, host, port, security = user.login, user.smtp_host, user.smtp_port, user.smtp_security
        login, ref = user.smtp_login, user.smtp_password_ref
    try:
        password = resolve_owned(ref, owner=owner, acting=settings.acting_login)
    except NotOwner as exc:
        raise ForeignSender(
            _(
                "{login} mektupları kuyrukta bekliyor: {reason} Onları {owner} oturumunda "
                "çalışan 'mutabakat worker' gönderir."
            ).format(login=sender_login, reason=exc, owner=owner)
        ) from None
    except SecretError as exc:
        raise TransportUnavailable(str(exc)) from None
    config = SmtpConfig(host=host, port=port, security=security, login=login, password=password)
    return SmtpTransport(config, pool_size=connections or DEFAULT_SMTP_CONNECTIONS)


async def send_batch(
    database: Database,
    settings: Settings,
    batch_id: int,
    *,
    options: DeliveryOptions | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    actor: str | None = None,
    connections: int | None = None,
    filling: asyncio.Future[Any] | None = None,
) -> RunReport:
    """Deliver what is due in one batch now, and return. Letters a server deferred stay
    queued for their retry time (the worker, or the next call, takes them). `filling`:
    the batch is still being written; go on until that is done and nothing is left."""
    _close_abandoned(database)
    with database.reader() as session:
        batch = session.get(ReconciliationBatch, batch_id)
        if batch is None:
            raise ValueError(f"no batch {batch_id}")
        sender_login = batch.sender_login
    try:
        transport = transport_for(database, settings, sender_login, connections=connections)
    except TransportUnavailable as exc:
        return RunReport(SendProgress(), transport_error=str(exc))
    sender = OutboxSender(
        database,
        transport,
        options=options,
        identity=SenderIdentity.new(actor),
        batch_id=batch_id,
        on_progress=on_progress,
        stop=stop,
        filling=filling,
    )
    return await sender.run(once=True)


def _close_abandoned(database: Database) -> None:
    with database.engine.begin() as conn:
        closed = close_abandoned_batches(conn, utcnow())
    if closed:
        log.warning("closed batches a stopped program left half written: %s", closed)


def _due_senders(database: Database) -> list[str]:
    with database.reader() as session:
        statement = (
            select(ReconciliationBatch.sender_login)
            .distinct()
            .join(Letter, Letter.batch_id == ReconciliationBatch.id)
            .where(
                Letter.next_attempt_at.is_not(None),
                Letter.next_attempt_at <= utcnow(),
                ReconciliationBatch.cancel_requested.is_(False),
            )
        )
        return sorted(session.scalars(statement))


async def run_worker(
    database: Database,
    settings: Settings,
    *,
    once: bool,
    options: DeliveryOptions | None = None,
    connections: int | None = None,
    stop: threading.Event | None = None,
) -> list[RunReport]:
    """Deliver every due letter of every sender. `once`: until nothing is due, then return;
    otherwise keep polling until `stop` is set. The letters of a sender whose password
    reference is another login's stay queued; the log says why, once (`ForeignSender`)."""
    options = options or DeliveryOptions()
    stop = stop or threading.Event()
    reports: list[RunReport] = []
    failing: dict[str, float] = {}
    foreign: set[str] = set()
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        _close_abandoned(database)
        worked = False
        for login in _due_senders(database):
            if loop.time() < failing.get(login, 0.0):
                continue
            try:
                transport = transport_for(database, settings, login, connections=connections)
            except ForeignSender as exc:
                if login not in foreign:
                    log.warning("%s: %s", login, exc)
                    foreign.add(login)
                failing[login] = loop.time() + options.reconnect_seconds
                continue
            except TransportUnavailable as exc:
                log.warning("%s: %s", login, exc)
                reports.append(RunReport(SendProgress(), transport_error=str(exc)))
                failing[login] = loop.time() + options.reconnect_seconds
                continue
            report = await OutboxSender(
                database, transport, options=options, sender_login=login, stop=stop
            ).run(once=True)
            reports.append(report)
            progress = report.progress
            log.info(
                "%s via %s: %d sent, %d failed, %d to retry, %d back in queue",
                login,
                report.transport,
                progress.sent,
                progress.failed,
                progress.retrying,
                progress.released,
            )
            if report.transport_error:
                log.warning("%s: %s", login, report.transport_error)
                failing[login] = loop.time() + options.reconnect_seconds
            else:
                worked = worked or progress.done > 0
        if once:
            break
        if not worked:
            await asyncio.sleep(options.poll_seconds)
    return reports
