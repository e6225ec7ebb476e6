"""Parameters, working settings and company screens by keys at 80x24 (SPEC A1, C1–C6)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Label

from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import Account, Company
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, Role, RuleAction
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.domain.tax_number import vkn_check_digit
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.operations.parameters import AccountParametersScreen
from tui_mutabakat.screens.settings.company import CompanyScreen
from tui_mutabakat.screens.settings.working_settings import WorkingSettingsScreen
from tui_mutabakat.services.accounts.cards import AccountData, save_account
from tui_mutabakat.services.accounts.parameters import (
    RuleParameters,
    default_parameters,
    load_defaults,
    load_parameters,
    save_defaults,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.settings.working_settings import (
    CompanyData,
    WorkingExtras,
    load_company,
    load_extras,
    save_company,
    save_extras,
)


def text_of(screen: object, selector: str) -> str:
    return str(screen.query_one(selector, Label).content)  # type: ignore[attr-defined]


def without_version(data: RuleParameters) -> RuleParameters:
    return replace(data, version_id=None)


async def push(app: MutabakatApp, pilot: Pilot[None], screen: Screen[Any]) -> None:
    await pilot.pause()
    app.push_screen(screen)
    await pilot.pause()
    await pilot.pause()


async def replace_text(pilot: Pilot[None], text: str) -> None:
    """Clear the focused input (cursor at the end) and type `text`."""
    await pilot.press("ctrl+u", *text)


EXPECTED_DEFAULTS = RuleParameters(
    partial_shipment=True,
    invoice_copies=3,
    approve_by_risk=True,
    approve_by_due_date=False,
    approve_by_ageing=True,
    ageing_days=60,
    due_track_types=frozenset({DocumentType.SALES_INVOICE, DocumentType.BANK}),
    due_track_days=30,
    due_track_amount=Decimal("10000.00"),
    due_track_action=RuleAction.WARN,
    close_check_days=None,
    close_check_action=RuleAction.CONTINUE,
)


async def set_defaults_by_keys(app: MutabakatApp, pilot: Pilot[None]) -> None:
    await push(app, pilot, WorkingSettingsScreen())
    screen = app.screen
    assert screen.focused is screen.query_one("#f-answer_period_days")
    await replace_text(pilot, "45")
    await pilot.press("tab")
    await replace_text(pilot, "10")
    await pilot.press("tab", "space")  # partial shipment: yes
    await pilot.press("tab")
    await replace_text(pilot, "3")  # invoice copies
    await pilot.press("tab", "tab", "space")  # payment term left empty, risk
    await pilot.press("tab", "tab", "space")  # skip due date, tick ageing
    await pilot.press("tab", *"60")  # ageing days
    await pilot.press("tab", "space")  # sales invoices
    await pilot.press("tab", "tab", "tab", "tab", "space")  # bank
    await pilot.press("tab", "tab", *"30")  # due-track days
    await pilot.press("tab", *"10.000,00")  # due-track amount
    await pilot.press("tab")
    assert screen.focused is screen.query_one("#f-due_track_action")
    await pilot.press("space", "down", "enter")  # "Kullanıcı uyarılsın" (Enter moves on)
    await pilot.pause()
    await pilot.press("f2")
    await pilot.pause()
    assert app.screen is screen  # the settings screen stays open after saving
    await pilot.press("escape")
    await pilot.pause()


async def test_defaults_set_by_keys_reach_a_new_account(
    app: MutabakatApp, database: Database
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await set_defaults_by_keys(app, pilot)
        with database.reader() as session:
            assert without_version(load_defaults(session)) == EXPECTED_DEFAULTS
            assert load_extras(session).answer_period_days == 45
            assert load_extras(session).reminder_days_before == 10

        await push(app, pilot, AccountCardScreen(None))
        await pilot.press(*"N1", "tab", *"Yeni Hesap", "f2")
        await pilot.pause()

    with database.reader() as session:
        account_id = session.scalar(select(Account.id).where(Account.code == "N1"))
        assert account_id is not None
        assert without_version(load_parameters(session, account_id)) == EXPECTED_DEFAULTS


async def test_parameters_save_and_reset_to_defaults(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        save_defaults(session, actor, EXPECTED_DEFAULTS)
        account_id = save_account(session, actor, AccountData(code="P1", title="P1 A.Ş."))
    async with app.run_test(size=(80, 24)) as pilot:
        await push(app, pilot, AccountCardScreen(account_id))
        card = app.screen
        await pilot.press("f6")
        await pilot.pause()
        params = app.screen
        assert isinstance(params, AccountParametersScreen)
        assert "P1 — P1 A.Ş." in text_of(params, "#parameters-account")
        # One word for the ageing criterion and its days, as in the approval dialog.
        labels = {str(label.content) for label in params.query(".field-label").results(Label)}
        assert "Yaşlandırma günü" in labels and not any("Yaşlanma" in t for t in labels)
        assert params.query_one("#f-invoice_copies", Input).value == "3"
        await pilot.press("tab")
        await replace_text(pilot, "5")
        params.query_one("#f-due_track_amount", Input).focus()
        await pilot.press("ctrl+u")  # empty: no amount limit
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is card

        with database.reader() as session:
            saved = load_parameters(session, account_id)
        assert (saved.invoice_copies, saved.due_track_amount) == (5, None)

        await pilot.press("ctrl+r")
        await pilot.pause()
        params = app.screen
        assert params.query_one("#f-invoice_copies", Input).value == "5"
        await pilot.press("f7")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("e")
        await pilot.pause()
        assert params.query_one("#f-invoice_copies", Input).value == "3"
        assert params.query_one("#f-due_track_amount", Input).value == "10.000,00"
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is card

    with database.reader() as session:
        assert without_version(load_parameters(session, account_id)) == EXPECTED_DEFAULTS


async def test_parameter_errors_in_turkish(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        account_id = save_account(session, actor, AccountData(code="E1", title="E1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await push(app, pilot, AccountParametersScreen(account_id))
        screen = app.screen
        screen.query_one("#f-approve_by_ageing").focus()
        await pilot.press("space", "f2")
        await pilot.pause()
        assert app.screen is screen
        assert "yaşlanma günü girilmeli" in text_of(screen, "#err-ageing_days")
        assert screen.focused is screen.query_one("#f-ageing_days")
        screen.query_one("#f-invoice_copies").focus()
        await replace_text(pilot, "0")
        await pilot.press("f2")
        await pilot.pause()
        assert text_of(screen, "#err-invoice_copies") == "Fatura yazım sayısı en az 1 olmalı."
        assert text_of(screen, "#err-ageing_days") == ""
        await pilot.press("escape")  # changed: asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("e")
        await pilot.pause()
        assert not isinstance(app.screen, AccountParametersScreen)

    with database.reader() as session:
        assert load_parameters(session, account_id).approve_by_ageing is False


async def test_parameters_of_a_new_card_ask_to_save_first(
    app: MutabakatApp, database: Database
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await push(app, pilot, AccountCardScreen(None))
        await pilot.press(*"S1", "tab", *"Yeni", "f6")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AccountParametersScreen)
        await pilot.press("escape")
        await pilot.pause()
        card = app.screen
        assert isinstance(card, AccountCardScreen)
        assert not card.is_dirty
        await pilot.press("f2")  # a second save of the same card is an update, not a clash
        await pilot.pause()
        assert not isinstance(app.screen, AccountCardScreen)

    with database.reader() as session:
        assert session.scalar(select(Account.title).where(Account.code == "S1")) == "Yeni"


async def test_changed_defaults_leave_accounts_alone_until_applied(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        account_id = save_account(session, actor, AccountData(code="A1", title="A1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await push(app, pilot, WorkingSettingsScreen())
        screen = app.screen
        screen.query_one("#f-invoice_copies").focus()
        await replace_text(pilot, "4")
        await pilot.press("f7")  # unsaved: refused with a warning, no question
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("f2")
        await pilot.pause()
        with database.reader() as session:
            assert load_parameters(session, account_id).invoice_copies == 1
            assert default_parameters(session).invoice_copies == 4
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        assert "1 cari hesabın" in text_of(app.screen, ".question")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert "1 hesabın parametreleri" in text_of(app.screen, ".question")

    with database.reader() as session:
        assert load_parameters(session, account_id).invoice_copies == 4


async def test_company_screen_saves_with_checks(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    vkn = "123456789" + str(vkn_check_digit("123456789"))
    wrong = vkn[:9] + str((int(vkn[9]) + 1) % 10)
    async with app.run_test(size=(80, 24)) as pilot:
        await push(app, pilot, CompanyScreen())
        screen = app.screen
        assert screen.focused is screen.query_one("#f-title")
        await pilot.press(*"Örnek Gıda A.Ş.", "tab", *"Kadıköy", "tab", *wrong)
        await pilot.pause()
        assert text_of(screen, "#err-tax_number").startswith("Geçersiz")
        await pilot.press("f2")
        await pilot.pause()
        assert screen.focused is screen.query_one("#f-tax_number")
        await replace_text(pilot, vkn)
        assert text_of(screen, "#err-tax_number") == "✓"
        screen.query_one("#f-email").focus()
        await pilot.press(*"muhasebe@ornek")
        await pilot.pause()
        assert "Alan adı eksik" in text_of(screen, "#err-email")
        await pilot.press(*".com.tr", "f2")
        await pilot.pause()
        assert app.screen is screen and isinstance(screen, CompanyScreen)
        assert not screen.is_dirty

        # Somebody else saves meanwhile: my next save is refused.
        with database.unit_of_work() as session:
            theirs = load_company(session)
            save_company(session, actor, replace(theirs, phone="0216 000 00 00"))
        screen.query_one("#f-city").focus()
        await pilot.press(*"İstanbul", "f2")
        await pilot.pause()
        assert isinstance(app.screen, MessageDialog)
        assert "başka bir kullanıcı" in text_of(app.screen, ".question")

    with database.reader() as session:
        company = session.scalar(select(Company))
    assert company is not None
    assert (company.title, company.tax_office, company.tax_number) == (
        "Örnek Gıda A.Ş.",
        "Kadıköy",
        vkn,
    )
    assert (company.email, company.phone, company.city) == (
        "muhasebe@ornek.com.tr",
        "0216 000 00 00",
        "",
    )


def test_settings_services_refuse_non_admins_and_bad_values(
    database: Database, actor: Actor
) -> None:
    clerk = Actor("clerk", Role.ACCOUNTANT)
    with database.unit_of_work() as session:
        with pytest.raises(Refused):
            save_company(session, clerk, CompanyData(title="X"))
        with pytest.raises(Refused):
            save_extras(session, clerk, WorkingExtras(30, 7))
        with pytest.raises(InvalidInput) as error:
            save_extras(session, actor, WorkingExtras(10, 10))
        assert error.value.field == "reminder_days_before"
        with pytest.raises(InvalidInput) as error:
            save_company(session, actor, CompanyData(title="X", email="x@"))
        assert error.value.field == "email"


async def test_main_menu_opens_settings_and_company(app: MutabakatApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, WorkingSettingsScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, CompanyScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, CompanyScreen)
