"""The account list (F3) and the F10 account lookup, driven by real keys at 80x24."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Label

from tests.pilot_keys import type_text
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import Account, Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.screens.accounts.account_list import AccountListScreen
from tui_mutabakat.screens.accounts.account_lookup import AccountLookupScreen
from tui_mutabakat.screens.dialogs.confirm import MessageDialog
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.services.accounts.cards import AccountData, save_account
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.paged_table import PagedTable

SEARCH_WAIT = 0.4  # longer than the search delay


def add_accounts(database: Database, actor: Actor) -> dict[str, int]:
    """Four accounts; Beta has a movement (so it cannot be deleted); Çınar is inactive."""
    rows = [
        ("120.001", "Delta Lojistik", "İzmir", "TED", True),
        ("120.002", "Anadolu Gıda [Merkez]", "İstanbul", "MUS", True),
        ("120.003", "Beta Tekstil", "Bursa", "TED", True),
        ("120.004", "Cınar İnşaat", "Ankara", "MUS", False),
    ]
    ids: dict[str, int] = {}
    with database.unit_of_work() as session:
        for code, title, city, group, active in rows:
            data = AccountData(code=code, title=title, city=city, group_code=group, active=active)
            ids[code] = save_account(session, actor, data)
        session.add(
            Movement(
                account_id=ids["120.003"],
                date=dt.date(2026, 3, 31),
                doc_type=DocumentType.SALES_INVOICE,
                doc_no="F-1",
                debit=Decimal("1234.56"),
                credit=Decimal("0"),
            )
        )
    return ids


async def open_list(pilot: Pilot[None], app: MutabakatApp) -> PagedTable:
    await pilot.press("f3")
    await pilot.pause()
    assert isinstance(app.screen, AccountListScreen)
    return app.screen.query_one("#account-table", PagedTable)


def codes(table: PagedTable) -> list[str]:
    """The codes the table shows on screen, top to bottom."""
    shown = [table.render_line(y).text.split() for y in range(1, table.size.height)]
    return [words[0] for words in shown if words and words[0].startswith("120.")]


def status(app: MutabakatApp) -> str:
    return str(app.screen.query_one("#account-status").render())


async def test_list_shows_accounts_with_balance(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        assert codes(table) == ["120.001", "120.002", "120.003", "120.004"]
        beta = table.render_line(3).text
        assert "Beta Tekstil" in beta and "Bursa" in beta and "1.234,56 B" in beta
        assert "4 / 4 hesap" in status(app)


async def test_no_letter_typed_is_lost(app: MutabakatApp, database: Database, actor: Actor) -> None:
    """Typed one key at a time, as a person does: focusing the search field must not select
    the first letter, which the second would then replace."""
    add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        await type_text(pilot, "tek")
        search = app.screen.query_one("#account-search", Input)
        assert search.value == "tek"
        await pilot.press("down")  # to the table, the search kept
        await pilot.pause(SEARCH_WAIT)
        assert codes(table) == ["120.003"] and table.has_focus
        await type_text(pilot, "del")  # typed on the table: a new search, not added to "tek"
        assert search.value == "del"
        await pilot.pause(SEARCH_WAIT)
        assert codes(table) == ["120.001"]


async def test_a_word_typed_quickly_on_the_table_is_searched_whole(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """Letters that arrive in one read (a quick typist over SSH) all go to the search: each
    used to start a new search, so "selim" searched "m" (found in the keys-only walk)."""
    from textual import events

    add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        table.focus()
        await pilot.pause()
        for character in "tek":
            app.post_message(events.Key(character, character))
        for _ in range(10):
            await pilot.pause()
        search = app.screen.query_one("#account-search", Input)
        assert search.value == "tek"
        await pilot.pause(SEARCH_WAIT)
        assert codes(table) == ["120.003"]


async def test_enter_in_the_search_opens_the_only_account_left(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    from tui_mutabakat.screens.accounts.account_card import AccountCardScreen

    ids = add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        await type_text(pilot, "120.00")
        await pilot.press("enter")  # four accounts left: to the table
        await pilot.pause()
        assert isinstance(app.screen, AccountListScreen) and table.has_focus
        await type_text(pilot, "120.004")
        await pilot.press("enter")  # one left: its card
        await pilot.pause()
        card = app.screen
        assert isinstance(card, AccountCardScreen) and card._account_id == ids["120.004"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AccountListScreen)
        search = app.screen.query_one("#account-search", Input)
        await type_text(pilot, "beta")  # back on the table: a new search
        assert search.value == "beta"
        await pilot.press("escape")  # Esc in the search clears it
        await pilot.pause(SEARCH_WAIT)
        assert search.value == "" and len(codes(table)) == 4
        assert "Esc temizler" in search.placeholder


async def test_typing_narrows_the_list(app: MutabakatApp, database: Database, actor: Actor) -> None:
    add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        # Letters typed on the table go to the search field.
        await pilot.press("t", "e", "k")
        await pilot.pause(SEARCH_WAIT)
        assert app.screen.query_one("#account-search").has_focus
        assert codes(table) == ["120.003"]
        assert "1 / 4 hesap" in status(app)
        await pilot.press("x")
        await pilot.pause(SEARCH_WAIT)
        assert codes(table) == []
        assert "Kayıt yok — Ins ile yeni hesap ekleyin" in table.render_line(1).text
        # Esc in the search clears it, Down goes back to the table.
        await pilot.press("escape")
        await pilot.pause(SEARCH_WAIT)
        assert isinstance(app.screen, AccountListScreen)
        assert len(codes(table)) == 4
        await pilot.press("1", "2", "0", ".", "0", "0", "2", "down")
        await pilot.pause()
        assert table.has_focus and table.cursor_id is not None
        assert codes(table) == ["120.002"]


async def test_sort_keys_change_the_order(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        await pilot.press("f6")  # by title
        await pilot.pause()
        assert codes(table) == ["120.002", "120.003", "120.004", "120.001"]
        assert "Ünvan ▲" in table.render_line(0).text
        await pilot.press("ctrl+t")  # descending
        await pilot.pause()
        assert codes(table) == ["120.001", "120.004", "120.003", "120.002"]
        await pilot.press("f6")  # by city, ascending again
        await pilot.pause()
        assert codes(table)[0] == "120.004"  # Ankara
        assert "Şehir ▲" in table.render_line(0).text


async def test_city_filter_by_f10_and_only_active(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ValueLookupScreen)
        await pilot.press("B", "u", "enter")
        await pilot.pause()
        assert codes(table) == ["120.003"]
        assert "Şehir: Bursa" in status(app)
        await pilot.press("f10")
        await pilot.pause()
        await pilot.press("enter")  # the first entry removes the filter
        await pilot.pause()
        assert len(codes(table)) == 4
        await pilot.press("f12")
        await pilot.pause()
        assert codes(table) == ["120.001", "120.002", "120.003"]
        assert "yalnız aktif" in status(app)


async def test_delete_is_refused_for_an_account_with_movements(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    ids = add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        await pilot.press("down", "down")
        assert table.cursor_id == ids["120.003"]
        await pilot.press("f8")
        await pilot.pause()
        # Refused at once: no "silinsin mi?" first for what cannot be done (issue 11.12).
        assert isinstance(app.screen, MessageDialog)
        message = str(app.screen.query_one(".question", Label).render())
        assert "120.003" in message and "hareketi olan hesap silinemez" in message
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AccountListScreen)
        assert len(codes(table)) == 4
    with database.reader() as session:
        assert session.get(Account, ids["120.003"]) is not None


async def test_delete_with_confirmation_removes_the_account(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    ids = add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        await pilot.press("down")
        # Ctrl+D, the alternative of F8; answering "no" keeps the account.
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert len(codes(table)) == 4
        await pilot.press("f8")
        await pilot.pause()
        question = str(app.screen.query_one(".question", Label).render())
        assert "120.002 — Anadolu Gıda [Merkez]" in question
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AccountListScreen)
        assert codes(table) == ["120.001", "120.003", "120.004"]
        assert table.cursor_id == ids["120.003"]
        assert "3 / 3 hesap" in status(app)
    with database.reader() as session:
        assert session.get(Account, ids["120.002"]) is None


async def test_escape_goes_back_to_the_menu(app: MutabakatApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        assert "Kayıt yok" in table.render_line(1).text
        await pilot.press("f8")  # nothing to delete: the key is greyed out
        await pilot.pause()
        assert isinstance(app.screen, AccountListScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AccountListScreen)


async def test_lookup_returns_the_chosen_account_id(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    ids = add_accounts(database, actor)
    chosen: list[int | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(AccountLookupScreen("ti"), callback=chosen.append)
        await pilot.pause()
        table = app.screen.query_one(PagedTable)
        assert codes(table) == ["120.001", "120.003"]  # LojisTIk, TekstIl
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        app.push_screen(AccountLookupScreen(), callback=chosen.append)
        await pilot.pause()
        table = app.screen.query_one(PagedTable)
        assert len(codes(table)) == 4
        await pilot.press("z", "z", "enter")  # nothing matches: Enter picks nothing
        await pilot.pause(SEARCH_WAIT)
        assert isinstance(app.screen, AccountLookupScreen) and codes(table) == []
        await pilot.press("backspace", "backspace", "g", "ı", "d", "a", "enter")
        await pilot.pause()
        app.push_screen(AccountLookupScreen(), callback=chosen.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert chosen == [ids["120.003"], ids["120.002"], None]


async def test_enter_opens_the_account_card(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    pytest.importorskip("tui_mutabakat.screens.accounts.account_card")
    ids = add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "AccountCardScreen"
        assert table.cursor_id == ids["120.002"]


def test_search_ignores_turkish_letters_and_case(database: Database, actor: Actor) -> None:
    from tui_mutabakat.data.account_queries import AccountFilter, account_page

    with database.unit_of_work() as session:
        save_account(session, actor, AccountData(code="120.01.001", title="Çınar İnşaat A.Ş."))
        save_account(session, actor, AccountData(code="120.01.002", title="Işık Gıda Ltd. Şti."))
    with database.reader() as session:
        for typed, expected in [
            ("çınar", "120.01.001"),
            ("CINAR", "120.01.001"),
            ("inşaat", "120.01.001"),
            ("ISIK", "120.01.002"),
            ("ışık gıda", "120.01.002"),
            ("gida", "120.01.002"),
        ]:
            rows = account_page(session, AccountFilter(search=typed), 0, 10)
            assert [r.code for r in rows] == [expected], typed


async def test_f9_menu_opens_the_movements_of_the_account(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
    from tui_mutabakat.screens.operations.movements import MovementListScreen

    add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        table = await open_list(pilot, app)
        await pilot.press("down", "down")  # 120.003 Beta Tekstil, which has a movement
        await pilot.pause()
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, ActionMenu)
        await pilot.press("down", "enter")  # the entry after "Kartı aç": Hareketler
        await pilot.pause()
        assert isinstance(app.screen, MovementListScreen)
        assert "F-1" in str(app.screen.query_one("DataTable").get_row_at(0))
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AccountListScreen)
        assert table.cursor_id is not None


async def test_f9_menu_opens_the_parameters_of_the_account(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    from textual.widgets import OptionList

    from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
    from tui_mutabakat.screens.operations.parameters import AccountParametersScreen

    add_accounts(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_list(pilot, app)
        await pilot.press("f9")
        await pilot.pause()
        menu = app.screen
        assert isinstance(menu, ActionMenu)
        options = menu.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert "parameters" in ids
        await pilot.press(*["down"] * ids.index("parameters"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, AccountParametersScreen)
        assert "120.001" in str(app.screen.query_one("#parameters-account", Label).content)
