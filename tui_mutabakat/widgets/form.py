"""Form helpers shared by the card and settings screens: labelled rows, errors, dirty state.

A field named `code` is a control with id `f-code` inside a row that also holds an error
line `err-code`; the screens find both by the field name a service's `InvalidInput` gives.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar
from weakref import WeakKeyDictionary

from textual import events
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Switch, TextArea

from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.formatting import format_amount, format_day, parse_amount, parse_day
from tui_mutabakat.domain.money import OutOfRange
from tui_mutabakat.i18n import gettext as _

ResultT = TypeVar("ResultT")


def field_row(
    label: str, control: Widget, name: str | None = None, *, classes: str = ""
) -> Vertical:
    """A label and the control on one line. With a field `name`, the control is `f-<name>`
    and an (initially hidden) error line `err-<name>` goes under it; without, the control
    keeps its own id and the form shows its errors elsewhere (a dialog's one error line)."""
    line = Horizontal(Label(label, classes="field-label"), control, classes="field-line")
    if name is None:
        return Vertical(line, classes=f"field {classes}".strip())
    control.id = f"f-{name}"
    return Vertical(
        line,
        Label("", id=f"err-{name}", classes="field-error", markup=False),
        classes=f"field {classes}".strip(),
    )


#: A placeholder is a hint, never a plausible value: a value shows only when the field holds
#: it (a default is filled in as the value itself), and a hint is worded and drawn as one
#: (italic, dim — `app.tcss`).
DATE_HINT = _("gg.aa.yyyy")
#: The longest day a date field takes (`31.12.2026`, `2026-12-31`).
DATE_LENGTH = 10


def hint_text(text: str) -> str:
    """`text` as a field's placeholder: in words, never a figure a user could take as typed."""
    return f"({text})" if text and not text.startswith("(") else text


def text_input(value: str = "", *, placeholder: str = "", max_length: int = 0) -> Input:
    """A line of text; `placeholder` says in words what to type or what empty does."""
    return Input(
        value=value, placeholder=hint_text(placeholder), max_length=max_length, compact=True
    )


def number_input(value: int | None, *, placeholder: str = "") -> Input:
    """An input for a whole number; empty means "not given" (say what that does in
    `placeholder`)."""
    text = "" if value is None else str(value)
    return Input(value=text, type="integer", placeholder=hint_text(placeholder), compact=True)


def amount_input(value: Decimal | None, *, placeholder: str = "") -> Input:
    return Input(value=format_amount(value), placeholder=hint_text(placeholder), compact=True)


class DateInput(Input):
    """A day field. Focus (Tab) puts the cursor after the date and selects nothing: a filled-in
    date is a value to correct, and the next key must not wipe it (Textual selects all)."""

    def __init__(self, value: str, *, placeholder: str, id: str | None) -> None:  # noqa: A002
        super().__init__(
            value=value,
            placeholder=placeholder,
            id=id,
            compact=True,
            select_on_focus=False,
            max_length=DATE_LENGTH,
        )

    def on_focus(self, event: events.Focus) -> None:
        self.cursor_position = len(self.value)


def date_input(
    value: date | None = None,
    *,
    placeholder: str = DATE_HINT,
    id: str | None = None,  # noqa: A002
) -> Input:
    """An input for a day (`31.12.2026`); empty shows the format as a hint, not a date."""
    text = "" if value is None else format_day(value)
    return DateInput(text, placeholder=hint_text(placeholder), id=id)


def show_error(root: Widget, name: str, message: str, *, ok: bool = False) -> None:
    """Show `message` under field `name` (green when `ok`), and mark the control invalid."""
    label = root.query_one(f"#err-{name}", Label)
    label.update(message)
    label.set_class(bool(message), "-shown")
    label.set_class(ok, "-ok")
    for control in root.query(f"#f-{name}"):
        control.set_class(bool(message) and not ok, "-invalid")
        _ERROR_FOR[label] = _value_of(control)


#: An error line → the value its field held when the error was shown (`clear_stale_error`).
_ERROR_FOR: WeakKeyDictionary[Label, object] = WeakKeyDictionary()


def _value_of(control: Widget) -> object:
    if isinstance(control, Input | Select | Checkbox | Switch):
        return control.value
    if isinstance(control, TextArea):
        return control.text
    return None


def clear_stale_error(control: Widget) -> None:
    """A field's error goes once the field changes: it was about the value now corrected (the
    check runs again on save). Errors shown for the value now in the field stay — those
    found as it is typed."""
    name = (control.id or "").removeprefix("f-")
    if not name or control.id == name:
        return
    screen = control.screen
    labels = screen.query(f"#err-{name}")
    if not labels:
        return
    label = labels.first(Label)
    shown = label.has_class("-shown") and not label.has_class("-ok")
    if shown and _ERROR_FOR.get(label, None) != _value_of(control):
        show_error(screen, name, "")


def show_email_check(root: Widget, name: str) -> None:
    """Under e-mail field `name`, as it is typed: ✓, or ✗ and the reason (empty: nothing)."""
    text = input_text(root, name).strip()
    if not text:
        show_error(root, name, "")
        return
    check = check_email(text)
    show_error(root, name, "✓" if check.ok else f"✗ {check.reason}", ok=check.ok)


def clear_errors(root: Widget) -> None:
    for label in root.query(".field-error.-shown").results(Label):
        label.update("")
        label.remove_class("-shown", "-ok")
    for control in root.query(".-invalid"):
        control.remove_class("-invalid")


def focus_field(root: Widget, name: str) -> bool:
    """Focus the control of field `name`; False when the form has no such field."""
    found = root.query(f"#f-{name}")
    if not found:
        return False
    found.first().focus()
    return True


def show_invalid(root: Widget, error: InvalidInput) -> bool:
    """Put a service's refusal next to its field and focus it; False when there is no field."""
    if error.field is None or not root.query(f"#err-{error.field}"):
        return False
    show_error(root, error.field, str(error))
    focus_field(root, error.field)
    return True


def input_text(root: Widget, name: str) -> str:
    return root.query_one(f"#f-{name}", Input).value


def optional_int(root: Widget, name: str) -> int | None:
    """The whole number in field `name`, `None` when empty."""
    text = input_text(root, name).strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise InvalidInput(_("Tam sayı girin."), name) from exc


def required_int(root: Widget, name: str) -> int:
    value = optional_int(root, name)
    if value is None:
        raise InvalidInput(_("Bu alan boş olamaz."), name)
    return value


def parse_problem(error: Exception, usual: str) -> str:
    """What to tell the user about a value that did not parse: the range it must lie in
    when it was out of range (domain/money.py, domain/dates.py), else `usual`."""
    return str(error) if isinstance(error, OutOfRange) else usual


def optional_amount(root: Widget, name: str) -> Decimal | None:
    """The amount in field `name` typed the Turkish way (`150.000,00`), `None` when empty."""
    text = input_text(root, name).strip()
    if not text:
        return None
    try:
        return parse_amount(text)
    except (ValueError, ArithmeticError) as exc:
        usual = _("Geçerli bir tutar girin (örnek: 150.000,00).")
        raise InvalidInput(parse_problem(exc, usual), name) from exc


def optional_day(root: Widget, name: str) -> date | None:
    """The date in field `name` (`31.12.2026`), `None` when empty; refused outside the
    product's range."""
    text = input_text(root, name).strip()
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError as exc:
        usual = _("Tarihi gün.ay.yıl olarak girin (31.12.2026).")
        raise InvalidInput(parse_problem(exc, usual), name) from exc


def required_day(root: Widget, name: str) -> date:
    value = optional_day(root, name)
    if value is None:
        raise InvalidInput(_("Tarihi gün.ay.yıl olarak girin (31.12.2026)."), name)
    return value


def snapshot(root: Widget | Screen[object]) -> dict[str, object]:
    """The values of every form control under `root`, to tell whether the user changed any."""
    values: dict[str, object] = {}
    for widget in root.query("Input, TextArea, Checkbox, Switch, Select"):
        if widget.id is None:
            continue
        if isinstance(widget, Input):
            values[widget.id] = widget.value
        elif isinstance(widget, TextArea):
            values[widget.id] = widget.text
        elif isinstance(widget, Checkbox | Switch):
            values[widget.id] = widget.value
        elif isinstance(widget, Select):
            values[widget.id] = widget.value
    return values
