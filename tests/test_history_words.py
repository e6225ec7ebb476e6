"""A letter's history is stored as codes and put into words when shown (issue 11.11): the same
history reads in Turkish under `tr` and in English under `en`; rows written before the codes
get one by migration 0008w where their text is recognised, and are shown as stored if not."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from tests.mail_samples import Original, plain_reply
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.config import Settings
from tui_mutabakat.data import migrate
from tui_mutabakat.data.outbox_models import Letter, LetterEvent, Recipient, RecipientEvent
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.history import event_text, reason, server_answer_text
from tui_mutabakat.i18n import set_language
from tui_mutabakat.mail.reply_text import AnswerKind
from tui_mutabakat.screens.tracking.track_details import details_text
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking.intake import process_message
from tui_mutabakat.services.tracking.reminders import send_reminders
from tui_mutabakat.services.tracking.tracking import (
    history_actor_label,
    letter_details,
    record_manual_answer,
)

AS_OF = date(2026, 11, 30)


@pytest.fixture
def english() -> Iterator[None]:
    """Switch to English for a part of a test (`set_language`), Turkish again after it."""
    yield
    set_language("tr")


async def _sent_letter(database: Database, actor: Actor, tmp_path: Path) -> int:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.001", "Çağlayan Şeker Ltd", emails=("m@alfa.com.tr",))
        add_movement(session, account, date(2026, 10, 1), debit="12000")
        session.flush()
        keys = [(account.id, "TRY")]
    created = write_batch(database, actor, AS_OF, keys, SendOptions())
    assert created.batch_id is not None
    url = database.engine.url.render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp_path, database_url=url, mail_backend="file")
    await send_batch(database, settings, created.batch_id)
    with database.reader() as session:
        letter_id = session.scalars(select(Letter.id)).one()
    return letter_id


def _history(database: Database, letter_id: int) -> str:
    with database.reader() as session:
        details = letter_details(session, letter_id)
        shown = [line.reason for line in details.history]
        shown += [server_answer_text(r.smtp_code, r.smtp_answer) for r in details.recipients]
    return "\n".join(shown)


async def test_the_same_history_reads_in_turkish_and_in_english(
    any_database: Database, any_actor: Actor, tmp_path: Path, english: None
) -> None:
    letter_id = await _sent_letter(any_database, any_actor, tmp_path)
    with any_database.unit_of_work() as session:
        record_manual_answer(
            session, any_actor, letter_id, AnswerKind.AGREED, note="Ayşe Hn. aradı", channel="phone"
        )
    with any_database.reader() as session:
        codes = set(session.scalars(select(LetterEvent.reason_code)))
        codes |= set(session.scalars(select(RecipientEvent.reason_code)))
    assert {"queued", "written", "manual_answer"} <= codes
    turkish = _history(any_database, letter_id)
    assert "Gönderim kuyruğuna alındı" in turkish
    assert "Telefon: mutabık — Ayşe Hn. aradı" in turkish
    assert "Dosyaya yazıldı: " in turkish
    set_language("en")
    english_text = _history(any_database, letter_id)
    assert "Queued for sending" in english_text
    assert "Phone: agreed — Ayşe Hn. aradı" in english_text  # the note stays as typed
    assert "Written to file: " in english_text
    for word in ("kuyruğuna", "Telefon", "mutabık", "Dosyaya"):
        assert word not in english_text, english_text
    # The stored words stay Turkish whatever the language of the one who wrote them.
    with any_database.reader() as session:
        stored = " ".join(session.scalars(select(LetterEvent.reason)))
    assert "Telefon: mutabık" in stored


def test_a_reason_whose_values_do_not_fit_is_shown_as_stored() -> None:
    assert event_text("resend", {}, "eski metin") == "eski metin"  # {addresses} missing
    assert event_text("no-such-code", {"a": 1}, "eski metin") == "eski metin"
    assert event_text("", None, "250 2.0.0 Ok") == "250 2.0.0 Ok"
    assert reason("manual_answer", channel="paper", kind="disagreed").turkish == (
        "Kâğıt: mutabık değil"
    )
    with pytest.raises(ValueError):
        reason("no-such-code")


def test_a_servers_repeated_code_is_said_once() -> None:
    assert server_answer_text(250, "250 250") == "SMTP: 250"
    assert server_answer_text(250, "250 2.0.0 Ok") == "SMTP: 250 2.0.0 Ok"
    assert (
        server_answer_text(None, "/x/outbox/new/a-1.eml")
        == "Dosyaya yazıldı: /x/outbox/new/a-1.eml"
    )
    assert server_answer_text(None, "a-1.eml") == "Dosya zaten yazılmış: a-1.eml"
    # The file backend before the codes: "250 250 <file>".
    assert server_answer_text(250, "250 250 /x/new/a-1.eml") == "Dosyaya yazıldı: /x/new/a-1.eml"
    assert server_answer_text(None, "bir yanıt.eml değil") == "bir yanıt.eml değil"


#: Old reasons as the application wrote them before the codes, and what each reads as now.
OLD_LETTER_REASONS = [
    ("Gönderim kuyruğuna alındı", "queued", "Queued for sending"),
    ("Telefon: mutabık — aradı", "manual_answer", "Phone: agreed — aradı"),
    (
        "E-posta yanıtı: mutabık değil (m@alfa.com.tr), bakiye 11.500,00 TL borç",
        "email_answer",
        "E-mail answer: not agreed (m@alfa.com.tr), balance 11.500,00 TL debit",
    ),
    (
        "portal: Ayşe <a@x.tr>, 10.0.0.1: agreed (önceki yanıtın yerine)",
        "portal_answer",
        "Answer page: Ayşe <a@x.tr>, 10.0.0.1: agreed (replaces the earlier answer)",
    ),
    ("Hatırlatma (120.001, mektup 7)", "reminder", "Reminder (120.001, letter 7)"),
    ("bir kullanıcının kendi sözleri", "", "bir kullanıcının kendi sözleri"),
]
OLD_RECIPIENT_REASONS = [
    ("250 250", 250, "delivered", "Delivered"),
    ("250 2.0.0 Ok: queued as 4F", 250, "delivered_answer", "Delivered; the server said"),
    ("Dosyaya yazıldı: /d/outbox/new/T-1.eml", None, "written", "Written to file: /d/outbox"),
]


async def test_old_free_text_reasons_get_their_codes(
    any_database: Database, any_actor: Actor, tmp_path: Path, english: None
) -> None:
    letter_id = await _sent_letter(any_database, any_actor, tmp_path)
    url = any_database.engine.url.render_as_string(hide_password=False)
    config = migrate.alembic_config(url)
    with any_database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0007y_title_key")
    with any_database.reader() as session:
        recipient_id = session.scalars(
            select(Recipient.id).where(Recipient.letter_id == letter_id)
        ).one()
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with any_database.engine.begin() as connection:
        for said, _code, _shown in OLD_LETTER_REASONS:
            connection.execute(
                text(
                    "INSERT INTO letter_event (letter_id, at, actor, from_state, to_state,"
                    " reason) VALUES (:l, :at, 'eski', 'sent', 'sent', :r)"
                ),
                {"l": letter_id, "at": at, "r": said},
            )
        for said, smtp_code, _code, _shown in OLD_RECIPIENT_REASONS:
            connection.execute(
                text(
                    "INSERT INTO recipient_event (recipient_id, at, actor, from_state, to_state,"
                    " smtp_code, reason) VALUES (:i, :at, 'eski', 'queued', 'accepted', :c, :r)"
                ),
                {"i": recipient_id, "at": at, "c": smtp_code, "r": said},
            )
    migrate.upgrade(any_database.engine)
    with any_database.reader() as session:
        old = session.scalars(
            select(LetterEvent).where(LetterEvent.actor == "eski").order_by(LetterEvent.id)
        ).all()
        assert [e.reason_code for e in old] == [c for _t, c, _s in OLD_LETTER_REASONS]
        assert [e.reason for e in old] == [t for t, _c, _s in OLD_LETTER_REASONS]  # kept
        old_people = session.scalars(
            select(RecipientEvent).where(RecipientEvent.actor == "eski").order_by(RecipientEvent.id)
        ).all()
        assert [e.reason_code for e in old_people] == [c for _t, _n, c, _s in OLD_RECIPIENT_REASONS]
    turkish = _history(any_database, letter_id)
    assert "Teslim edildi" in turkish and "250 250" not in turkish
    assert "E-posta yanıtı: mutabık değil (m@alfa.com.tr), bakiye 11.500,00 TL borç" in turkish
    set_language("en")
    english_text = _history(any_database, letter_id)
    for _text, _code, shown in OLD_LETTER_REASONS:
        assert shown in english_text, english_text
    for _text, _smtp, _code, shown in OLD_RECIPIENT_REASONS:
        assert shown in english_text, english_text


async def test_the_history_says_who_and_what_happened(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    """The page of a letter the file backend wrote, reminded of and answered by e-mail: the
    mailbox is named in Turkish, an event that kept the state (the reminder) or began one
    (queued) has no arrow, and no server is said to have accepted a file."""
    letter_id = await _sent_letter(any_database, any_actor, tmp_path)
    with any_database.unit_of_work() as session:
        assert send_reminders(session, any_actor, [letter_id], local_today()) == [letter_id]
        letter = session.get(Letter, letter_id)
        assert letter is not None
        original = Original(letter.subject, letter.message_id, letter.token, "s@x.tr", "m@x.tr")
        process_message(session, plain_reply(original, "Mutabıkız."))
    with any_database.reader() as session:
        details = letter_details(session, letter_id)
    text = details_text(details)
    history = text.split("Durum geçmişi", 1)[1]
    assert "mailbox" not in text and "Posta kutusu — Gönderildi → Mutabık" in history
    # What happened and why are two parts, not one run-on sentence.
    assert "Gönderildi → Mutabık · " in history, history
    assert "Sunucu kabul etti" not in text
    assert "m@alfa.com.tr — Dosyaya yazıldı, " in text
    assert "m@alfa.com.tr: Kuyrukta → Dosyaya yazıldı: " in history
    assert "— →" not in history
    assert f"{any_actor.login} — Gönderim kuyruğuna alındı" in history
    assert "Kuyrukta Gönderim" not in history
    assert f"{any_actor.login} — Hatırlatma kuyruğa alındı (m@alfa.com.tr)" in history
    for label in ("Gönderildi", "Kuyrukta", "Mutabık"):
        assert f"{label} → {label}" not in history, history
    assert history_actor_label("worker@host:12") == "Gönderici (host:12)"
    assert history_actor_label("ayse") == "ayse"
