"""Running the sender: for one batch from the interface, or as `mutabakat worker`.

The transport of a batch is its sender's: SMTP with the user's server settings when the
mail backend is `smtp`, otherwise the maildir outbox of the settings (the demo default).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import threading
from collections.abc import Sequence
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.config import Settings, load_settings
from tui_mutabakat.data import migrate
from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.models import User
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.delivery import SmtpConfig, SmtpTransport
from tui_mutabakat.mail.file_backend import FileTransport
from tui_mutabakat.mail.secrets import NotOwner, SecretError, resolve_owned
from tui_mutabakat.mail.transport import Transport, TransportUnavailable
from tui_mutabakat.services.portal.links import open_database
from tui_mutabakat.services.sending.batch_status import close_abandoned_batches
from tui_mutabakat.services.sending.outbox import RetryPolicy, SenderIdentity
from tui_mutabakat.services.sending.sender import OutboxSender
from tui_mutabakat.services.sending.sender_types import (
    DeliveryOptions,
    ProgressCallback,
    RunReport,
    SendProgress,
)
from tui_mutabakat.services.tracking.tracking_worker import TrackingThread, track_once

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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mutabakat worker", description="deliver the queued reconciliation letters"
    )
    parser.add_argument("--db", help="database URL (default: from settings)")
    parser.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    parser.add_argument(
        "--connections", type=int, default=DEFAULT_SMTP_CONNECTIONS, help="SMTP connections"
    )
    parser.add_argument("--rate", type=float, default=None, help="letters per minute at most")
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between looks")
    parser.add_argument("--retry-base", type=float, default=60.0, help="first 4xx retry delay")
    parser.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema")
    parser.add_argument(
        "--track-seconds", type=float, default=60.0, help="seconds between mailbox reads"
    )
    parser.add_argument(
        "--no-track", action="store_true", help="do not read mailboxes, expire or remind"
    )
    return parser


def worker_main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """`mutabakat worker [--once] [--db URL] …`; exits 0, or 2 when a server was down."""
    args = _parser().parse_args(argv)
    settings = settings or load_settings()
    if args.db:
        settings = settings.with_database(args.db)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    database = open_database(settings)
    if not args.no_migrate:
        migrate.upgrade(database.engine)
    options = DeliveryOptions(
        rate_per_minute=args.rate,
        poll_seconds=args.poll,
        retry=RetryPolicy(base_seconds=args.retry_base),
    )
    stop = threading.Event()

    async def main() -> list[RunReport]:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        return await run_worker(
            database,
            settings,
            once=args.once,
            options=options,
            connections=args.connections,
            stop=stop,
        )

    # Answers, bounces, expiry and reminders (SPEC E4, E6) beside the sending.
    tracker = None
    if not args.no_track:
        if args.once:
            track_once(database, settings)
        else:
            run = partial(track_once, database, settings)
            tracker = TrackingThread(run, args.track_seconds).start()
    try:
        reports = asyncio.run(main())
    finally:
        if tracker is not None:
            tracker.stop()
        database.dispose()
    return 2 if any(r.transport_error for r in reports) else 0
