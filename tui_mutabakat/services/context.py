"""Who is acting: the operating-system login mapped to an application user (SPEC A2)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tui_mutabakat.config import os_login as os_login
from tui_mutabakat.config import os_real_name
from tui_mutabakat.data.models import AuditEvent, User
from tui_mutabakat.domain.enums import Role
from tui_mutabakat.domain.errors import Refused
from tui_mutabakat.i18n import gettext as _


@dataclass(frozen=True, slots=True)
class Actor:
    login: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def resolve_actor(session: Session, login: str | None = None) -> Actor:
    """The user for `login` (default: the login of the real user id), created on first sight.

    The first user of a database becomes its admin; later ones start as accountants. A
    deactivated user is refused. `login` is given only by code (the tests), never by a
    variable or the settings file.
    """
    name = login or os_login()
    user = session.scalar(select(User).where(User.login == name))
    if user is not None and not user.active:
        raise Refused(
            _("{login} kullanıcısı devre dışı bırakılmış; bir yöneticiye başvurun.").format(
                login=name
            )
        )
    if user is None:
        has_users = (session.scalar(select(func.count(User.id))) or 0) > 0
        user = User(
            login=name,
            full_name=os_real_name(name)[:120],
            display_name="",
            role=Role.ACCOUNTANT if has_users else Role.ADMIN,
        )
        session.add(user)
        session.flush()
        record(session, Actor(name, user.role), "create", "user", user.id, "first login")
    return Actor(user.login, user.role)


def record(
    session: Session, actor: Actor, action: str, entity: str, entity_id: object, detail: str = ""
) -> None:
    """Append one line to the audit trail, in the caller's transaction."""
    session.add(
        AuditEvent(
            user_login=actor.login,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=detail,
        )
    )
