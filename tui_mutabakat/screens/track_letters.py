"""The letters of one sent batch (SPEC E2, E3): status per letter, multi-selection with
Space, details on Enter, and the actions from F9 on the row or the selection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import ClassVar

from sqlalchemy import select
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label

from tui_mutabakat.data.base import as_utc
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.domain.states import LetterState, letter_state_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.ops_dialogs import cursor_key
from tui_mutabakat.screens.track_actions import LetterActions
from tui_mutabakat.screens.track_batches import MailboxTimer, evidence_folder
from tui_mutabakat.services.doubt import in_doubt_by_letter
from tui_mutabakat.services.letter_balances import figures_text, letter_figures
from tui_mutabakat.services.letter_export import export_letters
from tui_mutabakat.services.tracking import foreign_answer_letters

TICK = "✓"


def when(moment: dt.datetime | None) -> str:
    """A stored moment in local time, `31.12.2026 14:05`."""
    if moment is None:
        return ""
    aware = as_utc(moment)
    local = aware.astimezone()
    return f"{format_day(local.date())} {local:%H:%M}"


class TrackLettersScreen(LetterActions, MailboxTimer, Screen[None]):
    TITLE = _("Gönderilmiş mektuplar")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "details", _("Ayrıntı"), id="letters_details"),
        Binding("space", "tick", _("Seç"), id="letters_toggle"),
        Binding("f9,ctrl+o", "menu", _("İşlemler"), id="letters_menu"),
        Binding("ctrl+a", "answer", _("Yanıt gir"), id="letters_answer"),
        Binding("f4,ctrl+e", "resend", _("Yeniden gönder"), id="letters_resend"),
        Binding("ctrl+t", "remind", _("Hatırlat"), id="letters_remind"),
        Binding("ctrl+x", "export", _("CSV"), id="letters_export"),
        Binding("f8,ctrl+d", "cancel_letters", _("İptal"), id="letters_cancel"),
        Binding("f6,ctrl+b", "only_doubt", _("Belirsiz teslim"), id="letters_doubt"),
        Binding("f5,ctrl+r", "refresh", _("Yenile"), id="letters_refresh"),
        Binding("escape", "app.pop_screen", _("Geri"), id="letters_back"),
    ]

    def __init__(self, batch_id: int) -> None:
        super().__init__()
        self.batch_id = batch_id
        #: Ids of the ticked letters.
        self.selected: set[int] = set()
        #: Show only the letters with recipients in doubt (F6).
        self.only_doubt = False
        self._rows: list[tuple[int, list[str]]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="letters-title", classes="section-title")
        yield DataTable(id="track-letters", cursor_type="row", zebra_stripes=True)
        yield Label("", id="letters-hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (
            ("tick", " "),
            ("code", _("Hesap kodu")),
            ("title", _("Hesap adı")),
            ("balance", _("Gönderilen bakiye")),
            ("state", _("Durum")),
            ("last", _("Son olay")),
        ):
            table.add_column(label, key=key)
        table.focus()
        self.start_mailbox_timer()

    def on_screen_resume(self) -> None:
        """Also right after mounting: Textual resumes a screen it has just pushed."""
        self.reload()

    def letter_rows(self) -> list[tuple[int, list[str]]]:
        with self.database.reader() as session:
            batch = session.get(ReconciliationBatch, self.batch_id)
            title = batch.title if batch else ""
            letters = session.scalars(
                select(Letter).where(Letter.batch_id == self.batch_id).order_by(Letter.id)
            ).all()
            figures = letter_figures(session, letters)
            foreign = foreign_answer_letters(session, [letter.id for letter in letters])
            doubt = in_doubt_by_letter(session, self.batch_id)
            if self.only_doubt:
                letters = [x for x in letters if x.id in doubt]
            rows = [
                (
                    letter.id,
                    [
                        letter.account_code,
                        letter.account_title,
                        figures_text(figures[letter.id]),
                        letter_state_label(LetterState(letter.state))
                        + (f" ⚠ {_('başka adres')}" if letter.id in foreign else "")
                        + (f" ⚠{doubt[letter.id]}" if letter.id in doubt else ""),
                        when(letter.state_at),
                    ],
                )
                for letter in letters
            ]
        if self.only_doubt:
            title = _("{title} — yalnız teslimi belirsiz olanlar").format(title=title)
        self.query_one("#letters-title", Label).update(title)
        return rows

    def reload(self) -> None:
        table = self.query_one(DataTable)
        current = table.cursor_row
        table.clear()
        self._rows = self.letter_rows()
        self.selected &= {letter_id for letter_id, _cells in self._rows}
        for letter_id, cells in self._rows:
            mark = TICK if letter_id in self.selected else ""
            table.add_row(mark, *cells, key=str(letter_id))
        if self._rows:
            table.move_cursor(row=min(max(current, 0), len(self._rows) - 1))
        self._show_selection()

    def _show_selection(self) -> None:
        text = _("Boşluk: seç · Enter: ayrıntı · F9: işlemler")
        if self.selected:
            text = _("{count} mektup seçili · ").format(count=len(self.selected)) + text
        self.query_one("#letters-hint", Label).update(text)

    def current_letter(self) -> int | None:
        key = cursor_key(self.query_one(DataTable))
        return int(key) if key is not None else None

    def target_letters(self) -> list[int]:
        """The selection, or the row under the cursor when nothing is ticked."""
        if self.selected:
            return sorted(self.selected)
        current = self.current_letter()
        return [current] if current is not None else []

    def action_tick(self) -> None:
        letter_id = self.current_letter()
        if letter_id is None:
            return
        self.selected ^= {letter_id}
        table = self.query_one(DataTable)
        mark = TICK if letter_id in self.selected else ""
        table.update_cell(str(letter_id), "tick", mark)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)
        self._show_selection()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        from tui_mutabakat.screens.track_details import LetterDetailsScreen

        letter_id = self.current_letter()
        if letter_id is not None:
            self.app.push_screen(LetterDetailsScreen(letter_id))

    def action_refresh(self) -> None:
        self.reload()

    def action_only_doubt(self) -> None:
        """Show only the letters with recipients in doubt, or all of them again."""
        self.only_doubt = not self.only_doubt
        self.reload()
        if self.only_doubt and not self._rows:
            self.notify(_("Bu gönderimde teslimi belirsiz alıcı yok."))

    def action_menu(self) -> None:
        count = len(self.target_letters())
        title = _("İşlemler ({count} mektup)").format(count=count)
        self.app.push_screen(ActionMenu(title, self._menu_items()), callback=self._chosen)

    def palette_menu(self) -> tuple[list[MenuItem], Callable[[str | None], None]]:
        """The menu's entries for the command palette (app.py), and what runs one."""
        return self._menu_items(), self._chosen

    def _menu_items(self) -> list[MenuItem]:
        return [
            ("answer", _("Yanıtı elle gir (telefon, kâğıt)"), "Ctrl+A"),
            ("resend", _("Aynı adreslere yeniden gönder"), "F4"),
            ("resend_card", _("Cari kartta adresi düzelt, sonra gönder"), ""),
            ("remind", _("Hatırlatma gönder"), "Ctrl+T"),
            ("resend_doubt", _("Teslimi belirsiz alıcılara yeniden gönder"), ""),
            ("mark_delivered", _("Teslimi belirsiz alıcıları teslim edilmiş say"), ""),
            ("cancel", _("İptal et"), "F8"),
            ("export", _("Listeyi CSV olarak kaydet"), "Ctrl+X"),
            ("export_xlsx", _("Listeyi Excel (xlsx) olarak kaydet"), ""),
            ("evidence", _("Kanıt dosyası (PDF)"), ""),
        ]

    def _chosen(self, action_id: str | None) -> None:
        actions: dict[str, Callable[[], None]] = {
            "answer": self.action_answer,
            "resend": self.action_resend,
            "resend_card": self.action_resend_card,
            "remind": self.action_remind,
            "resend_doubt": self.action_resend_doubt,
            "mark_delivered": self.action_mark_delivered,
            "cancel": self.action_cancel_letters,
            "export": self.action_export,
            "export_xlsx": partial(self.action_export, "xlsx"),
            "evidence": self.action_evidence,
        }
        if action_id in actions:
            actions[action_id]()

    def action_export(self, kind: str = "csv") -> None:
        folder = Path(self.settings.data_dir) / "exports"
        stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        path = folder / f"mutabakat-{self.batch_id}-{stamp}.{kind}"
        with self.database.reader() as session:
            export_letters(session, self.batch_id, path)
        self.notify(_("Liste kaydedildi: {path}").format(path=path), timeout=10)

    def action_evidence(self) -> None:
        """The evidence file (PDF) of the selected letters, or of the row (SPEC F1)."""
        from tui_mutabakat.services.reports.evidence import write_letter_evidence

        letters = self.target_letters()
        if not letters:
            return
        data_dir = Path(self.settings.data_dir)
        folder = evidence_folder(data_dir, f"mektup-{self.batch_id}")
        try:
            with self.database.reader() as session:
                paths = [
                    write_letter_evidence(session, i, folder, data_dir=data_dir) for i in letters
                ]
        except OSError as error:
            self.notify(str(error), severity="error", timeout=10)
            return
        shown = paths[0] if len(paths) == 1 else folder
        self.notify(_("Kanıt dosyası yazıldı: {path}").format(path=shown), timeout=15)
