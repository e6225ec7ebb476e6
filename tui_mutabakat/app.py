"""The Textual application: global keys, the command palette, and the services for screens."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandListItem, SimpleProvider
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.widget import AwaitMount
from textual.widgets import Checkbox, Input, Select

from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.keys import key_label, screen_keys
from tui_mutabakat.services.context import Actor, resolve_actor
from tui_mutabakat.widgets.form import clear_stale_error
from tui_mutabakat.widgets.textual_words import Commands, Palette, translate_textual


class MutabakatApp(App[None]):
    """A thin app: it holds the database, the acting user and the settings; screens do the rest."""

    CSS_PATH = "styles/app.tcss"
    COMMANDS = {Commands}
    TITLE = "e-Mutabakat"
    BINDINGS = [
        Binding("f1,ctrl+g", "help", _("Yardım"), id="help"),
        Binding("ctrl+q", "quit", _("Çıkış"), id="quit", priority=True),
        Binding(
            "ctrl+p", "command_palette", _("Komutlar"), show=False, priority=True, id="palette"
        ),
    ]

    def __init__(self, settings: Settings, database: Database) -> None:
        translate_textual()
        super().__init__()
        self.settings = settings
        self.database = database
        with database.unit_of_work() as session:
            self.actor: Actor = resolve_actor(session, settings.user_login)
        # Everyone sees who they act as (the login of their user id) in every header.
        self.sub_title = self.actor.login

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
        from tui_mutabakat.screens.main import MainScreen

        self.push_screen(MainScreen())

    def action_help(self) -> None:
        from tui_mutabakat.screens.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        """Textual's palette, in the interface's language (widgets/textual_words.py)."""
        if self.use_command_palette and not Palette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(Palette(id="--command-palette"))

    def search_commands(
        self, commands: Sequence[CommandListItem], placeholder: str = "Search for commands…"
    ) -> AwaitMount:
        # As Textual's own, which its annotations do not quite describe.
        provider = SimpleProvider(self.screen, list(commands))
        return self.push_screen(Palette(providers=[provider], placeholder=placeholder))  # type: ignore[list-item]

    def search_themes(self) -> None:
        self.push_screen(Palette(providers=[ThemeProvider], placeholder="Search for themes…"))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _field_changed(self, event: Input.Changed | Select.Changed | Checkbox.Changed) -> None:
        """In any form: a corrected field's error goes (widgets/form.py)."""
        clear_stale_error(event.control)

    def get_key_display(self, binding: Binding) -> str:
        """Textual's key names, with the one word among them in the interface's language."""
        shown = super().get_key_display(binding)
        return _("Boşluk") if shown == "space" else shown

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a command in the palette (Ctrl+P)."""
        for entry in screen_keys(screen):
            if not entry.enabled:
                continue
            yield SystemCommand(
                entry.description,
                f"{_('Tuş')}: " + " / ".join(key_label(k) for k in entry.keys),
                partial(self.run_action, entry.action, entry.node),
            )
        # The entries of the screen's F9 menu that have no key of their own (Excel export…).
        menu = getattr(screen, "palette_menu", None)
        if callable(menu):
            items, chosen = menu()
            for action_id, label, hint in items:
                if not hint:
                    yield SystemCommand(label, _("F9 menüsünde"), partial(chosen, action_id))
        yield SystemCommand(_("Tema"), _("Renk temasını değiştir"), self.action_change_theme)
        yield SystemCommand(_("Çıkış"), _("Uygulamadan çık"), self.action_quit)


def make_app(settings: Settings, database: Database) -> MutabakatApp:
    """The one factory used by the command line and the tests."""
    database.brief_wait_during_import = True
    return MutabakatApp(settings, database)
