"""A checkbox whose mark says its state without colours: `▐✓▌` ticked, `▐ ▌` not.

Textual's `Checkbox` always draws an `X` and shows the state by colour alone, which a
monochrome or badly configured SSH terminal loses.
"""

from __future__ import annotations

from textual.widgets import Checkbox


class Tick(Checkbox):
    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual reads this name
        return "✓" if self.value else " "
