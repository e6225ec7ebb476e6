"""The send dialog (SPEC D4): title, answer-by date, template, attachments, and a preview.

Dismisses with the `SendOptions` (F2) or `None` (Esc). The preview is the letter the first
selected row would get, rendered with the options as they are in the form, as plain text.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Label, Select, Static

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.domain.text import join_sentences
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.services.sending.compose import SendOptions, answer_by_default, preview_letter
from tui_mutabakat.services.sending.letters import template_choices
from tui_mutabakat.widgets.form import (
    clear_errors,
    date_input,
    field_row,
    input_text,
    optional_day,
    show_error,
    text_input,
)
from tui_mutabakat.widgets.tick import Tick

#: Seconds of quiet typing before the preview is rendered again.
PREVIEW_DELAY = 0.3
DEFAULT_TEMPLATE = "letter_tr"


def subject_without_token(subject: str) -> str:
    """`Konu [MTB-…]` → `Konu`: the title the user sees is the subject before its token."""
    return subject.rsplit(" [", 1)[0]


class SendDialog(AppAccess, ModalScreen[SendOptions | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+s", "send", _("Gönder"), id="send_dialog_send"),
        Binding("escape", "cancel", _("Vazgeç"), id="send_dialog_cancel"),
    ]

    def __init__(self, as_of: date, keys: list[BalanceKey]) -> None:
        super().__init__()
        self.as_of = as_of
        self.keys = keys
        #: The title the template gives; kept in step with the template while not edited.
        self.default_title = ""
        self._timer: Timer | None = None
        self._ready = False

    def compose(self) -> ComposeResult:
        with self.database.reader() as session:
            answer_by = answer_by_default(session, self.as_of)
            choices = template_choices(session)
        names = [name for name, _description in choices]
        template = DEFAULT_TEMPLATE if DEFAULT_TEMPLATE in names else names[0]
        with Vertical(classes="dialog send-dialog"):
            yield Label(
                ngettext(
                    "{count} hesaba mutabakat gönder — {day}",
                    "{count} hesaba mutabakat gönder — {day}",
                    len(accounts := {account for account, _currency in self.keys}),
                ).format(count=len(accounts), day=format_day(self.as_of)),
                classes="dialog-title",
            )
            yield field_row(_("Başlık"), text_input(max_length=400), "title")
            # Empty is the working settings' answer period after the as-of date: the date
            # filled in, said so that clearing it is not a guess.
            days = (answer_by - self.as_of).days
            empty = ngettext(
                "boş: mutabakat tarihinden {days} gün sonra",
                "boş: mutabakat tarihinden {days} gün sonra",
                days,
            ).format(days=days)
            yield field_row(_("Geçerlilik"), date_input(answer_by, placeholder=empty), "answer_by")
            yield field_row(
                _("Şablon"),
                Select(
                    [(title, name) for name, title in choices],
                    value=template,
                    allow_blank=False,
                    compact=True,
                ),
                "template",
            )
            with Horizontal(classes="send-ticks"):
                yield Tick(_("Açık kalemler"), False, id="f-open_items", compact=True)
                yield Tick(_("Ekstre eki"), False, id="f-attach_statement", compact=True)
                yield Tick(_("PDF eki"), False, id="f-attach_pdf", compact=True)
            with Horizontal(classes="send-ticks"):
                yield Tick(_("Sıfırları atla"), True, id="f-exclude_zero", compact=True)
                yield Tick(_("Her dövize ayrı mektup"), False, id="f-per_currency", compact=True)
            yield field_row(
                _("Ekstre başı"),
                date_input(placeholder=_("boş: ilk hareketten")),
                "statement_from",
            )
            yield Label("", id="send-preview-head", markup=False)
            with VerticalScroll(id="send-preview-scroll"):
                yield Static("", id="send-preview", markup=False)
            yield Label(_("F2: gönder · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        self._render_preview()
        self._ready = True
        self.query_one("#f-title", Input).focus()

    # --------------------------------------------------------------- values

    def options(self) -> SendOptions:
        """The options in the form; `InvalidInput` names the field that is wrong."""
        answer_by = optional_day(self, "answer_by")
        if answer_by is not None and answer_by < local_today():
            raise InvalidInput(
                _("Geçerlilik tarihi geçmiş bir gün olamaz: bugün ya da sonrası olmalı."),
                "answer_by",
            )
        if answer_by is not None and answer_by < self.as_of:
            raise InvalidInput(
                _("Geçerlilik tarihi mutabakat tarihinden önce olamaz."), "answer_by"
            )
        statement_from = optional_day(self, "statement_from")
        if statement_from is not None and statement_from > self.as_of:
            raise InvalidInput(
                _("Ekstre başlangıcı mutabakat tarihinden sonra olamaz."), "statement_from"
            )
        title = input_text(self, "title").strip()
        if title == self.default_title:
            title = ""
        template = self.query_one("#f-template", Select).value
        return SendOptions(
            title=title,
            answer_by=answer_by,
            template=template if isinstance(template, str) else DEFAULT_TEMPLATE,
            attach_statement=self.query_one("#f-attach_statement", Checkbox).value,
            open_items=self.query_one("#f-open_items", Checkbox).value,
            exclude_zero=self.query_one("#f-exclude_zero", Checkbox).value,
            per_currency=self.query_one("#f-per_currency", Checkbox).value,
            attach_pdf=self.query_one("#f-attach_pdf", Checkbox).value,
            statement_from=statement_from,
        )

    # -------------------------------------------------------------- preview

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        if not self._ready:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(PREVIEW_DELAY, self._render_preview)

    @on(Select.Changed, "#f-template")
    def _template_changed(self) -> None:
        if self._ready:
            self._render_preview()

    @on(Input.Submitted)
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def _render_preview(self) -> None:
        self._timer = None
        head = self.query_one("#send-preview-head", Label)
        body = self.query_one("#send-preview", Static)
        clear_errors(self)
        try:
            options = self.options()
            with self.database.reader() as session:
                preview = preview_letter(session, self.actor, self.as_of, self.keys[0], options)
        except InvalidInput as error:
            if error.field in ("answer_by", "title", "statement_from"):
                show_error(self, error.field, str(error))
            head.update(_("Önizleme yok"))
            body.update(str(error))
            body.set_class(True, "error-text")
            return
        except ServiceError as error:
            head.update(_("Önizleme yok"))
            body.update(str(error))
            body.set_class(True, "error-text")
            return
        if not preview.subject:
            head.update(_("Şablon hatası — bu şablonla gönderilemez"))
            body.update("\n".join(preview.problems))
            body.set_class(True, "error-text")
            return
        if not options.title:
            self._take_default_title(subject_without_token(preview.subject))
        to = ", ".join(preview.to) or _("(geçerli alıcı yok)")
        head.update(_("Önizleme — Kime: {to}").format(to=to))
        lines = [_("Konu: {subject}").format(subject=preview.subject), ""]
        if preview.problems:
            lines[1:1] = [_("Uyarı: {problems}").format(problems=join_sentences(preview.problems))]
        body.update("\n".join(lines) + "\n" + preview.text)
        body.set_class(False, "error-text")

    def _take_default_title(self, title: str) -> None:
        """The template's title goes into the title field while the user has not edited it."""
        control = self.query_one("#f-title", Input)
        self.default_title = title
        if control.value.strip() != title:
            with control.prevent(Input.Changed):
                control.value = title

    # -------------------------------------------------------------- actions

    def action_send(self) -> None:
        clear_errors(self)
        try:
            options = self.options()
        except InvalidInput as error:
            if error.field:
                show_error(self, error.field, str(error))
            self.notify(str(error), severity="error")
            return
        self.dismiss(options)

    def action_cancel(self) -> None:
        self.dismiss(None)
