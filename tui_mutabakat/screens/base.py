"""What every screen of this application can reach: the database, the user, the settings."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.i18n import gettext as _

if TYPE_CHECKING:
    from textual.app import App

    from tui_mutabakat.config import Settings
    from tui_mutabakat.data.session import Database
    from tui_mutabakat.services.context import Actor


class HoldsServices(Protocol):
    """What `MutabakatApp` holds for its screens (named here, so that screens need not
    import the application that imports them)."""

    settings: Settings
    database: Database
    actor: Actor
    #: `database` and `actor` are there (`mutabakat` opens the database after the menu).
    ready: bool
    #: Why the database could not be opened, else `None`.
    start_error: str | None


class AppAccess:
    """Mixin for screens and widgets: typed access to the services the app holds.

    Deliberately not a `DOMNode`: Textual takes a widget's CSS type names from its first
    DOMNode base, so a DOMNode mixin listed first would hide `Screen` from the stylesheet
    (and with it the screen's opaque background).
    """

    @property
    def mutabakat(self) -> App[None]:
        # The concrete class is a Textual widget or screen, which has `app`.
        return cast("App[None]", cast(Any, self).app)

    @property
    def _services(self) -> HoldsServices:
        return cast(HoldsServices, self.mutabakat)

    @property
    def database(self) -> Database:
        return self._services.database

    @property
    def actor(self) -> Actor:
        return self._services.actor

    @property
    def settings(self) -> Settings:
        return self._services.settings

    @property
    def services_ready(self) -> bool:
        """The database is open and the user known (only the main menu is shown before)."""
        return self._services.ready

    @property
    def start_error(self) -> str | None:
        return self._services.start_error


P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S")


@contextmanager
def refusal_told(node: object) -> Iterator[None]:
    """Around a write in a screen, widget or dialog callback: a service's refusal (the
    database busy with an import, a change by someone else, a rule) is told to the user and
    nothing of the write is stored — instead of the error ending the application, which is
    what Textual does with an exception left in a handler."""
    try:
        yield
    except ServiceError as error:
        cast(Any, node).notify(str(error), title=_("Kaydedilmedi"), severity="error", timeout=10)


def tells_refusal(
    method: Callable[Concatenate[S, P], R],
) -> Callable[Concatenate[S, P], R | None]:
    """`refusal_told` around a whole method (an action or a dialog's callback)."""

    def telling(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R | None:
        with refusal_told(self):
            return method(self, *args, **kwargs)
        return None

    functools.update_wrapper(telling, method)
    return telling
