"""The rule-parameters form (SPEC C1–C5) and the screen that edits one account's parameters."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Header, Input, Label, Select

from tui_mutabakat.domain.enums import DUE_TRACKABLE_TYPES, DocumentType, RuleAction
from tui_mutabakat.domain.errors import InvalidInput, NotFound, ServiceError
from tui_mutabakat.domain.formatting import format_amount
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.form_screen import FormScreen
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.parameters import (
    RuleParameters,
    default_parameters,
    load_parameters,
    save_parameters,
)
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import (
    amount_input,
    clear_errors,
    field_row,
    number_input,
    optional_amount,
    optional_int,
    show_error,
    show_invalid,
)
from tui_mutabakat.widgets.tick import Tick


def document_type_labels() -> dict[DocumentType, str]:
    """The seed's names of the document types due-date tracking can check (SPEC C4)."""
    return {
        DocumentType.SALES_INVOICE: _("Satış Faturaları"),
        DocumentType.SALES_ORDER_PAID: _("Satış Siparişleri (Ödemeli)"),
        DocumentType.CASH: _("Kasa İşlemleri"),
        DocumentType.ACCOUNT_VOUCHER: _("Cari Hesap İşlemleri"),
        DocumentType.BANK: _("Banka İşlemleri"),
        DocumentType.EXPORT: _("İhracat"),
    }


def due_tracking_hint() -> str:
    """What the day count and the amount do, empty or not (SPEC C4, issue 11.9)."""
    return _(
        "Vade takibi: bir kalem vade gününün ertesinden itibaren vadesi geçmiş sayılır. "
        "Gün ve tutar ikisi de boşsa kontrol yapılmaz. Gün boş, tutar girilmişse gün 0 "
        "sayılır: vadesi geçmiş her kalem toplama girer. Tutar boşsa vadesi gün sayısı "
        "kadar geçmiş tek bir kalem yeter. Borç kapamada gün boşsa kontrol yapılmaz."
    )


def action_options() -> list[tuple[str, RuleAction]]:
    return [
        (_("İşleme devam"), RuleAction.CONTINUE),
        (_("Kullanıcı uyarılsın"), RuleAction.WARN),
        (_("İşlem durdurulsun"), RuleAction.STOP),
    ]


class RuleParametersForm(Vertical):
    """Edits a `RuleParameters`; the same form serves an account and the working settings."""

    def __init__(self, initial: RuleParameters, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes="rule-form")
        self._initial = initial

    def compose(self) -> ComposeResult:
        data = self._initial
        yield Label(_("Sipariş sevkiyatı ve fatura"), classes="section-title")
        yield field_row(
            _("Parçalı sipariş sevkiyatı"),
            Tick(_("Evet"), data.partial_shipment, compact=True),
            "partial_shipment",
        )
        yield field_row(
            _("Fatura yazım sayısı"), number_input(data.invoice_copies), "invoice_copies"
        )
        yield field_row(
            _("Ödeme vadesi (gün)"),
            number_input(data.payment_days, placeholder=_("boş: belge tarihi")),
            "payment_days",
        )
        yield Label(_("Sipariş onay kriterleri"), classes="section-title")
        with Horizontal(classes="check-line"):
            yield Tick(
                _("Risk kriteri"), data.approve_by_risk, id="f-approve_by_risk", compact=True
            )
            yield Tick(
                _("Vade kriteri"),
                data.approve_by_due_date,
                id="f-approve_by_due_date",
                compact=True,
            )
            yield Tick(
                _("Yaşlandırma kriteri"),
                data.approve_by_ageing,
                id="f-approve_by_ageing",
                compact=True,
            )
        yield field_row(_("Yaşlandırma günü"), number_input(data.ageing_days), "ageing_days")
        yield Label(_("Vade takibi"), classes="section-title")
        yield Label(_("Vade takibi yapılacak işlemler:"), classes="field-note")
        with Grid(classes="type-grid"):
            for kind, label in document_type_labels().items():
                yield Tick(label, kind in data.due_track_types, id=f"t-{kind.value}", compact=True)
        yield Label("", id="err-due_track_types", classes="field-error")
        yield field_row(
            _("Vade takibi gün sayısı"),
            number_input(
                data.due_track_days, placeholder=_("boş: 0 gün; tutar da boşsa kontrol yok")
            ),
            "due_track_days",
        )
        yield field_row(
            _("Vade takibi tutarı"),
            amount_input(
                data.due_track_amount, placeholder=_("boş: sınır yok; gün de boşsa kontrol yok")
            ),
            "due_track_amount",
        )
        yield field_row(
            _("Vade takibi yapıldığında"),
            Select(action_options(), value=data.due_track_action, allow_blank=False, compact=True),
            "due_track_action",
        )
        yield Label(_("Borç kapama vade tarihi kontrolü"), classes="section-title")
        yield field_row(
            _("Kontrol gün sayısı"),
            number_input(data.close_check_days, placeholder=_("boş: kontrol yok")),
            "close_check_days",
        )
        yield field_row(
            _("Kontrol yapıldığında"),
            Select(
                action_options(), value=data.close_check_action, allow_blank=False, compact=True
            ),
            "close_check_action",
        )
        yield Label(due_tracking_hint(), id="due-tracking-hint", classes="hint")

    def load(self, data: RuleParameters) -> None:
        """Show `data` in the form (used by "reset to defaults")."""
        self.query_one("#f-partial_shipment", Checkbox).value = data.partial_shipment
        self.query_one("#f-invoice_copies", Input).value = str(data.invoice_copies)
        self.query_one("#f-approve_by_risk", Checkbox).value = data.approve_by_risk
        self.query_one("#f-approve_by_due_date", Checkbox).value = data.approve_by_due_date
        self.query_one("#f-approve_by_ageing", Checkbox).value = data.approve_by_ageing
        self.query_one("#f-payment_days", Input).value = _text(data.payment_days)
        self.query_one("#f-ageing_days", Input).value = _text(data.ageing_days)
        for kind in DUE_TRACKABLE_TYPES:
            self.query_one(f"#t-{kind.value}", Checkbox).value = kind in data.due_track_types
        self.query_one("#f-due_track_days", Input).value = _text(data.due_track_days)
        self.query_one("#f-due_track_amount", Input).value = format_amount(data.due_track_amount)
        self.query_one("#f-due_track_action", Select).value = data.due_track_action
        self.query_one("#f-close_check_days", Input).value = _text(data.close_check_days)
        self.query_one("#f-close_check_action", Select).value = data.close_check_action
        clear_errors(self)

    def value(self, version_id: int | None) -> RuleParameters:
        """What the form holds; raises `InvalidInput` (with the field) for unreadable text."""
        copies = optional_int(self, "invoice_copies")
        if copies is None:
            raise InvalidInput(_("Fatura yazım sayısı en az 1 olmalı."), "invoice_copies")
        return RuleParameters(
            partial_shipment=self.query_one("#f-partial_shipment", Checkbox).value,
            invoice_copies=copies,
            approve_by_risk=self.query_one("#f-approve_by_risk", Checkbox).value,
            approve_by_due_date=self.query_one("#f-approve_by_due_date", Checkbox).value,
            approve_by_ageing=self.query_one("#f-approve_by_ageing", Checkbox).value,
            ageing_days=optional_int(self, "ageing_days"),
            due_track_types=frozenset(
                kind
                for kind in DUE_TRACKABLE_TYPES
                if self.query_one(f"#t-{kind.value}", Checkbox).value
            ),
            due_track_days=optional_int(self, "due_track_days"),
            due_track_amount=optional_amount(self, "due_track_amount"),
            due_track_action=self._action("due_track_action"),
            close_check_days=optional_int(self, "close_check_days"),
            close_check_action=self._action("close_check_action"),
            payment_days=optional_int(self, "payment_days"),
            version_id=version_id,
        )

    def _action(self, name: str) -> RuleAction:
        value = self.query_one(f"#f-{name}", Select).value
        return value if isinstance(value, RuleAction) else RuleAction.CONTINUE

    def show_invalid(self, error: InvalidInput) -> None:
        """Show a refusal next to its field and focus it."""
        clear_errors(self)
        if error.field == "due_track_types":
            show_error(self, "due_track_types", str(error))
            self.query_one(f"#t-{DUE_TRACKABLE_TYPES[0].value}", Checkbox).focus()
        elif not show_invalid(self, error):
            self.app.notify(str(error), severity="error")


def _text(value: int | None) -> str:
    return "" if value is None else str(value)


class AccountParametersScreen(FormScreen[bool]):
    """ "Parametreler" of one account. Dismisses with True when saved."""

    TITLE = _("Cari Hesap Parametreleri")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f7,ctrl+z", "reset_defaults", _("Öndeğerler"), id="parameters_defaults"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self._account_id = account_id
        self._version_id: int | None = None
        self._missing = ""

    def compose(self) -> ComposeResult:
        yield Header()
        try:
            with self.database.unit_of_work() as session:
                account = account_name(session, self._account_id)
                if account is None:
                    raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
                heading = f"{account.code} — {account.title}"
                data = load_parameters(session, self._account_id)
        except NotFound as error:
            self._missing = str(error)
            yield Label(self._missing, classes="error-text")
        else:
            self._version_id = data.version_id
            yield Label(heading, id="parameters-account", classes="form-heading")
            with VerticalScroll(id="parameters-scroll", can_focus=False):
                yield RuleParametersForm(data, id="rule-form")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        if self._missing:
            self.app.push_screen(MessageDialog(self._missing), lambda _none: self.dismiss(False))
            return
        self.mark_clean()
        self.query_one("#f-partial_shipment").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "reset_defaults") and self._missing:
            return False
        return True

    def leave_result(self) -> bool:
        return False

    def action_save(self) -> None:
        form = self.query_one(RuleParametersForm)
        clear_errors(form)
        try:
            data = form.value(self._version_id)
            with self.database.unit_of_work() as session:
                save_parameters(session, self.actor, self._account_id, data)
        except InvalidInput as error:
            form.show_invalid(error)
            return
        except ServiceError as error:
            self.refuse(error)
            return
        self.app.notify(_("Parametreler kaydedildi."))
        self.dismiss(True)

    def action_reset_defaults(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                with self.database.reader() as session:
                    defaults = default_parameters(session)
                self.query_one(RuleParametersForm).load(defaults)
                self.app.notify(_("Öndeğerler yüklendi; kaydetmek için F2."))

        self.app.push_screen(
            ConfirmDialog(
                _(
                    "Parametreler çalışma bilgilerindeki öndeğerlerle doldurulsun mu? "
                    "(Kaydetmek için ardından F2)"
                )
            ),
            answered,
        )
