"""İrsaliyeyi faturala: a dispatch note into an invoice (SPEC C1), asked like shipping is.

The invoice's number (the FT series' next), date (today) and due date (the date + the
account's payment term) come filled in as real values, each editable; a new invoice date
moves a due date the user has not typed over. The invoice's sales-invoice movement goes
through due-date tracking as any other: stop refuses, warn asks first.
"""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.domain.formatting import format_day, format_money, parse_day
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.confirm import MessageDialog
from tui_mutabakat.screens.operations.due_date_follow import FollowingDueDate
from tui_mutabakat.screens.operations.ops_dialogs import ask_due_tracking, refuse_for_due_tracking
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.movements import DueTrackingStop, DueTrackingWarning
from tui_mutabakat.services.accounts.parameters import default_due_date
from tui_mutabakat.services.accounts.shipping import (
    DispatchInvoiceDraft,
    dispatch_invoice_draft,
    invoice_dispatch,
)
from tui_mutabakat.widgets.form import date_input, field_row, hint_text, parse_problem


class DispatchInvoiceDialog(AppAccess, ModalScreen[int | None]):
    """Dismisses with the new invoice's id, or `None` when nothing was invoiced."""

    BINDINGS = [
        Binding("f2,ctrl+s", "invoice", _("Faturala"), id="dispatch_invoice_save"),
        Binding("escape", "dismiss(None)", _("Vazgeç"), id="dispatch_invoice_cancel"),
    ]

    def __init__(self, dispatch_id: int) -> None:
        super().__init__()
        self._dispatch_id = dispatch_id
        self.draft: DispatchInvoiceDraft | None = None
        self._due: FollowingDueDate | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ops-dialog ops-form"):
            yield Label("", id="dispatch-invoice-title", classes="dialog-title", markup=False)
            yield Label("", id="dispatch-invoice-note", markup=False)
            yield field_row(
                _("Fatura no"),
                Input(
                    id="d-number",
                    placeholder=hint_text(_("boş: otomatik numara")),
                    compact=True,
                    select_on_focus=False,
                ),
            )
            yield field_row(_("Fatura tarihi"), date_input(id="d-date"))
            yield field_row(
                _("Vade tarihi"),
                date_input(id="d-due", placeholder=_("boş: fatura tarihinde vadeli")),
            )
            yield Label("", id="d-error", classes="error-text", markup=False)
            yield Label(_("F2: faturala · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        with self.database.reader() as session:
            draft = dispatch_invoice_draft(session, self._dispatch_id, local_today())
            account = account_name(session, draft.account_id)
        self.draft = draft
        who = account.label if account else ""
        self.query_one("#dispatch-invoice-title", Label).update(
            _("İrsaliyeyi faturala — {number} · {who}").format(
                number=draft.dispatch_number, who=who
            )
        )
        self.query_one("#dispatch-invoice-note", Label).update(
            _("İrsaliye tarihi {date} · tutar {total}").format(
                date=format_day(draft.dispatch_date), total=format_money(draft.total)
            )
        )
        self._input("d-number").value = draft.number
        self._input("d-date").value = format_day(draft.date)
        self._due = FollowingDueDate(self._input("d-due"), self._due_for)
        self._due.fill(draft.due_date)
        self._input("d-number").focus()

    def _input(self, name: str) -> Input:
        return self.query_one(f"#{name}", Input)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field, as in the ERP forms; F2 saves."""
        event.stop()
        self.focus_next()

    def _due_for(self, date: dt.date) -> dt.date:
        account = self.draft.account_id if self.draft is not None else None
        with self.database.reader() as session:
            return default_due_date(session, account, date) if account is not None else date

    def on_input_changed(self, event: Input.Changed) -> None:
        """A new invoice date moves a due date the user has not typed over."""
        if event.input.id == "d-date" and self._due is not None:
            self._due.date_changed(event.value)

    def action_invoice(self) -> None:
        self._invoice(confirmed=False)

    def _day(self, name: str, label: str) -> dt.date | None:
        """The date in field `name`, `None` when empty; `InvalidInput` naming the field."""
        text = self._input(name).value.strip()
        if not text:
            return None
        try:
            return parse_day(text)
        except ValueError as exc:
            usual = _("{label} geçersiz (31.12.2026 gibi yazın).").format(label=label)
            raise InvalidInput(parse_problem(exc, usual), name) from exc

    def _dates(self) -> tuple[dt.date, dt.date | None]:
        date = self._day("d-date", _("Fatura tarihi"))
        if date is None:
            raise InvalidInput(_("Fatura tarihi boş olamaz."), "d-date")
        return date, self._day("d-due", _("Vade tarihi"))

    def _invoice(self, *, confirmed: bool) -> None:
        draft = self.draft
        if draft is None:
            return
        error = self.query_one("#d-error", Label)
        number = self._input("d-number").value.strip()
        what = f"sales_invoice {number} dispatch={draft.dispatch_number}".replace("  ", " ")
        try:
            date, due = self._dates()
            with self.database.unit_of_work() as session:
                invoice_id = invoice_dispatch(
                    session,
                    self.actor,
                    draft.dispatch_id,
                    invoice_date=date,
                    due_date=due,
                    number=number,
                    confirmed=confirmed,
                )
        except DueTrackingWarning as warning:
            ask_due_tracking(
                self, warning, draft.account_id, what, lambda: self._invoice(confirmed=True)
            )
            return
        except DueTrackingStop as stop:
            refuse_for_due_tracking(self, stop, draft.account_id, what)
            return
        except InvalidInput as invalid:
            error.update(str(invalid))
            names = {"date": "d-date", "due_date": "d-due", "d-date": "d-date", "d-due": "d-due"}
            self._input(names.get(invalid.field or "", "d-number")).focus()
            return
        except ServiceError as failure:
            self.app.push_screen(MessageDialog(str(failure), title=_("Faturalanamadı")))
            return
        self.dismiss(invoice_id)
