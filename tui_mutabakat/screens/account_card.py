"""The account card ("Cari Hesap Kartı", SPEC B1–B3, B1a) with its contacts ("Yetkililer")."""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, DataTable, Footer, Header, Input, Label, Select, TextArea

from tui_mutabakat.data.account_queries import distinct_values
from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.enums import CURRENCIES, Routing
from tui_mutabakat.domain.formatting import format_amount
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.contact_dialog import ContactDialog
from tui_mutabakat.screens.lookup import ValueLookupScreen
from tui_mutabakat.screens.parameters import AccountParametersScreen
from tui_mutabakat.services.accounts import (
    AccountData,
    ContactData,
    load_account,
    recipient_problems,
    save_account,
)
from tui_mutabakat.services.errors import InvalidInput, NotFound, ServiceError
from tui_mutabakat.widgets.form import (
    FormScreen,
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


class ContactsTable(DataTable[Text | str]):
    """The contacts of the card; its keys act on the contact under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.edit_contact", _("Düzenle"), id="contact_edit"),
        Binding("f8,ctrl+d", "screen.delete_contact", _("Yetkili sil"), id="contact_delete"),
        Binding("space", "screen.toggle_receives", _("Alır/almaz"), id="contact_toggle"),
    ]


class AccountCardScreen(FormScreen[int | None]):
    """Create (`account_id=None`) or edit an account. Dismisses with the saved account id."""

    TITLE = _("Cari Hesap Kartı")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f10,ctrl+l", "lookup", _("Seçim listesi"), id="card_lookup"),
        Binding("insert,ctrl+n", "add_contact", _("Yetkili ekle"), id="card_add_contact"),
        Binding("f5,ctrl+t", "contacts", _("Yetkililer"), id="card_contacts"),
        Binding("f6,ctrl+r", "parameters", _("Parametreler"), id="card_parameters"),
    ]

    def __init__(self, account_id: int | None) -> None:
        super().__init__()
        self._account_id = account_id
        self._version_id: int | None = None
        self._contacts: list[ContactData] = []
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
        self._contacts = list(data.contacts)

        def text(name: str) -> Input:
            return text_input(getattr(data, name), max_length=_TEXT_FIELDS[name])

        yield Header()
        yield Label("", id="recipient-status", markup=False)
        with VerticalScroll(id="card-scroll", can_focus=False):
            with Horizontal(classes="form-columns"):
                yield field_row(_("Hesap kodu"), text("code"), "code", classes="column")
                yield field_row(
                    _("Durum"),
                    Checkbox(_("Aktif"), data.active, compact=True),
                    "active",
                    classes="column",
                )
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
                            [(code, code) for code in CURRENCIES],
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
                        amount_input(data.risk_limit, placeholder="0,00"),
                        "risk_limit",
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
            yield ContactsTable(id="contacts", cursor_type="row", zebra_stripes=True)
            yield Label("", id="err-contacts", classes="field-error", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(ContactsTable)
        table.add_columns(
            _("Ad soyad"), _("Ünvan"), _("Departman"), _("E-posta"), _("Alır"), _("Durum")
        )
        self._show_contacts()
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
        return {**snapshot(self), "contacts": list(self._contacts)}

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
            contacts=list(self._contacts),
            id=self._account_id,
            version_id=self._version_id,
        )

    def _fill(self, data: AccountData) -> None:
        """Show a freshly loaded card (after saving without leaving)."""
        for name in _TEXT_FIELDS:
            self.query_one(f"#f-{name}", Input).value = getattr(data, name)
        self.query_one("#f-risk_limit", Input).value = format_amount(data.risk_limit)
        self._contacts = list(data.contacts)
        self._show_contacts()

    # -- recipients --------------------------------------------------------------------------

    def _show_contacts(self, cursor: int | None = None) -> None:
        table = self.query_one(ContactsTable)
        row = table.cursor_row if cursor is None else cursor
        table.clear()
        for index, contact in enumerate(self._contacts):
            check = contact.email_check()
            status = (
                Text("✓", style="green") if check.ok else Text(f"✗ {check.reason}", style="red")
            )
            table.add_row(
                Text(contact.name),
                Text(contact.title),
                Text(contact.department),
                Text(contact.email),
                "✓" if contact.receives_reconciliation else "–",
                status,
                key=str(index),
            )
        if self._contacts:
            table.move_cursor(row=max(0, min(row, len(self._contacts) - 1)))
        self._show_recipients()

    @on(Input.Changed, "#f-department_email")
    @on(Select.Changed, "#f-routing")
    def _show_recipients(self) -> None:
        routing = self._routing()
        email = input_text(self, "department_email").strip()
        if routing is Routing.DEPARTMENT or email:
            check = check_email(email)
            message = "✓" if check.ok else f"✗ {check.reason}"
            show_error(self, "department_email", message, ok=check.ok)
        else:
            show_error(self, "department_email", "")
        data = AccountData(routing=routing, department_email=email, contacts=self._contacts)
        problems = recipient_problems(data)
        status = self.query_one("#recipient-status", Label)
        can_send = routing is Routing.DEPARTMENT and not problems
        if routing is Routing.CONTACTS:
            can_send = any(c.receives_reconciliation and c.email_check().ok for c in self._contacts)
        if not problems:
            status.update(_("Mutabakat alıcıları tamam ✓"))
        elif can_send:
            status.update(
                _("Bazı alıcılara gönderilemez: {problems}").format(problems="; ".join(problems))
            )
        else:
            status.update(
                _("Mutabakat gönderilemez: {problems}").format(problems="; ".join(problems))
            )
        status.set_class(not problems, "-ok")
        status.set_class(bool(problems) and can_send, "-warn")
        status.set_class(not can_send, "-error")

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._missing and action not in ("leave",):
            return False
        if action in ("edit_contact", "delete_contact", "toggle_receives"):
            return bool(self._contacts)
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
        name = focused.id[2:] if focused and focused.id and focused.id.startswith("f-") else ""
        titles = _lookup_titles()
        if name not in titles:
            self.app.notify(
                _("Seçim listesi şu alanlarda açılır: {fields}").format(
                    fields=", ".join(titles.values())
                ),
                severity="warning",
            )
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
        def added(contact: ContactData | None) -> None:
            if contact is not None:
                self._contacts = [*self._contacts, contact]
                self._show_contacts(cursor=len(self._contacts) - 1)
            self.query_one(ContactsTable).focus()

        self.app.push_screen(ContactDialog(None), added)

    def _current(self) -> int | None:
        row = self.query_one(ContactsTable).cursor_row
        return row if 0 <= row < len(self._contacts) else None

    def action_edit_contact(self) -> None:
        index = self._current()
        if index is None:
            return

        def edited(contact: ContactData | None) -> None:
            if contact is not None:
                self._contacts = [
                    contact if i == index else c for i, c in enumerate(self._contacts)
                ]
                self._show_contacts(cursor=index)
            self.query_one(ContactsTable).focus()

        self.app.push_screen(ContactDialog(self._contacts[index]), edited)

    def action_delete_contact(self) -> None:
        index = self._current()
        if index is None:
            return
        contact = self._contacts[index]

        def answered(yes: bool | None) -> None:
            if yes:
                self._contacts = [c for i, c in enumerate(self._contacts) if i != index]
                self._show_contacts(cursor=index)

        self.app.push_screen(
            ConfirmDialog(
                _("{name} yetkilisi silinsin mi? (Kart kaydedilince silinir.)").format(
                    name=contact.name or "?"
                ),
                yes=_("Sil"),
                danger=True,
            ),
            answered,
        )

    def action_toggle_receives(self) -> None:
        index = self._current()
        if index is None:
            return
        contact = self._contacts[index]
        self._contacts[index] = replace(
            contact, receives_reconciliation=not contact.receives_reconciliation
        )
        self._show_contacts(cursor=index)
