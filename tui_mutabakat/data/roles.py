"""PostgreSQL roles: the database itself refuses what a user's role may not do (SPEC A2, A3).

`mutabakat db roles` (run by the database's owner or a superuser) creates two group roles
and grants them on every table of the schema:

- `mutabakat_admin`: everything;
- `mutabakat_accountant`: reads everything, writes the accounts, letters and tracking
  tables, but not the users, company, working settings or templates — except the mail
  settings of its own row of `app_user` (column grants plus a row-level policy:
  `login = current_user`), and only appends to the audit trail.

Each person connects as a login role of their own name — the operating-system login, by
peer authentication on the local socket (`postgresql+psycopg:///mutabakat`, a URL without
a user) — that is a member of one group (`--add LOGIN --role admin|accountant`). An admin
login holds both groups WITH ADMIN OPTION, so the users screen can move a login between
them. Run the command again after `mutabakat db upgrade` adds tables (the upgrade does it
itself when the groups exist).

A third group, `mutabakat_portal`, is the answer page's (`mutabakat portal`, issue 15): it
reads the letters (and what the page shows of them: the batch, the stated balances, the
message as sent, the recipients, the company's title, the template's language, the open
movements) and writes answers — an answer row, its balances and files, the letter's state
and the event that says so — and nothing else: no user, no setting, no account is even
readable to it. `--portal LOGIN` makes the login role the service runs as.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from tui_mutabakat.domain.enums import Role

ADMIN_GROUP = "mutabakat_admin"
ACCOUNTANT_GROUP = "mutabakat_accountant"
PORTAL_GROUP = "mutabakat_portal"
GROUPS = {Role.ADMIN: ADMIN_GROUP, Role.ACCOUNTANT: ACCOUNTANT_GROUP}

#: What the answer page reads (a letter and what its page shows).
PORTAL_READS = (
    "alembic_version",
    "company",
    "letter",
    "letter_balance",
    "letter_message",
    "letter_template",
    "movement",
    "recipient",
    "reconciliation_batch",
    "settlement",
)
#: What the answer page writes: an answer, its balances and files, the letter's event.
PORTAL_WRITES = ("answer_attachment", "answer_balance", "letter_answer", "letter_event")
#: The letter's columns an answer changes.
PORTAL_LETTER_COLUMNS = ("state", "state_at")

#: Tables only an admin writes (SPEC A3: settings, users, templates).
ADMIN_TABLES = ("app_user", "company", "working_settings", "letter_template")
#: Appended to, never changed.
APPEND_ONLY = ("audit_event",)
#: The columns of `app_user` a user may change in their own row: their sender identity.
OWN_MAIL_COLUMNS = (
    "from_address",
    "display_name",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_login",
    "smtp_password_ref",
    "imap_host",
    "imap_port",
    "imap_security",
    "imap_login",
    "imap_password_ref",
    "version_id",
)


def quote(connection: Connection, name: str) -> str:
    """A role or table name as a quoted identifier."""
    return connection.dialect.identifier_preparer.quote_identifier(name)


def role_exists(connection: Connection, name: str) -> bool:
    found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def _tables(connection: Connection) -> list[str]:
    rows = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    )
    return sorted(row[0] for row in rows)


def groups_exist(connection: Connection) -> bool:
    return role_exists(connection, ADMIN_GROUP) and role_exists(connection, ACCOUNTANT_GROUP)


def create_groups(connection: Connection) -> None:
    """The two group roles (without login), created when missing, and their grants."""
    for group in (ADMIN_GROUP, ACCOUNTANT_GROUP, PORTAL_GROUP):
        if not role_exists(connection, group):
            connection.execute(text(f"CREATE ROLE {quote(connection, group)} NOLOGIN"))
    grant(connection)


def grant(connection: Connection) -> None:
    """(Re)grant both groups on every table and sequence of the schema; idempotent."""
    admin, accountant = quote(connection, ADMIN_GROUP), quote(connection, ACCOUNTANT_GROUP)
    both = f"{admin}, {accountant}"
    run = connection.exec_driver_sql
    # Only the owner creates tables (PostgreSQL before 15 lets everybody by default).
    run(f"REVOKE CREATE ON SCHEMA {_schema_q(connection)} FROM PUBLIC")
    run(f"GRANT USAGE ON SCHEMA {_schema_q(connection)} TO {both}")
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema_q(connection)} TO {both}")
    for table in _tables(connection):
        name = quote(connection, table)
        run(f"REVOKE ALL ON {name} FROM {both}")
        run(f"GRANT ALL ON {name} TO {admin}")
        if table in ADMIN_TABLES or table == "alembic_version":
            run(f"GRANT SELECT ON {name} TO {accountant}")
        elif table in APPEND_ONLY:
            run(f"GRANT SELECT, INSERT ON {name} TO {accountant}")
        else:
            run(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {accountant}")
    if "app_user" in _tables(connection):
        _own_row_policy(connection)
    if role_exists(connection, PORTAL_GROUP):
        _grant_portal(connection)


#: The sequences of a table's columns (serial or identity), as regclass text.
_OWNED_SEQUENCES = text(
    "SELECT s.oid::regclass::text FROM pg_class s "
    "JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass "
    "JOIN pg_class t ON t.oid = d.refobjid "
    "WHERE s.relkind = 'S' AND t.relname = :t AND t.relnamespace = current_schema()::regnamespace"
)


def _grant_portal(connection: Connection) -> None:
    """The answer page's group: reads letters, writes answers, nothing else."""
    portal = quote(connection, PORTAL_GROUP)
    schema = _schema_q(connection)
    run = connection.exec_driver_sql
    run(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {portal}")
    run(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {portal}")
    run(f"GRANT USAGE ON SCHEMA {schema} TO {portal}")
    tables = set(_tables(connection))
    for table in PORTAL_READS:
        if table in tables:
            run(f"GRANT SELECT ON {quote(connection, table)} TO {portal}")
    for table in PORTAL_WRITES:
        if table not in tables:
            continue
        run(f"GRANT SELECT, INSERT ON {quote(connection, table)} TO {portal}")
        for sequence in connection.execute(_OWNED_SEQUENCES, {"t": table}).scalars():
            run(f"GRANT USAGE ON SEQUENCE {sequence} TO {portal}")
    if "letter" in tables:
        columns = ", ".join(PORTAL_LETTER_COLUMNS)
        run(f"GRANT UPDATE ({columns}) ON letter TO {portal}")


def _schema(connection: Connection) -> str:
    return str(connection.exec_driver_sql("SELECT current_schema()").scalar_one())


def _schema_q(connection: Connection) -> str:
    return quote(connection, _schema(connection))


def _own_row_policy(connection: Connection) -> None:
    """An accountant updates only the mail columns of the row whose login is theirs."""
    admin, accountant = quote(connection, ADMIN_GROUP), quote(connection, ACCOUNTANT_GROUP)
    run = connection.exec_driver_sql
    columns = ", ".join(OWN_MAIL_COLUMNS)
    run(f"GRANT UPDATE ({columns}) ON app_user TO {accountant}")
    run("ALTER TABLE app_user ENABLE ROW LEVEL SECURITY")
    for policy in ("mutabakat_read", "mutabakat_admin_all", "mutabakat_own_mail"):
        run(f"DROP POLICY IF EXISTS {policy} ON app_user")
    run("CREATE POLICY mutabakat_read ON app_user FOR SELECT USING (true)")
    run(
        f"CREATE POLICY mutabakat_admin_all ON app_user FOR ALL TO {admin} "
        "USING (true) WITH CHECK (true)"
    )
    run(
        f"CREATE POLICY mutabakat_own_mail ON app_user FOR UPDATE TO {accountant} "
        "USING (login = current_user) WITH CHECK (login = current_user)"
    )


def add_login(connection: Connection, login: str, role: Role) -> bool:
    """Make `login` a login role (created when missing, no password: peer authentication)
    in the group of `role`; True when the role was created."""
    created = not role_exists(connection, login)
    if created:
        connection.execute(text(f"CREATE ROLE {quote(connection, login)} LOGIN"))
    set_membership(connection, login, role)
    return created


def add_portal_login(connection: Connection, login: str) -> bool:
    """Make `login` a login role (created when missing) in the answer page's group and in
    no other; True when the role was created."""
    created = not role_exists(connection, login)
    name = quote(connection, login)
    if created:
        connection.execute(text(f"CREATE ROLE {name} LOGIN"))
    admin, accountant = quote(connection, ADMIN_GROUP), quote(connection, ACCOUNTANT_GROUP)
    connection.exec_driver_sql(f"REVOKE {admin}, {accountant} FROM {name}")
    connection.exec_driver_sql(f"GRANT {quote(connection, PORTAL_GROUP)} TO {name}")
    return created


def set_membership(connection: Connection, login: str, role: Role) -> bool:
    """Move login role `login` into the group of `role` (an admin into both, with admin
    option); False when there is no such database role (nothing to do yet)."""
    if not role_exists(connection, login):
        return False
    name = quote(connection, login)
    admin, accountant = quote(connection, ADMIN_GROUP), quote(connection, ACCOUNTANT_GROUP)
    run = connection.exec_driver_sql
    if role is Role.ADMIN:
        run(f"GRANT {admin}, {accountant} TO {name} WITH ADMIN OPTION")
    else:
        run(f"REVOKE {admin} FROM {name}")
        run(f"REVOKE ADMIN OPTION FOR {accountant} FROM {name}")
        run(f"GRANT {accountant} TO {name}")
    return True


def revoke_membership(connection: Connection, login: str) -> bool:
    """Take `login` out of both groups (a deactivated user); False without such a role."""
    if not role_exists(connection, login):
        return False
    name = quote(connection, login)
    admin, accountant = quote(connection, ADMIN_GROUP), quote(connection, ACCOUNTANT_GROUP)
    connection.exec_driver_sql(f"REVOKE {admin}, {accountant} FROM {name}")
    return True
