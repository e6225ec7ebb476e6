"""One sent letter in full (SPEC E2, E7): recipients with every delivery attempt, bounces
with their diagnostic, the answers with their balance and the difference to ours, reminders
and the whole status history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from tui_mutabakat.domain.formatting import currency_label, format_day, format_money
from tui_mutabakat.domain.history import delivered_to_file, server_answer_text
from tui_mutabakat.domain.states import (
    LetterState,
    answer_channel_label,
    answer_kind_label,
    letter_state_label,
    side_label,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.tracking.track_actions import LetterActions
from tui_mutabakat.screens.tracking.track_batches import MailboxTimer
from tui_mutabakat.screens.tracking.track_files import SAVE_FILE_ITEM, AnswerFiles
from tui_mutabakat.screens.tracking.track_letters import when
from tui_mutabakat.services.sending.error_list import address_warnings
from tui_mutabakat.services.tracking.letter_balances import figures_text
from tui_mutabakat.services.tracking.tracking import (
    LetterDetails,
    history_actor_label,
    history_change,
    letter_details,
    mark_seen,
    recipient_state_text,
)
from tui_mutabakat.widgets.footer import Footer


def details_text(details: LetterDetails, address_warnings: Sequence[str] = ()) -> str:
    """The whole page as Rich markup (every value from the database escaped);
    `address_warnings`: the invalid addresses left out of the letter, and why."""
    letter = details.letter
    e = escape
    lines = [
        f"[b]{e(letter.account_code)} {e(letter.account_title)}[/b]",
        f"{_('Gönderilen bakiye')}: {e(figures_text(details.balances))}",
        f"{_('Durum')}: [b]{letter_state_label(LetterState(letter.state))}[/b]"
        f" ({when(letter.state_at)})",
        f"{_('Konu')}: {e(letter.subject)}",
        "",
        f"[b]{_('Alıcılar ve gönderim denemeleri')}[/b]",
    ]
    for person in details.recipients:
        state = recipient_state_text(person.state, person.smtp_code, person.smtp_answer)
        lines.append(f"• {e(person.address)} — {state}, {when(person.last_attempt_at)}")
        if person.in_doubt:
            said = f": {e(person.smtp_answer)}" if person.smtp_answer else ""
            lines.append(f"    [b yellow]⚠ {_('Teslimi belirsiz')}[/]{said}")
            lines.append(
                "    "
                + _(
                    "Kendiliğinden tekrar gönderilmez; F9: yeniden gönder ya da teslim edilmiş say."
                )
            )
        elif person.smtp_answer or person.smtp_code:
            # The server's answer with its code; the file backend's names its file (the
            # state already says it was written to one).
            said = server_answer_text(person.smtp_code, person.smtp_answer)
            if delivered_to_file(person.smtp_code, person.smtp_answer):
                said = _("Dosya: {name}").format(name=person.smtp_answer)
            lines.append(f"    {e(said)}")
    for warning in address_warnings:
        lines.append(f"  [yellow]{_('Atlanan adres')}[/yellow]: {e(warning)}")
    for bounce in details.bounces:
        lines.append(
            f"  [red]{_('Geri döndü')}[/red]: {e(bounce.address)} {e(bounce.status)} "
            f"{when(bounce.received_at)} — {e(bounce.diagnostic)}"
        )
    lines += ["", f"[b]{_('Yanıtlar')}[/b]"]
    if not details.answers:
        lines.append(_("Henüz yanıt yok."))
    for answer in details.answers:
        text = f"• {answer_kind_label(answer.kind)} ({answer_channel_label(answer.channel)}, "
        who = answer.from_address or history_actor_label(answer.recorded_by)
        text += f"{when(answer.answered_at)}, {e(who)})"
        if answer.foreign_sender:
            text += f" [yellow]⚠ {_('gönderen mektubun alıcılarından biri değil')}[/yellow]"
        lines.append(text)
        ours = {f.currency: f.side for f in details.balances}
        given = details.answer_balances.get(answer.id, [])
        for theirs in given:
            side = theirs.their_side or ours.get(theirs.currency, "")
            lines.append(
                f"    {_('Onların bakiyesi')}: "
                f"{e(format_money(theirs.their_balance, theirs.currency))} "
                f"{side_label(side)} · {_('Fark')}: "
                f"{e(format_money(theirs.difference, theirs.currency))}"
            )
        # A balance given in only some of the letter's currencies: the others are named, so
        # a difference shown for one is not read as the whole answer.
        named = {theirs.currency for theirs in given}
        missing = [f.currency for f in details.balances if f.currency not in named]
        if given and missing:
            lines.append(
                "    [yellow]"
                + e(
                    _("{currencies} için bakiye bildirilmedi").format(
                        currencies=", ".join(currency_label(c) for c in missing)
                    )
                )
                + "[/yellow]"
            )
        if answer.note:
            lines.append(f"    {_('Not')}: {e(answer.note)}")
        lines += _web_lines(details, answer.id)
        if answer.excerpt:
            lines.append(f"    [i]{e(answer.excerpt[:500])}[/i]")
    if details.reminders:
        lines += ["", f"[b]{_('Hatırlatmalar')}[/b]"]
        lines += [
            f"• {format_day(r.day)} ({e(history_actor_label(r.created_by))})"
            for r in details.reminders
        ]
    lines += ["", f"[b]{_('Durum geçmişi')}[/b]"]
    for line in details.history:
        who = f"{e(line.address)}: " if line.address else ""
        code = f" [{line.smtp_code}]" if line.smtp_code else ""
        change, why = history_change(line)
        lines.append(
            f"{when(line.at)} {e(history_actor_label(line.actor))} — {who}{e(change)}{e(code)}"
            + (f" · {e(why)}" if why else "")
        )
    return "\n".join(lines)


def _web_lines(details: LetterDetails, answer_id: int) -> list[str]:
    """Who answered on the answer page, from where, the proof and the attached files."""
    answer = next(a for a in details.answers if a.id == answer_id)
    if answer.channel != "web":
        return []
    e = escape
    lines = [
        f"    {_('Yanıtlayan')}: {e(answer.responder)} <{e(answer.from_address)}>, "
        f"{e(answer.client_address)}",
        f"    {_('Tarayıcı')}: {e(answer.user_agent[:120])}",
        f"    SHA-256 {_('gönderilen')}: {e(answer.sent_sha256)}",
        f"    SHA-256 {_('gösterilen')}: {e(answer.shown_sha256)}",
    ]
    for item in details.attachments.get(answer_id, []):
        lines.append(f"    {_('Ek')}: {e(item.file_name)} ({item.size} B, {e(item.kind)})")
    return lines


class LetterDetailsScreen(LetterActions, AnswerFiles, MailboxTimer, Screen[None]):
    TITLE = _("Mektup ayrıntısı")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+a", "answer", _("Yanıt gir"), id="details_answer"),
        Binding("f4,ctrl+e", "resend", _("Yeniden gönder"), id="details_resend"),
        Binding("ctrl+t", "remind", _("Hatırlat"), id="details_remind"),
        Binding("f9,ctrl+o", "menu", _("İşlemler"), id="details_menu"),
        Binding("f5,ctrl+r", "refresh", _("Yenile"), id="details_refresh"),
        Binding("ctrl+u", "mailbox", _("Posta kutusunu oku"), id="details_mailbox"),
        Binding("escape", "app.pop_screen", _("Geri"), id="details_back"),
    ]

    def __init__(self, letter_id: int) -> None:
        super().__init__()
        self.letter_id = letter_id

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="details-scroll"):
            yield Static(id="letter-details")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#details-scroll").focus()

    def reload(self) -> None:
        with self.database.unit_of_work() as session:
            mark_seen(session, [self.letter_id])
            warnings = address_warnings(session, self.letter_id)
            text = details_text(letter_details(session, self.letter_id), warnings)
        self.query_one("#letter-details", Static).update(text)

    def target_letters(self) -> list[int]:
        return [self.letter_id]

    def current_letter(self) -> int | None:
        return self.letter_id

    def action_refresh(self) -> None:
        self.reload()

    def action_menu(self) -> None:
        items: list[MenuItem] = [
            ("resend_doubt", _("Teslimi belirsiz alıcılara yeniden gönder"), ""),
            ("mark_delivered", _("Teslimi belirsiz alıcıları teslim edilmiş say"), ""),
            ("answer", _("Yanıtı elle gir (telefon, kâğıt)"), "Ctrl+A"),
            ("resend", _("Aynı adreslere yeniden gönder"), "F4"),
            ("remind", _("Hatırlatma gönder"), "Ctrl+T"),
            SAVE_FILE_ITEM,
        ]
        self.app.push_screen(ActionMenu(_("İşlemler"), items), callback=self._chosen)

    def _chosen(self, action_id: str | None) -> None:
        actions: dict[str, Callable[[], None]] = {
            "resend_doubt": self.action_resend_doubt,
            "mark_delivered": self.action_mark_delivered,
            "answer": self.action_answer,
            "resend": self.action_resend,
            "remind": self.action_remind,
            "save_file": self.action_save_file,
        }
        if action_id in actions:
            actions[action_id]()
