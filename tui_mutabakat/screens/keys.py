"""How keys are written for people: `F3`, `Ctrl+H`, `Esc` — and the keys of a screen."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.dom import DOMNode
from textual.screen import Screen

from tui_mutabakat.i18n import gettext as _

_NAMES = {
    "escape": "Esc",
    "enter": "Enter",
    "insert": "Ins",
    "delete": "Del",
    "tab": "Tab",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "plus": "+",
    "minus": "-",
    "asterisk": "*",
    "slash": "/",
    "full_stop": ".",
    "comma": ",",
}


def key_label(key: str) -> str:
    """`"ctrl+h"` → `"Ctrl+H"`, `"f3"` → `"F3"`."""
    parts = key.strip().split("+")
    *modifiers, last = parts
    if last == "space":
        name = _("Boşluk")
    else:
        name = _NAMES.get(last, last.upper() if len(last) <= 3 else last.capitalize())
    return "+".join([*(m.capitalize() for m in modifiers), name])


@dataclass(frozen=True, slots=True)
class ScreenKey:
    keys: tuple[str, ...]
    description: str
    action: str
    enabled: bool
    node: DOMNode


def screen_keys(screen: Screen[object]) -> list[ScreenKey]:
    """The described keys active on `screen`, one entry per action with all its keys."""
    grouped: dict[tuple[int, str], ScreenKey] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.description or not binding.show:
            continue
        ident = (id(active.node), binding.action)
        known = grouped.get(ident)
        if known is None:
            grouped[ident] = ScreenKey(
                (key,), binding.description, binding.action, active.enabled, active.node
            )
        else:
            grouped[ident] = replace(known, keys=(*known.keys, key))
    return list(grouped.values())
