"""F8 on the import screen: the imports done so far — when, who, what kind, which file (its
SHA-256, shortened), what came of it and the counts. Read from `services.importing.history`."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.services.importing.history import HISTORY_LIMIT, past_imports


class ImportHistoryScreen(AppAccess, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f8,ctrl+y", "dismiss(None)", _("Kapat"), id="import_history_close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="import-history-box", classes="dialog"):
            yield Label(_("Yapılan içe aktarmalar"), id="import-history-title")
            yield DataTable(id="import-history", cursor_type="row", zebra_stripes=True)
            yield Label(
                _("En yeni {limit} aktarma, yeniden eskiye · Esc: kapat").format(
                    limit=HISTORY_LIMIT
                ),
                classes="hint",
            )

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # What came of it first: at 80 columns the file, user and digest scroll in (→).
        table.add_columns(
            _("Tarih"),
            _("Tür"),
            _("Sonuç"),
            _("Okunan"),
            _("Eklenen"),
            _("Güncellenen"),
            _("Değişmeyen"),
            _("Reddedilen"),
            _("Dosya"),
            _("Kullanıcı"),
            "SHA-256",
        )
        with self.database.reader() as session:
            runs = past_imports(session)
        for run in runs:
            table.add_row(
                run.at.strftime("%d.%m.%Y %H:%M"),
                run.kind,
                run.outcome,
                str(run.read),
                str(run.added),
                str(run.updated),
                str(run.unchanged),
                str(run.refused),
                run.file_name,
                run.user,
                run.short_digest,
                key=str(run.id),
            )
        if not runs:
            self.query_one("#import-history-title", Label).update(_("Henüz içe aktarma yapılmadı."))
        table.focus()
