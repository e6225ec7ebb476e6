"""F8 on an account with movements (the 80×24 walk): refused at once — one EXISTS, no
movement loaded — naming the account by code and title."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from textual.widgets import Label

from tests.ops_data import add_movement, make_account
from tests.pilot_keys import press
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.errors import Refused
from tui_mutabakat.screens.accounts.account_list import AccountListScreen
from tui_mutabakat.screens.dialogs.confirm import MessageDialog
from tui_mutabakat.services.accounts.cards import check_deletable
from tui_mutabakat.services.context import Actor

SIZE = (80, 24)


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements run on `database` inside the block."""
    seen: list[str] = []

    def log(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", log)


def test_the_refusal_is_one_exists_query_naming_code_and_title(
    database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    for day in range(1, 29):
        add_movement(database, account, debit="10", date=dt.date(2026, 2, day))
    with statements(database) as seen, database.reader() as session:
        with pytest.raises(Refused) as refused:
            check_deletable(session, account)
    assert str(refused.value).startswith("120.01 — Test Ticaret 120.01 hesabının hareketleri")
    [query] = [s for s in seen if s.upper().startswith("SELECT")]
    assert "EXISTS" in query.upper()
    assert "movement.debit" not in query and "movement.id" not in query  # nothing loaded


async def test_f8_names_the_account_it_refuses(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    add_movement(database, account, debit="100", date=dt.date(2026, 1, 15))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f3")
        assert isinstance(app.screen, AccountListScreen)
        await press(pilot, "f8")
        assert isinstance(app.screen, MessageDialog)
        text = str(app.screen.query_one(".question", Label).render())
        assert "120.01 — Test Ticaret 120.01" in text and "silinemez" in text
