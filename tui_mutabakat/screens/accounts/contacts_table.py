"""The contacts ("Yetkililer") of an account card: a table that edits a list of contacts.

The list lives here until the card is saved; every change posts `ContactsTable.Changed` so
the card can show at once whether letters can go out (SPEC B2, B3).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar, Literal

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.enums import Routing
from tui_mutabakat.domain.text import join_sentences
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.dialogs.contact_dialog import ContactDialog
from tui_mutabakat.services.accounts.cards import AccountData, ContactData, recipient_problems


@dataclass(frozen=True, slots=True)
class RecipientSummary:
    text: str
    level: Literal["ok", "warn", "error"]


def recipient_summary(
    routing: Routing, department_email: str, contacts: list[ContactData]
) -> RecipientSummary:
    """One line for the card: can letters go to this account, and if not, why."""
    data = AccountData(routing=routing, department_email=department_email, contacts=contacts)
    problems = recipient_problems(data)
    if not problems:
        return RecipientSummary(_("Mutabakat alıcıları tamam ✓"), "ok")
    listed = join_sentences(problems)
    if routing is Routing.CONTACTS and any(
        c.receives_reconciliation and check_email(c.email).ok for c in contacts
    ):
        return RecipientSummary(
            _("Bazı alıcılara gönderilemez: {problems}").format(problems=listed), "warn"
        )
    return RecipientSummary(
        _("Mutabakat gönderilemez: {problems}").format(problems=listed), "error"
    )


class ContactsTable(DataTable[Text | str]):
    """Edits the contacts of one card; its keys act on the contact under the cursor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "edit", _("Düzenle"), id="contact_edit"),
        Binding("f8,ctrl+d", "delete", _("Yetkili sil"), id="contact_delete"),
        Binding("space", "toggle_receives", _("Alır/almaz"), id="contact_toggle"),
    ]

    class Changed(Message):
        """The list of contacts changed (not yet saved)."""

    def __init__(self, contacts: list[ContactData], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.contacts = list(contacts)

    def on_mount(self) -> None:
        self.add_columns(
            _("Ad soyad"), _("Ünvan"), _("Departman"), _("E-posta"), _("Alır"), _("Durum")
        )
        self._show()

    def set_contacts(self, contacts: list[ContactData]) -> None:
        self.contacts = list(contacts)
        self._show()

    def _show(self, cursor: int | None = None) -> None:
        row = self.cursor_row if cursor is None else cursor
        self.clear()
        for index, contact in enumerate(self.contacts):
            check = check_email(contact.email)
            status = (
                Text("✓", style="green") if check.ok else Text(f"✗ {check.reason}", style="red")
            )
            self.add_row(
                Text(contact.name),
                Text(contact.title),
                Text(contact.department),
                Text(contact.email),
                "✓" if contact.receives_reconciliation else "–",
                status,
                key=str(index),
            )
        if self.contacts:
            self.move_cursor(row=max(0, min(row, len(self.contacts) - 1)))

    def _changed(self, contacts: list[ContactData], cursor: int) -> None:
        self.contacts = contacts
        self._show(cursor)
        self.post_message(self.Changed())

    def _current(self) -> int | None:
        return self.cursor_row if 0 <= self.cursor_row < len(self.contacts) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "delete", "toggle_receives"):
            return True if self.contacts else None
        return True

    def add(self) -> None:
        def added(contact: ContactData | None) -> None:
            if contact is not None:
                self._changed([*self.contacts, contact], len(self.contacts))
            self.focus()

        self.app.push_screen(ContactDialog(None), added)

    def action_edit(self) -> None:
        index = self._current()
        if index is None:
            return

        def edited(contact: ContactData | None) -> None:
            if contact is not None:
                self._changed(
                    [contact if i == index else c for i, c in enumerate(self.contacts)], index
                )
            self.focus()

        self.app.push_screen(ContactDialog(self.contacts[index]), edited)

    def action_delete(self) -> None:
        index = self._current()
        if index is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._changed([c for i, c in enumerate(self.contacts) if i != index], index)

        self.app.push_screen(
            ConfirmDialog(
                _("{name} yetkilisi silinsin mi? (Kart kaydedilince silinir.)").format(
                    name=self.contacts[index].name or "?"
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
        contact = self.contacts[index]
        toggled = replace(contact, receives_reconciliation=not contact.receives_reconciliation)
        self._changed([toggled if i == index else c for i, c in enumerate(self.contacts)], index)
