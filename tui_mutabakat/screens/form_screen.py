"""The base of every screen that edits one record: F2 saves, Esc leaves (asking first when
something changed), Enter moves to the next field, and what a field cannot hold is named
under it as it is typed. `GuardedLeave` is the Esc part alone, for a dialog that edits (the
movement form)."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual import on
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input

from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.domain.text import TextProblem, clean_text
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.widgets.form import show_error, snapshot

ResultT = TypeVar("ResultT")


class GuardedLeave(Screen[ResultT]):
    """Esc leaves, asking first when the form holds what it was not saved with: a screen
    or a dialog (`ModalScreen` beside it in the bases) that edits something.

    The subclass calls `mark_clean()` once the form shows what is stored (or its defaults),
    and binds Esc to `leave`; `leave_result` is what leaving dismisses with.
    """

    _baseline: dict[str, object] | None = None

    def form_state(self) -> dict[str, object]:
        return snapshot(self)

    def mark_clean(self) -> None:
        self._baseline = self.form_state()

    @property
    def is_dirty(self) -> bool:
        return self._baseline is not None and self.form_state() != self._baseline

    def leave_result(self) -> ResultT:
        raise NotImplementedError

    def action_leave(self) -> None:
        if not self.is_dirty:
            self.dismiss(self.leave_result())
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.dismiss(self.leave_result())

        self.app.push_screen(
            ConfirmDialog(_("Değişiklikler kaydedilmedi. Çıkılsın mı?"), yes=_("Çık"), danger=True),
            answered,
        )


class FormScreen(AppAccess, GuardedLeave[ResultT]):
    """A screen that edits one record: F2 saves, Esc leaves and asks first if anything changed.

    Subclasses implement `action_save` and `leave_result`, and call `mark_clean()` once the
    form shows what is stored.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+s", "save", _("Kaydet"), id="form_save"),
        Binding("escape", "leave", _("Çık"), id="form_leave"),
    ]

    #: Fields whose error line shows a character problem found as the user typed.
    _text_problems: frozenset[str] = frozenset()

    @on(Input.Submitted)
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        """Enter in a field moves to the next one, as in the ERP forms the users know."""
        event.stop()
        self.focus_next()

    @on(Input.Changed)
    def _check_typed_text(self, event: Input.Changed) -> None:
        """Characters no record may hold (`domain.text.clean_text`: control, bidi and other
        invisible ones) are named under the field as they are typed; the service refuses
        them again when the form is saved."""
        control_id = event.input.id or ""
        name = control_id.removeprefix("f-")
        if not control_id.startswith("f-") or not self.query(f"#err-{name}"):
            return
        try:
            clean_text(event.value)
        except TextProblem as problem:
            show_error(self, name, str(problem))
            self._text_problems |= {name}
            return
        if name in self._text_problems:
            self._text_problems -= {name}
            show_error(self, name, "")

    def action_save(self) -> None:
        raise NotImplementedError

    def refuse(self, error: ServiceError) -> None:
        """Tell the user why the record was not saved; the form keeps what they typed."""
        self.app.push_screen(MessageDialog(str(error), title=_("Kaydedilmedi")))
