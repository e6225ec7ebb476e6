"""The own company ("Firma Bilgileri", SPEC A1): the sender named in every letter."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Header, Input, Label

from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.domain.tax_number import is_valid_tax_number
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.form_screen import FormScreen
from tui_mutabakat.services.settings.working_settings import CompanyData, load_company, save_company
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import (
    clear_errors,
    field_row,
    input_text,
    show_email_check,
    show_error,
    show_invalid,
    text_input,
)


def _fields() -> tuple[tuple[str, str, int], ...]:
    """(field, label, max length) in screen order."""
    return (
        ("title", _("Ünvan"), 200),
        ("tax_office", _("Vergi dairesi"), 100),
        ("tax_number", _("Vergi/TC kimlik no"), 11),
        ("address", _("Adres"), 0),
        ("city", _("Şehir"), 50),
        ("phone", _("Telefon"), 40),
        ("email", _("E-posta"), 254),
        ("logo_text", _("Logo yazısı"), 200),
    )


class CompanyScreen(FormScreen[None]):
    TITLE = _("Firma Bilgileri")

    def __init__(self) -> None:
        super().__init__()
        self._version_id: int | None = None

    def compose(self) -> ComposeResult:
        with self.database.reader() as session:
            data = load_company(session)
        self._version_id = data.version_id
        yield Header()
        yield Label(
            _("Mutabakat mektuplarında gönderen olarak bu bilgiler yazılır."),
            classes="form-heading",
        )
        with VerticalScroll(id="company-scroll", can_focus=False):
            for name, label, length in _fields():
                yield field_row(label, text_input(getattr(data, name), max_length=length), name)
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        self.mark_clean()
        self.query_one("#f-title").focus()
        self._check_tax_number()
        self._check_email()
        if not self.actor.is_admin:
            self.app.notify(
                _("Firma bilgilerini yalnızca yönetici değiştirebilir."), severity="warning"
            )

    def leave_result(self) -> None:
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and not self.actor.is_admin:
            return None
        return True

    @on(Input.Changed, "#f-tax_number")
    def _check_tax_number(self) -> None:
        text = input_text(self, "tax_number").strip()
        if not text:
            show_error(self, "tax_number", "")
        elif is_valid_tax_number(text):
            show_error(self, "tax_number", "✓", ok=True)
        else:
            show_error(
                self,
                "tax_number",
                _("Geçersiz: VKN 10, TCKN 11 hane olmalı ve kontrol hanesi tutmalı."),
            )

    @on(Input.Changed, "#f-email")
    def _check_email(self) -> None:
        show_email_check(self, "email")

    def _value(self) -> CompanyData:
        values = {name: input_text(self, name) for name, _label, _length in _fields()}
        return CompanyData(**values, version_id=self._version_id)

    def action_save(self) -> None:
        data = self._value()
        try:
            with self.database.unit_of_work() as session:
                self._version_id = save_company(session, self.actor, data)
        except InvalidInput as error:
            clear_errors(self)
            if not show_invalid(self, error):
                self.refuse(error)
            return
        except ServiceError as error:
            self.refuse(error)
            return
        self.mark_clean()
        self.app.notify(_("Firma bilgileri kaydedildi."))
