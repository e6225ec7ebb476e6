"""Managing the users of the application (SPEC A2, A3): only an admin lists every user with
their role, adds a login, sets a role, deactivates or activates one.

Every check is here, not only in the users screen: an accountant calling these gets a
`PermissionDenied`. On PostgreSQL the database refuses the same writes to an accountant's
role too (`data/roles.py`). The last active admin cannot be demoted or deactivated, and
nobody deactivates themselves — the database would otherwise have no one to manage it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data import roles
from tui_mutabakat.data.models import User
from tui_mutabakat.domain.enums import Role
from tui_mutabakat.domain.errors import InvalidInput, NotFound, PermissionDenied, Refused
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record

#: An operating-system login as `useradd` accepts it by default (and a PostgreSQL role name).
LOGIN_PATTERN = re.compile(r"[a-z_][a-z0-9_.-]{0,31}")


@dataclass(frozen=True, slots=True)
class UserRow:
    login: str
    full_name: str
    role: Role
    active: bool
    from_address: str
    send_via: str = ""


def _admin_only(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_("Kullanıcıları yalnızca yönetici yönetir."))


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    _admin_only(actor)
    users = session.scalars(select(User).order_by(User.login))
    return [
        UserRow(u.login, u.full_name, u.role, u.active, u.from_address, u.send_via) for u in users
    ]


def check_login(login: str) -> str:
    login = login.strip()
    if not LOGIN_PATTERN.fullmatch(login):
        raise InvalidInput(
            _(
                "Kullanıcı adı bir işletim sistemi oturum adı olmalı: küçük harf, rakam, _ . -; "
                "harf ya da _ ile başlar, en çok 32 karakter."
            ),
            "login",
        )
    return login


def add_user(
    session: Session, actor: Actor, login: str, role: Role, full_name: str = ""
) -> UserRow:
    _admin_only(actor)
    login = check_login(login)
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise InvalidInput(_("Bu kullanıcı zaten var: {login}").format(login=login), "login")
    name = full_name.strip()[:120]
    user = User(login=login, full_name=name, display_name="", role=role, active=True)
    session.add(user)
    session.flush()
    _sync_database(session, login, role)
    record(session, actor, "create", "user", user.id, f"{login} {role.value}")
    return UserRow(login, name, role, True, "")


def _sync_database(session: Session, login: str, role: Role | None) -> None:
    """On PostgreSQL with `mutabakat db roles` done, move the login's database role into
    the group of `role` (out of both when None): the database enforces what the screen set.
    Refused by the database (a login without admin option) → `PermissionDenied`."""
    connection = session.connection()
    if connection.dialect.name != "postgresql" or not roles.groups_exist(connection):
        return
    if role is None:
        roles.revoke_membership(connection, login)
    else:
        roles.set_membership(connection, login, role)


def _user(session: Session, login: str) -> User:
    user = session.scalar(select(User).where(User.login == login))
    if user is None:
        raise NotFound(_("Kullanıcı bulunamadı: {login}").format(login=login))
    return user


def _other_active_admins(session: Session, login: str) -> int:
    statement = select(func.count(User.id)).where(
        User.role == Role.ADMIN, User.active.is_(True), User.login != login
    )
    return session.scalar(statement) or 0


def set_role(session: Session, actor: Actor, login: str, role: Role) -> None:
    _admin_only(actor)
    user = _user(session, login)
    if user.role is role:
        return
    if user.role is Role.ADMIN and not _other_active_admins(session, login):
        raise Refused(_("Son yöneticinin rolü değiştirilemez; önce başka bir yönetici atayın."))
    user.role = role
    session.flush()
    if user.active:
        _sync_database(session, login, role)
    record(session, actor, "set_role", "user", user.id, role.value)


def set_active(session: Session, actor: Actor, login: str, active: bool) -> None:
    _admin_only(actor)
    user = _user(session, login)
    if user.active is active:
        return
    if not active:
        if login == actor.login:
            raise Refused(_("Kendinizi devre dışı bırakamazsınız."))
        if user.role is Role.ADMIN and not _other_active_admins(session, login):
            raise Refused(_("Son yönetici devre dışı bırakılamaz."))
    user.active = active
    session.flush()
    _sync_database(session, login, user.role if active else None)
    record(session, actor, "activate" if active else "deactivate", "user", user.id, login)


def set_send_via(session: Session, actor: Actor, login: str, service: str) -> None:
    """Send the letters of `login` through the SMTP identity of user `service` (its server
    and password, resolved only by a worker of that login); "" = their own again."""
    _admin_only(actor)
    user = _user(session, login)
    service = service.strip()
    if service:
        if service == login:
            raise InvalidInput(
                _("Kullanıcı kendi gönderici hesabı olamaz; boş bırakın."), "send_via"
            )
        target = _user(session, service)
        if not target.active or target.send_via:
            raise InvalidInput(
                _("{service} etkin ve kendi sunucusuyla gönderen bir kullanıcı olmalı.").format(
                    service=service
                ),
                "send_via",
            )
        used = session.scalar(select(User.login).where(User.send_via == login).limit(1))
        if used is not None:
            raise InvalidInput(
                _("{login}, {other} için gönderici hesabı; önce onu değiştirin.").format(
                    login=login, other=used
                ),
                "send_via",
            )
    if user.send_via == service:
        return
    user.send_via = service
    session.flush()
    record(session, actor, "set_send_via", "user", user.id, service or "-")
