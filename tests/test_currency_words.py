"""The Turkish lira is stored as its ISO code `TRY` and read as "TL" wherever a user sees a
currency (`domain.formatting.currency_label`); other currencies keep their codes. The views
where a walk of the demo found `TRY` are opened and their text scanned."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import select
from textual.screen import Screen

from tests.pilot_keys import press
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.words_walk import screen_text
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.balance_queries import BalanceCriteria
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.formatting import currency_choices, currency_label
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.operations.movements import MovementListScreen
from tui_mutabakat.screens.sending.send_criteria import SendCriteriaScreen
from tui_mutabakat.screens.sending.send_errors import SendErrorsScreen
from tui_mutabakat.screens.sending.send_list import SendListScreen
from tui_mutabakat.screens.tracking.track_answer import AnswerDialog
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.error_list import error_lines, error_list

AS_OF = dt.date(2026, 11, 30)
CODE = re.compile(r"\bTRY\b")


def test_the_lira_is_tl_and_the_others_keep_their_codes() -> None:
    assert [currency_label(c) for c in ("TRY", "USD", "EUR")] == ["TL", "USD", "EUR"]
    assert currency_label("TRY/EUR") == "TL/EUR"
    assert currency_choices(("TRY", "EUR")) == [("TL", "TRY"), ("EUR", "EUR")]


async def test_no_view_names_the_lira_try(
    app: MutabakatApp, database: Database, actor: Actor, tmp_path: Path
) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.001", "Zümrüt Kuyumculuk", emails=("z@zumrut.tr",))
        add_movement(session, account, dt.date(2026, 10, 1), debit="1000", doc_no="A1")
        add_movement(session, account, dt.date(2026, 10, 2), debit="50", currency="USD")
        empty = add_account(session, "120.002", "Poyraz Lojistik", emails=("p@poyraz.tr",))
        for currency in ("TRY", "USD"):
            add_movement(session, empty, dt.date(2026, 10, 1), debit="10", currency=currency)
            add_movement(session, empty, dt.date(2026, 10, 3), credit="10", currency=currency)
        session.flush()
        account_id, empty_id = account.id, empty.id
    # The second account's balances are nought: left out, it is on the error list.
    created = write_batch(
        database,
        actor,
        AS_OF,
        [(account_id, "TRY"), (account_id, "USD"), (empty_id, "TRY"), (empty_id, "USD")],
        SendOptions(),
    )
    assert created.batch_id is not None
    with database.reader() as session:
        errors = error_list(session, created.batch_id)
        assert session.scalars(select(Letter.id)).first() is not None
    printed = "\n".join(error_lines(errors))
    assert "120.002 Poyraz Lojistik TL/USD:" in printed and not CODE.search(printed)
    views: list[tuple[str, Screen[object], str]] = [
        ("card", AccountCardScreen(account_id), "TL"),
        ("criteria", SendCriteriaScreen(BalanceCriteria(AS_OF, currency="TRY")), "TL"),
        ("list", SendListScreen(BalanceCriteria(AS_OF, currency="TRY")), "döviz TL"),
        ("movements", MovementListScreen(account_id), " TL "),
        ("errors", SendErrorsScreen(created.batch_id), "TL/USD"),
        ("answer", AnswerDialog("Yanıt", currencies=("TRY", "USD")), "Onların TL bakiyesi"),
    ]
    async with app.run_test(size=(120, 40)) as pilot:
        for name, view, expected in views:
            app.push_screen(view)
            await press(pilot)
            await pilot.pause(0.1)
            shown = screen_text(app.export_screenshot())
            assert expected in shown, (name, shown)
            assert not CODE.search(shown), (name, shown)
            app.pop_screen()
            await press(pilot)
