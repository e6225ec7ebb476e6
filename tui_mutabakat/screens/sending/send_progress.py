"""Sending a batch in the background, with a progress bar, and its summary (SPEC D6, D7).

A thread worker runs the sender's event loop: for a new batch `create_and_send` writes the
letters into the outbox and delivers them at once (the first letters leave while the others
are being written); for a batch already written, `send_batch`. Progress comes back as posted
messages, so the interface stays responsive however many letters there are.
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
from textual.widgets import Header, Label, ProgressBar, Static

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.base import AppAccess, refusal_told
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.sending.send_flow import SendRequest
from tui_mutabakat.services.sending.batch_status import BatchSummary, cancel_batch, stored_summary
from tui_mutabakat.services.sending.compose import BatchCreated, SkipKind, letter_keys
from tui_mutabakat.services.sending.send_now import create_and_send
from tui_mutabakat.services.sending.send_report import summary_lines
from tui_mutabakat.services.sending.sender_types import DeliveryOptions, RunReport, SendProgress
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.widgets.footer import Footer

#: Seconds between two progress messages (the last one always goes).
PROGRESS_INTERVAL = 0.1


class Progressed(Message):
    """Counts from the sender thread."""

    def __init__(self, sent: int, failed: int, retrying: int) -> None:
        super().__init__()
        self.sent = sent
        self.failed = failed
        self.retrying = retrying


class Created(Message):
    """The batch is written: its letters are queued."""

    def __init__(self, created: BatchCreated) -> None:
        super().__init__()
        self.created = created


class Finished(Message):
    """The sender returned, or the batch could not be written (`refused`)."""

    def __init__(self, report: RunReport | None, error: str = "", *, refused: bool = False) -> None:
        super().__init__()
        self.report = report
        self.error = error
        self.refused = refused


class SendProgressScreen(AppAccess, Screen[None]):
    TITLE = _("Mutabakat gönderimi")
    BINDINGS: ClassVar[list[BindingType]] = [
        # One key, named by what it does now: stop while sending, close once it is done.
        Binding("escape", "stop", _("Durdur"), id="send_progress_leave"),
        Binding("escape", "close", _("Kapat"), id="send_progress_close"),
        # Ctrl+C does the same, unshown: the footer names Esc (the app binds Ctrl+C before
        # the screen does, so one binding of both keys was shown as "^c").
        Binding("ctrl+c", "stop", _("Durdur"), id="send_progress_leave_ctrl_c", show=False),
        Binding("ctrl+c", "close", _("Kapat"), id="send_progress_close_ctrl_c", show=False),
        Binding("f4,ctrl+k", "errors", _("Hata listesi"), id="send_progress_errors"),
    ]

    def __init__(
        self,
        request: SendRequest | None = None,
        *,
        batch_id: int | None = None,
        letters: int = 0,
        delivery: DeliveryOptions | None = None,
    ) -> None:
        """Write and send `request`, or send the batch `batch_id` already written."""
        super().__init__()
        self.request = request
        self.batch_id = batch_id
        self.letters = letters
        self.delivery = delivery
        self.stop = threading.Event()
        #: Set when the worker thread has returned (it may outlive the screen by a moment).
        self.thread_done = threading.Event()
        self.running = True
        self.cancelled = False
        self.summary: BatchSummary | None = None
        #: The batch as written, once every letter is in the outbox.
        self.created: BatchCreated | None = None
        self._last_post = 0.0

    def compose(self) -> ComposeResult:
        preparing = self.request is not None
        title = (
            ngettext(
                "{count} hesabın mektupları hazırlanıyor…",
                "{count} hesabın mektupları hazırlanıyor…",
                len({account for account, _currency in self.request.keys}),
            ).format(count=len({account for account, _currency in self.request.keys}))
            if self.request is not None
            else ngettext(
                "{letters} mektup gönderiliyor…", "{letters} mektup gönderiliyor…", self.letters
            ).format(letters=self.letters)
        )
        yield Header()
        yield Label(title, id="send-progress-title", markup=False)
        yield ProgressBar(
            total=None if preparing else self.letters, show_eta=False, id="send-progress-bar"
        )
        yield Label("", id="send-progress-counts", markup=False)
        with VerticalScroll(id="send-summary-scroll"):
            yield Static("", id="send-summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.request is None:
            self._show_counts(0, 0, 0)
        self._send()

    def on_unmount(self) -> None:
        """The application is closing: the sender stops after the letters in flight; the
        rest stay queued for the next send or `mutabakat worker`."""
        self.stop.set()

    # --------------------------------------------------------------- worker

    @work(thread=True, exclusive=True, group="send", exit_on_error=False)
    def _send(self) -> None:
        try:
            self._write_and_send()
        finally:
            self.thread_done.set()

    def _write_and_send(self) -> None:
        if self.request is None:
            self._send_written()
            return
        request = self.request
        self.letters = len(letter_keys(request.keys, request.options))
        try:
            result = asyncio.run(
                create_and_send(
                    self.database,
                    self.settings,
                    self.actor,
                    request.as_of,
                    request.keys,
                    request.options,
                    criteria=request.criteria,
                    delivery=self.delivery,
                    on_opened=self._opened,
                    on_created=self._created,
                    on_progress=self._from_sender,
                    stop=self.stop,
                    again=request.again,
                )
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user; what was queued stays
            why = str(exc) or type(exc).__name__
            if self.batch_id is None:
                self.post_message(Finished(None, why, refused=True))
            else:
                self.post_message(Finished(None, _("Hata: {error}").format(error=why)))
            return
        if result.fill_error is not None:
            why = _(
                "Mektuplar yazılırken hata oldu ({error}); yazılanlar gönderildi, "
                "kalan hesaplar hata listesinde."
            ).format(error=result.fill_error)
            self.post_message(Finished(result.report, why))
            return
        self.post_message(Finished(result.report))

    def _created(self, created: BatchCreated) -> None:
        """On the sender's thread: every letter is written (sending goes on)."""
        self.letters = created.letters
        self.post_message(Created(created))

    def _opened(self, batch_id: int) -> None:
        """The batch exists (letters are being written): stopping can now cancel it."""
        self.batch_id = batch_id

    def _send_written(self) -> None:
        assert self.batch_id is not None
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
            why = str(exc) or type(exc).__name__
            self.post_message(Finished(None, _("Hata: {error}").format(error=why)))
            return
        self.post_message(Finished(report))

    def on_created(self, message: Created) -> None:
        created = message.created
        request = self.request
        assert request is not None
        self.query_one("#send-progress-bar", ProgressBar).update(total=created.letters)
        if self.running:
            self.query_one("#send-progress-title", Label).update(
                ngettext(
                    "{letters} mektup gönderiliyor…",
                    "{letters} mektup gönderiliyor…",
                    created.letters,
                ).format(letters=created.letters)
            )
        self.created = created
        self.refresh_bindings()
        # Accounts left out because they already have their letter were the user's choice.
        to_fix = [s for s in created.skipped if s.kind != SkipKind.DUPLICATE]
        if to_fix and request.show_errors:
            # The progress stays in view (a big send is watched as it goes); the error list
            # opens on F4, never over it by itself.
            skipped = ngettext(
                "{count} hesaba mektup gönderilmedi; F4: hata listesi.",
                "{count} hesaba mektup gönderilmedi; F4: hata listesi.",
                len(created.skipped),
            )
            self.notify(skipped.format(count=len(created.skipped)), severity="warning")
        elif created.skipped and request.show_errors:
            accounts = len({s.account_id for s in created.skipped})
            already = ngettext(
                "{count} hesabın bu tarih için mektubu var, atlandı; F4: hata listesi.",
                "{count} hesabın bu tarih için mektubu var, atlandı; F4: hata listesi.",
                accounts,
            )
            self.notify(already.format(count=accounts), timeout=6)
        if created.warnings:
            accounts = len({s.account_id for s in created.warnings})
            warning = ngettext(
                "{count} hesabın geçersiz bazı adresleri atlandı; mektup diğerlerine gider. "
                "F4: hata listesi.",
                "{count} hesabın geçersiz bazı adresleri atlandı; mektup diğerlerine gider. "
                "F4: hata listesi.",
                accounts,
            )
            self.notify(warning.format(count=accounts), severity="warning", timeout=6)
        if request.on_created is not None:
            request.on_created(created)

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
        if message.refused or self.batch_id is None:
            self.query_one("#send-progress-title", Label).update(_("Gönderilemedi."))
            summary_box = self.query_one("#send-summary", Static)
            summary_box.update(message.error)
            summary_box.add_class("error-text")
            self.refresh_bindings()
            return
        if self.cancelled:
            # Letters the stopped sender held went back to the queue: cancel them too.
            with refusal_told(self), self.database.unit_of_work() as session:
                if stored_summary(session, self.batch_id).waiting:
                    cancel_batch(session, self.actor, self.batch_id)
        with self.database.reader() as session:
            self.summary = stored_summary(session, self.batch_id)
        summary = self.summary
        bar = self.query_one("#send-progress-bar", ProgressBar)
        bar.update(total=max(summary.total, 1), progress=summary.total - summary.waiting)
        title = _("Gönderim bitti.")
        if self.cancelled:
            title = _("Gönderim durduruldu.")
        problems = [message.error] if message.error else []
        if message.report is not None and message.report.transport_error:
            error = message.report.transport_error
            problems.append(_("Sunucu hatası: {error}").format(error=error))
        lines = summary_lines(summary, self._outbox())
        if problems:
            title = _("Gönderim tamamlanamadı.")
            lines[0:0] = [*problems, ""]
        self.query_one("#send-progress-title", Label).update(title)
        # The summary's first line is the final count: the running counts give way to it.
        self.query_one("#send-progress-counts", Label).display = False
        self.query_one("#send-summary", Static).update("\n".join(lines))
        self.refresh_bindings()

    def _outbox(self) -> str | None:
        if self.settings.mail_backend == "smtp":
            return None
        return str(self.settings.mail_outbox / "new")

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.running
        if action == "close":
            return not self.running
        if action == "errors":
            created = self.created
            if created is not None and (created.skipped or created.warnings):
                return True
            return self.summary is not None and self.summary.skipped > 0
        return True

    def action_errors(self) -> None:
        """The batch's error list (kept on the batch: tracking opens it too)."""
        from tui_mutabakat.screens.sending.send_errors import SendErrorsScreen

        if self.batch_id is None or self.created is None and self.summary is None:
            return
        options = self.request.options if self.request is not None else None
        self.app.push_screen(SendErrorsScreen(self.batch_id, options=options))

    def action_stop(self) -> None:
        self.action_leave()

    def action_close(self) -> None:
        self.action_leave()

    def action_leave(self) -> None:
        if not self.running:
            self.dismiss(None)
            return

        def answered(stop: bool | None) -> None:
            if stop and self.running:
                self.cancelled = True
                self.stop.set()
                if self.batch_id is not None:
                    with refusal_told(self), self.database.unit_of_work() as session:
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
