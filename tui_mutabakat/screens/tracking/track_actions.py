"""What a user does to sent letters (SPEC E3): answers typed in, decisions on unclear
replies, resending (same or corrected addresses), reminders and cancelling. Queued resends
and reminders are sent at once on a thread, the way the send screens do."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial

from textual import work

from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.accounts.account_rows import literal
from tui_mutabakat.screens.base import AppAccess, tells_refusal
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.tracking.track_answer import AnswerDialog, TypedAnswer
from tui_mutabakat.services.sending.batch_status import cancel_letters
from tui_mutabakat.services.sending.doubt import mark_delivered, resend_in_doubt
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking.letter_actions import (
    answer_context,
    batches_of,
    letter_account_id,
    letters_named,
    not_cancellable,
    reminder_batches,
)
from tui_mutabakat.services.tracking.reminders import send_reminders
from tui_mutabakat.services.tracking.resend import resend_letters
from tui_mutabakat.services.tracking.tracking import (
    decide_unclear,
    mark_seen,
    record_manual_answer,
)


class LetterActions(AppAccess):
    """Mixed into the letter list and the details screen: they give `target_letters()`,
    `current_letter()` and `reload()`."""

    def target_letters(self) -> list[int]:
        raise NotImplementedError

    def current_letter(self) -> int | None:
        raise NotImplementedError

    def reload(self) -> None:
        raise NotImplementedError

    # -- answers ---------------------------------------------------------------------------
    def action_answer(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        with self.database.reader() as session:
            context = answer_context(session, ids)
        unclear = context.unclear
        save = partial(self._save_answer, ids, unclear)
        if unclear:
            title = _("Belirsiz yanıt: kararınız")
            message: str | None = context.message or ""
        else:
            title = ngettext(
                "Yanıtı elle gir ({count} mektup)", "Yanıtı elle gir ({count} mektup)", len(ids)
            ).format(count=len(ids))
            message = None
        dialog = AnswerDialog(
            title,
            message,
            context.currencies,
            subject=context.subject,
            answered=context.answered,
            several=context.codes,
            save=save,
            chosen=context.chosen,
        )
        self.app.push_screen(dialog, callback=self._answered)  # type: ignore[attr-defined]

    def _save_answer(self, ids: list[int], unclear: bool, typed: TypedAnswer) -> str | None:
        """Records the answer for every letter, all or none; a refusal is returned (naming
        the letter it is about when there are several) for the dialog to show."""
        letter_id = ids[0]
        try:
            with self.database.unit_of_work() as session:
                for letter_id in ids:
                    if unclear:
                        decide_unclear(
                            session,
                            self.actor,
                            letter_id,
                            typed.kind,
                            typed.balance,
                            typed.note,
                            typed.side,
                            typed.balances,
                        )
                    else:
                        record_manual_answer(
                            session,
                            self.actor,
                            letter_id,
                            typed.kind,
                            typed.balance,
                            typed.note,
                            typed.channel,
                            typed.side,
                            typed.balances,
                        )
                mark_seen(session, ids)
        except ServiceError as exc:
            if len(ids) == 1:
                return str(exc)
            with self.database.reader() as session:
                named = letters_named(session, [letter_id])
            return f"{named}: {exc}"
        return None

    def _answered(self, typed: TypedAnswer | None) -> None:
        if typed is None:
            return
        self.notify(_("Yanıt kaydedildi."))  # type: ignore[attr-defined]
        self.reload()

    # -- resend ----------------------------------------------------------------------------
    def action_resend(self) -> None:
        self._resend(corrected=False)

    def action_resend_card(self) -> None:
        from tui_mutabakat.screens.accounts.account_card import AccountCardScreen

        letter_id = self.current_letter()
        if letter_id is None:
            return
        with self.database.reader() as session:
            account_id = letter_account_id(session, letter_id)
        if account_id is None:
            self.notify(_("Bu mektubun cari hesabı artık yok."), severity="warning")  # type: ignore[attr-defined]
            return
        self.app.push_screen(  # type: ignore[attr-defined]
            AccountCardScreen(account_id), callback=lambda _saved: self._ask_corrected(letter_id)
        )

    def _ask_corrected(self, letter_id: int) -> None:
        question = _("Mektup cari karttaki güncel adreslere yeniden gönderilsin mi?")
        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmDialog(question),
            callback=lambda yes: self._resend(corrected=True, ids=[letter_id]) if yes else None,
        )

    @tells_refusal
    def _resend(self, *, corrected: bool, ids: list[int] | None = None) -> None:
        ids = ids if ids is not None else self.target_letters()
        if not ids:
            return
        with self.database.unit_of_work() as session:
            result = resend_letters(session, self.actor, ids, corrected=corrected)
            batches = batches_of(session, result.queued)
        said = ngettext(
            "{count} mektup yeniden gönderiliyor.",
            "{count} mektup yeniden gönderiliyor.",
            len(result.queued),
        ).format(count=len(result.queued))
        self._after_queueing(result.skipped, said if result.queued else "", batches)

    # -- in-doubt recipients: the user decides ----------------------------------------------
    def action_resend_doubt(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        question = ngettext(
            "Teslimi belirsiz alıcılara ({count} mektup) yeniden gönderilsin mi? Önceki ileti "
            "ulaşmışsa ikinci kez alırlar.",
            "Teslimi belirsiz alıcılara ({count} mektup) yeniden gönderilsin mi? Önceki ileti "
            "ulaşmışsa ikinci kez alırlar.",
            len(ids),
        ).format(count=len(ids))
        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmDialog(question),
            callback=lambda yes: self._resend_doubt(ids) if yes else None,
        )

    @tells_refusal
    def _resend_doubt(self, ids: list[int]) -> None:
        with self.database.unit_of_work() as session:
            result = resend_in_doubt(session, self.actor, ids)
            batches = batches_of(session, result.letters)
        said = ngettext(
            "{count} alıcıya yeniden gönderiliyor.",
            "{count} alıcıya yeniden gönderiliyor.",
            result.recipients,
        ).format(count=result.recipients)
        self._after_queueing(result.skipped, said if result.letters else "", batches)

    def _after_queueing(
        self, skipped: Sequence[tuple[int, str]], said: str, batches: list[int]
    ) -> None:
        """The first reasons a letter was left out, what is going (`said`, empty when
        nothing), then its sending at once, and the list again."""
        for _letter_id, why in skipped[:3]:
            self.notify(why, severity="warning")  # type: ignore[attr-defined]
        if said:
            self.notify(said)  # type: ignore[attr-defined]
            self.send_queued(batches)
        self.reload()

    def action_mark_delivered(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        question = ngettext(
            "Teslimi belirsiz alıcılar ({count} mektup) teslim edilmiş sayılsın mı?",
            "Teslimi belirsiz alıcılar ({count} mektup) teslim edilmiş sayılsın mı?",
            len(ids),
        ).format(count=len(ids))
        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmDialog(question),
            callback=lambda yes: self._mark_delivered(ids) if yes else None,
        )

    @tells_refusal
    def _mark_delivered(self, ids: list[int]) -> None:
        with self.database.unit_of_work() as session:
            result = mark_delivered(session, self.actor, ids)
        for _letter_id, why in result.skipped[:3]:
            self.notify(why, severity="warning")  # type: ignore[attr-defined]
        if result.letters:
            self.notify(  # type: ignore[attr-defined]
                ngettext(
                    "{count} alıcı teslim edilmiş sayıldı.",
                    "{count} alıcı teslim edilmiş sayıldı.",
                    result.recipients,
                ).format(count=result.recipients)
            )
        self.reload()

    # -- reminders -------------------------------------------------------------------------
    @tells_refusal
    def action_remind(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        with self.database.unit_of_work() as session:
            today = local_today()
            queued = send_reminders(session, self.actor, ids, today)
            batches = reminder_batches(session, queued, today)
            named = letters_named(session, queued) if queued else ""
        if not queued:
            self.notify(  # type: ignore[attr-defined]
                _("Hatırlatma gönderilecek mektup yok (yanıtlanmış ya da bugün gitmiş)."),
                severity="warning",
            )
            return
        # Named: the account when one, the count and the first codes when several.
        self.notify(_("Hatırlatma gönderiliyor: {letters}.").format(letters=literal(named)))  # type: ignore[attr-defined]
        self.send_queued(batches)

    # -- cancel ----------------------------------------------------------------------------
    def action_cancel_letters(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        with self.database.reader() as session:
            refused = not_cancellable(session, ids)
            left = [i for i in ids if i not in {letter_id for letter_id, _why in refused}]
            named = letters_named(session, left) if left else ""
        # Refused first, by name, before any question: only the cancellable ones are asked.
        for _letter_id, why in refused[:3]:
            self.notify(why, severity="warning")  # type: ignore[attr-defined]
        if len(refused) > 3:
            more = len(refused) - 3
            self.notify(  # type: ignore[attr-defined]
                ngettext(
                    "{count} mektup daha iptal edilemez.",
                    "{count} mektup daha iptal edilemez.",
                    more,
                ).format(count=more),
                severity="warning",
            )
        if not left:
            return
        question = _("{letters} iptal edilsin mi? Geri alınamaz.").format(letters=named)
        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmDialog(question, danger=True),
            callback=lambda yes: self._cancel(left) if yes else None,
        )

    @tells_refusal
    def _cancel(self, ids: list[int]) -> None:
        why = _("Kullanıcı mektubu iptal etti.")
        with self.database.unit_of_work() as session:
            done = cancel_letters(session, self.actor, ids, why)
        text = ngettext("{count} mektup iptal edildi.", "{count} mektup iptal edildi.", done)
        self.notify(text.format(count=done))  # type: ignore[attr-defined]
        self.reload()

    # -- sending ---------------------------------------------------------------------------
    @work(thread=True, group="track_send", exit_on_error=False)
    def send_queued(self, batch_ids: list[int]) -> None:
        """Deliver the queued resends or reminders now; the worker takes what is left."""
        sent = failed = 0
        error = ""
        for batch_id in batch_ids:
            try:
                report = asyncio.run(
                    send_batch(self.database, self.settings, batch_id, actor=self.actor.login)
                )
            except Exception as exc:  # noqa: BLE001 - shown to the user, the letters stay queued
                error = str(exc) or type(exc).__name__
                continue
            sent += report.progress.sent
            failed += report.progress.failed
            error = error or report.transport_error or ""
        self.app.call_from_thread(self._sent, sent, failed, error)  # type: ignore[attr-defined]

    def _sent(self, sent: int, failed: int, error: str) -> None:
        if error:
            self.notify(error, severity="error")  # type: ignore[attr-defined]
        self.notify(  # type: ignore[attr-defined]
            _("Gönderildi: {sent}, gönderilemedi: {failed}.").format(sent=sent, failed=failed)
        )
        self.reload()
