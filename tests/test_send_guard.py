"""The duplicate guard and the stored error list (`services/sending/send_guard.py`,
`services/sending/error_list.py`) on SQLite and PostgreSQL, through `create_and_send` — the
service the screen and the command line both use."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select, update

from tests.send_data import accounts_to_send, add_movement
from tui_mutabakat.config import Settings
from tui_mutabakat.data.models import Account, Contact
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.errors import Refused
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.batch_status import stored_summary
from tui_mutabakat.services.sending.compose import SendOptions, SkipKind
from tui_mutabakat.services.sending.error_list import (
    address_warnings,
    error_list,
    resend_keys,
    update_reasons,
)
from tui_mutabakat.services.sending.send_guard import find_duplicates
from tui_mutabakat.services.sending.send_now import create_and_send

AS_OF = date(2026, 12, 31)


async def test_live_letters_are_not_written_twice_unless_asked(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    keys = accounts_to_send(any_database, any_actor, 4)
    first = await create_and_send(
        any_database, settings, any_actor, AS_OF, keys[:2], SendOptions(), process_from=None
    )
    assert first.created is not None and first.created.letters == 2
    with any_database.reader() as session:
        found = find_duplicates(session, AS_OF, keys)
        assert found.keys == keys[:2] and found.accounts == 2
        assert set(found.batches.values()) == {first.batch_id}
        # another date is another reconciliation
        assert not find_duplicates(session, date(2026, 11, 30), keys)
    second = await create_and_send(
        any_database, settings, any_actor, AS_OF, keys, SendOptions(), process_from=None
    )
    assert second.created is not None and second.created.letters == 2
    skipped = second.created.skipped
    assert [(s.account_id, s.kind) for s in skipped] == [
        (keys[0][0], SkipKind.DUPLICATE),
        (keys[1][0], SkipKind.DUPLICATE),
    ]
    assert all(s.code.startswith("120.") and str(first.batch_id) in s.reason for s in skipped)
    with pytest.raises(Refused):
        await create_and_send(
            any_database, settings, any_actor, AS_OF, keys, SendOptions(), process_from=None
        )
    # a failed or cancelled letter is no letter: the account may get one again
    with any_database.unit_of_work() as session:
        session.execute(
            update(Letter).where(Letter.account_id == keys[0][0]).values(state=LetterState.FAILED)
        )
        session.execute(
            update(Letter)
            .where(Letter.account_id == keys[1][0])
            .values(state=LetterState.CANCELLED)
        )
    third = await create_and_send(
        any_database, settings, any_actor, AS_OF, keys, SendOptions(), process_from=None
    )
    assert third.created is not None and third.created.letters == 2
    again = await create_and_send(
        any_database,
        settings,
        any_actor,
        AS_OF,
        keys[:1],
        SendOptions(),
        process_from=None,
        again=True,
    )
    assert again.created is not None and again.created.letters == 1
    with any_database.reader() as session:
        states = list(session.scalars(select(Letter.state).where(Letter.account_id == keys[0][0])))
    assert sorted(states) == sorted([LetterState.FAILED, LetterState.SENT, LetterState.SENT])


async def test_the_error_list_follows_what_was_sent_since(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    keys = accounts_to_send(any_database, any_actor, 2)
    with any_database.unit_of_work() as session:
        contact = session.scalars(select(Contact).where(Contact.account_id == keys[0][0])).one()
        contact.email = "bozuk@adres"
    first = await create_and_send(
        any_database, settings, any_actor, AS_OF, keys, SendOptions(), process_from=None
    )
    with any_database.reader() as session:
        listed = error_list(session, first.batch_id)
    assert [row.key for row in listed.rows] == [keys[0]]
    assert listed.rows[0].open and listed.rows[0].kind == SkipKind.ERROR
    assert resend_keys(listed, [keys[0][0]]) == [keys[0]]
    # sent again while still broken: the list keeps the row with the new reason
    retry = await create_and_send(
        any_database, settings, any_actor, AS_OF, [keys[0]], SendOptions(), process_from=None
    )
    assert retry.created is not None and retry.created.letters == 0
    with any_database.unit_of_work() as session:
        still = [replace(s, reason="yeni neden") for s in retry.created.skipped]
        update_reasons(session, first.batch_id, [keys[0]], still)
    with any_database.reader() as session:
        listed = error_list(session, first.batch_id)
    assert listed.rows[0].item.reason == "yeni neden" and listed.rows[0].open
    # fixed and sent: the row shows the batch that sent it
    with any_database.unit_of_work() as session:
        contact = session.scalars(select(Contact).where(Contact.account_id == keys[0][0])).one()
        contact.email = "duzgun@firma.com.tr"
    fixed = await create_and_send(
        any_database, settings, any_actor, AS_OF, [keys[0]], SendOptions(), process_from=None
    )
    with any_database.reader() as session:
        listed = error_list(session, first.batch_id)
    assert listed.rows[0].sent_in == fixed.batch_id and not listed.rows[0].open
    assert resend_keys(listed, [keys[0][0]]) == []


async def test_an_invalid_address_is_listed_once_and_in_each_letter(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    keys = accounts_to_send(any_database, any_actor, 1)
    account_id = keys[0][0]
    with any_database.unit_of_work() as session:
        session.add(
            Contact(
                account_id=account_id,
                name="Eski",
                email="eski@firma",
                receives_reconciliation=True,
            )
        )
        account = session.get(Account, account_id)
        assert account is not None
        add_movement(session, account, date(2026, 3, 1), debit="10.00", currency="USD")
    rows = [(account_id, "TRY"), (account_id, "USD")]
    # A letter per currency: the account's one invalid address is listed once, and in both.
    options = SendOptions(per_currency=True)
    sent = await create_and_send(
        any_database, settings, any_actor, AS_OF, rows, options, process_from=None
    )
    assert sent.created is not None and sent.created.letters == 2
    assert len(sent.created.warnings) == 2
    with any_database.reader() as session:
        listed = error_list(session, sent.batch_id)
        assert [row.kind for row in listed.rows] == [SkipKind.ADDRESS]
        assert "eski@firma" in listed.rows[0].item.reason
        assert not listed.rows[0].open
        letter_ids = list(session.scalars(select(Letter.id)))
        assert len(letter_ids) == 2
        for letter_id in letter_ids:
            warnings = address_warnings(session, letter_id)
            assert len(warnings) == 1 and "eski@firma" in warnings[0]
        summary = stored_summary(session, sent.batch_id)
        assert summary.skipped == 0 and summary.sent == 2
