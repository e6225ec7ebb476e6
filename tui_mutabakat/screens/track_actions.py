"""What a user does to sent letters (SPEC E3): answers typed in, decisions on unclear
replies, resending (same or corrected addresses), reminders and cancelling. Queued resends
and reminders are sent at once on a thread, the way the send screens do."""

from __future__ import annotations

import asyncio
import datetime as dt
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session
from textual import work

from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.tracking_models import LetterReminder
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.confirm import ConfirmDialog
from tui_mutabakat.screens.track_answer import AnswerDialog, TypedAnswer
from tui_mutabakat.services.batch_status import cancel_letters
from tui_mutabakat.services.doubt import mark_delivered, resend_in_doubt
from tui_mutabakat.services.errors import ServiceError
from tui_mutabakat.services.letter_balances import figures_of, figures_text
from tui_mutabakat.services.reminders import send_reminders
from tui_mutabakat.services.resend import resend_letters
from tui_mutabakat.services.tracking import (
    decide_unclear,
    latest_answer,
    mark_seen,
    record_manual_answer,
)
from tui_mutabakat.services.worker import send_batch


def letters_named(session: Session, ids: list[int]) -> str:
    """Which letters an action acts on: one → its account code and title ("120.001 Firma 1");
    several → their count and the first three codes ("5 mektup: 120.001, 120.002, 120.003…")."""
    rows = session.execute(
        select(Letter.account_code, Letter.account_title)
        .where(Letter.id.in_(sorted(ids)[:3]))
        .order_by(Letter.id)
    ).all()
    if len(ids) == 1 and rows:
        code, title = rows[0]
        return f"{code} {title}"
    codes = ", ".join(code for code, _title in rows)
    more = "…" if len(ids) > 3 else ""
    return _("{count} mektup: {codes}").format(count=len(ids), codes=codes + more)


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
            states = {
                letter.id: letter.state
                for letter in session.scalars(select(Letter).where(Letter.id.in_(ids)))
            }
            unclear = len(ids) == 1 and states.get(ids[0]) is LetterState.UNCLEAR
            answer = latest_answer(session, ids[0]) if unclear else None
            message = (answer.excerpt or answer.note) if answer is not None else None
            currencies: tuple[str, ...] = ()
            letter = session.get(Letter, ids[0]) if len(ids) == 1 else None
            if letter is not None:
                figures = figures_of(session, letter)
                currencies = tuple(f.currency for f in figures)
                subject = _("{letter} — bizim bakiyemiz: {figures}").format(
                    letter=f"{letter.account_code} {letter.account_title}",
                    figures=figures_text(figures),
                )
            else:
                subject = letters_named(session, ids)
        if unclear:
            title = _("Belirsiz yanıt: kararınız")
            dialog = AnswerDialog(title, message or "", currencies, subject=subject)
        else:
            title = _("Yanıtı elle gir ({count} mektup)").format(count=len(ids))
            dialog = AnswerDialog(title, None, currencies, subject=subject)
        self.app.push_screen(dialog, callback=partial(self._answered, ids, unclear))  # type: ignore[attr-defined]

    def _answered(self, ids: list[int], unclear: bool, typed: TypedAnswer | None) -> None:
        if typed is None:
            return
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
            self.notify(str(exc), severity="error")  # type: ignore[attr-defined]
            return
        self.notify(_("Yanıt kaydedildi."))  # type: ignore[attr-defined]
        self.reload()

    # -- resend ----------------------------------------------------------------------------
    def action_resend(self) -> None:
        self._resend(corrected=False)

    def action_resend_card(self) -> None:
        from tui_mutabakat.screens.account_card import AccountCardScreen

        letter_id = self.current_letter()
        if letter_id is None:
            return
        with self.database.reader() as session:
            letter = session.get(Letter, letter_id)
            account_id = letter.account_id if letter else None
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

    def _resend(self, *, corrected: bool, ids: list[int] | None = None) -> None:
        ids = ids if ids is not None else self.target_letters()
        if not ids:
            return
        with self.database.unit_of_work() as session:
            result = resend_letters(session, self.actor, ids, corrected=corrected)
            batches = set(
                session.scalars(select(Letter.batch_id).where(Letter.id.in_(result.queued)))
            )
        for _letter_id, why in result.skipped[:3]:
            self.notify(why, severity="warning")  # type: ignore[attr-defined]
        if result.queued:
            self.notify(  # type: ignore[attr-defined]
                _("{count} mektup yeniden gönderiliyor.").format(count=len(result.queued))
            )
            self.send_queued(sorted(batches))
        self.reload()

    # -- in-doubt recipients: the user decides ----------------------------------------------
    def action_resend_doubt(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        question = _(
            "Teslimi belirsiz alıcılara ({count} mektup) yeniden gönderilsin mi? Önceki ileti "
            "ulaşmışsa ikinci kez alırlar."
        ).format(count=len(ids))
        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmDialog(question),
            callback=lambda yes: self._resend_doubt(ids) if yes else None,
        )

    def _resend_doubt(self, ids: list[int]) -> None:
        with self.database.unit_of_work() as session:
            result = resend_in_doubt(session, self.actor, ids)
            batches = set(
                session.scalars(select(Letter.batch_id).where(Letter.id.in_(result.letters)))
            )
        for _letter_id, why in result.skipped[:3]:
            self.notify(why, severity="warning")  # type: ignore[attr-defined]
        if result.letters:
            self.notify(  # type: ignore[attr-defined]
                _("{count} alıcıya yeniden gönderiliyor.").format(count=result.recipients)
            )
            self.send_queued(sorted(batches))
        self.reload()

    def action_mark_delivered(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        question = _(
            "Teslimi belirsiz alıcılar ({count} mektup) teslim edilmiş sayılsın mı?"
        ).format(count=len(ids))
        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmDialog(question),
            callback=lambda yes: self._mark_delivered(ids) if yes else None,
        )

    def _mark_delivered(self, ids: list[int]) -> None:
        with self.database.unit_of_work() as session:
            result = mark_delivered(session, self.actor, ids)
        for _letter_id, why in result.skipped[:3]:
            self.notify(why, severity="warning")  # type: ignore[attr-defined]
        if result.letters:
            self.notify(  # type: ignore[attr-defined]
                _("{count} alıcı teslim edilmiş sayıldı.").format(count=result.recipients)
            )
        self.reload()

    # -- reminders -------------------------------------------------------------------------
    def action_remind(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        with self.database.unit_of_work() as session:
            today = dt.datetime.now().astimezone().date()
            queued = send_reminders(session, self.actor, ids, today)
            # The reminders are new letters in a reminder batch of their own.
            batches = set(
                session.scalars(
                    select(Letter.batch_id)
                    .join(LetterReminder, LetterReminder.outbox_letter_id == Letter.id)
                    .where(LetterReminder.letter_id.in_(queued), LetterReminder.day == today)
                )
            )
        if not queued:
            self.notify(  # type: ignore[attr-defined]
                _("Hatırlatma gönderilecek mektup yok (yanıtlanmış ya da bugün gitmiş)."),
                severity="warning",
            )
            return
        self.notify(_("{count} hatırlatma gönderiliyor.").format(count=len(queued)))  # type: ignore[attr-defined]
        self.send_queued(sorted(batches))

    # -- cancel ----------------------------------------------------------------------------
    def action_cancel_letters(self) -> None:
        ids = self.target_letters()
        if not ids:
            return
        with self.database.reader() as session:
            named = letters_named(session, ids)
        question = _("{letters} iptal edilsin mi? Geri alınamaz.").format(letters=named)
        self.app.push_screen(  # type: ignore[attr-defined]
            ConfirmDialog(question, danger=True),
            callback=lambda yes: self._cancel(ids) if yes else None,
        )

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
