"""The letters of one sent batch (SPEC E2, E3, issue 16 point 4): status per letter,
multi-selection with Space, details on Enter, and the actions from F9 on the row or the
selection.

The table pages from the database (`LetterSource`), so a batch of 50 000 letters opens as
quickly as one of 50. Typing searches the account code and title; a key per common state
filters (F10: any state), Ctrl+S / Ctrl+V sort by any column; Esc clears the search and the
filter before it leaves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.accounts.account_rows import literal, redirect_typing
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.keys import key_label
from tui_mutabakat.screens.tracking.letter_rows import (
    ALL_STATES,
    SORT_ORDER,
    LetterSource,
    LetterTable,
    StatePicker,
    filter_label,
    letter_columns,
    picker_items,
    quick_filters,
)
from tui_mutabakat.screens.tracking.letter_rows import when as when  # used by the details screens
from tui_mutabakat.screens.tracking.track_actions import LetterActions
from tui_mutabakat.screens.tracking.track_batches import MailboxTimer, evidence_folder
from tui_mutabakat.screens.tracking.track_files import SAVE_FILE_ITEM, AnswerFiles
from tui_mutabakat.services.tracking.letter_export import export_letters
from tui_mutabakat.services.tracking.letter_list import (
    LetterFilter,
    batch_heading,
    in_doubt_letters,
    longest_title,
    matching,
    state_counts,
)
from tui_mutabakat.widgets.debounced_search import DebouncedSearch
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.paged_table import Column, PagedTable

#: The key of each quick filter (its Ctrl twin follows in the binding).
QUICK_KEYS: dict[str, str] = {
    "waiting": "f2,ctrl+y",
    "agreed": "f3,ctrl+k",
    "disagreed": "f7,ctrl+l",
    "unclear": "f11,ctrl+w",
    "bounced": "f12,ctrl+n",
    "in_doubt": "f6,ctrl+b",
}


def _quick_bindings() -> list[BindingType]:
    labels = {
        "waiting": _("Bekleyen"),
        "agreed": _("Mutabık"),
        "disagreed": _("Mutabık değil"),
        "unclear": _("Belirsiz"),
        "bounced": _("Döndü"),
        "in_doubt": _("Şüpheli"),
    }
    return [
        Binding(keys, f"quick('{name}')", labels[name], id=f"letters_only_{name}")
        for name, keys in QUICK_KEYS.items()
    ]


class TrackLettersScreen(LetterActions, AnswerFiles, MailboxTimer, Screen[None]):
    TITLE = _("Gönderilmiş mektuplar")
    AUTO_FOCUS = "#track-letters"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "details", _("Ayrıntı"), id="letters_details"),
        Binding("space", "tick", _("Seç"), id="letters_toggle"),
        Binding("f9,ctrl+o", "menu", _("İşlemler"), id="letters_menu"),
        # Before the state keys: the footer at 80 columns shows these first.
        Binding("f10,ctrl+f", "pick_state", _("Durum süz"), id="letters_pick_state"),
        Binding("ctrl+s", "next_sort", _("Sırala"), id="letters_sort"),
        *_quick_bindings(),
        Binding("ctrl+v", "toggle_direction", _("Ters sıra"), id="letters_direction"),
        Binding("ctrl+a", "answer", _("Yanıt gir"), id="letters_answer"),
        Binding("f4,ctrl+e", "resend", _("Yeniden gönder"), id="letters_resend"),
        Binding("ctrl+t", "remind", _("Hatırlat"), id="letters_remind"),
        Binding("ctrl+x", "export", _("CSV"), id="letters_export"),
        Binding("f8,ctrl+d", "cancel_letters", _("İptal"), id="letters_cancel"),
        Binding("f5,ctrl+r", "refresh", _("Yenile"), id="letters_refresh"),
        Binding("ctrl+u", "mailbox", _("Posta kutusunu oku"), id="letters_mailbox"),
        Binding("escape", "back", _("Geri"), id="letters_back"),
        Binding("down", "focus_table", show=False, id="letters_focus_table"),
    ]

    def __init__(self, batch_id: int) -> None:
        super().__init__()
        self.batch_id = batch_id
        #: Ids of the ticked letters.
        self.selected: set[int] = set()
        self.filter = LetterFilter(batch_id)
        self._searching = DebouncedSearch(self, lambda: self.search, self._search_for)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="letters-title", classes="section-title")
        yield Input(
            placeholder=_("Ara: hesap kodu veya adı (yazdıkça süzülür)"), id="letters-search"
        )
        yield LetterTable(
            self.selected, empty_text=_("Bu süzgece uyan mektup yok."), id="track-letters"
        )
        yield Static("", id="letters-hint", markup=False)
        yield Footer()

    @property
    def table(self) -> LetterTable:
        return self.query_one("#track-letters", LetterTable)

    @property
    def search(self) -> Input:
        return self.query_one("#letters-search", Input)

    def on_mount(self) -> None:
        with self.database.reader() as session:
            heading = batch_heading(session, self.batch_id)
            longest = longest_title(session, self.batch_id)
        self.table.columns = letter_columns(longest)
        if heading is not None:
            dates = _("Gönderim {sent} · Mutabakat tarihi {as_of} · Son yanıt {answer_by}").format(
                sent=when(heading.sent_at),
                as_of=format_day(heading.as_of),
                answer_by=format_day(heading.answer_by),
            )
            title = f"{heading.title}\n{dates}"
            self.query_one("#letters-title", Label).update(literal(title))
        self.table.focus()
        self.start_mailbox_timer()

    def on_screen_resume(self) -> None:
        """Also right after mounting: Textual resumes a screen it has just pushed."""
        self.reload()

    # ------------------------------------------------------------- the list

    def reload(self, *, reset: bool = False) -> None:
        """Count and page again, the cursor kept on its letter; ticks of letters the filter
        no longer shows are dropped."""
        table = self.table
        keep = None if reset else table.cursor_id
        table.columns = self._marked_columns()
        table.source = LetterSource(self.database, self.filter)
        if self.selected:
            with self.database.reader() as session:
                shown = matching(session, self.filter, self.selected)
            self.selected.intersection_update(shown)
        table.refresh_data(keep_id=keep, reset=reset)
        self._show_status()

    def _set_filter(self, flt: LetterFilter, *, reset: bool = True) -> None:
        self.filter = flt
        self.reload(reset=reset)

    def _marked_columns(self) -> tuple[Column, ...]:
        """The columns, the sorted one marked with ▲ or ▼."""
        columns = list(self.table.columns)
        marked = SORT_ORDER.index(self.filter.sort) + 1
        arrow = " ▼" if self.filter.descending else " ▲"
        return tuple(
            replace(column, title=column.title.removesuffix(" ▲").removesuffix(" ▼") + arrow)
            if index == marked
            else replace(column, title=column.title.removesuffix(" ▲").removesuffix(" ▼"))
            for index, column in enumerate(columns)
        )

    @on(PagedTable.CursorMoved, "#track-letters")
    def _cursor_moved(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        table = self.table
        flt = self.filter
        parts = []
        if table.row_count:
            parts.append(
                _("Satır {row} / {count}").format(row=table.cursor_row + 1, count=table.row_count)
            )
        else:
            parts.append(_("Mektup yok"))
        label = filter_label(flt)
        if label:
            parts.append(_("Süzgeç: {label} (Esc: kaldır)").format(label=label))
        if flt.search:
            parts.append(_("Ara: {text}").format(text=flt.search))
        sort = table.columns[SORT_ORDER.index(flt.sort) + 1].title
        parts.append(_("Sıra: {column}").format(column=sort))
        if self.selected:
            parts.append(
                ngettext(
                    "{count} mektup seçili", "{count} mektup seçili", len(self.selected)
                ).format(count=len(self.selected))
            )
        row = table.row_at(table.cursor_row)
        if row is not None and " · " in row.cells[3]:
            parts.append(row.cells[3])  # every currency of the letter: the cell cuts them
        source = table.source
        if row is not None and isinstance(source, LetterSource) and row.key in source.notes:
            parts.append(source.notes[row.key])
        self.query_one("#letters-hint", Static).update(" · ".join(parts))

    # --------------------------------------------------------------- search

    @on(Input.Changed, "#letters-search")
    def _search_changed(self) -> None:
        self._searching.changed()

    @on(Input.Submitted, "#letters-search")
    def _search_submitted(self) -> None:
        self._searching.now()
        self.table.focus()

    def _search_for(self, text: str) -> None:
        if text != self.filter.search:
            self._set_filter(replace(self.filter, search=text))

    def on_key(self, event: events.Key) -> None:
        """A letter or digit typed on the table goes to the search field (Space ticks)."""
        if event.character != " ":
            redirect_typing(event, self.table, self.search)

    def action_focus_table(self) -> None:
        self._searching.now()
        self.table.focus()

    def action_back(self) -> None:
        """Esc: the search and the filter go first, then the screen."""
        if self.search.value or self.filter.narrows:
            self.search.value = ""
            self._set_filter(replace(self.filter, search="", states=frozenset(), in_doubt=False))
            self.table.focus()
            return
        self.app.pop_screen()

    # ------------------------------------------------------ filter and sort

    def action_quick(self, name: str) -> None:
        """A state's key: only those letters; the same key again shows all of them."""
        quick = quick_filters()[name]
        if quick.active(self.filter):
            self._set_filter(replace(self.filter, states=frozenset(), in_doubt=False))
            return
        self._set_filter(quick.applied(self.filter))
        if not self.table.row_count:
            self.notify(_('Bu gönderimde "{label}" mektup yok.').format(label=quick.label))

    def action_pick_state(self) -> None:
        with self.database.reader() as session:
            counts = state_counts(session, self.batch_id)
            doubt = in_doubt_letters(session, self.batch_id)
        keys = {name: key_label(keys.split(",")[0]) for name, keys in QUICK_KEYS.items()}
        items = picker_items(counts, doubt, keys)
        self.app.push_screen(StatePicker(_("Durum seçin"), items), callback=self._state_picked)

    def _state_picked(self, choice: str | None) -> None:
        if choice is None:
            return
        quick = quick_filters().get(choice)
        if choice == ALL_STATES:
            self._set_filter(replace(self.filter, states=frozenset(), in_doubt=False))
        elif quick is not None:
            self._set_filter(quick.applied(self.filter))
        else:
            state = LetterState(choice)
            self._set_filter(replace(self.filter, states=frozenset({state}), in_doubt=False))

    def action_next_sort(self) -> None:
        index = SORT_ORDER.index(self.filter.sort)
        sort = SORT_ORDER[(index + 1) % len(SORT_ORDER)]
        self._set_filter(replace(self.filter, sort=sort, descending=False), reset=False)

    def action_toggle_direction(self) -> None:
        self._set_filter(replace(self.filter, descending=not self.filter.descending), reset=False)

    # ------------------------------------------------------------- the rows

    def current_letter(self) -> int | None:
        return self.table.cursor_id

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
        table = self.table
        table.refresh()
        table.move_cursor(table.cursor_row + 1)
        self._show_status()

    @on(PagedTable.RowSelected, "#track-letters")
    def _row_selected(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self.action_details()

    def action_details(self) -> None:
        from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen

        letter_id = self.current_letter()
        if letter_id is not None:
            self.app.push_screen(LetterDetailsScreen(letter_id))

    def action_refresh(self) -> None:
        self.reload()

    def action_menu(self) -> None:
        count = len(self.target_letters())
        title = ngettext("İşlemler ({count} mektup)", "İşlemler ({count} mektup)", count).format(
            count=count
        )
        row = self.table.row_at(self.table.cursor_row)
        if not self.selected and row is not None:  # the letter under the cursor, named
            title = _("{code} {title} mektubu — İşlemler").format(
                code=literal(row.cells[1]), title=literal(row.cells[2])
            )
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
            SAVE_FILE_ITEM,
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
            "save_file": self.action_save_file,
        }
        if action_id in actions:
            actions[action_id]()

    def action_export(self, kind: str = "csv") -> None:
        folder = Path(self.settings.data_dir) / "exports"
        stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        path = folder / f"mutabakat-{self.batch_id}-{stamp}.{kind}"
        with self.database.reader() as session:
            export_letters(session, self.batch_id, path, self.filter)
        said = _("Liste kaydedildi: {path}").format(path=path)
        if self.filter.narrows:
            said += " — " + _("yalnız listede görünen mektuplar")
        self.notify(said, timeout=10)

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
