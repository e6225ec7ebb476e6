"""The account card and its contacts, driven by the real keys at 80x24 (SPEC B1–B3, B1a)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from textual.pilot import Pilot
from textual.widgets import Input, Label

from tui_mutabakat.app import MutabakatApp, make_app
from tui_mutabakat.config import Settings
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.accounts.contacts_table import ContactsTable
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.dialogs.contact_dialog import ContactDialog
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.services.accounts.cards import AccountData, ContactData, save_account
from tui_mutabakat.services.context import Actor


def text_of(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Label).content)  # type: ignore[attr-defined]


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)


async def open_card(
    app: MutabakatApp, pilot: Pilot[None], account_id: int | None
) -> list[int | None]:
    results: list[int | None] = []
    await pilot.pause()
    app.push_screen(AccountCardScreen(account_id), results.append)
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, AccountCardScreen)
    return results


def stored(database: Database, code: str) -> Account | None:
    with database.reader() as session:
        return session.scalar(
            select(Account).where(Account.code == code).options(selectinload(Account.contacts))
        )


def make_account(database: Database, actor: Actor, code: str, **values: object) -> int:
    data = AccountData(code=code, title=f"{code} Ltd.", **values)  # type: ignore[arg-type]
    with database.unit_of_work() as session:
        return save_account(session, actor, data)


async def add_contact(pilot: Pilot[None], app: MutabakatApp, name: str, email: str) -> None:
    await pilot.press("insert")
    await pilot.pause()
    assert isinstance(app.screen, ContactDialog)
    await type_text(pilot, name)
    await pilot.press("tab", "tab", "tab")  # title, department, e-mail
    assert app.screen.focused is app.screen.query_one("#f-email")
    await type_text(pilot, email)
    await pilot.pause()


async def test_new_card_with_two_contacts_by_keys(app: MutabakatApp, database: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_card(app, pilot, None)
        card = app.screen
        assert card.focused is card.query_one("#f-code")
        assert "Mutabakat gönderilemez" in text_of(card, "#recipient-status")
        await type_text(pilot, "120.01.001")
        await pilot.press("tab")  # title
        await type_text(pilot, "Deneme Ticaret A.Ş.")

        await add_contact(pilot, app, "Ali Veli", "ali@firma.com.tr")
        assert text_of(app.screen, "#err-email") == "✓"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is card

        await add_contact(pilot, app, "Muhasebe Servisi", "muhasebe.firma.com.tr")
        dialog = app.screen
        assert "Adreste @ işareti yok" in text_of(dialog, "#err-email")
        await pilot.press("f2")  # an invalid address can be kept, after a question
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("e")
        await pilot.pause()
        assert app.screen is card
        table = card.query_one(ContactsTable)
        assert table.row_count == 2
        assert "Adreste @ işareti yok" in str(table.get_row_at(1)[-1])
        assert "Muhasebe Servisi" in text_of(card, "#recipient-status")

        # Correct it: Enter on the contact row opens it again.
        assert card.focused is table and table.cursor_row == 1
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ContactDialog)
        app.screen.query_one("#f-email", Input).focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "muhasebe@firma.com.tr")
        await pilot.pause()
        assert text_of(app.screen, "#err-email") == "✓"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is card
        assert text_of(card, "#recipient-status") == "Mutabakat alıcıları tamam ✓"

        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, AccountCardScreen)

    account = stored(database, "120.01.001")
    assert account is not None
    assert results == [account.id]
    assert account.title == "Deneme Ticaret A.Ş."
    assert [(c.name, c.email, c.receives_reconciliation) for c in account.contacts] == [
        ("Ali Veli", "ali@firma.com.tr", True),
        ("Muhasebe Servisi", "muhasebe@firma.com.tr", True),
    ]


async def test_contact_keys_toggle_and_delete(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account_id = make_account(
        database,
        actor,
        "C1",
        contacts=[
            ContactData(name="A", email="a@x.com.tr"),
            ContactData(name="B", email="b@x.com"),
        ],
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await open_card(app, pilot, account_id)
        card = app.screen
        await pilot.press("f5")  # to the contacts
        table = card.query_one(ContactsTable)
        assert card.focused is table
        await pilot.press("space")  # A no longer receives letters
        await pilot.press("down", "f8")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("e")  # delete B
        await pilot.pause()
        assert table.row_count == 1
        assert text_of(card, "#recipient-status").startswith("Mutabakat gönderilemez")
        await pilot.press("f2")
        await pilot.pause()

    account = stored(database, "C1")
    assert account is not None
    assert [(c.name, c.receives_reconciliation) for c in account.contacts] == [("A", False)]


async def test_contact_name_is_required(app: MutabakatApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_card(app, pilot, None)
        await pilot.press("ctrl+n")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ContactDialog)
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is dialog
        assert text_of(dialog, "#err-name") == "Ad soyad boş olamaz."
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AccountCardScreen)
        assert app.screen.query_one(ContactsTable).row_count == 0


async def test_errors_are_shown_next_to_their_field(app: MutabakatApp, database: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_card(app, pilot, None)
        card = app.screen
        await type_text(pilot, "X1")
        await pilot.press("f2")  # no title
        await pilot.pause()
        assert text_of(card, "#err-title") == "Ünvan boş olamaz."
        assert card.focused is card.query_one("#f-title")
        await type_text(pilot, "Ünvan")
        card.query_one("#f-risk_limit", Input).focus()
        await type_text(pilot, "on bin")
        await pilot.press("f2")
        await pilot.pause()
        assert "Geçerli bir tutar girin" in text_of(card, "#err-risk_limit")
        assert text_of(card, "#err-title") == ""
        await pilot.press("ctrl+u")
        await type_text(pilot, "150.000,50")
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, AccountCardScreen)

    account = stored(database, "X1")
    assert account is not None and account.risk_limit == Decimal("150000.50")


async def test_escape_asks_before_dropping_changes(app: MutabakatApp, database: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_card(app, pilot, None)
        await type_text(pilot, "Y1")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "Değişiklikler kaydedilmedi. Çıkılsın mı?" in text_of(app.screen, ".question")
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, AccountCardScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, AccountCardScreen)
        assert results == [None]
    assert stored(database, "Y1") is None


async def test_unchanged_card_leaves_without_question(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account_id = make_account(database, actor, "Z1", city="Ankara")
    async with app.run_test(size=(80, 24)) as pilot:
        results = await open_card(app, pilot, account_id)
        assert app.screen.query_one("#f-city", Input).value == "Ankara"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, (AccountCardScreen, ConfirmDialog))
        assert results == [None]


async def test_second_save_of_the_same_card_is_refused(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    """Two users with the card open: the first F2 wins, the second is told and refused."""
    account_id = make_account(database, actor, "K1")
    from dataclasses import replace

    other = make_app(replace(settings, user_login="ayse"), database)
    async with app.run_test(size=(80, 24)) as mine, other.run_test(size=(80, 24)) as theirs:
        await open_card(app, mine, account_id)
        await open_card(other, theirs, account_id)
        # Ayşe changes the title and saves first.
        other.screen.query_one("#f-title", Input).focus()
        await theirs.press("ctrl+u")
        await type_text(theirs, "Ayşe'nin ünvanı")
        await theirs.press("f2")
        await theirs.pause()
        assert not isinstance(other.screen, AccountCardScreen)
        # I change the city and save second.
        app.screen.query_one("#f-city", Input).focus()
        await type_text(mine, "İzmir")
        await mine.press("f2")
        await mine.pause()
        assert isinstance(app.screen, MessageDialog)
        assert "ayse kaydetti" in text_of(app.screen, ".question")
        await mine.press("enter")
        await mine.pause()
        assert isinstance(app.screen, AccountCardScreen)  # what I typed is still there
        assert app.screen.query_one("#f-city", Input).value == "İzmir"

    account = stored(database, "K1")
    assert account is not None
    assert (account.title, account.city, account.updated_by) == ("Ayşe'nin ünvanı", "", "ayse")


async def test_f10_lists_values_other_accounts_use(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    make_account(database, actor, "L1", city="İstanbul")
    make_account(database, actor, "L2", city="İzmir")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_card(app, pilot, None)
        card = app.screen
        await pilot.press("tab", "tab", "tab", "tab")
        assert card.focused is card.query_one("#f-city")
        await pilot.press("f10")
        await pilot.pause()
        assert isinstance(app.screen, ValueLookupScreen)
        await type_text(pilot, "İz")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is card
        assert card.query_one("#f-city", Input).value == "İzmir"


async def test_enter_moves_to_the_next_field(app: MutabakatApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_card(app, pilot, None)
        card = app.screen
        await type_text(pilot, "120.01.009")
        await pilot.press("enter")
        assert card.focused is card.query_one("#f-title")
        await type_text(pilot, "Enter Ticaret")
        await pilot.press("enter")
        assert card.focused is card.query_one("#f-tax_number")
        assert card.query_one("#f-title", Input).value == "Enter Ticaret"


async def test_every_field_reachable_by_tab_at_80x24(app: MutabakatApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_card(app, pilot, None)
        card = app.screen
        visited: list[str] = []
        for _ in range(30):
            focused = card.focused
            assert focused is not None
            region = focused.region
            assert region.height > 0 and 0 <= region.y < 24, (focused, region)
            visited.append(focused.id or "")
            if isinstance(focused, ContactsTable):
                break
            await pilot.press("tab")
        expected = [
            "f-code",
            "f-title",
            "f-tax_number",
            "f-tax_office",
            "f-city",
            "f-phone",
            "f-currency",
            "f-group_code",
            "f-sector_code",
            "f-region_code",
            "f-risk_limit",
            "f-active",
            "f-address",
            "f-notes",
            "f-routing",
            "f-department_email",
            "contacts",
        ]
        assert visited == expected
        table = card.query_one(ContactsTable)
        assert table.region.height >= 3 and table.region.bottom <= 23


async def test_department_routing_checks_its_address(app: MutabakatApp, database: Database) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_card(app, pilot, None)
        card = app.screen
        await pilot.press(*"D1", "tab", *"Departmanlı A.Ş.")
        card.query_one("#f-routing").focus()
        await pilot.press("space", "down", "enter")  # "Departmana" (Enter moves on)
        await pilot.pause()
        assert text_of(card, "#recipient-status") == (
            "Mutabakat gönderilemez: Departman adresi: E-posta adresi boş."
        )
        await pilot.press("tab", *"muhasebe@firma")
        await pilot.pause()
        assert text_of(card, "#err-department_email").startswith("✗ Alan adı eksik")
        await pilot.press(*".com.tr")
        await pilot.pause()
        assert text_of(card, "#err-department_email") == "✓"
        assert text_of(card, "#recipient-status") == "Mutabakat alıcıları tamam ✓"
        await pilot.press("f2")
        await pilot.pause()

    account = stored(database, "D1")
    assert account is not None
    assert (account.routing.value, account.department_email) == (
        "department",
        "muhasebe@firma.com.tr",
    )


async def test_recipient_warning_joins_sentences_with_a_space(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """ "Selim Ateş: E-posta adresi boş. Geçerli alıcı yok: …" — not ".;"."""
    account_id = make_account(
        database, actor, "120.01.008", contacts=[ContactData(name="Selim Ateş")]
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await open_card(app, pilot, account_id)
        assert text_of(app.screen, "#recipient-status") == (
            "Mutabakat gönderilemez: Selim Ateş: E-posta adresi boş. "
            "Geçerli alıcı yok: mutabakat gönderilemez."
        )
