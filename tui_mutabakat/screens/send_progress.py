"""Sending a batch in the background, with a progress bar, and its summary (SPEC D6, D7).

The letters are already in the outbox; a thread worker runs the sender's event loop
(`send_batch`) and reports progress by posting messages, so the interface stays responsive.
Esc (or Ctrl+C) asks, then cancels: the stop event ends the sender after the letters in
flight, and `cancel_batch` cancels those still waiting. The summary at the end is the one
kept on the batch.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, ProgressBar, Static

from tui_mutabakat.domain.states import LetterState, letter_state_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.confirm import ConfirmDialog
from tui_mutabakat.services.batch_status import BatchSummary, cancel_batch, stored_summary
from tui_mutabakat.services.sending_types import DeliveryOptions, RunReport, SendProgress
from tui_mutabakat.services.worker import send_batch

#: Seconds between two progress messages (the last one always goes).
PROGRESS_INTERVAL = 0.1


class Progressed(Message):
    """Counts from the sender thread."""

    def __init__(self, sent: int, failed: int, retrying: int) -> None:
        super().__init__()
        self.sent = sent
        self.failed = failed
        self.retrying = retrying


class Finished(Message):
    """The sender returned (or failed to start)."""

    def __init__(self, report: RunReport | None, error: str = "") -> None:
        super().__init__()
        self.report = report
        self.error = error


def summary_lines(summary: BatchSummary, outbox: str | None) -> list[str]:
    """What the user reads when the batch ends: counts, failures with why, skipped."""
    counts = summary.counts
    lines = [
        _("Gönderildi: {sent} · Gönderilemedi: {failed} · Atlandı: {skipped}").format(
            sent=summary.sent,
            failed=counts.get(LetterState.FAILED.value, 0),
            skipped=summary.skipped,
        )
    ]
    extra = [
        f"{letter_state_label(state)}: {counts[state.value]}"
        for state in (LetterState.CANCELLED, LetterState.QUEUED, LetterState.SENDING)
        if counts.get(state.value)
    ]
    if extra:
        lines.append(" · ".join(extra))
    if summary.waiting:
        lines.append(
            _(
                "Bekleyen mektuplar kuyrukta kalır; `mutabakat worker` ya da yeni bir "
                "gönderim onları gönderir."
            )
        )
    if summary.failed:
        lines += ["", _("Gönderilemeyenler:")]
        lines += [f"  {f.account_code} {f.account_title}: {f.reason}" for f in summary.failed]
    if summary.refused:
        lines += ["", _("Sunucunun reddettiği adresler:")]
        lines += [f"  {r.account_code} {r.address}: {r.answer}" for r in summary.refused]
    if summary.skipped:
        lines += ["", _("Atlanan hesaplar hata listesinde (kriterlere dönüp düzeltebilirsiniz).")]
    if outbox:
        lines += ["", _("Mektuplar bu klasörde: {path}").format(path=outbox)]
    return lines


class SendProgressScreen(AppAccess, Screen[None]):
    TITLE = _("Mutabakat gönderimi")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,ctrl+c", "leave", _("Durdur / Kapat"), id="send_progress_leave"),
    ]

    def __init__(
        self, batch_id: int, letters: int, *, options: DeliveryOptions | None = None
    ) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.letters = letters
        self.delivery = options
        self.stop = threading.Event()
        self.running = True
        self.report: RunReport | None = None
        self.summary: BatchSummary | None = None
        self._last_post = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(
            _("{letters} mektup gönderiliyor…").format(letters=self.letters),
            id="send-progress-title",
            markup=False,
        )
        yield ProgressBar(total=self.letters, show_eta=False, id="send-progress-bar")
        yield Label("", id="send-progress-counts", markup=False)
        with VerticalScroll(id="send-summary-scroll"):
            yield Static("", id="send-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_counts(0, 0, 0)
        self._send()

    # --------------------------------------------------------------- worker

    @work(thread=True, exclusive=True, group="send", exit_on_error=False)
    def _send(self) -> None:
        try:
            report = asyncio.run(
                send_batch(
                    self.database,
                    self.settings,
                    self.batch_id,
                    options=self.delivery,
                    on_progress=self._from_sender,
                    stop=self.stop,
                    actor=self.actor.login,
                )
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user, the letters stay queued
            self.post_message(Finished(None, str(exc) or type(exc).__name__))
            return
        self.post_message(Finished(report))

    def _from_sender(self, progress: SendProgress) -> None:
        """Called on the sender's thread: post the counts, at most every 0.1 s."""
        now = time.monotonic()
        last = progress.done >= self.letters
        if not last and now - self._last_post < PROGRESS_INTERVAL:
            return
        self._last_post = now
        self.post_message(Progressed(progress.sent, progress.failed, progress.retrying))

    def on_progressed(self, message: Progressed) -> None:
        self._show_counts(message.sent, message.failed, message.retrying)

    def _show_counts(self, sent: int, failed: int, retrying: int) -> None:
        self.query_one("#send-progress-bar", ProgressBar).update(progress=sent + failed + retrying)
        counts = _("Gönderildi: {sent} · Gönderilemedi: {failed} · Yeniden denenecek: {retrying}")
        self.query_one("#send-progress-counts", Label).update(
            counts.format(sent=sent, failed=failed, retrying=retrying)
        )

    def on_finished(self, message: Finished) -> None:
        self.running = False
        self.report = message.report
        with self.database.reader() as session:
            self.summary = stored_summary(session, self.batch_id)
        summary = self.summary
        done = summary.total - summary.waiting
        self.query_one("#send-progress-bar", ProgressBar).update(progress=done)
        title = _("Gönderim bitti.")
        if self.stop.is_set():
            title = _("Gönderim durduruldu.")
        problem = message.error or (message.report.transport_error if message.report else None)
        lines = summary_lines(summary, self._outbox())
        if problem:
            title = _("Gönderim tamamlanamadı.")
            lines[0:0] = [_("Sunucu hatası: {error}").format(error=problem), ""]
        self.query_one("#send-progress-title", Label).update(title)
        self.query_one("#send-summary", Static).update("\n".join(lines))
        self.refresh_bindings()

    def _outbox(self) -> str | None:
        if self.settings.mail_backend == "smtp":
            return None
        return str(self.settings.mail_outbox / "new")

    # -------------------------------------------------------------- leaving

    def action_leave(self) -> None:
        if not self.running:
            self.dismiss(None)
            return

        def answered(stop: bool | None) -> None:
            if stop and self.running:
                self.stop.set()
                with self.database.unit_of_work() as session:
                    cancel_batch(session, self.actor, self.batch_id)
                self.query_one("#send-progress-title", Label).update(_("Durduruluyor…"))

        self.app.push_screen(
            ConfirmDialog(
                _("Gönderim durdurulsun mu? Gönderilmiş mektuplar geri alınamaz."),
                yes=_("Durdur"),
                danger=True,
            ),
            answered,
        )
