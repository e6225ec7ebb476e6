"""Textual's own words in the interface's language, and its widgets' keys as our forms use them.

Textual writes a few English texts of its own where a user sees them: the command palette's
placeholder ("Search for commands…"), its "No matches found" line and its keys, the open
dropdown's "Dismiss menu" key in the footer, a blank dropdown's "Select" prompt. The app uses
`Palette` for every palette it opens, and `translate_textual()` (called once when the app is
made) rewrites the rest on Textual's classes. `tests/test_words_seen.py` walks the screens and
fails on any text that is not in the catalogue. `translate_textual()` also makes an open
dropdown stop at its first and last option (Textual's wraps around; tests/test_select_ends.py).
"""

from __future__ import annotations

from typing import ClassVar

from rich.align import Align
from rich.text import Text
from textual._widget_navigation import find_next_enabled_no_wrap
from textual.binding import Binding, BindingType
from textual.command import (
    CommandList,
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
    ProviderSource,
)
from textual.content import Content
from textual.widgets import OptionList, Select
from textual.widgets._select import SelectOverlay
from textual.widgets.option_list import Option

from tui_mutabakat.domain.text import fold_each, sort_key
from tui_mutabakat.i18n import gettext as _


def _placeholders() -> dict[str, str]:
    return {
        "Search for commands…": _("Komut arayın…"),
        "Search for themes…": _("Tema arayın…"),
    }


class Palette(CommandPalette):
    """Textual's command palette, in the interface's language."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", _("Sonraki komut"), show=False),
        Binding("escape", "escape", _("Komut paletini kapat")),
        Binding("pagedown", "command_list('page_down')", _("Sonraki sayfa"), show=False),
        Binding("pageup", "command_list('page_up')", _("Önceki sayfa"), show=False),
        Binding("up", "command_list('cursor_up')", _("Önceki komut"), show=False),
    ]

    def __init__(
        self,
        providers: ProviderSource | None = None,
        *,
        placeholder: str = "Search for commands…",
        id: str | None = None,  # noqa: A002
    ) -> None:
        placeholder = _placeholders().get(placeholder, placeholder)
        super().__init__(providers, placeholder=placeholder, id=id)

    def _start_no_matches_countdown(self, search_value: str) -> None:
        """Textual's own, with its "No matches found" in the interface's language."""
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("Eşleşen komut yok"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class Commands(Provider):
    """The app's commands (every key of the screen, its menu's entries, …) for the palette,
    found the way the account search finds: Turkish letters and case aside — "iptal",
    "İptal", "IPTAL" all find "İptal et" — and listed in Turkish order."""

    async def discover(self) -> Hits:
        commands = sorted(
            self.app.get_system_commands(self.screen), key=lambda command: sort_key(command[0])
        )
        for name, help_text, callback, discover in commands:
            if discover:
                yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(fold_each(query))
        for name, help_text, callback, *_rest in self.app.get_system_commands(self.screen):
            folded = fold_each(name)
            score = matcher.match(folded)
            if score <= 0:
                continue
            shown = Content(name)
            if len(folded) == len(name):  # the marks of the folded match fit the name
                shown = Content(name, spans=list(matcher.highlight(folded).spans))
            yield Hit(score, shown, callback, help=help_text)


def _cursor_down(self: OptionList) -> None:
    """↓ on an open dropdown: the next option; on the last it stays there."""
    found = find_next_enabled_no_wrap(self.options, anchor=self.highlighted, direction=1)
    if found is not None:
        self.highlighted = found


def _cursor_up(self: OptionList) -> None:
    """↑ on an open dropdown: the previous option; on the first it stays there."""
    found = find_next_enabled_no_wrap(self.options, anchor=self.highlighted, direction=-1)
    if found is not None:
        self.highlighted = found


_done = False


def translate_textual() -> None:
    """Rewrite the English texts Textual's widgets show (once; the language is set before)."""
    global _done
    if _done:
        return
    _done = True
    SelectOverlay.BINDINGS = [Binding("escape", "dismiss", _("Listeyi kapat"))]
    SelectOverlay._merged_bindings = SelectOverlay._merge_bindings()
    # An open dropdown stops at its ends: Textual's list wraps from the last option to the
    # first, so ↓ ↓ ↓ Enter on three options picked the first again (every Select of the app).
    SelectOverlay.action_cursor_down = _cursor_down  # type: ignore[method-assign]
    SelectOverlay.action_cursor_up = _cursor_up  # type: ignore[method-assign]
    # Enter on a closed dropdown moves to the next field, as the forms' "Enter: sonraki
    # alan" says (and as in an input); Space or ↓ opens it.
    Select.BINDINGS = [
        Binding("down,space,up", "show_overlay", _("Listeyi aç"), show=False),
        Binding("enter", "app.focus_next", _("Sonraki alan"), show=False),
    ]
    Select._merged_bindings = Select._merge_bindings()
    defaults = Select.__init__.__kwdefaults__
    if defaults is not None and "prompt" in defaults:
        defaults["prompt"] = _("Seçin")
