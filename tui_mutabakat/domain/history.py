"""Why a letter or a recipient changed state, as a code and its values (issue 11.11).

A history event (`LetterEvent`, `RecipientEvent`) keeps its reason as a code from `TEXTS`
and the values the text needs (`reason_code`, `reason_args`), and is put into words when it
is shown, in the interface's language: the same history reads in Turkish under `--lang tr`
and in English under `--lang en`. The `reason` column keeps the Turkish words as well (the
database's own record, and what an event without a code shows: rows written before the codes
whose text migration 0008w could not recognise, a server's own words, a user's note).

Values that are themselves words (`kind`, `channel`, `side`) are stored as their codes and
translated with the text; addresses, file names, a server's answer and notes are shown as
they came.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath
from typing import Any

from tui_mutabakat.domain.formatting import format_money
from tui_mutabakat.i18n import N_, gettext

Translate = Callable[[str], str]

#: Code → the Turkish text (a `str.format` pattern of the event's values).
TEXTS: dict[str, str] = {
    "queued": N_("Gönderim kuyruğuna alındı"),
    "resumed": N_("Gönderen süreç yarıda kaldı; kaldığı yerden sürdürülüyor."),
    "recovered_delivered": N_(
        "Yarıda kalan gönderim kurtarıldı: teslim edilmiş sayıldı, tekrar gönderilmeyecek."
    ),
    "stopped_waiting": N_("Gönderim durduruldu; mektup kuyrukta bekliyor."),
    "send_cancelled": N_("Gönderim iptal edildi."),
    "user_cancelled": N_("Kullanıcı gönderimi iptal etti."),
    "resend_in_doubt": N_("Teslimi belirsiz alıcılara yeniden gönderim: {addresses}"),
    "marked_delivered": N_("Kullanıcı teslim edilmiş saydı: {addresses}"),
    "resend": N_("Yeniden gönderim: {addresses}"),
    "reminder_queued": N_("Hatırlatma kuyruğa alındı ({addresses})"),
    "reminder": N_("Hatırlatma ({account}, mektup {letter})"),
    "answer_overdue": N_("Yanıt tarihi geçti"),
    "manual_answer": N_("{channel}: {kind}"),
    "decided": N_("Karar: {kind}"),
    "email_answer": N_("E-posta yanıtı: {kind} ({sender})"),
    "email_answer_foreign": N_("E-posta yanıtı: {kind} ({sender}, alıcılardan değil)"),
    "portal_answer": N_("Yanıt sayfası: {name} <{email}>, {address}: {kind}"),
    "bounced": N_("Geri döndü: {detail}"),
    "delayed": N_("Gecikme bildirimi (hâlâ deneniyor): {detail}"),
    "delivered": N_("Teslim edildi"),
    "delivered_answer": N_("Teslim edildi; sunucunun yanıtı: {answer}"),
    "written": N_("Dosyaya yazıldı: {path}"),
    "already_written": N_("Dosya zaten yazılmış: {name}"),
    "gave_up": N_("{answer} ({count} denemeden sonra vazgeçildi)"),
}

#: Values that are words, by their stored codes.
_KINDS = {
    "agreed": N_("mutabık"),
    "disagreed": N_("mutabık değil"),
    "unclear": N_("belirsiz"),
}
_CHANNELS = {"phone": N_("Telefon"), "paper": N_("Kâğıt")}
_SIDES = {"B": N_("borç"), "A": N_("alacak")}
_NOTE = N_("{text} — {note}")
_REPLACED = N_("{text} (önceki yanıtın yerine)")
_BALANCE = N_("{text}, bakiye {amount}")


def _same(text: str) -> str:
    return text


@dataclass(frozen=True, slots=True)
class HistoryReason:
    """A history event's reason: `code` from `TEXTS`, `args` its values (JSON-able).
    Optional values every code takes: `note` (a user's words), `replaced` (an answer that
    replaces an earlier one), `balances` ([amount, currency, side] each)."""

    code: str
    args: dict[str, Any] = field(default_factory=dict)

    def text(self, translate: Translate = gettext) -> str:
        """In the interface's language (or, with `translate=lambda t: t`, in Turkish)."""
        return event_text(self.code, self.args, "", translate)

    @property
    def turkish(self) -> str:
        """In Turkish words: the `reason` column, and the audit log's detail."""
        return self.text(_same)

    def columns(self) -> dict[str, Any]:
        """The event's `reason`, `reason_code` and `reason_args` values."""
        return {
            "reason": self.turkish,
            "reason_code": self.code,
            "reason_args": self.args or None,
        }


def reason(code: str, **args: Any) -> HistoryReason:
    """`reason("resend", addresses="a@x.tr")`; values of None or "" are left out."""
    if code not in TEXTS:
        raise ValueError(f"unknown history code {code!r}")
    return HistoryReason(code, {k: v for k, v in args.items() if v not in (None, "")})


def reason_columns(why: str | HistoryReason) -> dict[str, Any]:
    """The three reason columns of an event, for a coded reason or plain text (a server's
    answer, a user's words)."""
    if isinstance(why, HistoryReason):
        return why.columns()
    return {"reason": why, "reason_code": "", "reason_args": None}


def event_text(
    code: str | None,
    args: Mapping[str, Any] | None,
    stored: str,
    translate: Translate = gettext,
) -> str:
    """An event's reason in words: from its code when it has a known one, else as stored."""
    pattern = TEXTS.get(code or "")
    if pattern is None:
        return stored
    values = dict(args or {})
    try:
        words = {key: str(value) for key, value in values.items()}
        if "kind" in values:
            words["kind"] = translate(_KINDS.get(str(values["kind"]), str(values["kind"])))
        if "channel" in values:
            channel = str(values["channel"])
            words["channel"] = translate(_CHANNELS.get(channel, channel))
        text = translate(pattern).format(**words)
        for amount, currency, side in values.get("balances") or ():
            figure = format_money(Decimal(str(amount)), str(currency))
            if side in _SIDES:
                figure += " " + translate(_SIDES[side])
            text = translate(_BALANCE).format(text=text, amount=figure)
        if values.get("replaced"):
            text = translate(_REPLACED).format(text=text)
        if values.get("note"):
            text = translate(_NOTE).format(text=text, note=values["note"])
    except (KeyError, IndexError, ValueError, TypeError, InvalidOperation):
        return stored  # values that do not fit the text (hostile or damaged): as stored
    return text


def server_answer_text(code: int | None, answer: str, translate: Translate = gettext) -> str:
    """A recipient's last answer from the mail server in words: "SMTP: 250 2.0.0 Ok", the
    file the file backend wrote, or as stored. An answer written before the codes repeated
    the code ("250 250 …"): the repetition is dropped."""
    if code is not None:
        head = f"{code} "
        while answer.startswith(head):
            answer = answer[len(head) :]
        if answer.strip() in ("", str(code)):
            return f"SMTP: {code}"
        if code == 250 and _file_name(answer):  # the file backend, before the codes
            return translate(TEXTS["written"]).format(path=answer)
        return f"SMTP: {code} {answer}"
    if _file_name(answer):
        if PurePosixPath(answer).is_absolute():
            return translate(TEXTS["written"]).format(path=answer)
        return translate(TEXTS["already_written"]).format(name=answer)
    return answer


#: The codes of a delivery by the file backend (a file written, no server).
FILE_DELIVERY = ("written", "already_written")


def delivered_to_file(code: int | None, answer: str) -> bool:
    """Whether a recipient's stored answer is the file backend's (its message's file)."""
    return _file_name(answer) and (code is None or code == 250)


def _file_name(answer: str) -> bool:
    """The file backend's answer: the message's file (`….eml`), nothing else."""
    if not answer.endswith(".eml") or "\n" in answer:
        return False
    return PurePosixPath(answer).is_absolute() or " " not in answer
