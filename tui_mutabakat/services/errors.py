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


class InvalidInput(ServiceError):
    """Input that cannot be stored; `field` names the offending field where there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
