"""What every screen of this application can reach: the database, the user, the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    from tui_mutabakat.app import MutabakatApp
    from tui_mutabakat.config import Settings
    from tui_mutabakat.data.session import Database
    from tui_mutabakat.services.context import Actor


class AppAccess(DOMNode):
    """Mixin for screens and widgets: typed access to the services the app holds."""

    @property
    def mutabakat(self) -> MutabakatApp:
        return cast("MutabakatApp", self.app)

    @property
    def database(self) -> Database:
        return self.mutabakat.database

    @property
    def actor(self) -> Actor:
        return self.mutabakat.actor

    @property
    def settings(self) -> Settings:
        return self.mutabakat.settings
