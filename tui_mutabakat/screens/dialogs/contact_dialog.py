"""One authorised contact ("yetkili", SPEC B2), with the e-mail checked as it is typed (B3)."""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label

from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.services.accounts.cards import ContactData
from tui_mutabakat.widgets.form import clear_errors, field_row, input_text, show_error, text_input
from tui_mutabakat.widgets.tick import Tick


class ContactDialog(ModalScreen[ContactData | None]):
    """Add or edit a contact. Dismisses with the edited contact, or `None` when cancelled.

    A wrong e-mail does not stop the dialog (it only blocks sending, SPEC B3) but it is
    shown under the field as it is typed and asked about once more on OK.
    """

    BINDINGS = [
        Binding("f2,ctrl+s", "ok", _("Tamam"), id="contact_ok"),
        Binding("escape", "cancel", _("Vazgeç"), id="contact_cancel"),
    ]

    def __init__(self, contact: ContactData | None) -> None:
        super().__init__()
        self._contact = contact or ContactData()
        self._is_new = contact is None

    def compose(self) -> ComposeResult:
        contact = self._contact
        title = _("Yeni yetkili") if self._is_new else _("Yetkili")
        with Vertical(classes="dialog contact-dialog"):
            yield Label(title, classes="dialog-title")
            yield field_row(_("Ad soyad"), text_input(contact.name, max_length=120), "name")
            yield field_row(_("Ünvan"), text_input(contact.title, max_length=80), "title")
            yield field_row(
                _("Departman"), text_input(contact.department, max_length=80), "department"
            )
            yield field_row(
                _("E-posta"),
                text_input(contact.email, placeholder=_("ör. ad@firma.com.tr"), max_length=254),
                "email",
            )
            yield field_row(_("Telefon"), text_input(contact.phone, max_length=40), "phone")
            yield field_row(
                _("Mutabakat"),
                Tick(_("Mutabakat mektubu alır"), contact.receives_reconciliation, compact=True),
                "receives",
            )
            with Horizontal(classes="buttons"):
                yield Button(_("Tamam (F2)"), id="ok", variant="primary")
                yield Button(_("Vazgeç (Esc)"), id="cancel")

    def on_mount(self) -> None:
        self._show_email_check()
        self.query_one("#f-name", Input).focus()

    @on(Input.Changed, "#f-email")
    def _show_email_check(self) -> None:
        text = input_text(self, "email").strip()
        if not text:
            show_error(self, "email", _("E-posta adresi boş: bu yetkiliye mutabakat gönderilemez."))
            return
        check = check_email(text)
        if check.ok:
            show_error(self, "email", "✓", ok=True)
        else:
            show_error(self, "email", f"✗ {check.reason}")

    @on(Input.Submitted)
    def _next_field(self) -> None:
        """Enter moves on, as in the ERP forms the users know; F2 finishes."""
        self.focus_next()

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        name = input_text(self, "name").strip()
        clear_errors(self)
        self._show_email_check()
        if not name:
            show_error(self, "name", _("Ad soyad boş olamaz."))
            self.query_one("#f-name", Input).focus()
            return
        contact = self._value()
        check = check_email(contact.email)
        if check.ok or (not contact.email and not contact.receives_reconciliation):
            self.dismiss(contact)
            return

        def answered(keep: bool | None) -> None:
            if keep:
                self.dismiss(contact)
            else:
                self.query_one("#f-email", Input).focus()

        reason = check.reason or ""
        self.app.push_screen(
            ConfirmDialog(
                _(
                    "E-posta adresi geçersiz: {reason} Bu yetkiliye mutabakat gönderilemez. "
                    "Yine de kaydedilsin mi?"
                ).format(reason=reason),
                yes=_("Kaydet"),
                danger=True,
            ),
            answered,
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _value(self) -> ContactData:
        email = input_text(self, "email").strip()
        check = check_email(email)
        return replace(
            self._contact,
            name=input_text(self, "name").strip(),
            title=input_text(self, "title").strip(),
            department=input_text(self, "department").strip(),
            email=check.normalized if check.ok and check.normalized else email,
            phone=input_text(self, "phone").strip(),
            receives_reconciliation=self.query_one("#f-receives", Checkbox).value,
        )
