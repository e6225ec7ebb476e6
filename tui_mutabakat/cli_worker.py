"""`mutabakat worker`: the sender (and the mailbox reader) without the interface.

The arguments are read here; the work is `services.sending.worker.run_worker` and the
tracking thread of `services.tracking.tracking_worker`. Exit status 0, or 2 when a mail
server was down.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import threading
from collections.abc import Sequence
from functools import partial

from tui_mutabakat.config import Settings, load_settings
from tui_mutabakat.data import migrate
from tui_mutabakat.services.portal.links import open_database
from tui_mutabakat.services.sending.outbox import RetryPolicy
from tui_mutabakat.services.sending.sender_types import DeliveryOptions, RunReport
from tui_mutabakat.services.sending.worker import DEFAULT_SMTP_CONNECTIONS, run_worker
from tui_mutabakat.services.tracking.tracking_worker import TrackingThread, track_once


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
