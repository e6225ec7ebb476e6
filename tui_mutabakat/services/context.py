"""Who is acting: the operating-system login mapped to an application user (SPEC A2)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import AuditEvent, User
from tui_mutabakat.domain.enums import Role


@dataclass(frozen=True, slots=True)
class Actor:
    login: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def os_login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def resolve_actor(session: Session, login: str | None = None) -> Actor:
    """The user for `login` (default: the OS login), created on first sight.

    The first user of a database becomes its admin; later ones start as accountants.
    """
    name = login or os_login()
    user = session.scalar(select(User).where(User.login == name))
    if user is None:
        has_users = (session.scalar(select(func.count(User.id))) or 0) > 0
        user = User(
            login=name,
            full_name=name,
            display_name=name,
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
