"""Fixes to Textual's own widgets that the application cannot do without.

A toast (a `notify` message) is mounted anew when the screen under it changes; if its
message ran out in the moment between the check and the mount, Textual 8.2 starts its timer
with a negative delay, and the timer's loop then spins forever without yielding: the whole
program froze at 100 % CPU when a screen closed while a message was about to go (found in a
keys-only walk: Ctrl+X, then Esc). The toast's timer is given at least a millisecond.
"""

from __future__ import annotations

from textual.events import Mount
from textual.widgets._toast import Toast

#: The shortest delay a toast's timer is started with (seconds).
SHORTEST = 0.001

_done = False


def _start_toast_timer(self: Toast, _event: Mount) -> None:
    self.set_timer(max(self._timeout, SHORTEST), self._expire)


def apply_textual_fixes() -> None:
    """Apply the fixes (once)."""
    global _done
    if _done:
        return
    _done = True
    setattr(Toast, "_on_mount", _start_toast_timer)  # noqa: B010 (a method of Textual's replaced)
