"""Letter templates (SPEC D8): the list of shipped and user templates, and the editor.

The editor changes a user's template, or a copy of a shipped one under a new name. While
the user types, the letter is rendered again on a real account (in Jinja2's sandbox, as it
would be sent); a template error is shown in red, and such a template cannot be saved.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Label, Select, Static, TextArea

from tui_mutabakat.data.balance_queries import (
    BalanceCriteria,
    BalanceFilter,
    BalanceKey,
    balance_page,
)
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.outbox_models import LetterTemplate
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.templates import SHIPPED_TEMPLATES, TEMPLATE_FIELDS, TemplateSource
from tui_mutabakat.screens.account_lookup import AccountLookupScreen
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.lookup import ValueLookupScreen
from tui_mutabakat.screens.ops_dialogs import cursor_key
from tui_mutabakat.screens.send_criteria import default_as_of
from tui_mutabakat.services.batches import SendOptions, preview_letter
from tui_mutabakat.services.errors import InvalidInput, Refused, ServiceError
from tui_mutabakat.services.letters import load_template, save_template, template_choices
from tui_mutabakat.widgets.form import FormScreen, field_row, input_text, text_input

PREVIEW_DELAY = 0.3
_PARTS = ("text", "html")


class TemplateListScreen(AppAccess, Screen[None]):
    TITLE = _("Mektup Şablonları")
    AUTO_FOCUS = "#templates-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Geri"), id="templates_back"),
        Binding("enter,f4,ctrl+n", "edit", _("Düzenle"), id="templates_edit"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="templates-table", cursor_type="row")
        yield Label(
            _("Enter: düzenle (hazır şablonun kopyası düzenlenir) · Esc: geri"), classes="hint"
        )
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_column(_("Ad"), width=20, key="name")
        table.add_column(_("Tür"), width=10, key="kind")
        table.add_column(_("Açıklama"), width=40, key="description")
        self._fill()

    def _fill(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.clear()
        with self.database.reader() as session:
            choices = template_choices(session)
            stored = set(session.scalars(select(LetterTemplate.name)))
        for name, description in choices:
            kind = _("Kullanıcı") if name in stored else _("Hazır")
            table.add_row(name, kind, description, key=name)

    @on(DataTable.RowSelected, "#templates-table")
    def _selected(self) -> None:
        self.action_edit()

    def action_back(self) -> None:
        self.dismiss(None)

    def action_edit(self) -> None:
        name = cursor_key(self.query_one(DataTable))
        if name is None:
            return
        self.app.push_screen(TemplateEditorScreen(name), callback=self._editor_closed)

    def _editor_closed(self, saved: bool | None) -> None:
        if saved:
            self._fill()


def copy_name(name: str) -> str:
    """A shipped template is edited as a copy: `letter_tr` → `letter_tr_ozel`."""
    return f"{name}_ozel" if name in SHIPPED_TEMPLATES else name


class TemplateEditorScreen(FormScreen[bool]):
    """Keys avoid what the text area itself binds (F5–F7, Ctrl+W/D/X/C/V/U/K/Z/Y/A/E)."""

    TITLE = _("Mektup Şablonu")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f3,ctrl+t", "switch_part", _("Metin/HTML"), id="template_part"),
        Binding("f4,ctrl+n", "add_field", _("Alan ekle"), id="template_field"),
        Binding("f10,ctrl+l", "pick_account", _("Önizleme hesabı"), id="template_account"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self._source_name = name
        self._parts: dict[str, str] = {}
        self._part = "text"
        self._key: BalanceKey | None = None
        self._saved = False
        self._timer: Timer | None = None
        self._ready = False
        #: The template as it stands does not render: it cannot be saved.
        self._template_error = ""

    def compose(self) -> ComposeResult:
        with self.database.reader() as session:
            source = load_template(session, self._source_name)
            row = session.scalar(
                select(LetterTemplate).where(LetterTemplate.name == self._source_name)
            )
            description = row.description if row is not None else ""
            self._key = _preview_key(session)
        self._parts = {"text": source.text, "html": source.html}
        yield Header()
        with Horizontal(id="template-head", classes="form-columns"):
            yield field_row(_("Ad"), text_input(copy_name(source.name), max_length=80), "name")
            yield field_row(
                _("Dil"),
                Select(
                    [("Türkçe", "tr"), ("English", "en")],
                    value=source.language,
                    allow_blank=False,
                    compact=True,
                ),
                "language",
            )
        yield field_row(_("Açıklama"), text_input(description, max_length=200), "description")
        yield field_row(_("Konu"), text_input(source.subject, max_length=400), "subject")
        with Horizontal(id="template-body"):
            yield TextArea(source.text, id="template-editor", soft_wrap=True)
            with VerticalScroll(id="template-preview-scroll", can_focus=False):
                yield Static("", id="template-preview", markup=False)
        yield Label("", id="template-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._render_preview()
        self.mark_clean()
        self._ready = True
        self.query_one("#template-editor", TextArea).focus()

    # ---------------------------------------------------------------- state

    def source(self) -> TemplateSource:
        self._parts[self._part] = self.query_one("#template-editor", TextArea).text
        language = self.query_one("#f-language", Select).value
        return TemplateSource(
            name=input_text(self, "name").strip(),
            language=language if isinstance(language, str) else "tr",
            subject=input_text(self, "subject"),
            text=self._parts["text"],
            html=self._parts["html"],
            shipped=False,
        )

    def form_state(self) -> dict[str, object]:
        source = self.source()
        return {
            "source": source,
            "description": input_text(self, "description"),
        }

    def leave_result(self) -> bool:
        return self._saved

    # -------------------------------------------------------------- preview

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self) -> None:
        if not self._ready:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self._render_preview)

    def _render_preview(self) -> None:
        self._timer = None
        self._template_error = ""
        preview_box = self.query_one("#template-preview", Static)
        if self._key is None:
            self._status(_("Önizleme için hareketi olan bir hesap yok."), error=False)
            return
        source = self.source()
        try:
            with self.database.reader() as session:
                preview = preview_letter(
                    session,
                    self.actor,
                    default_as_of(),
                    self._key,
                    SendOptions(template=source.name or self._source_name),
                    source=source,
                )
        except ServiceError as error:
            self._status(str(error), error=True)
            return
        if not preview.subject:
            self._template_error = "\n".join(preview.problems)
            self._status(self._template_error, error=True)
            preview_box.set_class(True, "error-text")
            preview_box.update("\n".join(preview.problems))
            return
        part = preview.text if self._part == "text" else preview.html
        preview_box.set_class(False, "error-text")
        preview_box.update(_("Konu: {subject}").format(subject=preview.subject) + "\n\n" + part)
        where = _("düz metin") if self._part == "text" else _("HTML")
        self._status(_("Şablon geçerli — düzenlenen bölüm: {part}").format(part=where))

    def _status(self, message: str, *, error: bool = False) -> None:
        label = self.query_one("#template-status", Label)
        label.update(message)
        label.set_class(error, "error-text")
        label.set_class(not error, "ok-text")

    # -------------------------------------------------------------- actions

    def action_switch_part(self) -> None:
        editor = self.query_one("#template-editor", TextArea)
        self._parts[self._part] = editor.text
        self._part = _PARTS[(_PARTS.index(self._part) + 1) % len(_PARTS)]
        with editor.prevent(TextArea.Changed):
            editor.load_text(self._parts[self._part])
        self._render_preview()

    def action_add_field(self) -> None:
        entries = [f"{name} — {description}" for name, description in TEMPLATE_FIELDS]

        def load(prefix: str) -> list[str]:
            return [e for e in entries if e.lower().startswith(prefix.lower())]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            name = value.split(" — ", 1)[0]
            editor = self.query_one("#template-editor", TextArea)
            editor.insert("{{ " + name + " }}")
            editor.focus()

        self.app.push_screen(ValueLookupScreen(_("Eklenecek alan"), load), callback=chosen)

    def action_pick_account(self) -> None:
        def chosen(account_id: int | None) -> None:
            if account_id is None:
                return
            with self.database.reader() as session:
                account = session.get(Account, account_id)
                if account is not None:
                    self._key = (account.id, account.currency)
            self._render_preview()

        self.app.push_screen(AccountLookupScreen(), callback=chosen)

    def action_save(self) -> None:
        source = self.source()
        self._render_preview()
        if self._template_error:
            self.notify(
                _("Şablon hatalı, kaydedilmedi: {error}").format(error=self._template_error),
                severity="error",
            )
            return
        try:
            with self.database.unit_of_work() as session:
                save_template(session, self.actor, source, input_text(self, "description"))
        except Refused as error:
            self.refuse(error)
            return
        except InvalidInput as error:
            self._status(str(error), error=True)
            return
        self._saved = True
        self.mark_clean()
        self.notify(_("Şablon kaydedildi: {name}").format(name=source.name), timeout=3)


def _preview_key(session: Session) -> BalanceKey | None:
    """An account to preview on: the first with a balance, else the first account."""
    criteria = BalanceCriteria(as_of=default_as_of(), balance_filter=BalanceFilter.NON_ZERO)
    rows = balance_page(session, criteria, 0, 1)
    if rows:
        return rows[0].key
    account = session.scalar(select(Account).order_by(Account.code).limit(1))
    return None if account is None else (account.id, account.currency)
