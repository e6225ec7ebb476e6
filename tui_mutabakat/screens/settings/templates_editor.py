"""Letter templates (SPEC D8): the list of shipped and user templates, and the editor.

The editor changes a user's template, or a copy of a shipped one under a new name. While
the user types, the letter is rendered again on a real account (in the limited sandbox of
`mail/sandbox.py`, as it would be sent), off the interface thread: a thread worker, one at a
time, whose render the sandbox ends at its time limit (a newer keystroke makes an older
result stale, and it is dropped). Any error of any kind is shown in red beside the template
and never ends the program; a template that does not render cannot be saved.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Label, Select, Static, TextArea
from textual.worker import get_current_worker

from tui_mutabakat.data.balance_queries import (
    BalanceKey,
)
from tui_mutabakat.domain.errors import InvalidInput, Refused, ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.templates import SHIPPED_TEMPLATES, TEMPLATE_FIELDS, TemplateSource
from tui_mutabakat.screens.accounts.account_lookup import AccountLookupScreen
from tui_mutabakat.screens.base import AppAccess, tells_refusal
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.screens.form_screen import FormScreen
from tui_mutabakat.screens.operations.ops_dialogs import cursor_key
from tui_mutabakat.screens.sending.send_criteria import default_as_of
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.sending.compose import LetterPreview, SendOptions, preview_letter
from tui_mutabakat.services.sending.letters import (
    load_template,
    preview_key,
    save_template,
    template_choices,
    template_description,
    user_template_names,
)
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import field_row, input_text, text_input

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
            stored = user_template_names(session)
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
        self.source_name = name
        self._parts: dict[str, str] = {}
        self._part = "text"
        self._key: BalanceKey | None = None
        self._saved = False
        self._timer: Timer | None = None
        self._ready = False
        #: The template as it stands does not render: it cannot be saved.
        self._template_error = ""
        #: Which render is the newest: an older one's result is dropped.
        self._generation = 0

    def compose(self) -> ComposeResult:
        with self.database.reader() as session:
            source = load_template(session, self.source_name)
            description = template_description(session, self.source_name)
            self._key = preview_key(session, default_as_of())
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
        """Start rendering the template as it stands; the result is shown when it comes."""
        self._timer = None
        if self._key is None:
            self._template_error = ""
            self._status(_("Önizleme için hareketi olan bir hesap yok."), error=False)
            return
        self._generation += 1
        self._preview_worker(self._generation, self.source(), self._key, self._part, False)

    @work(thread=True, exclusive=True, group="template-preview")
    def _preview_worker(
        self, generation: int, source: TemplateSource, key: BalanceKey, part: str, save: bool
    ) -> None:
        outcome = _render_outcome(self, source, key)
        if not get_current_worker().is_cancelled or save:
            self.app.call_from_thread(self._show_preview, generation, part, outcome, save)

    def _show_preview(
        self, generation: int, part: str, outcome: LetterPreview | str, save: bool
    ) -> None:
        if generation != self._generation or not self.is_mounted:
            return  # a newer render is under way
        preview_box = self.query_one("#template-preview", Static)
        if isinstance(outcome, str) or not outcome.subject:
            error = outcome if isinstance(outcome, str) else "\n".join(outcome.problems)
            self._template_error = error or _("Şablon işlenemedi.")
            self._status(self._template_error, error=True)
            preview_box.set_class(True, "error-text")
            preview_box.update(self._template_error)
            if save:
                self.notify(
                    _("Şablon hatalı, kaydedilmedi: {error}").format(error=self._template_error),
                    severity="error",
                )
            return
        self._template_error = ""
        body = outcome.text if part == "text" else outcome.html
        preview_box.set_class(False, "error-text")
        preview_box.update(_("Konu: {subject}").format(subject=outcome.subject) + "\n\n" + body)
        where = _("düz metin") if part == "text" else _("HTML")
        self._status(_("Şablon geçerli — düzenlenen bölüm: {part}").format(part=where))
        if save:
            self._store()

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
                account = account_name(session, account_id)
                if account is not None:
                    self._key = (account.id, account.currency)
            self._render_preview()

        self.app.push_screen(AccountLookupScreen(), callback=chosen)

    def action_save(self) -> None:
        """Render the template as it stands on the preview account (off the interface
        thread); it is stored only if that works (`_show_preview` → `_store`)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self._key is None:
            self._store()
            return
        self._generation += 1
        self._preview_worker(self._generation, self.source(), self._key, self._part, True)

    @tells_refusal
    def _store(self) -> None:
        source = self.source()
        try:
            with self.database.unit_of_work() as session:
                save_template(session, self.actor, source, input_text(self, "description"))
        except Refused as error:
            self.refuse(error)
            return
        except InvalidInput as error:
            self._status(str(error), error=True)
            self.notify(
                _("Şablon hatalı, kaydedilmedi: {error}").format(error=str(error)),
                severity="error",
            )
            return
        self._saved = True
        self.mark_clean()
        self.notify(_("Şablon kaydedildi: {name}").format(name=source.name), timeout=3)


def _render_outcome(
    screen: TemplateEditorScreen, source: TemplateSource, key: BalanceKey
) -> LetterPreview | str:
    """The preview of `source` on the account `key`, or why there is none. Runs in a
    worker thread: whatever goes wrong is returned as text, never raised."""
    try:
        with screen.database.reader() as session:
            return preview_letter(
                session,
                screen.actor,
                default_as_of(),
                key,
                SendOptions(template=source.name or screen.source_name),
                source=source,
            )
    except ServiceError as error:
        return str(error)
    except Exception as error:  # never end the program over a preview
        return _("Önizleme yapılamadı: {error}").format(
            error=str(error)[:300] or type(error).__name__
        )
