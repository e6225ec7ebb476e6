"""One bad address never costs a batch (issue 9 point 8). A batch mixing ASCII addresses,
an IDN domain (`ali@çınar.com.tr`) and UTF-8 local parts (`çağrı@…`): with a server that
offers SMTPUTF8 every letter is delivered; without it the UTF-8 local parts alone are
refused, each with its reason on the recipient, and every other address is delivered (the
IDN domain as A-labels). The file backend writes every letter. Real aiosmtpd both ways."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from tests.mail_samples import Original, postfix_dsn
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import running_server
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState, RecipientState
from tui_mutabakat.mail.addresses import needs_smtputf8, wire_address
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking.intake import process_message

IDN = "ali@çınar.com.tr"
IDN_WIRE = "ali@xn--nar-1la48a.com.tr"
UTF8_ONLY = "çağrı@firma.com.tr"
UTF8_BESIDE = "şule@firma.com.tr"
ACCOUNTS = {
    "120.1": (IDN,),
    "120.2": (UTF8_ONLY,),
    "120.3": ("ayse@firma.com.tr",),
    "120.4": ("mehmet@firma.com.tr", UTF8_BESIDE),
    "120.5": ("zeynep@ütopya.com.tr",),
}


def test_wire_form_of_addresses() -> None:
    assert wire_address(IDN) == IDN_WIRE and not needs_smtputf8(IDN)
    assert wire_address(UTF8_ONLY) == UTF8_ONLY and needs_smtputf8(UTF8_ONLY)
    assert wire_address("a@b.com") == "a@b.com" and not needs_smtputf8("a@b.com")


def _batch(
    database: Database,
    actor: Actor,
    port: int | None,
    accounts: dict[str, tuple[str, ...]] = ACCOUNTS,
) -> int:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login, host="127.0.0.1" if port else "", port=port)
        keys = []
        for code, emails in accounts.items():
            account = add_account(session, code, f"Firma {code}", emails=emails)
            add_movement(session, account, date(2026, 3, 1), debit="100")
            keys.append((account.id, "TRY"))
    created = write_batch(database, actor, date(2026, 12, 31), keys, SendOptions())
    assert created.batch_id is not None
    with database.reader() as session:
        # Every account has its letter: none was skipped for its address.
        assert len(session.scalars(select(Letter)).all()) == len(accounts)
    return created.batch_id


def _states(database: Database) -> dict[str, tuple[RecipientState, str]]:
    with database.reader() as session:
        return {r.address: (r.state, r.smtp_answer) for r in session.scalars(select(Recipient))}


@pytest.mark.parametrize("smtputf8", [True, False], ids=["smtputf8", "ascii-only"])
async def test_a_batch_with_international_addresses(
    any_database: Database, any_actor: Actor, settings: Settings, smtputf8: bool
) -> None:
    database, actor = any_database, any_actor
    with running_server(smtputf8=smtputf8) as (server, port):
        batch_id = _batch(database, actor, port)
        await send_batch(database, replace(settings, mail_backend="smtp"), batch_id)
        received = list(server.received)
    delivered = {a for r in received for a in r.rcpt_tos}
    ascii_wire = {
        IDN_WIRE,
        "ayse@firma.com.tr",
        "mehmet@firma.com.tr",
        "zeynep@xn--topya-jva.com.tr",
    }
    assert ascii_wire <= delivered
    states = _states(database)
    if smtputf8:
        assert delivered == ascii_wire | {UTF8_ONLY, UTF8_BESIDE}
        assert all(state is RecipientState.ACCEPTED for state, _answer in states.values())
        utf8 = [r for r in received if UTF8_ONLY in r.rcpt_tos][0]
        assert "SMTPUTF8" in [o.upper() for o in utf8.mail_options]
        parsed = email.message_from_bytes(utf8.content, policy=email.policy.SMTPUTF8)
        assert UTF8_ONLY in str(parsed["To"])
    else:
        assert delivered == ascii_wire
        for address in (UTF8_ONLY, UTF8_BESIDE):
            state, answer = states[address]
            assert state is RecipientState.REFUSED and "SMTPUTF8" in answer
        beside = [r for r in received if "mehmet@firma.com.tr" in r.rcpt_tos][0]
        # Sent without SMTPUTF8, the message is ASCII: the UTF-8 mailbox left out of To.
        head = beside.content.partition(b"\r\n\r\n")[0]
        assert head.isascii() and b"mehmet@firma.com.tr" in head
        with database.reader() as session:
            letters = {x.account_code: x.state for x in session.scalars(select(Letter))}
        assert letters["120.2"] is LetterState.FAILED
        assert letters["120.4"] is LetterState.SENT
    for r in received:
        if IDN_WIRE in r.rcpt_tos:
            assert IDN_WIRE in str(r.message["To"])


async def test_the_file_backend_writes_every_letter(
    database: Database, actor: Actor, settings: Settings
) -> None:
    batch_id = _batch(database, actor, None)
    await send_batch(database, replace(settings, mail_backend="file"), batch_id)
    written = list((settings.mail_outbox / "new").glob("*.eml"))
    assert len(written) == len(ACCOUNTS)
    assert all(state is RecipientState.ACCEPTED for state, _a in _states(database).values())
    texts = b"".join(path.read_bytes() for path in written)
    assert UTF8_ONLY.encode() in texts and IDN_WIRE.encode() in texts


async def test_a_bounce_naming_the_idn_domain_in_a_labels_finds_its_recipient(
    database: Database, actor: Actor, settings: Settings
) -> None:
    # Two recipients: the bounce must name which one (no single-recipient fall-back).
    two = {"120.6": ("veli@firma.com.tr", IDN)}
    with running_server() as (server, port):
        batch_id = _batch(database, actor, port, two)
        await send_batch(database, replace(settings, mail_backend="smtp"), batch_id)
        sent = server.received[0]
    assert set(sent.rcpt_tos) == {"veli@firma.com.tr", IDN_WIRE}
    bounce = postfix_dsn(
        Original(str(sent.message["Subject"]), sent.message_id, "", sent.mail_from, IDN_WIRE)
    )
    with database.unit_of_work() as session:
        process_message(session, bounce)
    states = _states(database)
    assert states[IDN][0] is RecipientState.BOUNCED
    assert states["veli@firma.com.tr"][0] is RecipientState.ACCEPTED
