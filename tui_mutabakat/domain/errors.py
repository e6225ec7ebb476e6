"""Errors a use case raises with a message meant for the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal the user should read; `str(error)` is the translated message."""


class NotFound(ServiceError):
    pass


class ConcurrentChange(ServiceError):
    """Somebody else saved the same record since it was read (SPEC B1a)."""


class Refused(ServiceError):
    """The action is not allowed in the current state (e.g. delete with movements)."""


class PermissionDenied(Refused):
    """Not for this user's role: refused by a service, or by the database itself (the
    PostgreSQL GRANTs of `mutabakat db roles`)."""

    @classmethod
    def from_database(cls, detail: str) -> PermissionDenied:
        from tui_mutabakat.i18n import gettext as _

        return cls(
            _(
                "Veritabanı bu işleme izin vermedi: veritabanı rolünüzün yetkisi yok "
                "({detail}). Bir yöneticiye başvurun."
            ).format(detail=detail)
        )


class InvalidInput(ServiceError):
    """Input that cannot be stored; `field` names the offending field where there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class DatabaseBusy(ServiceError):
    """Another session holds the database's write lock longer than the wait (SQLite: an
    import writes a whole file in one transaction); nothing of this action was stored."""

    @classmethod
    def during_import(cls, user: str, file_name: str, started: str) -> DatabaseBusy:
        from tui_mutabakat.i18n import gettext as _

        return cls(
            _(
                "Veritabanı şu an bir içe aktarma ile meşgul ({user}: {file}, başlangıç "
                "{started}); bu işlem kaydedilmedi. İçe aktarma bitince yeniden deneyin."
            ).format(user=user, file=file_name, started=started)
        )

    @classmethod
    def other(cls) -> DatabaseBusy:
        from tui_mutabakat.i18n import gettext as _

        return cls(
            _(
                "Veritabanı şu an başka bir oturumun işlemi ile meşgul; bu işlem kaydedilmedi. "
                "Biraz sonra yeniden deneyin."
            )
        )
