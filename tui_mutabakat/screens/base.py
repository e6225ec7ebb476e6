"""What every screen of this application can reach: the database, the user, the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from tui_mutabakat.app import MutabakatApp
    from tui_mutabakat.config import Settings
    from tui_mutabakat.data.session import Database
    from tui_mutabakat.services.context import Actor


class AppAccess:
    """Mixin for screens and widgets: typed access to the services the app holds.

    Deliberately not a `DOMNode`: Textual takes a widget's CSS type names from its first
    DOMNode base, so a DOMNode mixin listed first would hide `Screen` from the stylesheet
    (and with it the screen's opaque background).
    """

    @property
    def mutabakat(self) -> MutabakatApp:
        # The concrete class is a Textual widget or screen, which has `app`.
        return cast("MutabakatApp", cast(Any, self).app)

    @property
    def database(self) -> Database:
        return self.mutabakat.database

    @property
    def actor(self) -> Actor:
        return self.mutabakat.actor

    @property
    def settings(self) -> Settings:
        return self.mutabakat.settings
