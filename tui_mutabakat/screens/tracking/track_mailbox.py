"""What the tracking screens say about the mailbox (SPEC E4): where answers are read from,
what a pass read, and a notification when answers or bounces came in. The pass itself is
`services.tracking.mailbox_pass`."""

from __future__ import annotations

from collections.abc import Callable

from tui_mutabakat.config import Settings
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.tracking.intake import IntakeOutcome
from tui_mutabakat.services.tracking.mailbox import IntakeRun
from tui_mutabakat.services.tracking.mailbox_pass import demo_inbox


def failure_text(error: str) -> str:
    return _("Posta kutusu okunamadı: {error}").format(error=error)


def news_text(run: IntakeRun) -> str:
    answers = run.outcomes[IntakeOutcome.ANSWER]
    bounces = run.outcomes[IntakeOutcome.BOUNCE]
    return _("Posta kutusu: {answers}, {bounces} geldi.").format(
        answers=ngettext("{count} yanıt", "{count} yanıt", answers).format(count=answers),
        bounces=ngettext("{count} geri dönen mektup", "{count} geri dönen mektup", bounces).format(
            count=bounces
        ),
    )


def read_text(run: IntakeRun | None) -> str:
    """What a pass the user asked for (Ctrl+U) read: "2 yeni yanıt · 1 geri dönen ileti",
    "Yeni ileti yok", and the number unreadable if any."""
    if run is None:
        return _("Posta kutusu okunmadı: başka bir okuma sürüyor ya da posta kutusu tanımlı değil.")
    parts = []
    if run.outcomes[IntakeOutcome.ANSWER]:
        answers = run.outcomes[IntakeOutcome.ANSWER]
        parts.append(
            ngettext("{count} yeni yanıt", "{count} yeni yanıt", answers).format(count=answers)
        )
    if run.outcomes[IntakeOutcome.BOUNCE]:
        parts.append(_("{count} geri dönen ileti").format(count=run.outcomes[IntakeOutcome.BOUNCE]))
    unmatched = run.outcomes[IntakeOutcome.UNMATCHED]
    if unmatched:
        parts.append(
            ngettext(
                "{count} ileti hiçbir mektupla eşleşmedi (gönderimler ekranında F8)",
                "{count} ileti hiçbir mektupla eşleşmedi (gönderimler ekranında F8)",
                unmatched,
            ).format(count=unmatched)
        )
    if not parts:
        parts.append(_("Yeni ileti yok"))
    if run.unreadable:
        parts.append(
            ngettext(
                "{count} ileti okunamadı (gönderimler ekranında F8)",
                "{count} ileti okunamadı (gönderimler ekranında F8)",
                len(run.unreadable),
            ).format(count=len(run.unreadable))
        )
    return " · ".join(parts)


def place_text(settings: Settings, imap_host: str) -> str:
    """The mailbox the tracking screens read, for one dim line: the demo inbox folder with the
    file backend, the user's IMAP host otherwise."""
    if settings.mail_backend == "file":
        return _("Yanıtlar okunur: {place}").format(place=demo_inbox(settings))
    if imap_host:
        return _("Yanıtlar okunur: IMAP {place}").format(place=imap_host)
    return _("Yanıtları okumak için IMAP sunucunuzu girin (Kullanıcılar).")


def tell(notify: Callable[..., None], run: IntakeRun | None) -> bool:
    """Notify the user of news and of messages that could not be read; True when
    something changed."""
    if run is not None and run.unreadable:
        notify(
            ngettext(
                "{count} ileti okunamadı; listesi gönderimler ekranında F8.",
                "{count} ileti okunamadı; listesi gönderimler ekranında F8.",
                len(run.unreadable),
            ).format(count=len(run.unreadable)),
            title=_("Posta kutusu"),
            severity="warning",
        )
    if run is None or not run.letters:
        return False
    if run.news:
        notify(news_text(run), title=_("Yeni yanıtlar"))
    return True
