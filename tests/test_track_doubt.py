"""In-doubt recipients are a user's decision: counted on the main menu and the batch,
filtered in the letter list, explained in the details, and resent or marked delivered from
F9 — each decision in the status history (who, when, from, to, why)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select, update
from textual.widgets import OptionList, Static

from tests.pilot_keys import press, wait_for
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import running_server
from tests.test_track_screens import SIZE, sent_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.models import AuditEvent
from tui_mutabakat.data.outbox_models import Letter, Recipient, RecipientEvent
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState, RecipientState
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.doubt import (
    in_doubt_by_batch,
    in_doubt_by_letter,
    in_doubt_total,
    mark_delivered,
    resend_in_doubt,
)
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.widgets.paged_table import PagedTable

REASON = "Yarıda kalan gönderim kurtarıldı: teslim edilmiş sayıldı, tekrar gönderilmeyecek."
AS_OF = date(2026, 12, 31)


def make_doubtful(database: Database, letter_id: int, address: str | None = None) -> int:
    """What a recovered hand-over leaves: the recipient accepted, in doubt, with the reason."""
    with database.unit_of_work() as session:
        query = select(Recipient).where(Recipient.letter_id == letter_id)
        if address is not None:
            query = query.where(Recipient.address == address)
        person = session.scalars(query.order_by(Recipient.id)).first()
        assert person is not None
        person.in_doubt = True
        person.smtp_answer = REASON
        return person.id


def events_of(database: Database, recipient_id: int) -> list[tuple[str, str | None, str, str]]:
    with database.reader() as session:
        return [
            (e.actor, e.from_state, e.to_state, e.reason)
            for e in session.scalars(
                select(RecipientEvent)
                .where(RecipientEvent.recipient_id == recipient_id)
                .order_by(RecipientEvent.id)
            )
        ]


async def test_counts_and_mark_delivered_in_the_history(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    database, actor = any_database, any_actor
    settings = replace(
        settings, database_url=database.engine.url.render_as_string(hide_password=False)
    )
    first, second, third = await sent_batch(database, actor, settings)
    doubtful = make_doubtful(database, first)
    make_doubtful(database, second)
    with database.reader() as session:
        batch_id = session.scalars(select(Letter.batch_id)).first()
        assert batch_id is not None
        assert in_doubt_total(session) == 2
        assert in_doubt_by_batch(session, [batch_id]) == {batch_id: 2}
        assert in_doubt_by_letter(session, batch_id) == {first: 1, second: 1}
    with database.unit_of_work() as session:
        decided = mark_delivered(session, actor, [first, third])
    assert decided.letters == [first] and decided.recipients == 1
    assert [i for i, _why in decided.skipped] == [third]
    with database.reader() as session:
        assert in_doubt_total(session) == 1
        person = session.get(Recipient, doubtful)
        assert person is not None and not person.in_doubt
        assert person.state is RecipientState.ACCEPTED
        audit = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == str(first))
        ).all()
        assert "mark_delivered" in audit
    *_, last = events_of(database, doubtful)
    assert last[:3] == ("tester", "in_doubt", "accepted")
    assert "teslim edilmiş saydı" in last[3] and "a@anadolu.com.tr" in last[3]


async def test_resend_goes_to_the_doubtful_address_only(
    database: Database, actor: Actor, settings: Settings
) -> None:
    with running_server() as (server, port):
        with database.unit_of_work() as session:
            add_company(session)
            configure_sender(session, actor.login, host="127.0.0.1", port=port)
            account = add_account(
                session, "120.001", "Firma", emails=("a@firma.com.tr", "b@firma.com.tr")
            )
            add_movement(session, account, AS_OF, debit="100")
        created = write_batch(database, actor, AS_OF, [(account.id, "TRY")], SendOptions())
        assert created.batch_id is not None
        smtp = replace(settings, mail_backend="smtp")
        await send_batch(database, smtp, created.batch_id)
        assert server.count() == 1
        with database.reader() as session:
            letter_id = session.scalars(select(Letter.id)).one()
        doubtful = make_doubtful(database, letter_id, "b@firma.com.tr")
        # A letter a sender holds right now is not touched.
        with database.unit_of_work() as session:
            session.execute(
                update(Letter).where(Letter.id == letter_id).values(claim_token="x" * 32)
            )
        with database.unit_of_work() as session:
            held = resend_in_doubt(session, actor, [letter_id])
        assert held.letters == [] and [i for i, _w in held.skipped] == [letter_id]
        with database.unit_of_work() as session:
            session.execute(update(Letter).where(Letter.id == letter_id).values(claim_token=None))
        with database.unit_of_work() as session:
            result = resend_in_doubt(session, actor, [letter_id], "telefonla sorduk")
        assert result.letters == [letter_id] and result.recipients == 1
        await send_batch(database, smtp, created.batch_id)
    assert server.count() == 2
    assert server.received[-1].rcpt_tos == ("b@firma.com.tr",)
    with database.reader() as session:
        people = session.execute(
            select(Recipient.address, Recipient.state, Recipient.in_doubt)
            .where(Recipient.letter_id == letter_id)
            .order_by(Recipient.id)
        ).all()
        letter = session.get(Letter, letter_id)
        assert letter is not None and letter.state is LetterState.SENT
        assert in_doubt_total(session) == 0
    assert [(a, s.value, d) for a, s, d in people] == [
        ("a@firma.com.tr", "accepted", False),
        ("b@firma.com.tr", "accepted", False),
        ("b@firma.com.tr", "accepted", False),
    ]
    *_, last = events_of(database, doubtful)
    assert last[:3] == ("tester", "in_doubt", "resent")
    assert "b@firma.com.tr" in last[3] and "telefonla sorduk" in last[3]


async def test_answered_letters_are_not_resent(
    database: Database, actor: Actor, settings: Settings
) -> None:
    first, _second, _third = await sent_batch(database, actor, settings)
    make_doubtful(database, first)
    with database.unit_of_work() as session:
        session.execute(update(Letter).where(Letter.id == first).values(state=LetterState.AGREED))
    with database.unit_of_work() as session:
        result = resend_in_doubt(session, actor, [first])
    assert result.letters == [] and result.skipped
    with database.reader() as session:
        assert in_doubt_total(session) == 1


def _status(app: MutabakatApp) -> str:
    return str(app.screen.query_one("#main-status", Static).content)


async def test_in_doubt_from_the_keys(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, second, third = await sent_batch(database, actor, settings)
    make_doubtful(database, first)
    doubtful = make_doubtful(database, third)
    outbox = settings.mail_outbox / "new"
    before = len(list(outbox.glob("*.eml")))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "Teslimi belirsiz alıcı: 2" in _status(app)
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackBatchesScreen)
        batches = app.screen
        batch = batches.query_one(PagedTable).cursor_id
        assert batch is not None
        assert batches.cell(batch, "in_doubt") == "2"
        assert "Teslimi belirsiz alıcı: 2" in str(app.screen.query_one("#track-info").content)  # type: ignore[attr-defined]
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, TrackLettersScreen)
        letters = screen.query_one(PagedTable)
        assert letters.row_count == 3
        # F6: only the letters with recipients in doubt; F6 again: all.
        await press(pilot, "f6")
        assert letters.row_count == 2
        assert [row_cells(letters, i)[1] for i in range(2)] == ["120.001", "120.003"]
        assert "⚠1" in row_cells(letters, 0)[4]
        # The reason in the details.
        await press(pilot, "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        text = str(app.screen.query_one("#letter-details", Static).content)
        assert "Teslimi belirsiz" in text and "Yarıda kalan gönderim kurtarıldı" in text
        # F9 there: mark as delivered.
        await press(pilot, "f9")
        assert isinstance(app.screen, ActionMenu)
        await _choose(pilot, app, "mark_delivered")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "e")
        assert isinstance(app.screen, LetterDetailsScreen)
        text = str(app.screen.query_one("#letter-details", Static).content)
        assert "Teslimi belirsiz → Sunucu kabul etti" in text
        await press(pilot, "escape")
        assert isinstance(app.screen, TrackLettersScreen)
        assert letters.row_count == 1
        # F9 in the list: resend the other one; the backend delivers it again.
        await press(pilot, "f9")
        await _choose(pilot, app, "resend_doubt")
        await press(pilot, "e")
        await wait_for(pilot, lambda: len(list(outbox.glob("*.eml"))) == before + 1)
        await wait_for(pilot, lambda: letters.row_count == 0)
        await press(pilot, "f6")
        assert letters.row_count == 3
        await press(pilot, "escape")
        await wait_for(pilot, lambda: batches.cell(batch, "in_doubt") == "0")
        await press(pilot, "escape")
        assert "Teslimi belirsiz" not in _status(app)
    assert events_of(database, doubtful)[-1][1:3] == ("in_doubt", "resent")
    with database.reader() as session:
        addresses = session.scalars(
            select(Recipient.address).where(Recipient.letter_id == third)
        ).all()
    assert addresses == ["c@dere.com.tr", "c@dere.com.tr"]
    assert second not in (first, third)


def row_cells(table: PagedTable, index: int) -> tuple[str, ...]:
    found = table.row_at(index)
    assert found is not None
    return found.cells


async def _choose(pilot: object, app: MutabakatApp, action_id: str) -> None:
    menu = app.screen.query_one(OptionList)
    menu.highlighted = next(
        i for i in range(menu.option_count) if menu.get_option_at_index(i).id == action_id
    )
    await press(pilot, "enter")  # type: ignore[arg-type]
