"""The Textual application: global keys, the command palette, and the services for screens.

Started by `mutabakat` without a database, the app draws the main menu first and opens the
database behind it (`services/startup.py`, in a thread): nothing this module or the menu
imports at start loads SQLAlchemy (tests/test_startup.py), and the menu's keys wait until
the database is open and the user known — or show why it cannot be.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandListItem, SimpleProvider
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.widget import AwaitMount, Widget
from textual.worker import Worker, WorkerState

from tui_mutabakat.config import Settings
from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.keys import key_label, screen_keys
from tui_mutabakat.widgets.textual_fixes import apply_textual_fixes
from tui_mutabakat.widgets.textual_words import Commands, Palette, translate_textual

if TYPE_CHECKING:
    from textual.widgets import Checkbox, Input, Select

    from tui_mutabakat.data.session import Database
    from tui_mutabakat.services.context import Actor
    from tui_mutabakat.services.startup import Opened

log = logging.getLogger(__name__)

_FINISHED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


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
        # Tab is taken before the key reaches the focused field: Textual's own Tab binding is
        # found only once the key has bubbled up, and keys that came in the same read (a
        # quick typist over SSH, a paste) went into the old field meanwhile ("Vida<Tab>100"
        # filled one field with "Vida100").
        Binding("tab", "focus_next", _("Sonraki alan"), show=False, priority=True, id="next"),
        Binding(
            "shift+tab", "focus_previous", _("Önceki alan"), show=False, priority=True, id="prev"
        ),
    ]

    #: Set once the database is open and the user known (`ready`).
    database: Database
    actor: Actor

    def __init__(self, settings: Settings, database: Database | None = None) -> None:
        """With `database` (the tests, the benches) the user is found here, and a refusal
        raises; without, the database of `settings` is opened after the first frame."""
        translate_textual()
        apply_textual_fixes()
        super().__init__()
        self.settings = settings
        #: The database is open and the user known: the menu's keys work.
        self.ready = False
        #: Why the database could not be opened (shown on the menu), else `None`.
        self.start_error: str | None = None
        self._opening: Worker[Opened | str] | None = None
        if database is not None:
            from tui_mutabakat.services.context import resolve_actor

            with database.unit_of_work() as session:
                actor = resolve_actor(session, settings.user_login)
            self._take(database, actor)

    def _take(self, database: Database, actor: Actor) -> None:
        # The interface's writes are told at once when an import holds SQLite's lock.
        database.brief_wait_during_import = True
        self.database = database
        self.actor = actor
        self.ready = True
        # Everyone sees who they act as (the login of their user id) in every header.
        self.sub_title = actor.login

    def on_mount(self) -> None:
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
        from tui_mutabakat.screens.main import MainScreen

        self.push_screen(MainScreen())
        if not self.ready:
            self.call_after_refresh(self._open_database)

    def _open_database(self) -> None:
        self._start_child_process_helper()
        self._opening = self.run_worker(
            self._open_in_thread, name="open-database", thread=True, exit_on_error=False
        )

    def _start_child_process_helper(self) -> None:
        """multiprocessing's resource tracker, which a send's compose process needs, must
        be given the terminal's stderr (services/sending/child_processes.py). Started after
        the first frame, not before: its interpreter's start would share the CPU with ours.
        Textual has replaced `sys.stderr` by now; nothing else runs on this thread."""
        from tui_mutabakat.services.sending.child_processes import prepare_child_processes

        textual_stderr = sys.stderr
        sys.stderr = sys.__stderr__
        try:
            prepare_child_processes()
        finally:
            sys.stderr = textual_stderr

    def _open_in_thread(self) -> Opened | str:
        """The database and the user (`services/startup.py`), or what to tell the user."""
        from tui_mutabakat.services.startup import open_for_interface

        try:
            return open_for_interface(self.settings)
        except ServiceError as error:
            return str(error)
        except Exception as error:
            log.exception("the database could not be opened")
            return _("Program veritabanını açamadı: {error}").format(error=error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # By the state the message carries: the worker may have finished by the time an
        # earlier state's message (RUNNING) is handled.
        if event.worker is not self._opening or event.state not in _FINISHED:
            return
        self._opening = None
        if event.state is WorkerState.CANCELLED:
            return  # the app is closing
        result: Opened | str | None = event.worker.result
        if event.state is WorkerState.ERROR or result is None:
            result = _("Program veritabanını açamadı: {error}").format(error=event.worker.error)
        if isinstance(result, str):
            self.start_error = result
        else:
            self._take(result.database, result.actor)
        from tui_mutabakat.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.show_start()

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

    # In any form: a corrected field's error goes (widgets/form.py). By handler name, so
    # that the first frame needs neither these widgets nor the forms.
    def on_input_changed(self, event: Input.Changed) -> None:
        self._field_changed(event.control)

    def on_select_changed(self, event: Select.Changed) -> None:
        self._field_changed(event.control)

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._field_changed(event.control)

    def _field_changed(self, control: Widget) -> None:
        from tui_mutabakat.widgets.form import clear_stale_error

        clear_stale_error(control)

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


def make_app(settings: Settings, database: Database | None = None) -> MutabakatApp:
    """The one factory used by the command line (no database: opened after the first
    frame) and the tests."""
    return MutabakatApp(settings, database)
