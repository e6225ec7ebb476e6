"""The `mutabakat` command: the application, the demo, migrations and data generation.

Nothing imported at the top of this module (and of the `cli_*` modules whose parsers it
builds) loads SQLAlchemy: `mutabakat` draws its first frame before the database layer is
imported (issue 14.4, tests/test_startup.py). Each command imports what it uses.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from tui_mutabakat.cli_import import register as register_import_commands
from tui_mutabakat.cli_report import add_report_parser, report_main
from tui_mutabakat.cli_roles import db_roles, regrant, roles_parser
from tui_mutabakat.cli_send import add_send_parser, send_main
from tui_mutabakat.config import Settings, load_settings, private_directory, sqlite_url
from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.i18n import SUPPORTED_LANGUAGES, set_language
from tui_mutabakat.portal.serve import add_portal_parser
from tui_mutabakat.portal.serve import serve as serve_portal

if TYPE_CHECKING:
    from tui_mutabakat.data.session import Database


def open_database(settings: Settings) -> Database:
    from tui_mutabakat.services.portal.links import open_database

    return open_database(settings)


def _migrate(database: Database) -> None:
    from tui_mutabakat.data import migrate

    migrate.upgrade(database.engine)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mutabakat", description="e-Mutabakat: cari hesap bakiye mutabakatı"
    )
    parser.add_argument("--db", help="database URL (default: from settings)")
    parser.add_argument("--lang", choices=("tr", "en"), help="interface language")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="open the configured database (the default command)")
    demo = commands.add_parser("demo", help="open the demo company (created the first time)")
    demo.add_argument("--reset", action="store_true", help="recreate the demo database")
    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="run the migrations up to the newest schema")
    roles_parser(db_commands)
    commands.add_parser(
        "worker",
        help="deliver the queued letters without the interface (see `worker --help`)",
        add_help=False,
    )
    user = commands.add_parser("user", help="users' sender settings")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    smtp = user_commands.add_parser("set-smtp", help="set a user's SMTP server and sender")
    smtp.add_argument("--login", required=True, help="the user's login")
    smtp.add_argument("--host", required=True, help="SMTP server")
    smtp.add_argument("--port", type=int, default=None, help="default: 587, 465 for tls, 25")
    smtp.add_argument("--security", choices=[s.value for s in SmtpSecurity], default="starttls")
    smtp.add_argument("--smtp-login", default="", help="login on the SMTP server")
    smtp.add_argument(
        "--password-ref", default="", help="env:NAME, file:/path (mode 0600) or cmd:command"
    )
    smtp.add_argument("--from", dest="from_address", default="", help="sender address")
    smtp.add_argument("--name", default="", help="sender name shown in the letters")
    imap = user_commands.add_parser(
        "set-imap", help="set the mailbox a user's answers and bounces are read from"
    )
    imap.add_argument("--login", required=True, help="the user's login")
    imap.add_argument("--host", required=True, help="IMAP server")
    imap.add_argument("--port", type=int, default=None, help="default: 993 for tls, else 143")
    imap.add_argument("--security", choices=[s.value for s in SmtpSecurity], default="tls")
    imap.add_argument("--imap-login", default="", help="login on the IMAP server")
    imap.add_argument(
        "--password-ref", default="", help="env:NAME, file:/path (mode 0600) or cmd:command"
    )
    add_send_parser(commands)
    register_import_commands(commands)
    add_report_parser(commands)
    add_portal_parser(commands)
    generate = commands.add_parser("demo-data", help="generate large realistic data")
    generate.add_argument("--accounts", type=int, default=300)
    generate.add_argument("--movements", type=int, default=None)
    generate.add_argument("--seed", type=int, default=7)
    return parser


def _early_language(argv: Sequence[str]) -> str | None:
    """`--lang` read before the parser is built: the help texts are translated when their
    parsers are made, so `mutabakat --lang en send --help` must find English set. A wrong
    value is left to the parser to refuse (once)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        if value in SUPPORTED_LANGUAGES:
            return value
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    loaded: Settings | Exception
    try:
        loaded = load_settings()
    except (ValueError, OSError) as error:
        loaded = error
    # The language first (option, settings, Turkish): the parsers' help texts use it.
    default = loaded.language if isinstance(loaded, Settings) else "tr"
    set_language(_early_language(argv) or default)
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "worker":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not isinstance(loaded, Settings):
        print(f"mutabakat: settings: {loaded}", file=sys.stderr)
        return 2
    settings = loaded
    if args.db:
        settings = settings.with_database(args.db)
    try:
        private_directory(settings.data_dir)
    except OSError as error:
        print(f"mutabakat: data directory {settings.data_dir}: {error}", file=sys.stderr)
        return 2
    command = args.command or "run"
    if command == "db" and args.db_command == "roles":
        return db_roles(settings, args)
    if command == "db":
        from tui_mutabakat.data import migrate

        database = open_database(settings)
        migrate.upgrade(database.engine)
        regrant(database)
        print(f"database is at revision {migrate.current_revision(database.engine)}")
        return 0
    if command == "worker":
        from tui_mutabakat.cli_worker import worker_main

        return worker_main(extra, settings)
    if command == "send":
        return send_main(settings, args)
    if command == "report":
        return report_main(settings, args)
    if command == "portal":
        return serve_portal(settings, args)
    if command == "user":
        return _set_user_mail(settings, args)
    if command in ("import", "export"):
        from tui_mutabakat import cli_import

        return cli_import.main(settings, args)
    if command == "demo-data":
        return _generate(settings, args.accounts, args.movements, args.seed)
    if command == "demo":
        settings = _demo_settings(settings, explicit_db=bool(args.db), reset=args.reset)
    return _run_app(settings)


def _demo_settings(settings: Settings, *, explicit_db: bool, reset: bool) -> Settings:
    from tui_mutabakat.demo.data import create_demo_company, is_demo_ready

    demo_dir = settings.data_dir / "demo"
    if not explicit_db:
        path = demo_dir / "demo.sqlite3"
        if reset:
            for stale in demo_dir.glob("demo.sqlite3*"):
                stale.unlink()
        settings = settings.with_database(sqlite_url(path))
    database = open_database(settings)
    _migrate(database)
    if not is_demo_ready(database):
        print("Demo şirketi hazırlanıyor…", file=sys.stderr)
        create_demo_company(database)
    database.dispose()
    return replace(settings, mail_backend="file", outbox_dir=demo_dir / "outbox")


def _set_user_mail(settings: Settings, args: argparse.Namespace) -> int:
    """`mutabakat user set-smtp` / `set-imap`: one checked change of a user's mail servers."""
    from tui_mutabakat.domain.errors import ServiceError
    from tui_mutabakat.services.context import resolve_actor
    from tui_mutabakat.services.settings.users import ImapSettings, SmtpSettings, set_imap, set_smtp

    database = open_database(settings)
    _migrate(database)
    security = SmtpSecurity(args.security)
    try:
        with database.unit_of_work() as session:
            actor = resolve_actor(session, settings.user_login)
            if args.user_command == "set-imap":
                imap = ImapSettings(
                    args.host, args.port, security, args.imap_login, args.password_ref
                )
                user = set_imap(session, actor, args.login, imap)
                where = f"IMAP {user.imap_host}:{user.imap_port or '-'} ({user.imap_security})"
            else:
                smtp = SmtpSettings(
                    args.host,
                    args.port,
                    security,
                    args.smtp_login,
                    args.password_ref,
                    args.from_address,
                    args.name,
                )
                user = set_smtp(session, actor, args.login, smtp)
                where = f"SMTP {user.smtp_host}:{user.smtp_port or '-'} ({user.smtp_security})"
    except ServiceError as error:
        print(f"mutabakat: {error}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    print(f"{args.login}: {where}")
    return 0


def _generate(settings: Settings, accounts: int, movements: int | None, seed: int) -> int:
    from tui_mutabakat.demo.data import generate_bulk

    database = open_database(settings)
    _migrate(database)
    total = movements if movements is not None else accounts * 50
    generate_bulk(database, accounts=accounts, movements=total, seed=seed, progress=print)
    return 0


def _run_app(settings: Settings) -> int:
    """The interface: its menu is drawn first, the database opened behind it; what keeps
    the database from opening is shown on the menu and said again here on leaving."""
    from tui_mutabakat.app import make_app

    app = make_app(settings)  # it starts the child processes' helper after its first frame
    app.run()
    if app.ready:
        app.database.dispose()
    if app.start_error:
        print(f"mutabakat: {app.start_error}", file=sys.stderr)
        return 1
    return 0
