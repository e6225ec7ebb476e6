"""Gönderilmiş e-Mutabakatlar (menu 371002, SPEC E1): one row per batch with its counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Label, Static

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.tracking.batch_rows import (
    BatchInfo,
    BatchSource,
    batch_cell,
    batch_columns,
    batch_line,
)
from tui_mutabakat.screens.tracking.track_mailbox import (
    failure_text,
    place_text,
    read_text,
    tell,
)
from tui_mutabakat.services.sending.doubt import in_doubt_by_batch
from tui_mutabakat.services.sending.error_list import error_list
from tui_mutabakat.services.settings.users import imap_host_of
from tui_mutabakat.services.tracking.mailbox import IntakeRun
from tui_mutabakat.services.tracking.mailbox_pass import POLL_SECONDS, intake_once
from tui_mutabakat.services.tracking.tracking import batch_counts, tracking_batches
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.paged_table import PagedTable


def nothing_sent() -> str:
    """What an empty tracking screen says: that nothing was sent, and how to start."""
    return _("Henüz gönderim yok — ana menüde F4 (e-Mutabakat Gönder) ile gönderin.")


class MailboxTimer(AppAccess):
    """Reads the mailbox every `POLL_SECONDS` while the screen is open; `reload()` after news."""

    def start_mailbox_timer(self) -> None:
        self.set_interval(POLL_SECONDS, self.check_mailbox)  # type: ignore[attr-defined]

    def check_mailbox(self) -> None:
        self._intake()

    def action_mailbox(self) -> None:
        """Ctrl+U: a pass now, and the user is told what it read, news or not."""
        self._intake(asked=True)

    @work(thread=True, exclusive=True, group="mailbox", exit_on_error=False)
    def _intake(self, asked: bool = False) -> None:
        try:
            run = intake_once(self.database, self.settings, self.actor.login)
        except Exception as exc:  # noqa: BLE001 — the user is told; the timer tries again
            error = f"{type(exc).__name__}: {exc}"
            self.app.call_from_thread(self._intake_failed, error)  # type: ignore[attr-defined]
            return
        if asked:
            self.app.call_from_thread(self._after_asked, run)  # type: ignore[attr-defined]
        else:
            self.app.call_from_thread(self._after_intake, run)  # type: ignore[attr-defined]

    def _after_asked(self, run: IntakeRun | None) -> None:
        warn = run is None or bool(run.unreadable)
        self.notify(  # type: ignore[attr-defined]
            read_text(run), title=_("Posta kutusu"), severity="warning" if warn else "information"
        )
        if run is not None and run.letters:
            self.reload()

    def _intake_failed(self, error: str) -> None:
        self.notify(failure_text(error), severity="error", timeout=15)  # type: ignore[attr-defined]

    def _after_intake(self, run: IntakeRun | None) -> None:
        if tell(self.notify, run):  # type: ignore[attr-defined]
            self.reload()

    def reload(self) -> None:
        raise NotImplementedError


class TrackBatchesScreen(MailboxTimer, Screen[None]):
    TITLE = _("Gönderilmiş e-Mutabakatlar")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", _("Mektuplar"), id="track_open"),
        Binding("f4,ctrl+k", "errors", _("Hata listesi"), id="track_errors"),
        Binding("f5,ctrl+r", "refresh", _("Yenile"), id="track_refresh"),
        Binding("ctrl+u", "mailbox", _("Posta kutusunu oku"), id="track_mailbox"),
        Binding("f8,ctrl+b", "unreadable", _("Okunamayan iletiler"), id="track_unreadable"),
        Binding("f6,ctrl+y", "evidence", _("Kanıt paketi"), id="track_evidence"),
        Binding("escape", "app.pop_screen", _("Geri"), id="track_back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._batches: list[BatchInfo] = []
        self._keys: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(_("Gönderilmiş e-Mutabakatlar"), classes="section-title")
        yield PagedTable(batch_columns(80)[1], empty_text=nothing_sent(), id="track-batches")
        yield Static("", id="track-info", markup=False)
        yield Static(self._mailbox_place(), id="track-mailbox-place", classes="hint", markup=False)
        yield Footer()

    @property
    def table(self) -> PagedTable:
        return self.query_one("#track-batches", PagedTable)

    def _mailbox_place(self) -> str:
        with self.database.reader() as session:
            host = imap_host_of(session, self.actor.login)
        return place_text(self.settings, host)

    def on_mount(self) -> None:
        self.table.focus()
        self.start_mailbox_timer()

    def on_screen_resume(self) -> None:
        """Also right after mounting: Textual resumes a screen it has just pushed."""
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        """A wider terminal shows more of the counts (`batch_columns`)."""
        self._show_rows()

    def reload(self) -> None:
        with self.database.reader() as session:
            batches = tracking_batches(session)
            ids = [b.id for b in batches]
            counts = batch_counts(session, ids)
            doubt = in_doubt_by_batch(session, ids)
            self._batches = [
                BatchInfo(
                    b.id,
                    b.title,
                    b.as_of,
                    b.answer_by,
                    b.sender_login,
                    b.created_at,
                    counts[b.id],
                    doubt.get(b.id, 0),
                )
                for b in batches
            ]
        self._keys = ()
        self._show_rows()

    def _show_rows(self) -> None:
        """The rows for the columns that fit the table's width now."""
        table = self.table
        # The screen's width, less room for a scrollbar: known before the table's layout.
        keys, columns = batch_columns(max(40, self.size.width - 2))
        if keys == self._keys and table.source.count() == len(self._batches):
            self._show_info()
            return
        self._keys = keys
        table.columns = columns
        table.source = BatchSource(self._batches, keys)
        table.refresh_data(keep_id=table.cursor_id)
        self._show_info()

    def cell(self, batch_id: int, key: str) -> str:
        """The text of column `key` of a batch, whether the table shows the column or not."""
        info = next(b for b in self._batches if b.id == batch_id)
        return batch_cell(info, key)

    @on(PagedTable.CursorMoved, "#track-batches")
    def _cursor_moved(self) -> None:
        self._show_info()

    def _show_info(self) -> None:
        batch_id = self.selected_batch()
        info = next((b for b in self._batches if b.id == batch_id), None)
        text = batch_line(info) if info is not None else ""
        self.query_one("#track-info", Static).update(text)

    def selected_batch(self) -> int | None:
        return self.table.cursor_id

    @on(PagedTable.RowSelected, "#track-batches")
    def _row_selected(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen

        batch_id = self.selected_batch()
        if batch_id is None:
            self.notify(nothing_sent(), severity="warning")
            return
        self.app.push_screen(TrackLettersScreen(batch_id))

    def action_errors(self) -> None:
        """The batch's error list, as it was when sent and with what was sent since."""
        from tui_mutabakat.screens.sending.send_errors import SendErrorsScreen

        batch_id = self.selected_batch()
        if batch_id is None:
            self.notify(nothing_sent(), severity="warning")
            return
        with self.database.reader() as session:
            errors = error_list(session, batch_id)
        if not errors.rows:
            self.notify(errors.head(), timeout=4)
            return
        self.app.push_screen(SendErrorsScreen(batch_id))

    def action_refresh(self) -> None:
        self.reload()

    def action_unreadable(self) -> None:
        from tui_mutabakat.screens.tracking.track_unreadable import UnreadableScreen

        self.app.push_screen(UnreadableScreen())

    def action_evidence(self) -> None:
        """The batch's evidence pack for the auditor (SPEC F1), owner-only."""
        from tui_mutabakat.services.reports.evidence import write_batch_evidence

        batch_id = self.selected_batch()
        if batch_id is None:
            self.notify(nothing_sent(), severity="warning")
            return
        folder = evidence_folder(Path(self.settings.data_dir), f"toplu-{batch_id}")
        try:
            with self.database.reader() as session:
                written = write_batch_evidence(
                    session, batch_id, folder, data_dir=Path(self.settings.data_dir)
                )
        except OSError as error:
            self.notify(str(error), severity="error", timeout=10)
            return
        message = ngettext(
            "Kanıt paketi yazıldı ({count} dosya): {path}",
            "Kanıt paketi yazıldı ({count} dosya): {path}",
            len(written),
        )
        self.notify(message.format(count=len(written), path=folder), timeout=15)


def evidence_folder(data_dir: Path, name: str) -> Path:
    """Where the evidence of `name` goes: `<data>/kanit/<name>-<time>`."""
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    return data_dir / "kanit" / f"{name}-{stamp}"
