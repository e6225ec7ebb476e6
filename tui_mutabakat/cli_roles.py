"""`mutabakat db roles`: the PostgreSQL group roles and their members (see `data/roles.py`).

Kept apart from `cli.py`: it is run by the database's owner, not by the users.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui_mutabakat.config import Settings
    from tui_mutabakat.data.session import Database


def roles_parser(db_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roles = db_commands.add_parser(
        "roles",
        help="PostgreSQL: create the admin and accountant group roles and their grants",
    )
    roles.add_argument("--add", metavar="LOGIN", help="make LOGIN a login role in a group")
    roles.add_argument("--role", choices=("admin", "accountant"), default="accountant")
    roles.add_argument(
        "--portal",
        metavar="LOGIN",
        help="make LOGIN the answer page's login role: reads letters, writes answers only",
    )


def regrant(database: Database) -> None:
    """After an upgrade on PostgreSQL: grant the groups on the new tables, if they exist."""
    from tui_mutabakat.data import roles

    if database.engine.dialect.name != "postgresql":
        return
    with database.engine.begin() as connection:
        if roles.groups_exist(connection):
            roles.grant(connection)


def db_roles(settings: Settings, args: argparse.Namespace) -> int:
    """`mutabakat db roles [--add LOGIN --role admin|accountant]`, by the database's owner."""
    from sqlalchemy import select
    from sqlalchemy.exc import DBAPIError

    from tui_mutabakat.config import os_real_name
    from tui_mutabakat.data import migrate, roles
    from tui_mutabakat.data.models import User
    from tui_mutabakat.domain.enums import Role
    from tui_mutabakat.domain.errors import ServiceError
    from tui_mutabakat.services.context import Actor, os_login, record
    from tui_mutabakat.services.portal.links import open_database
    from tui_mutabakat.services.settings.user_admin import check_login
    from tui_mutabakat.services.settings.working_settings import get_company, get_working_settings

    database = open_database(settings)
    if database.engine.dialect.name != "postgresql":
        print("mutabakat: database roles exist only on PostgreSQL", file=sys.stderr)
        return 2
    role = Role(args.role)
    try:
        login = check_login(args.add) if args.add else None
        portal = check_login(args.portal) if args.portal else None
        migrate.upgrade(database.engine)
        with database.engine.begin() as connection:
            roles.create_groups(connection)
            created = roles.add_login(connection, login, role) if login else False
            portal_created = roles.add_portal_login(connection, portal) if portal else False
        with database.unit_of_work() as session:
            # Rows an accountant could not create on first use.
            get_company(session)
            get_working_settings(session)
            if login:
                user = session.scalar(select(User).where(User.login == login))
                if user is None:
                    user = User(login=login, full_name=os_real_name(login)[:120])
                    session.add(user)
                user.role, user.active = role, True
                session.flush()
                owner = Actor(os_login(), Role.ADMIN)
                record(session, owner, "set_role", "user", user.id, f"db roles {role.value}")
    except ServiceError as error:
        print(f"mutabakat: {error}", file=sys.stderr)
        return 1
    except DBAPIError as error:
        reason = str(error.orig).split("\n", 1)[0]
        print(
            f"mutabakat: {reason}\n(run `mutabakat db roles` as the database's owner "
            "or a superuser, e.g. `sudo -u postgres mutabakat db roles`)",
            file=sys.stderr,
        )
        return 1
    finally:
        database.dispose()
    print(
        f"group roles {roles.ADMIN_GROUP}, {roles.ACCOUNTANT_GROUP} and {roles.PORTAL_GROUP}: "
        "granted"
    )
    if portal:
        print(f"{portal}: {'created, ' if portal_created else ''}member of {roles.PORTAL_GROUP}")
    if login:
        print(f"{login}: {'created, ' if created else ''}member of {roles.GROUPS[role]}")
    return 0
