"""The account card ("Cari Hesap Kartı", SPEC B1–B3, B1a) with its contacts ("Yetkililer")."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Header, Input, Label, Select, TextArea

from tui_mutabakat.data.account_queries import distinct_values
from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.enums import CURRENCIES, Routing
from tui_mutabakat.domain.errors import InvalidInput, NotFound, ServiceError
from tui_mutabakat.domain.formatting import currency_choices, format_amount
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.accounts.contacts_table import ContactsTable, recipient_summary
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.screens.form_screen import FormScreen
from tui_mutabakat.screens.operations.parameters import AccountParametersScreen
from tui_mutabakat.services.accounts.cards import AccountData, load_account, save_account
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import (
    amount_input,
    clear_errors,
    field_row,
    input_text,
    optional_amount,
    show_error,
    show_invalid,
    snapshot,
    text_input,
)
from tui_mutabakat.widgets.tick import Tick

#: Plain text fields of the card with their maximum lengths (the database column sizes).
_TEXT_FIELDS: dict[str, int] = {
    "code": 32,
    "title": 200,
    "tax_number": 11,
    "tax_office": 100,
    "address": 0,
    "city": 50,
    "phone": 40,
    "group_code": 32,
    "sector_code": 32,
    "region_code": 32,
    "department_email": 254,
}


def _lookup_titles() -> dict[str, str]:
    """Fields with an F10 list of the values other accounts already use."""
    return {
        "tax_office": _("Vergi daireleri"),
        "city": _("Şehirler"),
        "group_code": _("Grup kodları"),
        "sector_code": _("Sektör kodları"),
        "region_code": _("Bölge kodları"),
    }


class AccountCardScreen(FormScreen[int | None]):
    """Create (`account_id=None`) or edit an account. Dismisses with the saved account id."""

    TITLE = _("Cari Hesap Kartı")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f6,ctrl+r", "parameters", _("Parametreler"), id="card_parameters"),
        Binding("f5,ctrl+t", "contacts", _("Yetkililer"), id="card_contacts"),
        Binding(
            "insert,ctrl+n",
            "add_contact",
            _("Yetkili ekle"),
            id="card_add_contact",
            key_display="Ins",
        ),
        Binding("f10,ctrl+l", "lookup", _("Seçim listesi"), id="card_lookup"),
    ]

    def __init__(self, account_id: int | None) -> None:
        super().__init__()
        self._account_id = account_id
        self._version_id: int | None = None
        self._saved_id: int | None = None
        self._missing = ""

    def compose(self) -> ComposeResult:
        data = AccountData()
        if self._account_id is not None:
            try:
                with self.database.reader() as session:
                    data = load_account(session, self._account_id)
            except NotFound as error:
                self._missing = str(error)
        self._version_id = data.version_id

        lookups = _lookup_titles()

        def text(name: str) -> Input:
            hint = _("F10: liste") if name in lookups else ""
            return text_input(getattr(data, name), placeholder=hint, max_length=_TEXT_FIELDS[name])

        yield Header()
        yield Label("", id="recipient-status", markup=False)
        with VerticalScroll(id="card-scroll", can_focus=False):
            yield field_row(_("Hesap kodu"), text("code"), "code")
            yield field_row(_("Ünvan"), text("title"), "title")
            with Horizontal(classes="form-columns"):
                with Vertical(classes="column"):
                    yield field_row(_("Vergi/TC no"), text("tax_number"), "tax_number")
                    yield field_row(_("Vergi dairesi"), text("tax_office"), "tax_office")
                    yield field_row(_("Şehir"), text("city"), "city")
                    yield field_row(_("Telefon"), text("phone"), "phone")
                with Vertical(classes="column"):
                    yield field_row(
                        _("Döviz"),
                        Select(
                            currency_choices(CURRENCIES),
                            value=data.currency if data.currency in CURRENCIES else CURRENCIES[0],
                            allow_blank=False,
                            compact=True,
                        ),
                        "currency",
                    )
                    yield field_row(_("Grup kodu"), text("group_code"), "group_code")
                    yield field_row(_("Sektör kodu"), text("sector_code"), "sector_code")
                    yield field_row(_("Bölge kodu"), text("region_code"), "region_code")
                    yield field_row(
                        _("Risk limiti"),
                        amount_input(data.risk_limit, placeholder=_("boş: sınırsız")),
                        "risk_limit",
                    )
                    yield field_row(
                        _("Durum"), Tick(_("Aktif"), data.active, compact=True), "active"
                    )
            yield field_row(_("Adres"), text("address"), "address")
            yield field_row(
                _("Notlar"), TextArea(data.notes, compact=True, classes="notes"), "notes"
            )
            yield Label(_("Mutabakat alıcıları"), classes="section-title")
            with Horizontal(classes="form-columns"):
                yield field_row(
                    _("Gönderim"),
                    Select(
                        [
                            (_("Yetkililere"), Routing.CONTACTS),
                            (_("Departmana"), Routing.DEPARTMENT),
                        ],
                        value=data.routing,
                        allow_blank=False,
                        compact=True,
                    ),
                    "routing",
                    classes="column",
                )
                yield field_row(
                    _("Dept. e-posta"),
                    text("department_email"),
                    "department_email",
                    classes="column",
                )
            yield Label(
                _("Yetkililer — Ins: ekle · Enter: düzenle · F8: sil · Boşluk: alır/almaz"),
                classes="section-title",
            )
            yield ContactsTable(data.contacts, id="contacts")
            yield Label("", id="err-contacts", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_recipients()
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        if self._missing:
            self.app.push_screen(MessageDialog(self._missing), lambda _none: self.dismiss(None))
            return
        self.sub_title = input_text(self, "code")
        self.mark_clean()
        self.query_one("#f-code", Input).focus()

    # -- state ---------------------------------------------------------------------------

    def form_state(self) -> dict[str, object]:
        return {**snapshot(self), "contacts": list(self.query_one(ContactsTable).contacts)}

    def leave_result(self) -> int | None:
        return self._saved_id

    def _routing(self) -> Routing:
        value = self.query_one("#f-routing", Select).value
        return value if isinstance(value, Routing) else Routing.CONTACTS

    def _value(self) -> AccountData:
        """What the card shows; raises `InvalidInput` for a risk limit that is not an amount."""
        currency = self.query_one("#f-currency", Select).value
        return AccountData(
            **{name: input_text(self, name) for name in _TEXT_FIELDS},
            currency=currency if isinstance(currency, str) else CURRENCIES[0],
            risk_limit=optional_amount(self, "risk_limit"),
            notes=self.query_one("#f-notes", TextArea).text,
            active=self.query_one("#f-active", Checkbox).value,
            routing=self._routing(),
            contacts=list(self.query_one(ContactsTable).contacts),
            id=self._account_id,
            version_id=self._version_id,
        )

    def _fill(self, data: AccountData) -> None:
        """Show a freshly loaded card (after saving without leaving)."""
        for name in _TEXT_FIELDS:
            self.query_one(f"#f-{name}", Input).value = getattr(data, name)
        self.query_one("#f-risk_limit", Input).value = format_amount(data.risk_limit)
        self.query_one(ContactsTable).set_contacts(data.contacts)
        self._show_recipients()

    # -- recipients --------------------------------------------------------------------------

    @on(Input.Changed, "#f-department_email")
    @on(Select.Changed, "#f-routing")
    @on(ContactsTable.Changed)
    def _show_recipients(self) -> None:
        routing = self._routing()
        email = input_text(self, "department_email").strip()
        if routing is Routing.DEPARTMENT or email:
            check = check_email(email)
            message = "✓" if check.ok else f"✗ {check.reason}"
            show_error(self, "department_email", message, ok=check.ok)
        else:
            show_error(self, "department_email", "")
        summary = recipient_summary(routing, email, self.query_one(ContactsTable).contacts)
        status = self.query_one("#recipient-status", Label)
        status.update(summary.text)
        for level in ("ok", "warn", "error"):
            status.set_class(summary.level == level, f"-{level}")

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._missing and action != "leave":
            return False
        if action == "lookup":
            # Shown only where a list exists, so the footer says when F10 helps.
            focused = self.focused
            return focused is not None and (focused.id or "")[2:] in _lookup_titles()
        return True

    def _save(self) -> int | None:
        clear_errors(self)
        try:
            data = self._value()
            with self.database.unit_of_work() as session:
                account_id = save_account(session, self.actor, data)
        except InvalidInput as error:
            if error.field == "contacts":
                show_error(self, "contacts", str(error))
                self.query_one(ContactsTable).focus()
            elif not show_invalid(self, error):
                self.refuse(error)
            self._show_recipients()
            return None
        except ServiceError as error:
            self.refuse(error)
            return None
        self._saved_id = account_id
        return account_id

    def action_save(self) -> None:
        account_id = self._save()
        if account_id is not None:
            self.app.notify(_("Cari hesap kaydedildi."))
            self.dismiss(account_id)

    def _save_and_stay(self) -> bool:
        account_id = self._save()
        if account_id is None:
            return False
        with self.database.reader() as session:
            data = load_account(session, account_id)
        self._account_id = account_id
        self._version_id = data.version_id
        self._fill(data)
        self.sub_title = data.code
        self.mark_clean()
        return True

    def action_parameters(self) -> None:
        if self._account_id is not None:
            self.app.push_screen(AccountParametersScreen(self._account_id))
            return

        def answered(yes: bool | None) -> None:
            if yes and self._save_and_stay() and self._account_id is not None:
                self.app.push_screen(AccountParametersScreen(self._account_id))

        self.app.push_screen(
            ConfirmDialog(
                _("Parametreler için önce kartın kaydedilmesi gerekir. Şimdi kaydedilsin mi?"),
                yes=_("Kaydet"),
            ),
            answered,
        )

    def action_lookup(self) -> None:
        focused = self.focused
        name = (focused.id or "")[2:] if focused is not None else ""
        titles = _lookup_titles()
        if name not in titles:
            return
        control = self.query_one(f"#f-{name}", Input)

        def load(prefix: str) -> list[str]:
            with self.database.reader() as session:
                return distinct_values(session, name, prefix)

        def chosen(value: str | None) -> None:
            if value is not None:
                control.value = value
            control.focus()

        self.app.push_screen(ValueLookupScreen(titles[name], load, control.value), chosen)

    def action_contacts(self) -> None:
        self.query_one(ContactsTable).focus()

    def action_add_contact(self) -> None:
        self.query_one(ContactsTable).add()
