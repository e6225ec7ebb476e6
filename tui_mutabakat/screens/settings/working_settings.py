"""Working settings ("Çalışma Bilgileri", SPEC C6): the rule defaults and the module settings.

Changing the defaults affects only accounts created later; "apply to all accounts" is a
separate, confirmed action.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Label

from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.form_screen import FormScreen
from tui_mutabakat.screens.operations.parameters import RuleParametersForm
from tui_mutabakat.services.accounts.parameters import (
    apply_defaults_to_all,
    count_parameter_sets,
    load_defaults,
    save_defaults,
)
from tui_mutabakat.services.settings.working_settings import WorkingExtras, load_extras, save_extras
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import (
    clear_errors,
    field_row,
    number_input,
    required_int,
    show_invalid,
)

_EXTRA_FIELDS = ("answer_period_days", "reminder_days_before")


class WorkingSettingsScreen(FormScreen[None]):
    TITLE = _("Çalışma Bilgileri")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f7,ctrl+t", "apply_all", _("Tüm hesaplara uygula"), id="settings_apply_all"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._version_id: int | None = None

    def compose(self) -> ComposeResult:
        with self.database.unit_of_work() as session:
            defaults = load_defaults(session)
            extras = load_extras(session)
        self._version_id = defaults.version_id
        yield Header()
        yield Label(
            _("Yeni açılan cari hesaplar parametrelerini buradan alır."), classes="form-heading"
        )
        with VerticalScroll(id="settings-scroll", can_focus=False):
            yield Label(_("e-Mutabakat"), classes="section-title")
            yield field_row(
                _("Cevap süresi (gün)"),
                number_input(extras.answer_period_days),
                "answer_period_days",
            )
            yield field_row(
                _("Hatırlatma (gün önce)"),
                number_input(extras.reminder_days_before),
                "reminder_days_before",
            )
            yield RuleParametersForm(defaults, id="rule-form")
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        self.mark_clean()
        self.query_one("#f-answer_period_days").focus()
        if not self.actor.is_admin:
            self.app.notify(
                _("Çalışma bilgilerini yalnızca yönetici değiştirebilir."), severity="warning"
            )

    def leave_result(self) -> None:
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "apply_all") and not self.actor.is_admin:
            return None
        return True

    def action_save(self) -> None:
        form = self.query_one(RuleParametersForm)
        clear_errors(self)
        try:
            extras = WorkingExtras(
                answer_period_days=required_int(self, "answer_period_days"),
                reminder_days_before=required_int(self, "reminder_days_before"),
            )
            data = form.value(self._version_id)
            with self.database.unit_of_work() as session:
                save_defaults(session, self.actor, data)
                save_extras(session, self.actor, extras)
        except InvalidInput as error:
            if error.field in _EXTRA_FIELDS:
                show_invalid(self, error)
            else:
                form.show_invalid(error)
            return
        except ServiceError as error:
            self.refuse(error)
            return
        with self.database.reader() as session:
            self._version_id = load_defaults(session).version_id
        self.mark_clean()
        self.app.notify(_("Çalışma bilgileri kaydedildi."))

    def action_apply_all(self) -> None:
        if self.is_dirty:
            self.app.notify(
                _("Önce değişiklikleri kaydedin (F2); kayıtlı öndeğerler uygulanır."),
                severity="warning",
            )
            return
        with self.database.reader() as session:
            count = count_parameter_sets(session)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                with self.database.unit_of_work() as session:
                    changed = apply_defaults_to_all(session, self.actor)
            except ServiceError as error:
                self.refuse(error)
                return
            self.app.push_screen(
                MessageDialog(
                    ngettext(
                        "{count} hesabın parametreleri öndeğerlerle güncellendi.",
                        "{count} hesabın parametreleri öndeğerlerle güncellendi.",
                        changed,
                    ).format(count=changed),
                    title=_("Tüm hesaplara uygulandı"),
                )
            )

        self.app.push_screen(
            ConfirmDialog(
                _(
                    "Kayıtlı öndeğerler {count} cari hesabın parametrelerinin üzerine yazılacak; "
                    "hesaplara özel ayarlar kaybolur. Devam edilsin mi?"
                ).format(count=count),
                yes=_("Uygula"),
                danger=True,
            ),
            answered,
        )
