"""The key line at the bottom of every screen, fitted to its width: no key is cut.

Textual's `Footer` lays its keys out in a row and lets the ones beyond the right edge run
under the command palette's key (docked right) or off the screen: at 80 columns most
screens showed half a key. This `Footer` is compact (one space less per key) and shows the
keys that fit whole, in their order (the focused widget's, the screen's, then the app's),
leaving out the rest — except F1 "Yardım", which is always shown: F1 lists every key of the
screen and Ctrl+P (the palette key, shown on the right) runs any of them, so a key left out
here is still one key press away. On a resize the keys are fitted again.

Every screen uses this `Footer` (`tests/test_footer_80.py` walks them at 80 columns).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

#: The action of the key that is never left out (the app's F1 help).
HELP_ACTION = "help"


def _width(key_display: str, description: str) -> int:
    """The cells a compact footer key takes: key, space, description, a margin."""
    if not description:
        return cell_len(key_display) + 1
    return cell_len(key_display) + 1 + cell_len(description) + 1


def fitting(entries: Iterable[tuple[str, str]], room: int, keep: frozenset[int]) -> list[int]:
    """The indexes of `entries` (key display, description) to show in `room` cells, in order:
    those in `keep` first reserved, then the others while they fit."""
    items = list(entries)
    used = sum(_width(*items[index]) for index in keep)
    shown = set(keep)
    for index, item in enumerate(items):
        if index in keep:
            continue
        width = _width(*item)
        if used + width > room:
            break
        used += width
        shown.add(index)
    return sorted(shown)


class Footer(TextualFooter):
    """Textual's footer, compact, showing only the keys that fit whole (see the module)."""

    DEFAULT_CSS = """
    Footer {
        padding-left: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, compact=True)
        self._fitted_width = 0

    def _room(self) -> int:
        return self.size.width or self.screen.size.width or self.app.size.width

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        width = self._room()
        self._fitted_width = width
        active = self.screen.active_bindings
        seen: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in active.values():
            if binding.show and binding.action not in seen:
                seen[binding.action] = (binding, enabled, tooltip)
        keys = list(seen.values())
        palette: tuple[Binding, bool, str] | None = None
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                palette = (found.binding, found.enabled, found.tooltip)
        room = width - 1  # the padding on the left
        if palette is not None:
            binding = palette[0]
            # Its left border, the key, a space and the description (no padding compact).
            room -= 1 + cell_len(self.app.get_key_display(binding)) + 1
            room -= cell_len(binding.description)
        displays = [(self.app.get_key_display(b), b.description) for b, _e, _t in keys]
        keep = frozenset(
            index
            for index, (binding, _enabled, _tooltip) in enumerate(keys)
            if binding.action.removeprefix("app.") == HELP_ACTION
        )
        for index in fitting(displays, room, keep):
            binding, enabled, tooltip = keys[index]
            yield FooterKey(
                binding.key,
                displays[index][0],
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            ).data_bind(compact=TextualFooter.compact)
        if palette is not None:
            binding, enabled, _tooltip = palette
            yield FooterKey(
                binding.key,
                self.app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and event.size.width != self._fitted_width:
            self.call_after_refresh(self.recompose)
