"""The dashboard (SPEC F2, issue 16 point 3): per batch a stacked bar of its letters'
states with the response rate, the answers of the last 30 days (Textual's own Sparkline:
no chart library needed), and the work queue — Enter opens the letter, where the action is
one key away (Ctrl+A answer or decide, F4 resend, Ctrl+T reminder); back here the queue
is read again, so what was decided leaves it."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Sparkline, Static

from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.domain.states import LetterState, letter_state_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.operations.ops_dialogs import cursor_key
from tui_mutabakat.screens.tracking.track_batches import nothing_sent
from tui_mutabakat.services.tracking.dashboard import (
    BatchBar,
    WorkKind,
    answers_per_day,
    batch_bars,
    queue_counts,
    work_kind_label,
    work_queue,
)
from tui_mutabakat.services.tracking.tracking import COUNT_COLUMNS
from tui_mutabakat.widgets.fit_table import FitTable
from tui_mutabakat.widgets.footer import Footer

BAR_WIDTH = 30
#: A colour per state for the stacked bars (the legend repeats them).
STATE_STYLES: dict[str, str] = {
    "queued": "grey50",
    "sent": "blue",
    "failed": "red3",
    "bounced": "magenta",
    "agreed": "green",
    "disagreed": "dark_orange",
    "unclear": "yellow",
    "no_answer": "grey70",
    "cancelled": "grey35",
}


def work_hint(kind: str) -> str:
    """What to do with a letter of the work queue, by its kind of work."""
    hints = {
        WorkKind.UNCLEAR: _("Enter: mektubu aç; orada Ctrl+A ile yanıtı karara bağlayın"),
        WorkKind.DISAGREED: _("Enter: mektubu aç; farkı inceleyin, yanıtı Ctrl+A ile düzeltin"),
        WorkKind.BOUNCED: _("Enter: mektubu aç; adresi düzeltip F4 ile yeniden gönderin"),
        WorkKind.IN_DOUBT: _(
            "Enter: mektubu aç; F9 ile teslim edildi sayın ya da yeniden gönderin"
        ),
        WorkKind.OVERDUE: _(
            "Enter: mektubu aç; Ctrl+T hatırlatın ya da gelen yanıtı Ctrl+A ile girin"
        ),
    }
    return hints.get(kind, _("Enter: mektubu aç"))


def stacked_bar(counts: dict[str, int], width: int = BAR_WIDTH) -> Text:
    """The states as coloured segments of one bar, `width` cells long in all."""
    total = sum(counts.values())
    bar = Text()
    if not total:
        return bar.append("·" * width, style="grey35")
    used = 0
    shown = [(state, counts.get(state, 0)) for state in COUNT_COLUMNS if counts.get(state)]
    for index, (state, count) in enumerate(shown):
        cells = width - used if index == len(shown) - 1 else max(1, round(count * width / total))
        cells = min(cells, width - used)
        bar.append("█" * cells, style=STATE_STYLES.get(state, ""))
        used += cells
    return bar


def bars_text(bars: list[BatchBar]) -> Text:
    text = Text()
    if not bars:
        return text.append(nothing_sent())
    for bar in bars:
        rate = str(bar.response_rate).replace(".", ",")
        text.append(f"{bar.batch_id:>4} {format_day(bar.as_of)} ")
        text.append_text(stacked_bar(bar.counts))
        text.append(
            " "
            + ngettext(
                "{n} mektup · yanıt %{rate}", "{n} mektup · yanıt %{rate}", bar.total
            ).format(n=bar.total, rate=rate)
            + "\n"
        )
    text.append(_("Renkler: "))
    for state in COUNT_COLUMNS:
        text.append("█", style=STATE_STYLES[state])
        text.append(f" {letter_state_label(LetterState(state))}  ")
    return text


class DashboardScreen(AppAccess, Screen[None]):
    TITLE = _("Gösterge Paneli")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_letter", _("Mektubu aç"), id="dashboard_open"),
        Binding("f5,ctrl+r", "refresh", _("Yenile"), id="dashboard_refresh"),
        Binding("escape", "app.pop_screen", _("Geri"), id="dashboard_back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: The work queue's row key → its kind of work (for the hint under the table).
        self._kinds: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="dash-bars")
        yield Label("", id="dash-chart-title")
        yield Sparkline([], id="dash-chart")
        yield Label("", id="dash-queue-title", classes="section-title")
        # Fitted to the width: the name takes what the other columns leave (cut with "…"
        # only when it must be, at 80 columns), never a fixed 24 cells.
        yield FitTable(id="dash-queue", shrink=(("title", 12),))
        yield Label(_("Enter: mektubu aç"), id="dash-queue-hint", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Bekleyen iş"), key="kind")
        table.add_column(_("Kod"), key="code")
        table.add_column(_("Ünvan"), key="title")
        table.add_column(_("Toplu"), key="batch")
        table.add_column(_("Son yanıt"), key="answer_by")
        table.focus()
        self.query_one("#dash-chart", Sparkline).styles.height = 3
        # Many batches must not push the work queue off an 80×24 screen.
        self.query_one("#dash-bars", Static).styles.max_height = 7
        table.styles.height = "1fr"
        table.styles.min_height = 4

    def on_screen_resume(self) -> None:
        """Also right after mounting: the queue is read again after a letter was worked on."""
        self.reload()

    def reload(self) -> None:
        today = local_today()
        with self.database.reader() as session:
            bars = batch_bars(session)
            per_day = answers_per_day(session, dt.datetime.now(dt.UTC).date())
            items = work_queue(session, today)
        self.query_one("#dash-bars", Static).update(bars_text(bars))
        self.query_one("#dash-chart", Sparkline).data = per_day
        self.query_one("#dash-chart-title", Label).update(
            _("Son 30 günde yanıtlar: {total} (bugün {today})").format(
                total=sum(per_day), today=per_day[-1]
            )
        )
        counts = queue_counts(items)
        parts = [f"{work_kind_label(kind)} {n}" for kind, n in counts.items()]
        title = ngettext(
            "İş kuyruğu: {count} mektup", "İş kuyruğu: {count} mektup", len(items)
        ).format(count=len(items))
        self.query_one("#dash-queue-title", Label).update(
            title + (" — " + " · ".join(parts) if parts else "")
        )
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        self._kinds = {f"{item.letter_id}:{index}": item.kind for index, item in enumerate(items)}
        for index, item in enumerate(items):
            table.add_row(
                work_kind_label(item.kind),
                item.code,
                item.title,
                str(item.batch_id),
                format_day(item.answer_by),
                key=f"{item.letter_id}:{index}",
            )
        if items:
            table.move_cursor(row=min(max(row, 0), len(items) - 1))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The hint says what can be done with the highlighted letter, by its kind of work:
        a resend is offered for a bounced letter, not for a disagreement."""
        key = event.row_key.value or ""
        self.query_one("#dash-queue-hint", Label).update(work_hint(self._kinds.get(key, "")))

    def current_letter(self) -> int | None:
        key = cursor_key(self.query_one(DataTable))
        return int(key.partition(":")[0]) if key is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_letter()

    def action_open_letter(self) -> None:
        from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen

        letter_id = self.current_letter()
        if letter_id is None:
            self.notify(_("Bekleyen iş yok."), timeout=4)
            return
        self.app.push_screen(LetterDetailsScreen(letter_id))

    def action_refresh(self) -> None:
        self.reload()
