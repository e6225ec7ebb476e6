"""Letters delivered to a real SMTP server (aiosmtpd on loopback), read back as received."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import RecordingHandler, free_port, running_server
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import (
    Letter,
    LetterEvent,
    Recipient,
    RecipientEvent,
    ReconciliationBatch,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.mail.delivery import dot_stuff
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.batch_status import cancel_batch, stored_summary
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.outbox import RetryPolicy
from tui_mutabakat.services.sending.sender_types import DeliveryOptions
from tui_mutabakat.services.sending.worker import send_batch

AS_OF = date(2026, 12, 31)


def _setup(database: Database, actor: Actor, port: int) -> dict[str, int]:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login, host="127.0.0.1", port=port)
        alfa = add_account(
            session, "120.001", "Alfa Ltd", emails=("ali@alfa.com.tr", "veli@alfa.com.tr")
        )
        gama = add_account(session, "320.001", "Gama Tic", department_email="muhasebe@gama.com.tr")
        bos = add_account(session, "120.002", "Adressiz AŞ")
        sifir = add_account(session, "120.003", "Sıfır Bakiye", emails=("s@sifir.com",))
        add_movement(session, alfa, date(2026, 3, 1), debit="1234.56", doc_no="F-1")
        add_movement(session, gama, date(2026, 4, 1), credit="98765.40", doc_no="B-7")
        add_movement(session, bos, date(2026, 4, 1), debit="10")
        add_movement(session, sifir, date(2026, 4, 1), debit="10")
        add_movement(session, sifir, date(2026, 4, 2), credit="10")
        return {"alfa": alfa.id, "gama": gama.id, "bos": bos.id, "sifir": sifir.id}


def _smtp(settings: Settings) -> Settings:
    return replace(settings, mail_backend="smtp")


def _create(database: Database, actor: Actor, ids: dict[str, int], **options: object) -> int:
    keys = [(ids[name], "TRY") for name in ("alfa", "gama", "bos", "sifir")]
    created = write_batch(database, actor, AS_OF, keys, SendOptions(**options))  # type: ignore[arg-type]
    assert created.batch_id is not None
    return created.batch_id


def _text(message: EmailMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content())


async def test_letters_arrive_once_with_balance_token_and_both_parts(
    database: Database, actor: Actor, settings: Settings
) -> None:
    with running_server() as (server, port):
        ids = _setup(database, actor, port)
        batch_id = _create(database, actor, ids, attach_statement=True, open_items=True)
        report = await send_batch(database, _smtp(settings), batch_id)
    assert report.transport_error is None
    assert report.progress.sent == 2
    assert sorted(r.rcpt_tos for r in server.received) == [
        ("ali@alfa.com.tr", "veli@alfa.com.tr"),
        ("muhasebe@gama.com.tr",),
    ]
    with database.reader() as session:
        letters = {x.account_code: x for x in session.scalars(select(Letter))}
        skipped = json.loads(session.get(ReconciliationBatch, batch_id).skipped)
    assert set(letters) == {"120.001", "320.001"}
    by_id = {r.message_id: r.message for r in server.received}
    alfa = by_id[letters["120.001"].message_id]
    token = letters["120.001"].token
    assert token in alfa["Subject"] and alfa["X-Mutabakat-Token"] == token
    assert alfa["From"] == "Örnek Muhasebe <mutabakat@ornek.com.tr>"
    text, html = _text(alfa, "plain"), _text(alfa, "html")
    assert "31.12.2026 tarihi itibarıyla" in text
    assert "1.234,56 TL borç bakiyesi vermektedir" in text
    assert "Hata ve unutma müstesnadır" in text and "MUTABIKIZ" in text and token in text
    assert "<strong>1.234,56 TL borç</strong>" in html
    attachments = list(alfa.iter_attachments())
    assert [a.get_filename() for a in attachments] == ["ekstre_120.001_TRY.csv"]
    assert "F-1" in attachments[0].get_content()
    gama = _text(by_id[letters["320.001"].message_id], "plain")
    assert "98.765,40 TL alacak bakiyesi vermektedir" in gama
    assert {s["code"]: s["reason"] for s in skipped} == {
        "120.002": "Mutabakat alacak yetkili yok.",
        "120.003": "Bakiye sıfır (sıfır bakiyeler hariç tutuldu).",
    }
    with database.reader() as session:
        states = session.execute(select(Recipient.state, Recipient.smtp_answer)).all()
        assert all(s is RecipientState.ACCEPTED and a.startswith("250") for s, a in states)
        history = session.execute(
            select(LetterEvent.from_state, LetterEvent.to_state)
            .where(LetterEvent.letter_id == letters["120.001"].id)
            .order_by(LetterEvent.id)
        ).all()
        assert history == [(None, "queued"), ("queued", "sending"), ("sending", "sent")]
        assert session.get(ReconciliationBatch, batch_id).state is BatchState.DONE
        summary = stored_summary(session, batch_id)
        assert (summary.sent, summary.skipped, summary.finished) == (2, 2, True)
    # Sending the batch again sends nothing: every letter is done.
    with running_server() as (again, port2):
        with database.unit_of_work() as session:
            configure_sender(session, actor.login, host="127.0.0.1", port=port2)
        await send_batch(database, _smtp(settings), batch_id)
    assert again.count() == 0


async def test_a_refused_address_fails_alone_with_the_servers_answer(
    database: Database, actor: Actor, settings: Settings
) -> None:
    handler = RecordingHandler(
        refuse={
            "veli@alfa.com.tr": "550 5.1.1 <veli@alfa.com.tr>: Recipient address rejected",
            "muhasebe@gama.com.tr": "553 5.7.1 Relaying denied",
        }
    )
    with running_server(handler) as (server, port):
        ids = _setup(database, actor, port)
        batch_id = _create(database, actor, ids)
        report = await send_batch(database, _smtp(settings), batch_id)
    assert [r.rcpt_tos for r in server.received] == [("ali@alfa.com.tr",)]
    assert (report.progress.sent, report.progress.failed) == (1, 1)
    with database.reader() as session:
        rows = {
            r.address: (r.state, r.smtp_code, r.smtp_answer)
            for r in session.scalars(select(Recipient))
        }
        assert rows["ali@alfa.com.tr"][0] is RecipientState.ACCEPTED
        assert rows["veli@alfa.com.tr"] == (
            RecipientState.REFUSED,
            550,
            "550 5.1.1 <veli@alfa.com.tr>: Recipient address rejected",
        )
        assert rows["muhasebe@gama.com.tr"][:2] == (RecipientState.REFUSED, 553)
        states = {x.account_code: x.state for x in session.scalars(select(Letter))}
        assert states == {"120.001": LetterState.SENT, "320.001": LetterState.FAILED}
        summary = stored_summary(session, batch_id)
        assert [f.account_code for f in summary.failed] == ["320.001"]
        assert "Relaying denied" in summary.failed[0].reason
        assert {r.address for r in summary.refused} == {"veli@alfa.com.tr", "muhasebe@gama.com.tr"}


async def test_a_refused_sender_fails_every_recipient_with_the_servers_answer(
    database: Database, actor: Actor, settings: Settings
) -> None:
    handler = RecordingHandler(refuse_sender="553 5.7.1 <mutabakat@ornek.com.tr>: Sender rejected")
    with running_server(handler) as (server, port):
        ids = _setup(database, actor, port)
        batch_id = _create(database, actor, ids)
        report = await send_batch(database, _smtp(settings), batch_id)
    assert server.received == []
    assert (report.progress.sent, report.progress.failed) == (0, 2)
    with database.reader() as session:
        recipients = session.scalars(select(Recipient))
        answers = {(r.state, r.smtp_code, r.smtp_answer) for r in recipients}
        assert answers == {
            (RecipientState.REFUSED, 553, "553 5.7.1 <mutabakat@ornek.com.tr>: Sender rejected")
        }
        assert set(session.scalars(select(Letter.state))) == {LetterState.FAILED}


async def test_server_down_keeps_letters_queued_until_it_is_back(
    database: Database, actor: Actor, settings: Settings
) -> None:
    port = free_port()
    ids = _setup(database, actor, port)
    batch_id = _create(database, actor, ids)
    report = await send_batch(database, _smtp(settings), batch_id)
    assert report.transport_error is not None and "bağlanılamadı" in report.transport_error
    with database.reader() as session:
        assert set(session.scalars(select(Letter.state))) == {LetterState.QUEUED}
        assert session.scalar(select(func.count()).select_from(RecipientEvent)) == 3
    with running_server(port=port) as (server, _port):
        report = await send_batch(database, _smtp(settings), batch_id)
    assert report.progress.sent == 2
    assert server.count() == 2 and set(server.by_message_id().values()) == {1}


async def test_a_deferred_address_is_retried_later(
    database: Database, actor: Actor, settings: Settings
) -> None:
    handler = RecordingHandler(defer={"muhasebe@gama.com.tr": 1})
    options = DeliveryOptions(retry=RetryPolicy(base_seconds=0))
    with running_server(handler) as (server, port):
        ids = _setup(database, actor, port)
        batch_id = _create(database, actor, ids)
        first = await send_batch(database, _smtp(settings), batch_id, options=options)
        with database.reader() as session:
            gama = session.scalar(select(Recipient).where(Recipient.address.like("muhasebe@%")))
            assert gama is not None
            assert (gama.state, gama.smtp_code) == (RecipientState.DEFERRED, 451)
        second = await send_batch(database, _smtp(settings), batch_id, options=options)
    assert (first.progress.sent, first.progress.retrying, second.progress.sent) == (1, 1, 1)
    assert server.count() == 2
    with database.reader() as session:
        assert set(session.scalars(select(Recipient.state))) == {RecipientState.ACCEPTED}
        assert session.get(ReconciliationBatch, batch_id).state is BatchState.DONE


async def test_a_title_or_name_with_a_line_break_cannot_add_a_header(
    database: Database, actor: Actor, settings: Settings
) -> None:
    with running_server() as (server, port):
        ids = _setup(database, actor, port)
        with database.unit_of_work() as session:
            from tui_mutabakat.data.models import Contact

            contact = session.scalar(select(Contact).where(Contact.email == "ali@alfa.com.tr"))
            assert contact is not None
            # Stored past the services (which refuse a line break in a name).
            contact.name = "Ali\r\nBcc: gizli@evil.example"
        title = "Mutabakat 2026\r\nBcc: kopya@evil.example\nX-Injected: yes"
        with pytest.raises(InvalidInput) as refused:  # a typed title with a line break
            _create(database, actor, ids, title=title)
        assert refused.value.field == "title"
        # The contact's name with its line break still cannot add a header.
        batch_id = _create(database, actor, ids, title="Mutabakat 2026")
        await send_batch(database, _smtp(settings), batch_id)
    assert server.count() == 2
    for received in server.received:
        assert not any("evil" in r for r in received.rcpt_tos)
        message = received.message
        assert message["Bcc"] is None and message["X-Injected"] is None
        assert message["Subject"].startswith("Mutabakat 2026")
        assert "\n" not in message["Subject"]


async def test_cancel_stops_the_batch(database: Database, actor: Actor, settings: Settings) -> None:
    with running_server() as (server, port):
        ids = _setup(database, actor, port)
        batch_id = _create(database, actor, ids)
        with database.unit_of_work() as session:
            assert cancel_batch(session, actor, batch_id) == 2
        await send_batch(database, _smtp(settings), batch_id)
    assert server.count() == 0
    with database.reader() as session:
        assert set(session.scalars(select(Letter.state))) == {LetterState.CANCELLED}
        batch = session.get(ReconciliationBatch, batch_id)
        assert batch is not None and batch.state is BatchState.CANCELLED
        assert json.loads(batch.summary)["counts"] == {"cancelled": 2}


@pytest.mark.parametrize("rate", [120.0])
async def test_rate_limit_spaces_the_letters(
    database: Database, actor: Actor, settings: Settings, rate: float
) -> None:
    import time

    with running_server() as (server, port):
        ids = _setup(database, actor, port)
        batch_id = _create(database, actor, ids)
        started = time.monotonic()
        await send_batch(
            database, _smtp(settings), batch_id, options=DeliveryOptions(rate_per_minute=rate)
        )
        elapsed = time.monotonic() - started
    assert server.count() == 2
    assert elapsed >= 60.0 / rate * 0.9


@pytest.mark.parametrize(
    ("message", "wire"),
    [
        (b"A: b\r\n\r\nmetin\r\n", b"A: b\r\n\r\nmetin\r\n"),
        (b"A: b\r\n\r\n.nokta\r\n", b"A: b\r\n\r\n..nokta\r\n"),
        (b".\r\n", b"..\r\n"),
        (b"A: b\n\n.x\nson", b"A: b\r\n\r\n..x\r\nson\r\n"),
        (b"A: b\r\rx\r\n", b"A: b\r\n\r\nx\r\n"),
    ],
)
def test_data_is_dot_stuffed_with_crlf_line_ends(message: bytes, wire: bytes) -> None:
    assert dot_stuff(message) == wire
