"""Gönderilmiş e-Mutabakatlar (menu 371002, SPEC E1): one row per batch with its counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from sqlalchemy import select
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from tui_mutabakat.data.models import User
from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.ops_dialogs import cursor_key
from tui_mutabakat.screens.track_mailbox import (
    POLL_SECONDS,
    failure_text,
    intake_once,
    place_text,
    read_text,
    tell,
)
from tui_mutabakat.services.doubt import in_doubt_by_batch
from tui_mutabakat.services.error_list import error_list
from tui_mutabakat.services.mailbox import IntakeRun
from tui_mutabakat.services.tracking import batch_counts, tracking_batches


def nothing_sent() -> str:
    """What an empty tracking screen says: that nothing was sent, and how to start."""
    return _("Henüz gönderim yok — ana menüde F4 (e-Mutabakat Gönder) ile gönderin.")


def count_labels() -> dict[str, str]:
    return {
        "queued": _("Kuyruk"),
        "sent": _("Gitti"),
        "failed": _("Hata"),
        "bounced": _("Döndü"),
        "agreed": _("Mutabık"),
        "disagreed": _("Değil"),
        "unclear": _("Belirsiz"),
        "no_answer": _("Yanıtsız"),
    }


def progress_bar(counts: dict[str, int], width: int = 10) -> str:
    """Answered share of the letters as `███░░░░░░░`: agreed, not agreed or decided."""
    total = sum(v for k, v in counts.items() if k != "cancelled")
    if not total:
        return "░" * width
    done = counts.get("agreed", 0) + counts.get("disagreed", 0)
    filled = round(width * done / total)
    return "█" * filled + "░" * (width - filled)


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


def batch_line(
    title: str, answer_by: dt.date, sender: str, counts: dict[str, int], in_doubt: int = 0
) -> str:
    """The highlighted batch in full, below the table."""
    total = sum(v for k, v in counts.items() if k != "cancelled")
    answered = counts.get("agreed", 0) + counts.get("disagreed", 0)
    line = (
        f"{title}\n{_('Son yanıt')}: {format_day(answer_by)} · {_('Gönderen')}: {sender} · "
        f"{progress_bar(counts)} {answered}/{total}"
    )
    if in_doubt:
        line += "\n" + _(
            "⚠ Teslimi belirsiz alıcı: {count} (Enter, sonra F6: yalnız bunlar; F9: karar)"
        ).format(count=in_doubt)
    return line


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
        self._info: dict[int, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(_("Gönderilmiş e-Mutabakatlar"), classes="section-title")
        yield DataTable(id="track-batches", cursor_type="row", zebra_stripes=True)
        yield Static("", id="track-info", markup=False)
        yield Static(self._mailbox_place(), id="track-mailbox-place", classes="hint", markup=False)
        yield Footer()

    def _mailbox_place(self) -> str:
        with self.database.reader() as session:
            found = session.scalar(select(User.imap_host).where(User.login == self.actor.login))
        host = found or ""
        return place_text(self.settings, host)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # At 80 columns the counts must show: the title is cut short here and shown in
        # full, with the answer-by date, the sender and the bar, below the table.
        table.add_column(_("Başlık"), key="title", width=12)
        table.add_column(_("Tarih"), key="as_of")
        for key, label in count_labels().items():
            table.add_column(label, key=key)
        table.add_column(_("Şüpheli"), key="in_doubt")
        table.add_column(_("İlerleme"), key="bar")
        table.add_column(_("Son yanıt"), key="answer_by")
        table.add_column(_("Gönderen"), key="sender")
        table.focus()
        self.start_mailbox_timer()

    def on_screen_resume(self) -> None:
        """Also right after mounting: Textual resumes a screen it has just pushed."""
        self.reload()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        current = table.cursor_row
        table.clear()
        with self.database.reader() as session:
            batches = tracking_batches(session)
            counts = batch_counts(session, [b.id for b in batches])
            doubt = in_doubt_by_batch(session, [b.id for b in batches])
            rows = [
                (b.id, b.title, b.as_of, b.answer_by, b.sender_login, counts[b.id]) for b in batches
            ]
        for batch_id, title, as_of, answer_by, sender, row in rows:
            table.add_row(
                title,
                format_day(as_of),
                *(str(row.get(key, 0)) for key in count_labels()),
                str(doubt.get(batch_id, 0)),
                progress_bar(row),
                format_day(answer_by),
                sender,
                key=str(batch_id),
            )
        self._info = {
            batch_id: batch_line(title, answer_by, sender, row, doubt.get(batch_id, 0))
            for batch_id, title, _as_of, answer_by, sender, row in rows
        }
        if rows:
            table.move_cursor(row=min(max(current, 0), len(rows) - 1))
        self._show_info()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_info()

    def _show_info(self) -> None:
        batch_id = self.selected_batch()
        text = self._info.get(batch_id, "") if batch_id is not None else ""
        self.query_one("#track-info", Static).update(text or nothing_sent())

    def selected_batch(self) -> int | None:
        key = cursor_key(self.query_one(DataTable))
        return int(key) if key is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        from tui_mutabakat.screens.track_letters import TrackLettersScreen

        batch_id = self.selected_batch()
        if batch_id is None:
            self.notify(nothing_sent(), severity="warning")
            return
        self.app.push_screen(TrackLettersScreen(batch_id))

    def action_errors(self) -> None:
        """The batch's error list, as it was when sent and with what was sent since."""
        from tui_mutabakat.screens.send_errors import SendErrorsScreen

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
        from tui_mutabakat.screens.track_unreadable import UnreadableScreen

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
        message = _("Kanıt paketi yazıldı ({count} dosya): {path}")
        self.notify(message.format(count=len(written), path=folder), timeout=15)


def evidence_folder(data_dir: Path, name: str) -> Path:
    """Where the evidence of `name` goes: `<data>/kanit/<name>-<time>`."""
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    return data_dir / "kanit" / f"{name}-{stamp}"
