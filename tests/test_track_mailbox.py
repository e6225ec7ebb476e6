"""The whole story against real servers: letters sent through aiosmtpd, then answered and
bounced in a real Dovecot (IMAP APPEND), read back by `read_mailbox`."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import imap_server
from tests.hostile_mail import many_parts, nested
from tests.imap_server import Dovecot, dovecot_or_skip
from tests.mail_samples import (
    Original,
    auto_reply,
    exchange_dsn,
    exim_bounce,
    gmail_html_alternative,
    html_reply,
    plain_reply,
    postfix_dsn,
    spam,
)
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import running_server
from tui_mutabakat.config import Settings, os_login
from tui_mutabakat.data.models import User
from tui_mutabakat.data.outbox_models import Letter, LetterEvent, Recipient, RecipientEvent
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import (
    AnswerBalance,
    BounceNotice,
    LetterAnswer,
    MailboxState,
    ProcessedMessage,
)
from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.domain.states import LetterState, RecipientState
from tui_mutabakat.mail.answers import ReadMessage
from tui_mutabakat.mail.imap import ImapConfig, ImapError
from tui_mutabakat.mail.limits import ReadLimits
from tui_mutabakat.mail.secrets import Secret
from tui_mutabakat.services.context import Actor, resolve_actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking import mailbox as mailbox_service
from tui_mutabakat.services.tracking.intake import IntakeResult
from tui_mutabakat.services.tracking.mailbox import (
    IntakeRun,
    mailbox_of,
    read_mailbox,
    read_maildir,
    read_user_mailbox,
)
from tui_mutabakat.services.tracking.tracking import (
    batch_counts,
    decide_unclear,
    foreign_answer_letters,
    latest_answer,
    letter_details,
    record_manual_answer,
    unclear_letters,
    unreadable_messages,
    unseen_counts,
)
from tui_mutabakat.services.tracking.tracking_worker import TrackingThread

SENDER = "mutabakat@ornek.com.tr"
ACCOUNTS = {
    "alfa": (("ali@alfa.com.tr", "veli@alfa.com.tr"), "1234.56", "0"),
    "gama": (("muhasebe@gama.com.tr",), "0", "98765.40"),
    "beta": (("b@beta.com.tr",), "500", "0"),
    "delta": (("yok@delta.com.tr",), "700", "0"),
    "eps": (("e@eps.com.tr",), "800", "0"),
    "zeta": (("z@zeta.com.tr",), "900", "0"),
}


async def _send(database: Database, actor: Actor, settings: Settings) -> dict[str, Letter]:
    with running_server() as (_server, port):
        with database.unit_of_work() as session:
            add_company(session)
            configure_sender(session, actor.login, host="127.0.0.1", port=port)
            keys = []
            for index, (name, (emails, debit, credit)) in enumerate(ACCOUNTS.items()):
                account = add_account(session, f"120.{index:03d}", name.title(), emails=emails)
                add_movement(session, account, date(2026, 3, 1), debit=debit, credit=credit)
                keys.append((account.id, "TRY"))
        created = write_batch(database, actor, date(2026, 12, 31), keys, SendOptions())
        assert created.batch_id is not None
        await send_batch(database, replace(settings, mail_backend="smtp"), created.batch_id)
    with database.reader() as session:
        letters = session.scalars(select(Letter)).all()
        assert {letter.state for letter in letters} == {LetterState.SENT}
        return {letter.account_title.lower(): letter for letter in letters}


def _original(letter: Letter, to: str) -> Original:
    return Original(letter.subject, letter.message_id, letter.token, SENDER, to)


def _imap(server: Dovecot) -> ImapConfig:
    return ImapConfig(
        server.host, server.port, SmtpSecurity.NONE, server.login, Secret(server.password)
    )


def _history_size(database: Database) -> tuple[int, int, int, int]:
    with database.reader() as session:
        return (
            session.scalar(select(func.count()).select_from(LetterEvent)) or 0,
            session.scalar(select(func.count()).select_from(RecipientEvent)) or 0,
            session.scalar(select(func.count()).select_from(LetterAnswer)) or 0,
            session.scalar(select(func.count()).select_from(BounceNotice)) or 0,
        )


async def test_sent_answered_bounced_read_once(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    database, actor = any_database, any_actor
    url = database.engine.url.render_as_string(hide_password=False)
    letters = await _send(database, actor, replace(settings, database_url=url))
    alfa, gama, beta = letters["alfa"], letters["gama"], letters["beta"]
    with dovecot_or_skip() as server:
        server.append(
            plain_reply(
                _original(alfa, "ali@alfa.com.tr"),
                "Mutabık değiliz, bizim kayıtlarımızda bakiye 12.345,67 TL B görünüyor.",
                prefix="YNT: ",
                quote="outlook",
            ),
            gmail_html_alternative(_original(gama, "muhasebe@gama.com.tr"), "We agree."),
            plain_reply(
                _original(beta, "b@beta.com.tr"),
                "Merhaba, ekstreyi de gönderir misiniz?",
                quote="thunderbird",
            ),
            auto_reply(_original(beta, "b@beta.com.tr")),
            postfix_dsn(_original(letters["delta"], "yok@delta.com.tr")),
            exchange_dsn(_original(alfa, "veli@alfa.com.tr")),
            html_reply(_original(letters["eps"], "e@eps.com.tr"), "MUTABIKIZ, teşekkürler."),
            exim_bounce(_original(letters["zeta"], "z@zeta.com.tr")),
            spam(),
        )
        first = read_mailbox(database, _imap(server), chunk=4)
        assert first.fetched == 9
        assert first.outcomes == {"answer": 4, "bounce": 3, "auto": 1, "unmatched": 1}

        with database.reader() as session:
            state = {
                letter.account_title.lower(): letter.state
                for letter in session.scalars(select(Letter))
            }
            assert state == {
                "alfa": LetterState.DISAGREED,
                "gama": LetterState.AGREED,
                "beta": LetterState.UNCLEAR,
                "delta": LetterState.BOUNCED,
                "eps": LetterState.AGREED,
                "zeta": LetterState.BOUNCED,
            }
            answer = session.scalars(
                select(LetterAnswer).where(LetterAnswer.letter_id == alfa.id)
            ).one()
            assert answer.their_balance == Decimal("12345.67")
            assert answer.their_side == "B"
            assert answer.difference == Decimal("11111.11")
            assert answer.recorded_by == "mailbox"
            # Its balance per currency, written with the chunk (keyed by the answer's id).
            [balance] = session.scalars(
                select(AnswerBalance).where(AnswerBalance.answer_id == answer.id)
            ).all()
            assert (balance.currency, balance.their_balance, balance.difference) == (
                "TRY",
                Decimal("12345.67"),
                Decimal("11111.11"),
            )
            veli = session.scalars(
                select(Recipient).where(Recipient.address == "veli@alfa.com.tr")
            ).one()
            assert veli.state is RecipientState.BOUNCED
            notice = session.scalars(
                select(BounceNotice).where(BounceNotice.recipient_id == veli.id)
            ).one()
            assert notice.status == "5.1.10"
            assert "RecipientNotFound" in notice.diagnostic
            event = session.scalars(
                select(LetterEvent)
                .where(LetterEvent.letter_id == letters["delta"].id)
                .order_by(LetterEvent.id.desc())
            ).first()
            assert event is not None and event.actor == "mailbox"
            assert (event.from_state, event.to_state) == ("sent", "bounced")
            assert "5.1.1" in event.reason
            counts = batch_counts(session)[alfa.batch_id]
            assert counts["agreed"] == 2 and counts["bounced"] == 2
            assert counts["disagreed"] == 1 and counts["unclear"] == 1
            assert unseen_counts(session) == (4, 3)
            assert [letter.id for letter in unclear_letters(session)] == [beta.id]
            waiting = latest_answer(session, beta.id)
            assert waiting is not None and "ekstreyi" in waiting.excerpt

        # Matched mail is flagged seen; spam is left alone, unseen.
        flags = server.flags()
        assert sum("\\Seen" in f for f in flags.values()) == 8
        assert "\\Seen" not in flags[max(flags)]

        before = _history_size(database)
        again = read_mailbox(database, _imap(server))
        assert again.fetched == 0
        # Even a forgotten position (a rebuilt folder) changes nothing: Message-IDs are known.
        with database.unit_of_work() as session:
            session.scalars(select(MailboxState)).one().last_uid = 0
        reread = read_mailbox(database, _imap(server))
        assert reread.outcomes == {"duplicate": 9}
        assert _history_size(database) == before

        # A user decides the unclear one; a phone answer for a bounced letter.
        with database.unit_of_work() as session:
            decide_unclear(session, actor, beta.id, "agreed", note="Telefonla teyit")
            record_manual_answer(
                session, actor, letters["delta"].id, "disagreed", Decimal("650"), "", "phone"
            )
        with database.reader() as session:
            assert session.get(Letter, beta.id).state is LetterState.AGREED  # type: ignore[union-attr]
            delta = session.get(Letter, letters["delta"].id)
            assert delta is not None and delta.state is LetterState.DISAGREED
            events = session.scalars(
                select(LetterEvent.actor, LetterEvent.to_state)
                .where(LetterEvent.letter_id == delta.id)
                .order_by(LetterEvent.id)
            ).all()
            assert len(events) >= 4
            processed = session.scalar(select(func.count()).select_from(ProcessedMessage))
            assert processed == 9
            details = letter_details(session, delta.id)
            assert [a.channel for a in details.answers] == ["phone"]
            assert details.answers[0].difference == Decimal("-50.00")
            assert [b.address for b in details.bounces] == ["yok@delta.com.tr"]
            letter_steps = [(h.to_state, h.actor) for h in details.history if not h.address]
            assert [step for step, _who in letter_steps] == [
                "queued",
                "sending",
                "sent",
                "bounced",
                "disagreed",
            ][-len(letter_steps) :]
            assert letter_steps[-2:] == [("bounced", "mailbox"), ("disagreed", actor.login)]
            address_steps = [(h.to_state, h.actor) for h in details.history if h.address]
            assert address_steps[-1] == ("bounced", "mailbox")


def test_user_settings_poller_and_refusals(
    database: Database, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with dovecot_or_skip() as server:
        server.append(spam())
        monkeypatch.setenv("MTB_TEST_IMAP_PASS", server.password)
        with database.unit_of_work() as session:
            user = session.scalars(select(User).where(User.login == actor.login)).one()
            user.imap_host = server.host
            user.imap_port = server.port
            user.imap_security = SmtpSecurity.NONE
            user.imap_login = server.login
            user.imap_password_ref = "env:MTB_TEST_IMAP_PASS"
        runs: list[IntakeRun] = []
        done = threading.Event()

        def on_run(run: IntakeRun) -> None:
            runs.append(run)
            done.set()

        login = actor.login
        poller = TrackingThread(
            lambda: read_user_mailbox(database, login, acting=login), 60, on_run=on_run
        )
        poller.start()
        assert done.wait(20)
        poller.stop()
        assert runs[0].outcomes == {"unmatched": 1} and runs[0].news == 0
        again = read_user_mailbox(database, actor.login, acting=actor.login)
        assert again is not None and again.fetched == 0
        assert "\\Seen" not in server.flags()[1]

        wrong = replace(_imap(server), password=Secret("yanlış"))
        with pytest.raises(ImapError) as refused:
            read_mailbox(database, wrong)
        assert "yanlış" not in str(refused.value)
        with pytest.raises(ImapError):
            read_mailbox(database, replace(_imap(server), host="192.0.2.10"))


def test_a_new_uidvalidity_reads_the_folder_again(database: Database) -> None:
    with dovecot_or_skip() as server:
        server.append(spam(), spam())
        settings = _imap(server)
        assert read_mailbox(database, settings).fetched == 2
        with database.unit_of_work() as session:
            state = session.scalars(select(MailboxState)).one()
            state.uidvalidity += 1
            state.last_uid = 99
        run = read_mailbox(database, settings)
        assert run.outcomes == {"duplicate": 2}
        with database.reader() as session:
            assert session.scalars(select(MailboxState)).one().last_uid == 2


def test_without_dovecot_ci_fails_and_elsewhere_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imap_server, "find_dovecot", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="dovecot-imapd"):
        with dovecot_or_skip():
            pass
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        with dovecot_or_skip():
            pass


def test_set_imap_on_the_command_line_then_the_mailbox_is_read(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line acts as the login of the real user id (no variable changes it)."""
    from tui_mutabakat import cli

    me = os_login()
    url = database.engine.url.render_as_string(hide_password=False)
    with dovecot_or_skip() as server:
        server.append(spam())
        monkeypatch.setenv("MTB_TEST_IMAP_PASS", server.password)
        monkeypatch.setenv("MUTABAKAT_USER", "tester")  # ignored
        base = ["--db", url, "user", "set-imap", "--login", me, "--host", server.host]
        refused = cli.main([*base, "--port", str(server.port), "--password-ref", "düz-parola"])
        assert refused == 1
        assert mailbox_of(database, me, acting=me) is None
        code = cli.main(
            [
                *base,
                "--port",
                str(server.port),
                "--security",
                "none",
                "--imap-login",
                server.login,
                "--password-ref",
                "env:MTB_TEST_IMAP_PASS",
            ]
        )
        assert code == 0
        run = read_user_mailbox(database, me, acting=me)
        assert run is not None and run.outcomes == {"unmatched": 1}
    with database.reader() as session:
        user = session.scalars(select(User).where(User.login == me)).one()
        assert user.imap_password_ref == "env:MTB_TEST_IMAP_PASS"


@pytest.mark.parametrize("security", [SmtpSecurity.TLS, SmtpSecurity.STARTTLS])
def test_the_mailbox_is_read_over_tls_and_an_untrusted_certificate_is_refused(
    database: Database, security: SmtpSecurity
) -> None:
    with dovecot_or_skip(tls=True) as server:
        assert server.tls_port is not None and server.cafile is not None
        server.append(spam())
        port = server.tls_port if security is SmtpSecurity.TLS else server.port
        trusted = replace(_imap(server), port=port, security=security, cafile=str(server.cafile))
        with pytest.raises(ImapError, match="(?i)certificate verify failed"):
            read_mailbox(database, replace(trusted, cafile=None))
        assert read_mailbox(database, trusted).fetched == 1


def _dsn(orig: Original, action: str, status: str) -> bytes:
    return (
        postfix_dsn(orig)
        .replace(b"Action: failed", f"Action: {action}".encode())
        .replace(b"Status: 5.1.1", f"Status: {status}".encode())
        .replace(b"said: 550 5.1.1", b"said: 250 2.0.0")
    )


async def test_poison_between_answers_never_stops_the_intake(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    """Issue 10: valid answers before and after poison messages in a real Dovecot are all
    applied; the poison is listed with its raw headers; the last UID moves past it; a
    delay notice, a delivered report, a stranger's answer and a reply naming two letters
    change what they should and nothing else."""
    database, actor = any_database, any_actor
    url = database.engine.url.render_as_string(hide_password=False)
    letters = await _send(database, actor, replace(settings, database_url=url))
    alfa, gama, beta = letters["alfa"], letters["gama"], letters["beta"]
    delta, eps, zeta = letters["delta"], letters["eps"], letters["zeta"]
    conflicting = Original(delta.subject, alfa.message_id, delta.token, SENDER, "ali@alfa.com.tr")
    utf8_auto = (
        f"From: e@eps.com.tr\r\nTo: {SENDER}\r\nSubject: Otomatik yanıt: İzindeyim\r\n"
        f"Message-ID: <auto1@eps.com.tr>\r\nIn-Reply-To: {eps.message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Mutabıkız ama 14 Aralık'a kadar izindeyim.\r\n"
    ).encode()
    huge = plain_reply(_original(eps, "e@eps.com.tr"), "Mutabıkız. " + "x" * 5_000_000)
    with dovecot_or_skip() as server:
        server.append(
            plain_reply(_original(alfa, "ali@alfa.com.tr"), "Mutabık değiliz: 12.345,67 TL B"),
            nested(1000),
            many_parts(100_000),
            huge,
            b"Subject: =?utf-8?b?Q\x1f?= =?x-unknown?q?abc?=\r\nFrom: \xff\xfe\r\n\r\nx\r\n",
            gmail_html_alternative(_original(gama, "muhasebe@gama.com.tr"), "We agree."),
            _dsn(_original(beta, "b@beta.com.tr"), "delayed", "4.4.7"),
            _dsn(_original(eps, "e@eps.com.tr"), "delivered", "2.0.0"),
            utf8_auto,
            plain_reply(_original(zeta, "baskasi@zeta-holding.com.tr"), "Mutabıkız."),
            plain_reply(conflicting, "Mutabıkız."),
        )
        limits = ReadLimits(max_bytes=5_000_000)
        run = read_mailbox(database, _imap(server), chunk=3, limits=limits)
        assert run.fetched == 11
        assert run.outcomes == {
            "answer": 3,
            "error": 3,
            "report": 2,
            "auto": 1,
            "conflict": 1,
            "unmatched": 1,
        }
        assert len(run.unreadable) == 4
        with database.reader() as session:
            state = {
                letter.account_title.lower(): letter.state
                for letter in session.scalars(select(Letter))
            }
            assert state == {
                "alfa": LetterState.DISAGREED,
                "gama": LetterState.AGREED,
                "beta": LetterState.SENT,
                "delta": LetterState.SENT,
                "eps": LetterState.SENT,
                "zeta": LetterState.AGREED,
            }
            assert session.scalars(select(MailboxState)).one().last_uid == 11
            # The stranger's answer: applied, flagged, the sender on record.
            zeta_answer = latest_answer(session, zeta.id)
            assert zeta_answer is not None and zeta_answer.foreign_sender
            assert zeta_answer.from_address == "baskasi@zeta-holding.com.tr"
            assert foreign_answer_letters(session, [alfa.id, zeta.id]) == {zeta.id}
            alfa_answer = latest_answer(session, alfa.id)
            assert alfa_answer is not None and not alfa_answer.foreign_sender
            assert alfa_answer.from_address == "ali@alfa.com.tr"
            senders = set(session.scalars(select(ProcessedMessage.from_address)))
            assert {"ali@alfa.com.tr", "e@eps.com.tr", "baskasi@zeta-holding.com.tr"} <= senders
            # The delay: a note on the recipient, no state changed, nothing bounced.
            beta_details = letter_details(session, beta.id)
            notes = [h for h in beta_details.history if "Gecikme" in h.reason]
            assert [(n.address, n.from_state, n.to_state) for n in notes] == [
                ("b@beta.com.tr", "accepted", "accepted")
            ]
            assert beta_details.bounces == []
            assert {r.state for r in beta_details.recipients} == {RecipientState.ACCEPTED}
            assert session.scalar(select(func.count()).select_from(BounceNotice)) == 0
            # The poison, the reply naming two letters and the one matching no letter,
            # listed with their headers.
            listed = {m.uid: m for m in unreadable_messages(session)}
            assert set(listed) == {2, 3, 4, 5, 11}
            assert listed[5].reason == "unmatched"
            assert listed[5].error.startswith("Hiçbir mektupla eşleşmedi: ")
            assert listed[11].reason == "conflict"
            assert delta.token in listed[11].error and "mektup" in listed[11].error
            assert listed[11].headers.startswith("From: Muhasebe")
            assert "parça" in listed[3].error and "Message-ID: <p@b.com>" in listed[3].headers
            assert "bayt" in listed[4].error and listed[4].message_id.startswith("<")
            assert all(m.reason == "error" for uid, m in listed.items() if uid not in (5, 11))
        # Read again from the start: nothing doubles, nothing is listed twice.
        before = _history_size(database)
        with database.unit_of_work() as session:
            session.scalars(select(MailboxState)).one().last_uid = 0
        again = read_mailbox(database, _imap(server), chunk=5, limits=limits)
        assert again.outcomes == {"duplicate": 11} and again.unreadable == []
        assert _history_size(database) == before
        with database.reader() as session:
            assert len(unreadable_messages(session)) == 5


def test_the_mailbox_thread_reports_any_error_and_lives_on(database: Database) -> None:
    """Issue 10: the mailbox thread never dies silently — whatever a run raises is told."""
    errors: list[str] = []
    two = threading.Event()
    calls = 0

    def settings() -> ImapConfig | None:
        nonlocal calls
        calls += 1
        if calls >= 2:
            two.set()
        raise RuntimeError(f"beklenmeyen {calls}")

    poller = TrackingThread(
        lambda: read_mailbox(database, settings()), 0.01, on_error=errors.append
    )
    poller.start()
    assert two.wait(10)
    poller.stop()
    assert errors[:2] == ["RuntimeError: beklenmeyen 1", "RuntimeError: beklenmeyen 2"]


async def test_a_message_that_fails_to_apply_is_listed_and_the_chunk_goes_on(
    any_database: Database,
    any_actor: Actor,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each message is applied in its own savepoint: one that fails (here a fault put in
    the applying code for one message) is rolled back alone and listed; the others in the
    same chunk are applied. A figure too large for any balance column is kept as text."""
    database, actor = any_database, any_actor
    url = database.engine.url.render_as_string(hide_password=False)
    letters = await _send(database, actor, replace(settings, database_url=url))
    alfa, gama, beta = letters["alfa"], letters["gama"], letters["beta"]
    faulty = plain_reply(_original(gama, "muhasebe@gama.com.tr"), "Mutabıkız.")
    inbox = tmp_path / "poison-inbox"
    inbox.mkdir()
    (inbox / "1.eml").write_bytes(plain_reply(_original(alfa, "ali@alfa.com.tr"), "Mutabıkız."))
    (inbox / "2.eml").write_bytes(faulty)
    huge = "Mutabık değiliz, bizde bakiye 99999999999999999999999,00 TL."
    (inbox / "3.eml").write_bytes(plain_reply(_original(beta, "b@beta.com.tr"), huge))
    real = mailbox_service.process_read

    def fails_for_gama(session: Session, read: ReadMessage, **kwargs: Any) -> IntakeResult:
        result = real(session, read, **kwargs)
        if gama.token in read.tokens:
            raise RuntimeError("uygulanamadı")
        return result

    monkeypatch.setattr(mailbox_service, "process_read", fails_for_gama)
    run = read_maildir(database, inbox, chunk=10)
    assert run.outcomes == {"answer": 2, "error": 1}
    with database.reader() as session:
        assert session.get(Letter, alfa.id).state is LetterState.AGREED  # type: ignore[union-attr]
        assert session.get(Letter, gama.id).state is LetterState.SENT  # type: ignore[union-attr]
        assert latest_answer(session, gama.id) is None
        beta_answer = latest_answer(session, beta.id)
        assert beta_answer is not None and beta_answer.kind == "disagreed"
        assert beta_answer.their_balance is None and "99999" in beta_answer.excerpt
        [listed] = unreadable_messages(session)
        assert listed.error == "RuntimeError: uygulanamadı"
        assert listed.headers.startswith("From: Muhasebe <muhasebe@gama.com.tr>")
    assert read_maildir(database, inbox).outcomes == {"duplicate": 3}


def test_big_messages_are_read_in_smaller_chunks() -> None:
    big = mailbox_service.CHUNK_BYTES // 3
    sizes = {1: 10, 2: big, 3: big, 4: big, 5: 10, 6: 10 * big}
    parts = list(mailbox_service.chunks([1, 2, 3, 4, 5, 6], sizes, 200, 10 * big))
    assert parts == [[1, 2, 3], [4, 5], [6]]
    # Counted up to the size limit: an oversized message is fetched cut, not whole.
    assert list(mailbox_service.chunks([1, 6, 5], sizes, 200, 100)) == [[1, 6, 5]]
    assert list(mailbox_service.chunks([1, 2, 3], {}, 2, 100)) == [[1, 2], [3]]


@pytest.mark.postgres
async def test_two_readers_racing_on_a_mailbox_list_nothing(
    pg_database: Database, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another reader commits the same messages after this one has looked them up: this
    reader's inserts fail on the unique Message-ID and the messages are duplicates — not
    unreadable, not applied twice."""
    database = pg_database
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "tester")
    url = database.engine.url.render_as_string(hide_password=False)
    letters = await _send(database, actor, replace(settings, database_url=url))
    inbox = tmp_path / "race-inbox"
    inbox.mkdir()
    for name, (emails, _debit, _credit) in ACCOUNTS.items():
        reply = plain_reply(_original(letters[name], emails[0]), "Mutabıkız.")
        (inbox / f"{name}.eml").write_bytes(reply)
    real = mailbox_service.LetterLookup
    raced: list[IntakeRun] = []

    class RacedLookup(real):  # type: ignore[misc, valid-type]
        def __init__(self, session: Session, reads: Any) -> None:
            super().__init__(session, reads)
            if not raced:  # the other reader, in its own transaction, gets there first
                monkeypatch.setattr(mailbox_service, "LetterLookup", real)
                raced.append(read_maildir(database, inbox))

    monkeypatch.setattr(mailbox_service, "LetterLookup", RacedLookup)
    run = read_maildir(database, inbox)
    assert raced[0].outcomes == {"answer": 6}
    assert run.outcomes == {"duplicate": 6} and run.unreadable == []
    with database.reader() as session:
        assert unreadable_messages(session) == []
        assert session.scalar(select(func.count()).select_from(LetterAnswer)) == 6


async def test_matched_mail_is_flagged_seen_by_batches_and_when_a_later_chunk_fails(
    any_database: Database,
    any_actor: Actor,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Flags go a few thousand at a time (here 3), only for committed chunks: a chunk that
    fails as a whole stops the run, and what was committed before it is flagged all the
    same; nothing of the failed chunk is."""
    database, actor = any_database, any_actor
    url = database.engine.url.render_as_string(hide_password=False)
    letters = await _send(database, actor, replace(settings, database_url=url))
    names = ["alfa", "gama", "beta", "delta", "eps", "zeta"]
    with dovecot_or_skip() as server:
        server.append(
            *(plain_reply(_original(letters[n], f"x@{n}.com.tr"), "Mutabıkız.") for n in names)
        )
        monkeypatch.setattr(mailbox_service, "SEEN_AT_ONCE", 3)
        real = mailbox_service._process_chunk
        calls: list[int] = []

        def fails_third(*args: Any, **kwargs: Any) -> list[int]:
            calls.append(1)
            if len(calls) == 3:
                raise RuntimeError("bağlantı koptu")
            return real(*args, **kwargs)

        monkeypatch.setattr(mailbox_service, "_process_chunk", fails_third)
        with pytest.raises(RuntimeError):
            read_mailbox(database, _imap(server), chunk=1)
        flags = server.flags()
        assert [uid for uid in sorted(flags) if "\\Seen" in flags[uid]] == sorted(flags)[:2]
        monkeypatch.setattr(mailbox_service, "_process_chunk", real)
        run = read_mailbox(database, _imap(server), chunk=1)
        assert run.outcomes == {"answer": 4}
        assert all("\\Seen" in f for f in server.flags().values())


async def test_a_chunk_of_disagreements_keeps_each_balance_with_its_answer(
    any_database: Database, any_actor: Actor, settings: Settings, tmp_path: Path
) -> None:
    """A chunk's answers with balances are written together, their keys read back in
    order: each balance row belongs to its own answer."""
    database, actor = any_database, any_actor
    url = database.engine.url.render_as_string(hide_password=False)
    letters = await _send(database, actor, replace(settings, database_url=url))
    inbox = tmp_path / "disagree-inbox"
    inbox.mkdir()
    for index, (name, letter) in enumerate(sorted(letters.items())):
        text = f"Mutabık değiliz, bakiye {index + 1}.234,56 TL B"
        (inbox / f"{index}.eml").write_bytes(plain_reply(_original(letter, f"x@{name}.tr"), text))
    assert read_maildir(database, inbox, chunk=50).outcomes == {"answer": len(letters)}
    with database.reader() as session:
        rows = session.execute(
            select(LetterAnswer.letter_id, LetterAnswer.their_balance, AnswerBalance.their_balance)
            .join(AnswerBalance, AnswerBalance.answer_id == LetterAnswer.id)
            .order_by(LetterAnswer.letter_id)
        ).all()
    expected = {
        letter.id: Decimal(f"{index + 1}234.56")
        for index, (_name, letter) in enumerate(sorted(letters.items()))
    }
    assert {letter_id: ours for letter_id, ours, _theirs in rows} == expected
    assert all(answer == balance for _id, answer, balance in rows)


def test_the_file_backends_inbox_is_made_where_the_screen_names_it(
    database: Database, settings: Settings
) -> None:
    from tui_mutabakat.services.tracking.mailbox_pass import intake_once

    assert settings.mail_backend == "file" and not settings.mail_inbox.exists()
    run = intake_once(database, settings, "tester")
    assert run is not None and settings.mail_inbox.is_dir()
