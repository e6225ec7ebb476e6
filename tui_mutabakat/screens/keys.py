"""How keys are written for people: `F3`, `Ctrl+H`, `Esc` — and the keys of a screen."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import ActiveBinding
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


def _selection_stands_for(
    screen: Screen[object], key: str, shadow: ActiveBinding
) -> ActiveBinding | None:
    """The described binding of `key` further out than `shadow`, when `shadow` is a list's own
    hidden "select" (a table's Enter posts `RowSelected`, which the screen turns into its
    action — "Aç", "Düzelt"): the help then names what Enter does, not nothing."""
    if shadow.binding.show and shadow.binding.description:
        return None
    if not shadow.binding.action.startswith("select"):
        return None
    found = False
    # Textual's own walk of the focus chain (Screen.active_bindings), past `shadow`.
    for namespace, bindings in screen._modal_binding_chain:
        for bound_key, binding in bindings:
            if bound_key != key:
                continue
            if not found:
                found = namespace is shadow.node
                continue
            if not binding.description or not binding.show:
                continue
            state = screen.app._check_action_state(binding.action, namespace)
            if state is False:
                continue
            return ActiveBinding(namespace, binding, bool(state), binding.tooltip)
    return None


def screen_keys(screen: Screen[object]) -> list[ScreenKey]:
    """The described keys active on `screen`, one entry per action with all its keys."""
    grouped: dict[tuple[int, str], ScreenKey] = {}
    for key, active in screen.active_bindings.items():
        active = _selection_stands_for(screen, key, active) or active
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


def binding_keys(node: DOMNode, binding_id: str) -> tuple[str, ...]:
    """The keys of `node`'s binding `binding_id` as the user's keymap has them (`("f4",
    "insert")`): what a hint names must be what works."""
    bindings = node._bindings.copy()
    keymap = node.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    return tuple(key for key, binding in bindings if binding.id == binding_id)


def keys_text(node: DOMNode, binding_id: str, most: int = 2) -> str:
    """`"F4/Ins"`: the first `most` keys of a binding, written for people."""
    return "/".join(key_label(key) for key in binding_keys(node, binding_id)[:most])
