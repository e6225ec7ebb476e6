"""`mutabakat db roles` on the test PostgreSQL server: the database itself refuses an
accountant's role what it may not do (issue 10, point 7; SPEC A2, A3)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.engine import URL, make_url

from tests.pilot_keys import wait_for
from tui_mutabakat import cli
from tui_mutabakat.app import make_app
from tui_mutabakat.config import Settings, os_login
from tui_mutabakat.data import migrate, roles
from tui_mutabakat.data.models import AuditEvent, Company, User
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import Role
from tui_mutabakat.domain.errors import PermissionDenied
from tui_mutabakat.services.context import Actor, resolve_actor
from tui_mutabakat.services.settings.user_admin import set_role
from tui_mutabakat.services.settings.users import SmtpSettings, set_smtp
from tui_mutabakat.services.settings.working_settings import load_company, save_company

ACCOUNTANT, ADMIN = "ayse_muhasebe", "yusuf_yonetici"


@pytest.fixture
def quiet_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("MUTABAKAT_DATA_DIR", str(tmp_path / "data"))


def _as(database: Database, login: str) -> Database:
    """The same database, connected as the database role `login` (the test server trusts
    its local clients; in production: peer authentication, the OS login)."""
    url = make_url(database.engine.url.render_as_string(hide_password=False))
    return Database.from_url(url.set(username=login).render_as_string(hide_password=False))


def test_the_database_refuses_what_an_accountant_may_not_do(
    pg_database: Database, quiet_settings: None
) -> None:
    url = pg_database.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", url, "db", "roles", "--add", ACCOUNTANT]) == 0
    assert cli.main(["--db", url, "db", "roles", "--add", ADMIN, "--role", "admin"]) == 0
    assert cli.main(["--db", url, "db", "roles"]) == 0  # again: idempotent
    assert cli.main(["--db", url, "db", "upgrade"]) == 0  # grants again, as the owner
    accountant, admin = _as(pg_database, ACCOUNTANT), _as(pg_database, ADMIN)
    try:
        # the table itself: no UPDATE of the role column, not even of her own row
        with pytest.raises(PermissionDenied, match="izin vermedi") as refused:
            with accountant.unit_of_work() as session:
                session.execute(update(User).where(User.login == ACCOUNTANT).values(role="admin"))
        assert "app_user" in str(refused.value)
        # an app that believed she is an admin is still refused by the database
        believed = Actor(ACCOUNTANT, Role.ADMIN)
        with pytest.raises(PermissionDenied):
            with accountant.unit_of_work() as session:
                set_role(session, believed, ACCOUNTANT, Role.ADMIN)
        with pytest.raises(PermissionDenied):
            with accountant.unit_of_work() as session:
                company = replace(load_company(session), title="Başka Ünvan A.Ş.")
                save_company(session, believed, company)
        with pytest.raises(PermissionDenied):
            with accountant.unit_of_work() as session:
                session.execute(delete(AuditEvent))
        # what she may do: her own sender identity (recorded in the audit trail) …
        with accountant.unit_of_work() as session:
            me = Actor(ACCOUNTANT, Role.ACCOUNTANT)
            set_smtp(session, me, ACCOUNTANT, SmtpSettings("smtp.ornek.com.tr", 587))
        # … but not another user's row, which the row policy hides from her update
        with accountant.unit_of_work() as session:
            changed = session.execute(
                update(User).where(User.login == ADMIN).values(smtp_host="kotu.example")
            )
            assert changed.rowcount == 0  # type: ignore[attr-defined]
        # the admin's database role changes users and the company; the users screen's
        # change of role moves her database role into the admin group
        with admin.unit_of_work() as session:
            set_role(session, Actor(ADMIN, Role.ADMIN), ACCOUNTANT, Role.ADMIN)
            session.execute(update(Company).values(phone="0212 000 00 00"))
        accountant.dispose()
        accountant = _as(pg_database, ACCOUNTANT)
        with accountant.unit_of_work() as session:
            session.execute(update(User).where(User.login == ADMIN).values(full_name="Yusuf"))
        with pg_database.reader() as session:
            users = {u.login: u for u in session.scalars(select(User))}
        assert users[ACCOUNTANT].role is Role.ADMIN
        assert users[ACCOUNTANT].smtp_host == "smtp.ornek.com.tr"
        assert (users[ADMIN].smtp_host, users[ADMIN].full_name) == ("", "Yusuf")
        # an accountant's role cannot make itself a user of the application on first sight
        with pg_database.engine.begin() as connection:
            roles.add_login(connection, "yeni_kisi", Role.ACCOUNTANT)  # no application user
        newcomer = _as(pg_database, "yeni_kisi")
        with pytest.raises(PermissionDenied):
            with newcomer.unit_of_work() as session:
                resolve_actor(session, "yeni_kisi")
        newcomer.dispose()
    finally:
        accountant.dispose()
        admin.dispose()


def test_roles_are_refused_on_sqlite(database: Database, quiet_settings: None) -> None:
    url = database.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", url, "db", "roles"]) == 2


def test_a_url_without_a_user_connects_as_the_login(
    pg_database: Database, quiet_settings: None
) -> None:
    """`postgresql+psycopg:///mutabakat` (no user): the client names the OS login as the
    database role — with peer authentication the server checks it — and the application
    acts as the same login."""
    me = os_login()
    url = pg_database.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", url, "db", "roles", "--add", me, "--role", "admin"]) == 0
    given = make_url(url)
    bare = URL.create(given.drivername, host=given.host, port=given.port, database=given.database)
    assert bare.username is None
    database = Database.from_url(bare.render_as_string(hide_password=False))
    try:
        with database.unit_of_work() as session:
            assert session.execute(text("SELECT current_user")).scalar_one() == me
            assert resolve_actor(session) == Actor(me, Role.ADMIN)
    finally:
        database.dispose()


async def test_an_accountant_cannot_migrate_and_is_told_who_can(
    pg_database: Database, quiet_settings: None, tmp_path: Path
) -> None:
    """`mutabakat` draws its menu, finds the schema behind and may not migrate it: the menu
    says who can (its keys stay off), and the database is left as it was."""
    from alembic import command

    from tui_mutabakat.data.migrate import alembic_config

    url = pg_database.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", url, "db", "roles", "--add", ACCOUNTANT]) == 0
    with pg_database.engine.begin() as connection:  # the owner steps one revision back
        config = alembic_config(url)
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    pg_database.dispose()
    behind = migrate.database_revision(pg_database.engine)
    accountant = make_url(url).set(username=ACCOUNTANT).render_as_string(hide_password=False)
    app = make_app(Settings(data_dir=tmp_path, database_url=accountant, user_login=ACCOUNTANT))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.start_error is not None)
        assert not app.ready  # the program does not open
        assert "mutabakat db upgrade" in str(app.screen.query_one("#main-status").render())
    assert migrate.database_revision(pg_database.engine) == behind
    assert cli.main(["--db", url, "db", "upgrade"]) == 0
