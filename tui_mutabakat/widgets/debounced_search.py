"""A search field's query, run once the typing pauses rather than on every key."""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

#: Seconds of quiet typing before the search runs (one query per pause, not per key).
SEARCH_DELAY = 0.15


class DebouncedSearch:
    """Calls `apply` with the field's stripped text `SEARCH_DELAY` after the last key, or at
    once with `now()` (Enter, leaving the field); `apply` decides whether the text changed
    anything."""

    def __init__(self, owner: Widget, field: Callable[[], Input], apply: Callable[[str], None]):
        self._owner = owner
        self._field = field
        self._apply = apply
        self._timer: Timer | None = None

    def changed(self) -> None:
        """A key changed the field: the query waits for the typing to pause."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(SEARCH_DELAY, self.now)

    def now(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._apply(self._field().value.strip())
