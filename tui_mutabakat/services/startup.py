"""What the interface does right after its first frame: open the database, bring its schema
to the head, and find the acting user (issue 14.4).

`mutabakat` draws its main menu before it imports SQLAlchemy; the menu's keys wait for
`open_for_interface`, which a thread runs behind the drawn menu. A database at the head costs
one query for the schema check (`data/migrate.py`: Alembic loads only to migrate). Whatever
stops the program from opening — the database unreachable, its schema behind with no right to
migrate it or newer than this program, the login unknown to it or deactivated — is a
`CannotStart` whose text the menu shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError

from tui_mutabakat.config import Settings
from tui_mutabakat.data import migrate
from tui_mutabakat.data.session import INSUFFICIENT_PRIVILEGE, Database
from tui_mutabakat.domain.errors import PermissionDenied, ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, os_login, resolve_actor
from tui_mutabakat.services.portal.links import open_database

log = logging.getLogger(__name__)


class CannotStart(ServiceError):
    """The program cannot open its database for this user; `str()` says why and what to do."""


@dataclass(frozen=True, slots=True)
class Opened:
    database: Database
    actor: Actor


def open_for_interface(settings: Settings) -> Opened:
    """The database of `settings` at the head revision and the user acting on it."""
    try:
        database = open_database(settings)
    except (OSError, ValueError) as error:
        raise CannotStart(_reach_text(str(error))) from error
    try:
        _reach(database)
        _bring_to_head(database)
        actor = _acting_user(database, settings.user_login)
    except BaseException:
        database.dispose()
        raise
    return Opened(database, actor)


def _first_line(error: DBAPIError) -> str:
    return str(error.orig).strip().split("\n", 1)[0]


def _reach_text(reason: str) -> str:
    return _("Veritabanına bağlanılamadı: {reason}").format(reason=reason)


def _reach(database: Database) -> None:
    """One connection: the pool keeps it for the revision check that follows."""
    try:
        with database.engine.connect():
            pass
    except DBAPIError as error:
        raise CannotStart(_reach_text(_first_line(error))) from error


def _bring_to_head(database: Database) -> None:
    stored = migrate.database_revision(database.engine)
    known = migrate.known_revisions()
    if stored is not None and known is not None and stored not in known:
        raise CannotStart(
            _(
                "Veritabanının şeması ({revision}) bu programdan daha yeni bir sürümün; "
                "programın yeni sürümünü kurun."
            ).format(revision=stored)
        )
    try:
        migrate.upgrade(database.engine)
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
            raise
        raise CannotStart(
            _(
                "Veritabanının şeması bu programın sürümünden geride ve sizin veritabanı "
                "rolünüz onu güncelleyemez: veritabanının sahibi `mutabakat db upgrade` "
                "çalıştırmalı ({detail})."
            ).format(detail=_first_line(error))
        ) from error


def _acting_user(database: Database, login: str | None) -> Actor:
    try:
        with database.unit_of_work() as session:
            return resolve_actor(session, login)
    except PermissionDenied as error:
        # PostgreSQL: a database role that is no application user yet, and may not become
        # one by itself (only an admin's role may add users).
        log.warning("the acting user could not be found or made: %s", error)
        raise CannotStart(
            _(
                "{login} bu veritabanında bir kullanıcı değil ve kendini ekleyemez: bir "
                "yöneticinin sizi Kullanıcılar ekranında eklemesi gerekir."
            ).format(login=login or os_login())
        ) from error
