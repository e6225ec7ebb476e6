"""Import from the keyboard (SPEC B6): kind, file (path with completion), sheet, the mapping
and the first rows, then the import in a worker with a progress bar that Esc stops.

The screen only asks the services: `preview` to show what will be read, `run_import` to
do it (one transaction: a stopped or refused import leaves nothing), `save_mapping` to keep
a changed mapping under a name. Refused rows are written beside the file as
`<name>_hatalar.xlsx`, ready to fix and import again.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import (
    Checkbox,
    DataTable,
    Header,
    Input,
    ProgressBar,
    Select,
    Static,
)

from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.accounts.import_history import ImportHistoryScreen
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.screens.dialogs.text_prompt import TextPrompt
from tui_mutabakat.services.importing import (
    ImportCancelled,
    ImportOptions,
    ImportSummary,
    run_import,
)
from tui_mutabakat.services.importing.exports import export, write_template
from tui_mutabakat.services.importing.fields import Kind, kind_label
from tui_mutabakat.services.importing.mappings import save_mapping
from tui_mutabakat.services.importing.preview import Preview, preview
from tui_mutabakat.services.importing.report import summary_lines
from tui_mutabakat.services.importing.run import locks_out_writers
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import date_input, field_row, optional_day, text_input
from tui_mutabakat.widgets.path_suggester import PathSuggester

NO_COLUMN = "—"


def errors_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}_hatalar.xlsx")


class ImportScreen(AppAccess, Screen[None]):
    TITLE = _("Veri Aktarımı")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5,ctrl+r", "preview", _("Önizle"), id="import_preview"),
        Binding("f4,ctrl+n", "change_column", _("Sütun değiştir"), id="import_column"),
        Binding("f3,ctrl+b", "save_mapping", _("Eşlemeyi kaydet"), id="import_save_mapping"),
        Binding("f2,ctrl+s", "run", _("İçe aktar"), id="import_run"),
        Binding("f6,ctrl+l", "export", _("Dışa aktar"), id="import_export"),
        Binding("f7,ctrl+t", "template", _("Şablon yaz"), id="import_template"),
        Binding("f8,ctrl+y", "history", _("Geçmiş"), id="import_history"),
        Binding("escape", "stop_or_leave", _("Durdur / Çık"), id="import_leave"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.chosen: dict[str, str] = {}
        self.shown: Preview | None = None
        self.stop = threading.Event()
        self.running = False
        self.summary: ImportSummary | None = None
        #: The sheets the sheet list offers now, and the file they are of.
        self.sheets: list[str] = []
        self.sheets_of: Path | None = None
        #: Previews asked for so far: only the newest one's result is shown.
        self.previews = 0

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="import-form"):
            kinds = [(kind_label(k), k.value) for k in Kind]
            yield field_row(
                _("Tür"),
                Select(kinds, value=Kind.ACCOUNTS.value, allow_blank=False, compact=True),
                "kind",
            )
            path = text_input(placeholder=_("dosya yolu; → tamamlar"))
            path.suggester = PathSuggester()
            yield field_row(_("Dosya"), path, "path")
            yield field_row(_("Sayfa"), Select([], prompt=_("(ilk sayfa)"), compact=True), "sheet")
            # Only opening balances read it, for the rows whose Tarih cell is empty; empty: each
            # row its own Tarih (a row without one is refused and named).
            yield field_row(
                _("Bakiye tarihi"),
                date_input(placeholder=_("boş: satırın Tarih sütunundan")),
                "as_of",
            )
            with Horizontal(classes="field-line"):
                yield Checkbox(_("Kayıtlı olanları güncelle"), id="f-update", compact=True)
                yield Checkbox(_("Yalnız geçerli satırları al"), id="f-valid_only", compact=True)
        yield DataTable(id="import-preview", cursor_type="column", zebra_stripes=True)
        yield ProgressBar(total=None, show_eta=False, id="import-progress")
        with VerticalScroll(id="import-result-box"):
            yield Static("", id="import-result", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#f-path", Input).focus()

    # --------------------------------------------------------------- the form

    @property
    def kind(self) -> Kind:
        return Kind(str(self.query_one("#f-kind", Select).value))

    def options(self) -> ImportOptions:
        raw_path = self.query_one("#f-path", Input).value.strip()
        if not raw_path:
            raise InvalidInput(_("Dosya yolu yazılmalı."), "path")
        sheet = self.query_one("#f-sheet", Select).value
        as_of = optional_day(self, "as_of")
        path = Path(raw_path).expanduser()
        # A sheet chosen for another file means nothing for this one: its first sheet.
        chosen_sheet = sheet if isinstance(sheet, str) and path == self.sheets_of else None
        return ImportOptions(
            self.kind,
            path,
            sheet=chosen_sheet,
            mapping=dict(self.chosen) or None,
            update=self.query_one("#f-update", Checkbox).value,
            valid_only=self.query_one("#f-valid_only", Checkbox).value,
            errors_path=errors_path(path),
            as_of=as_of,
        )

    def show(self, text: str) -> None:
        self.query_one("#import-result", Static).update(text)

    @on(Input.Submitted, "#f-path")
    def _path_entered(self) -> None:
        self.action_preview()

    @on(Select.Changed, "#f-kind")
    def _kind_changed(self) -> None:
        self.chosen.clear()
        if self.previews:
            self.action_preview()

    @on(Select.Changed, "#f-sheet")
    def _sheet_changed(self) -> None:
        if self.previews:
            self.action_preview()

    # --------------------------------------------------------------- preview and mapping

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.running and action in (
            "preview",
            "change_column",
            "save_mapping",
            "run",
            "export",
            "template",
        ):
            return None
        if action == "export" and self.kind is Kind.BALANCES:
            return None
        if action in ("change_column", "save_mapping") and self.shown is None:
            return None
        return True

    def action_preview(self) -> None:
        """Read the header and the first rows in a worker: a big sheet takes a while."""
        self.shown = None
        self.refresh_bindings()
        try:
            options = self.options()
        except ServiceError as error:
            self.show(str(error))
            return
        self.previews += 1
        self.show(_("Dosya okunuyor…"))
        self._preview(options, self.previews)

    @work(thread=True, group="preview", exit_on_error=False)
    def _preview(self, options: ImportOptions, number: int) -> None:
        try:
            shown = preview(options)
        except ServiceError as error:
            self.app.call_from_thread(self._show_preview, number, None, str(error))
        except Exception as exc:  # noqa: BLE001 - shown; nothing was written
            self.app.call_from_thread(
                self._show_preview, number, None, _("Hata: {error}").format(error=exc)
            )
        else:
            self.app.call_from_thread(self._show_preview, number, shown, "", options.path)

    def _show_preview(
        self, number: int, shown: Preview | None, message: str, path: Path | None = None
    ) -> None:
        if number != self.previews:
            return  # a later preview was asked for (another kind, sheet or mapping)
        if shown is None:
            self.show(message)
            return
        self.shown = shown
        self.sheets_of = path
        sheet = self.query_one("#f-sheet", Select)
        if shown.sheets != self.sheets:
            self.sheets = shown.sheets
            with self.prevent(Select.Changed):
                sheet.set_options([(s, s) for s in shown.sheets])
                if shown.sheets:
                    sheet.value = shown.sheet
        table = self.query_one("#import-preview", DataTable)
        table.clear(columns=True)
        for field, header in shown.columns:
            marker = "*" if field.required else ""
            table.add_column(f"{field.header}{marker}\n← {header or NO_COLUMN}", key=field.name)
        for line in shown.rows:
            table.add_row(*line)
        self.refresh_bindings()
        self.show(
            ngettext(
                "{sheet}: yaklaşık {total} satır. Sütunu F4 ile değiştirin, F2 ile içe aktarın.",
                "{sheet}: yaklaşık {total} satır. Sütunu F4 ile değiştirin, F2 ile içe aktarın.",
                shown.total,
            ).format(sheet=shown.sheet, total=shown.total)
        )

    def action_change_column(self) -> None:
        shown = self.shown
        if shown is None:
            return
        items = [(f.name, f"{f.header} ← {h or NO_COLUMN}", "") for f, h in shown.columns]

        def field_chosen(name: str | None) -> None:
            if name is None:
                return
            headers = [h for h in dict.fromkeys(shown.mapping.headers) if h]

            def header_chosen(header: str | None) -> None:
                if header is None:
                    return
                self.chosen[name] = "" if header == NO_COLUMN else header
                self.action_preview()

            self.app.push_screen(
                ValueLookupScreen(
                    _("Dosyadaki sütun"),
                    lambda prefix: [
                        *(h for h in headers if h.lower().startswith(prefix.lower())),
                        NO_COLUMN,
                    ],
                ),
                header_chosen,
            )

        self.app.push_screen(ActionMenu(_("Hangi alan?"), items), field_chosen)

    def action_save_mapping(self) -> None:
        shown = self.shown
        if shown is None:
            return
        columns = {f.name: h for f, h in shown.columns}
        kind = self.kind

        def named(name: str | None) -> None:
            if not name:
                return
            try:
                with self.database.unit_of_work() as session:
                    save_mapping(session, self.actor, kind, name, columns)
            except ServiceError as error:
                self.notify(str(error), severity="error")
                return
            self.notify(_("Eşleme {name} adıyla kaydedildi.").format(name=name))

        self.app.push_screen(TextPrompt(_("Eşleme adı")), named)

    # --------------------------------------------------------------- the import

    def action_run(self) -> None:
        try:
            options = self.options()
        except ServiceError as error:
            self.show(str(error))
            return
        self.running = True
        self.stop.clear()
        self.refresh_bindings()
        message = _("İçe aktarılıyor… (Esc: durdur)")
        if locks_out_writers(self.database):
            message += "\n" + _(
                "İçe aktarma bitene kadar başka oturumlar veritabanına yazamaz; "
                "yazmaya çalışanlara veritabanının meşgul olduğu söylenir."
            )
        self.show(message)
        self.query_one("#import-progress", ProgressBar).update(total=None, progress=0)
        self._import(options)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _import(self, options: ImportOptions) -> None:
        try:
            summary = run_import(
                self.database,
                self.actor,
                options,
                progress=lambda done, total: self.app.call_from_thread(self._progress, done, total),
                cancelled=self.stop.is_set,
            )
        except ImportCancelled as stopped:
            self.app.call_from_thread(self._finished, None, str(stopped))
        except ServiceError as error:
            self.app.call_from_thread(self._finished, None, str(error))
        except Exception as exc:  # noqa: BLE001 - shown; the transaction was rolled back
            self.app.call_from_thread(self._finished, None, _("Hata: {error}").format(error=exc))
        else:
            self.app.call_from_thread(self._finished, summary, "")

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=total, progress=done)

    def _finished(self, summary: ImportSummary | None, message: str) -> None:
        self.running = False
        self.summary = summary
        self.refresh_bindings()
        if summary is None:
            self.show(message)
            return
        hint = _('Düzeltin ya da "Yalnız geçerli satırları al"ı seçin.')
        self.show("\n".join(summary_lines(summary, hint)))

    # --------------------------------------------------------------- out the same way

    def _out_path(self) -> Path | None:
        raw = self.query_one("#f-path", Input).value.strip()
        path = Path(raw).expanduser() if raw else None
        if path is None or path.suffix.lower() not in (".xlsx", ".csv"):
            self.show(_("Dosya yoluna .xlsx ya da .csv ile biten yeni bir dosya adı yazın."))
            return None
        if path.exists():
            self.show(_("{path} zaten var; üzerine yazılmaz.").format(path=path))
            return None
        return path

    def action_template(self) -> None:
        path = self._out_path()
        if path is None:
            return
        try:
            write_template(self.kind, path)
        except (ServiceError, OSError) as error:
            self.show(str(error))
            return
        self.show(_("{path}: şablon yazıldı.").format(path=path))

    def action_export(self) -> None:
        path = self._out_path()
        if path is None:
            return
        self.running = True
        self.refresh_bindings()
        self.show(_("Dışa aktarılıyor…"))
        self._export(self.kind, path)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _export(self, kind: Kind, path: Path) -> None:
        try:
            with self.database.reader() as session:
                rows = export(session, kind, path)
        except (ServiceError, OSError) as error:
            self.app.call_from_thread(self._finished, None, str(error))
            return
        message = ngettext(
            "{path}: {count} satır yazıldı.", "{path}: {count} satır yazıldı.", rows
        ).format(path=path, count=rows)
        self.app.call_from_thread(self._finished, None, message)

    def action_history(self) -> None:
        self.app.push_screen(ImportHistoryScreen())

    def action_stop_or_leave(self) -> None:
        if self.running:
            self.stop.set()
            self.show(_("Durduruluyor…"))
            return
        self.dismiss(None)
