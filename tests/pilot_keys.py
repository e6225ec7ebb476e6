"""Driving the interface in Pilot tests the way a user does: keys, typed text, and waiting
for what a background worker shows."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot


async def press(pilot: Pilot[None], *keys: str) -> None:
    """Press `keys`, then let the screen settle (two pauses: a key often posts a message
    whose handler posts another)."""
    await pilot.press(*keys)
    await pilot.pause()
    await pilot.pause()


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type `text` one key at a time, as a user would."""
    for char in text:
        await pilot.press(char)
    await pilot.pause()


async def wait_for(pilot: Pilot[None], condition: Callable[[], object], tries: int = 200) -> None:
    """Until `condition()` holds, up to `tries` × 0.05 s (work done by a thread worker)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")
