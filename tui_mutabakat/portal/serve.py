"""`mutabakat portal [--host 127.0.0.1] [--port 8080] [--check]`: the answer page served
by uvicorn (on loopback by default: a TLS reverse proxy in front, see the README)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # `mutabakat` builds its parser from this module: the rest loads when the portal runs.
    from tui_mutabakat.config import Settings
    from tui_mutabakat.data.session import Database


def add_portal_parser(commands: Any) -> None:
    portal = commands.add_parser("portal", help="serve the answer page (issue 15)")
    portal.add_argument("--host", default="127.0.0.1", help="address to listen on")
    portal.add_argument("--port", type=int, default=8080, help="port to listen on")
    portal.add_argument(
        "--per-address",
        type=int,
        default=120,
        help="requests one address may make in a minute (default 120)",
    )
    portal.add_argument(
        "--check", action="store_true", help="print what is configured and what is missing"
    )


def check(settings: Settings) -> int:
    """Print the portal's configuration; 0 when it can run, 1 when something is missing."""
    from tui_mutabakat.data import migrate
    from tui_mutabakat.data.session import Database
    from tui_mutabakat.services.portal.files import UPLOAD_DIR
    from tui_mutabakat.services.portal.links import KEY_FILE

    missing: list[str] = []
    url = settings.portal_url
    print(f"portal_url: {url or '-'}")
    if not url:
        missing.append("portal_url is not set (config.toml or MUTABAKAT_PORTAL_URL)")
    elif not url.startswith("https://"):
        print("  warning: not https:// — serve it behind a TLS reverse proxy")
    print(f"portal_grace_days: {settings.portal_grace_days}")
    key = settings.data_dir / KEY_FILE
    if key.exists():
        mode = key.stat().st_mode & 0o777
        print(f"key: {key} (mode {mode:04o})")
        if mode & 0o077:
            missing.append(f"{key} is readable by others: chmod 600 it")
    else:
        print(f"key: {key} (made on first use)")
    print(f"uploads: {settings.data_dir / UPLOAD_DIR}")
    sqlite = settings.database_url.removeprefix("sqlite:///")
    if settings.database_url.startswith("sqlite:///") and not os.path.exists(sqlite):
        missing.append(f"database {sqlite} does not exist")
        return _verdict(missing)
    database = Database.from_url(settings.database_url)
    try:
        print(f"database: {database.engine.url.render_as_string(hide_password=True)}")
        try:
            print(f"  revision: {migrate.current_revision(database.engine)}")
            if database.engine.dialect.name == "postgresql":
                missing += _role_check(database)
        except Exception as error:  # noqa: BLE001 - reported, not raised
            missing.append(f"database not reachable: {str(error).splitlines()[0]}")
    finally:
        database.dispose()
    return _verdict(missing)


def _role_check(database: Database) -> list[str]:
    """On PostgreSQL: the role the portal connects as must not read users or accounts."""
    from sqlalchemy import text

    with database.engine.connect() as connection:
        user = connection.execute(text("SELECT current_user")).scalar_one()
        wide = [
            table
            for table in ("app_user", "account", "working_settings")
            if connection.execute(
                text("SELECT has_table_privilege(current_user, :t, 'SELECT')"), {"t": table}
            ).scalar_one()
        ]
    reach = f"reads {', '.join(wide)}" if wide else "letters and answers only"
    print(f"  role: {user} ({reach})")
    if not wide:
        return []
    return [
        f"the portal connects as {user}, who may read {', '.join(wide)}: connect it as a role "
        "made by `mutabakat db roles --portal LOGIN` (see the README)"
    ]


def _verdict(missing: list[str]) -> int:
    for line in missing:
        print(f"missing: {line}")
    print("ok" if not missing else "not ready")
    return 0 if not missing else 1


def serve(settings: Settings, args: argparse.Namespace) -> int:
    from tui_mutabakat.data import migrate
    from tui_mutabakat.data.session import Database
    from tui_mutabakat.services.portal.links import portal_links

    if args.check:
        return check(settings)
    links = portal_links(settings.data_dir, settings.portal_url, settings.portal_grace_days)
    if links is None:
        print("mutabakat portal: portal_url is not set; the portal is off", file=sys.stderr)
        return 2
    import uvicorn

    from tui_mutabakat.portal.app import make_portal
    from tui_mutabakat.portal.limits import RateLimiter

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    database = Database.from_url(settings.database_url)
    if database.engine.dialect.name == "postgresql":
        # Its role may not change the schema: the database must be at the head already.
        if migrate.database_revision(database.engine) != migrate.head_revision():
            database.dispose()
            print("mutabakat portal: the database is not upgraded: run `mutabakat db upgrade`")
            return 2
    else:
        migrate.upgrade(database.engine)
    limiter = RateLimiter(per_address=max(1, args.per_address))
    app = make_portal(database, links, settings.data_dir, limiter=limiter)
    os.umask(0o077)
    try:
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
            server_header=False,
            access_log=False,
        )
    finally:
        database.dispose()
    return 0
